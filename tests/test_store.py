"""The store: exact round trips, a hash chain that catches any change, clear load errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sim.errors import SimError
from sim.events import Event
from sim.store import head_path, load_log, verify, write_log
from tests.builders import make
from tests.profiles import PROFILE, budget
from tests.strategies import events, histories


@budget(25)
@given(histories(min_size=1))
def test_a_written_log_loads_back_exactly(
    tmp_path_factory: pytest.TempPathFactory, history: tuple[Event, ...]
) -> None:
    folder = tmp_path_factory.mktemp("log")
    head = write_log(folder, history)
    log = load_log(folder)
    assert log.events == history
    assert log.hashes[-1] == head
    assert verify(folder).ok


@given(histories(min_size=1), st.data())
@budget(30)
def test_any_one_byte_change_is_caught_by_verify(
    tmp_path_factory: pytest.TempPathFactory, history: tuple[Event, ...], data: st.DataObject
) -> None:
    folder = tmp_path_factory.mktemp("log")
    write_log(folder, history)
    path = folder / "events.jsonl"
    raw = bytearray(path.read_bytes())
    at = data.draw(st.integers(0, len(raw) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != raw[at]))
    raw[at] = new
    path.write_bytes(bytes(raw))
    assert not verify(folder).ok


def test_a_cut_off_tail_is_caught_by_the_pinned_head(tmp_path: Path) -> None:
    history = [make("call", f"c{i}", i) for i in range(3)]
    head = write_log(tmp_path, history)
    path = tmp_path / "events.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))
    report = verify(tmp_path)
    assert not report.ok
    assert "does not match the pinned head" in report.faults[-1][1]
    head_path(path).unlink()
    assert verify(tmp_path).ok  # without a pin, a shorter log is still a valid chain
    assert not verify(tmp_path, head=head).ok  # ...unless the head is given


def test_verify_names_each_changed_line(tmp_path: Path) -> None:
    write_log(tmp_path, [make("call", f"c{i}", i) for i in range(5)])
    path = tmp_path / "events.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    path.write_bytes(b"".join(lines))
    report = verify(tmp_path)
    assert [n for n, _ in report.faults] == [2, 3, 4]


def _write_lines(path: Path, *lines: bytes) -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "invalid JSON"),
        (b"[1, 2]", "a log line must be a JSON object"),
        (b'{"kind": "truce", "id": "x"}', "unknown event kind"),
    ],
)
def test_load_errors_name_the_file_and_line(tmp_path: Path, content: bytes, message: str) -> None:
    write_log(tmp_path, [make("call", "c0", 0)])
    path = tmp_path / "events.jsonl"
    _write_lines(path, path.read_bytes().rstrip(b"\n"), content)
    with pytest.raises(SimError) as caught:
        load_log(tmp_path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}:2")


def test_duplicate_ids_and_unknown_causes_are_refused(tmp_path: Path) -> None:
    for history, message in (
        ([make("call", "a", 0), make("call", "a", 1)], "duplicate event id 'a'"),
        (
            [make("call", "a", 0, answers=("b",)), make("call", "b", 1)],
            "names a cause that is not an earlier event",
        ),
    ):
        write_log(tmp_path, history)
        with pytest.raises(SimError, match=message):
            load_log(tmp_path)


def test_a_folder_without_a_log_and_a_missing_path_are_explained(tmp_path: Path) -> None:
    with pytest.raises(SimError, match="this folder holds no log"):
        load_log(tmp_path)
    with pytest.raises(SimError, match="no such file or folder"):
        load_log(tmp_path / "nope")


def test_an_edited_line_breaks_the_chain_on_load(tmp_path: Path) -> None:
    write_log(tmp_path, [make("call", "a", 0, summary="one"), make("call", "b", 1)])
    path = tmp_path / "events.jsonl"
    path.write_bytes(path.read_bytes().replace(b'"one"', b'"two"'))
    with pytest.raises(SimError, match="broken hash chain") as caught:
        load_log(tmp_path)
    assert caught.value.line == 1


class StoreAgainstAList(RuleBasedStateMachine):
    """The store behaves like a list of events that survives every write and read."""

    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self.folder = Path(tempfile.mkdtemp(prefix="sim-store-"))
        self.model: list[Event] = []

    @rule(data=st.data())
    def append(self, data: st.DataObject) -> None:
        event = data.draw(events(ident=f"e{len(self.model)}", earlier=tuple(self.model)))
        self.model.append(event)
        write_log(self.folder, self.model)

    @precondition(lambda self: self.model)
    @rule()
    def drop_last(self) -> None:
        self.model.pop()
        if self.model:
            write_log(self.folder, self.model)
        else:
            (self.folder / "events.jsonl").unlink()
            head_path(self.folder / "events.jsonl").unlink()

    @precondition(lambda self: self.model)
    @rule()
    def reload(self) -> None:
        assert list(load_log(self.folder).events) == self.model

    @invariant()
    def verifies(self) -> None:
        if self.model:
            report = verify(self.folder)
            assert report.ok
            assert report.lines == len(self.model)


StoreAgainstAList.TestCase.settings = settings(
    max_examples=10_000 if PROFILE == "fuzz" else 12, stateful_step_count=12, deadline=None
)
test_store_against_a_list = StoreAgainstAList.TestCase

"""The store: exact round trips, a hash chain that catches any change, clear load errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.errors import SimError
from sim.events import Event, Source
from sim.store import head_path, load_log, verify, write_log
from tests.builders import make
from tests.profiles import budget
from tests.strategies import histories


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


@pytest.mark.parametrize(
    ("edit", "code", "fault"),
    [
        (lambda line: line.replace(b'"generated"', b'"edited"'), "broken-chain", "hash mismatch"),
        (lambda line: line[: line.rindex(b',"hash"')] + b"}", "no-chain-hash", "no chain hash"),
        (lambda line: line + b"\r", "crlf-line-end", "line ends with CR LF"),
    ],
)
def test_load_stops_at_the_first_break_verify_reports(
    tmp_path: Path, edit: Callable[[bytes], bytes], code: str, fault: str
) -> None:
    """One walk of the chain: the line a load stops at is the first one verify names."""
    write_log(
        tmp_path, [make("call", f"c{i}", i, source=Source(document="generated")) for i in range(4)]
    )
    path = tmp_path / "events.jsonl"
    lines = path.read_bytes().splitlines()
    lines[2] = edit(lines[2])
    _write_lines(path, *lines)
    with pytest.raises(SimError) as caught:
        load_log(tmp_path)
    assert (caught.value.code, caught.value.line) == (code, 3)
    first = verify(tmp_path).faults[0]
    assert first[0] == 3
    assert first[1].startswith(fault)

"""Appending to a log, and recovering from a torn tail: the library's promises, one by one."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import attrs
import orjson
import pytest

from sim import lock
from sim.append import append_event, read_event
from sim.codec import encode_event
from sim.errors import CONFLICT, SimError
from sim.events import Contact, Event, Information, Source
from sim.recovery import repair
from sim.store import head_path, load_log, read_bytes, read_head, verify, write_log

T0 = datetime(2023, 10, 7, 12, tzinfo=UTC)


def info(ident: str, hours: int = 0, **fields: object) -> Event:
    """A small valid event at ``T0`` plus ``hours``."""
    base: dict[str, object] = {
        "id": ident,
        "at": T0 + timedelta(hours=hours),
        "actors": ("qatar",),
        "source": Source(document="generated"),
    }
    return Information(**(base | fields))  # type: ignore[arg-type]


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """A sealed log of two events, head pinned."""
    target = tmp_path / "events.jsonl"
    opening = Contact(id="c0", at=T0, actors=("qatar",), source=Source(document="generated"))
    write_log(target, [opening, info("i1", 1, answers=("c0",))])
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, but the (empty) lock file that any writer may create."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix != ".lock"
    }


def test_append_continues_the_chain_and_pins_the_head(log: Path) -> None:
    done = append_event(log, info("i2", 2, answers=("i1",)))
    assert done.written
    assert (done.line, done.events) == (3, 3)
    loaded = load_log(log)
    assert [e.id for e in loaded.events] == ["c0", "i1", "i2"]
    assert read_head(log) == done.head == loaded.hashes[-1]
    assert verify(log).ok


def test_appended_log_equals_the_log_written_whole(log: Path, tmp_path: Path) -> None:
    """Appending event by event gives the same bytes and head as writing the log at once."""
    more = [info("i2", 2), info("i3", 3)]
    for event in more:
        append_event(log, event)
    whole = tmp_path / "whole.jsonl"
    head = write_log(whole, [*load_log(log).events[:2], *more])
    assert whole.read_bytes() == log.read_bytes()
    assert head == read_head(log)


def test_identical_event_twice_is_a_no_op(log: Path) -> None:
    first = append_event(log, info("i2", 2))
    before = snapshot(log.parent)
    again = append_event(log, info("i2", 2), expect=2)  # a retry after a lost answer
    assert not again.written
    assert (again.line, again.events, again.head) == (first.line, 3, first.head)
    assert snapshot(log.parent) == before


def test_same_id_with_other_content_is_a_conflict(log: Path) -> None:
    before = snapshot(log.parent)
    with pytest.raises(SimError) as caught:
        append_event(log, info("i1", 1, summary="something else"))
    assert (caught.value.code, caught.value.exit_code, caught.value.line) == (
        "id-conflict",
        CONFLICT,
        2,
    )
    assert snapshot(log.parent) == before


def test_same_instant_in_another_offset_is_other_content(log: Path) -> None:
    """Equal instants written differently are different records, so not a silent no-op."""
    other = info("i1", 1, answers=("c0",))
    shifted = attrs.evolve(other, at=other.at.astimezone(timezone(timedelta(hours=3))))
    assert shifted.at == other.at
    with pytest.raises(SimError, match="taken by a different event"):
        append_event(log, shifted)


@pytest.mark.parametrize("expect", [0, 1, 3])
def test_expect_refuses_a_log_of_another_length(log: Path, expect: int) -> None:
    before = snapshot(log.parent)
    with pytest.raises(SimError) as caught:
        append_event(log, info("i2", 2), expect=expect)
    assert (caught.value.code, caught.value.exit_code) == ("expect-mismatch", CONFLICT)
    assert "found 2 events" in str(caught.value)
    assert snapshot(log.parent) == before


def test_expect_matching_appends(log: Path) -> None:
    assert append_event(log, info("i2", 2), expect=2).events == 3


def test_missing_log_needs_expect_zero(tmp_path: Path) -> None:
    with pytest.raises(SimError) as caught:
        append_event(tmp_path / "new.jsonl", info("i0"))
    assert caught.value.code == "no-log"
    assert list(tmp_path.iterdir()) == []
    done = append_event(tmp_path / "new.jsonl", info("i0"), expect=0)
    assert done.written
    assert verify(tmp_path / "new.jsonl").ok


def test_folder_gets_events_jsonl(tmp_path: Path) -> None:
    append_event(tmp_path, info("i0"), expect=0)
    assert [e.id for e in load_log(tmp_path).events] == ["i0"]


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (info("i2", 2, answers=("nope",)), "unknown-cause"),
        (info("i2", 2, answers=("i2",)), "cause-cycle"),
        (info("i2", 0), "out-of-order"),
        (
            info("i2", 5, precision="approx", earliest=T0 + timedelta(hours=6)),
            "outside-bounds",
        ),
        (info("i2", 5, precision="approx", latest=T0 + timedelta(hours=4)), "outside-bounds"),
    ],
)
def test_invalid_event_is_refused_and_nothing_written(log: Path, event: Event, code: str) -> None:
    before = snapshot(log.parent)
    with pytest.raises(SimError) as caught:
        append_event(log, event)
    assert caught.value.code == code
    assert caught.value.exit_code == 2
    assert snapshot(log.parent) == before


def test_event_at_the_same_time_as_the_last_is_in_order(log: Path) -> None:
    assert append_event(log, info("i2", 1)).written


def test_appends_after_a_last_line_without_newline(log: Path) -> None:
    """A hand-saved log may lack its final newline; the append starts a line of its own."""
    log.write_bytes(log.read_bytes().rstrip(b"\n"))
    assert verify(log).ok
    append_event(log, info("i2", 2))
    assert [e.id for e in load_log(log).events] == ["c0", "i1", "i2"]
    assert verify(log).ok


def test_read_event_ignores_a_copied_hash_and_locates_faults() -> None:
    line = orjson.dumps(encode_event(info("x")) | {"hash": "0" * 64})
    assert read_event(line, source="e.json") == info("x")
    with pytest.raises(SimError) as caught:
        read_event(b'{\n  "kind": "information",\n  "id": x\n}', source="e.json")
    assert (caught.value.path, caught.value.line, caught.value.column) == ("e.json", 3, 9)


# ------------------------------------------------------------------------------------ torn tails


def cut_short(log: Path, event: Event, keep: int) -> bytes:
    """Simulate a crash mid-write: the first ``keep`` bytes of the next line, head unpinned."""
    pinned = head_path(log).read_bytes()
    append_event(log, event)
    data = log.read_bytes()
    last = data[:-1].rfind(b"\n") + 1
    torn = data[: last + keep]
    log.write_bytes(torn)
    head_path(log).write_bytes(pinned)
    return data[:last]


def unpinned(log: Path, event: Event) -> bytes:
    """Simulate a crash between writing the line and pinning the head."""
    before = log.read_bytes()
    pinned = head_path(log).read_bytes()
    append_event(log, event)
    head_path(log).write_bytes(pinned)
    return before


@pytest.mark.parametrize("keep", [1, 40, 150])
def test_cut_short_line_is_reported_with_its_line_and_repaired(log: Path, keep: int) -> None:
    good = cut_short(log, info("i2", 2), keep)
    report = verify(log)
    assert not report.ok
    assert report.torn is not None
    assert report.only_torn
    assert (report.torn.line, report.torn.offset, report.torn.size) == (3, len(good), keep)
    with pytest.raises(SimError) as caught:
        load_log(log)
    assert (caught.value.code, caught.value.line) == ("torn-tail", 3)
    assert "sim verify --repair" in str(caught.value)
    original = log.read_bytes()
    fixed = repair(log)
    assert fixed.repaired
    assert fixed.after.ok
    assert log.read_bytes() == good
    assert Path(fixed.backup or "").read_bytes() == original


def test_unpinned_last_line_is_a_torn_tail(log: Path) -> None:
    good = unpinned(log, info("i2", 2))
    report = verify(log)
    assert report.torn is not None
    assert report.only_torn
    assert report.torn.line == 3
    assert "does not cover" in report.torn.found
    with pytest.raises(SimError, match="torn") as caught:
        load_log(log)
    assert caught.value.code == "torn-tail"
    assert repair(log).after.ok
    assert log.read_bytes() == good


def test_append_refuses_a_torn_log_until_repaired(log: Path) -> None:
    cut_short(log, info("i2", 2), 30)
    before = snapshot(log.parent)
    with pytest.raises(SimError) as caught:
        append_event(log, info("i3", 3))
    assert caught.value.code == "torn-tail"
    assert "sim verify --repair" in (caught.value.hint or "")
    assert snapshot(log.parent) == before
    repair(log)
    assert append_event(log, info("i3", 3)).events == 3


def test_backups_are_never_overwritten(log: Path) -> None:
    backups = []
    for n in range(3):
        cut_short(log, info(f"t{n}", 2 + n), 20 + n)
        fixed = repair(log)
        assert fixed.backup is not None
        backups.append((fixed.backup, Path(fixed.backup).read_bytes()))
    assert [Path(b).name for b, _ in backups] == [f"events.jsonl.bak-{n}" for n in (1, 2, 3)]
    for name, data in backups:
        assert Path(name).read_bytes() == data
    assert len({data for _, data in backups}) == 3


def test_other_damage_is_reported_not_repaired(log: Path) -> None:
    data = log.read_bytes().replace(b'"qatar"', b'"QATAR"', 1)
    log.write_bytes(data + b'{"torn":')
    before = snapshot(log.parent)
    fixed = repair(log)
    assert not fixed.repaired
    assert not fixed.after.ok
    assert snapshot(log.parent) == before


def test_repair_of_a_sound_log_changes_nothing(log: Path) -> None:
    before = snapshot(log.parent)
    fixed = repair(log)
    assert not fixed.repaired
    assert fixed.after.ok
    assert snapshot(log.parent) == before


def test_reader_waits_for_a_writer_that_holds_the_lock(log: Path) -> None:
    """A reader that meets an append in progress waits for it instead of calling it torn."""
    pinned = head_path(log).read_bytes()
    append_event(log, info("i2", 2))
    finished = head_path(log).read_bytes()
    head_path(log).write_bytes(pinned)  # as if the writer had not pinned its head yet
    seen: list[int] = []
    started = threading.Event()
    with lock.exclusive(log):

        def read() -> None:
            started.set()
            seen.append(len(load_log(log).events))

        reader = threading.Thread(target=read)
        reader.start()
        started.wait()
        reader.join(timeout=0.2)
        assert reader.is_alive()  # waiting for the writer
        head_path(log).write_bytes(finished)  # the writer pins its head and lets go
    reader.join(timeout=10)
    assert seen == [3]


def test_a_loop_of_appends_reads_the_log_once(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody else wrote in between, so each append after the first skips re-reading the log."""
    reads: list[Path] = []

    def counting(path: Path) -> bytes:
        reads.append(path)
        return read_bytes(path)

    monkeypatch.setattr("sim.tail.read_bytes", counting)
    for n in range(5):
        append_event(log, info(f"n{n}", 2 + n))
    assert len(reads) == 1
    assert [e.id for e in load_log(log).events][-5:] == [f"n{n}" for n in range(5)]
    assert verify(log).ok


def test_an_append_notices_a_log_changed_behind_its_back(log: Path) -> None:
    append_event(log, info("i2", 2))
    log.write_bytes(log.read_bytes().replace(b'"qatar"', b'"qatar_pm"', 1))
    with pytest.raises(SimError) as caught:
        append_event(log, info("i3", 3))
    assert (caught.value.code, caught.value.line) == ("damaged-log", 1)


def test_an_append_notices_another_writer(log: Path) -> None:
    """Another process's append (simulated by rewriting the files) is read before appending."""
    append_event(log, info("i2", 2))
    write_log(log, [*load_log(log).events, info("other", 3)])
    with pytest.raises(SimError, match="taken by a different event"):
        append_event(log, info("other", 3, summary="mine"))
    assert append_event(log, info("i4", 4), expect=4).line == 5

"""The error catalogue, entry by entry, through the CLI as a user meets it.

Each case sets up a folder, runs one command, and checks: the exit code (2 for bad input, 1
where ``verify`` reports a damaged log, 3 for an append conflict or a lock held too long, 4 when
the system refuses: a denied permission or a full disk, simulated), the message (file, line,
column where it helps, what was expected and found, a hint), the error's stable code (from the
command's JSON log line), no traceback, and that nothing in the folder changed: loading never
writes; a refused append or repair at most leaves the writers' empty lock file behind.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.codec import encode_event
from sim.errors import CODES
from sim.store import head_path, write_log
from tests.builders import make

runner = CliRunner()

Setup = Callable[[Path], list[str]]


@attrs.frozen
class Case:
    """One catalogue entry: how to provoke it and what the user must see."""

    name: str
    code: str
    setup: Setup
    exit: int = 2
    says: tuple[str, ...] = ()
    stdin: bytes | None = None
    patch: Callable[[pytest.MonkeyPatch], None] | None = None
    """Makes the system refuse (a full disk, a denied permission) while the command runs."""
    hold: bool = False
    """Holds the writers' lock of ``events.jsonl`` in the folder while the command runs."""


# ------------------------------------------------------------------------------------ fixtures


def good_log(folder: Path, n: int = 2) -> Path:
    """A sealed log of ``n`` calls, head pinned; returns the file."""
    write_log(folder, [make("call", f"c{i}", i) for i in range(n)])
    return folder / "events.jsonl"


def record(**changes: Any) -> dict[str, Any]:
    """A valid call record on day 5, with ``changes`` (a value of ``None`` drops the key)."""
    data = encode_event(make("call", "x", 5)) | changes
    return {k: v for k, v in data.items() if v is not None}


def line(data: dict[str, Any] | list[Any]) -> bytes:
    return orjson.dumps(data)


def log_with(*extra: bytes, n: int = 1) -> Setup:
    """A good log of ``n`` lines, then raw ``extra`` lines; the command replays it."""

    def setup(folder: Path) -> list[str]:
        path = good_log(folder, n)
        with path.open("ab") as handle:
            for raw in extra:
                handle.write(raw + b"\n")
        return ["replay", str(path)]

    return setup


def with_manifest(toml: str, *events: Any) -> Setup:
    """A sealed log of two calls (or ``events``) beside a manifest ``scenario.toml``."""

    def setup(folder: Path) -> list[str]:
        write_log(folder, events or [make("call", f"c{i}", i) for i in range(2)])
        (folder / "scenario.toml").write_text(toml, encoding="utf-8")
        return ["replay", str(folder)]

    return setup


def written(*events: Any, command: str = "replay") -> Setup:
    """A log written (and chained) from ``events`` as they are: write_log checks nothing."""

    def setup(folder: Path) -> list[str]:
        write_log(folder, events)
        return [command, str(folder / "events.jsonl")]

    return setup


def raw_log(data: bytes, command: str = "replay") -> Setup:
    def setup(folder: Path) -> list[str]:
        path = folder / "events.jsonl"
        path.write_bytes(data)
        return [command, str(path)]

    return setup


def edited(edit: Callable[[Path], None], command: str = "replay", n: int = 3) -> Setup:
    def setup(folder: Path) -> list[str]:
        path = good_log(folder, n)
        edit(path)
        return [command, str(path)]

    return setup


def replace_once(old: bytes, new: bytes) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        path.write_bytes(path.read_bytes().replace(old, new, 1))

    return edit


def cut_tail(keep: int) -> Callable[[Path], None]:
    """Leave ``keep`` bytes of the last line and pin the head before it (a crash mid-write)."""

    def edit(path: Path) -> None:
        lines = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(b"".join(lines[:-1]) + lines[-1][:keep])
        head_path(path).write_text(json.loads(lines[-2])["hash"] + "\n")

    return edit


def unpin_last(path: Path) -> None:
    """Pin the head of the line before the last (a crash before the head was pinned)."""
    lines = path.read_bytes().splitlines()
    head_path(path).write_text(json.loads(lines[-2])["hash"] + "\n")


def write_head(text: str) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        head_path(path).write_text(text + "\n")

    return edit


def both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        for one in edits:
            one(path)

    return edit


def drop_last(path: Path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))


def appending(
    event: bytes | None, *extra: str, n: int = 2, log: Callable[[Path], Path] | None = None
) -> Setup:
    """``sim append`` of ``event`` (written to e.json; ``None``: read from stdin)."""

    def setup(folder: Path) -> list[str]:
        path = (log or (lambda f: good_log(f, n)))(folder)
        source = "-"
        if event is not None:
            (folder / "e.json").write_bytes(event)
            source = str(folder / "e.json")
        return ["append", str(path), source, *extra]

    return setup


def fifo(folder: Path) -> list[str]:
    os.mkfifo(folder / "pipe.jsonl")
    return ["replay", str(folder / "pipe.jsonl")]


def folder_named_log(folder: Path) -> list[str]:
    (folder / "events.jsonl").mkdir()
    return ["replay", str(folder)]


BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"
HEAD = '[scenario]\nname = "x"\nbase = "../baseline"\n'


def scenario(text: str | bytes, name: str = "x.toml") -> Setup:
    """``sim whatif`` of a scenario file beside a copy of the baseline (which must not change)."""

    def setup(folder: Path) -> list[str]:
        (folder / "baseline").mkdir()
        for file in ("events.jsonl", "events.jsonl.head"):
            shutil.copy(BASELINE / file, folder / "baseline" / file)
        (folder / "whatif").mkdir()
        path = folder / "whatif" / name
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        (folder / "whatif" / "bad.jsonl").write_text("not a log\n")
        return ["whatif", str(path)]

    return setup


def _csv(folder: Path, text: str) -> list[str]:
    (folder / "x.csv").write_text(text, encoding="utf-8")
    return ["import", str(folder / "x.csv"), "-o", str(folder / "log")]


def doing(action: str) -> Setup:
    """A scenario with one intervention, written as TOML lines."""
    return scenario(HEAD + "[[intervention]]\n" + action + "\n")


def _folder(path: Path) -> Path:
    """``path``, made a folder (where a file is expected)."""
    path.mkdir()
    return path


def studying(vary: str, *, options: tuple[str, ...] = ()) -> Setup:
    """``sim study`` of a study file of the baseline with one ``[[vary]]`` entry."""

    def setup(folder: Path) -> list[str]:
        path = folder / "s.toml"
        path.write_text(
            f'[study]\nname = "s"\nbase = "{BASELINE}"\nsamples = 2\n\n[[vary]]\n{vary}\n'
        )
        return ["study", str(path), "--sensitivity", "0", *options]

    return setup


def refusing(code: int) -> Callable[[pytest.MonkeyPatch], None]:
    """Make creating sim's temporary files fail as the system does with ``code``."""

    def patch(monkeypatch: pytest.MonkeyPatch) -> None:
        real = os.open

        def fake(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
            if str(path).endswith(".tmp") and flags & os.O_CREAT:
                raise OSError(code, os.strerror(code), str(path))
            return real(path, flags, mode, dir_fd=dir_fd)

        monkeypatch.setattr(os, "open", fake)

    return patch


def untouched(_path: Path) -> None:
    """Leave the log as it is (the fault is the system's)."""


def sparse_log(folder: Path) -> list[str]:
    with (folder / "events.jsonl").open("wb") as handle:
        handle.truncate((1 << 30) + 1)
    return ["replay", str(folder)]


def lock_folder(folder: Path) -> list[str]:
    path = good_log(folder)
    (folder / "events.jsonl.lock").unlink()
    (folder / "events.jsonl.lock").mkdir()
    (folder / "e.json").write_bytes(NEXT)
    return ["append", str(path), str(folder / "e.json")]


def headless(folder: Path) -> list[str]:
    path = good_log(folder)
    head_path(path).unlink()
    (folder / "e.json").write_bytes(NEXT)
    return ["append", str(path), str(folder / "e.json")]


ONE_MIB = 1 << 20
LOOP = (
    make("call", "a", 0, answers=("c",)),
    make("call", "b", 1, answers=("a",)),
    make("call", "c", 2, answers=("b",)),
)
NEXT = line(record(id="n", at="2023-10-09T00:00:00+00:00"))


CASES = [
    # ---------------------------------------------------------------- where the input is
    Case(
        "missing path",
        "no-such-path",
        lambda f: ["replay", str(f / "nope")],
        says=("nope: no such file or folder", "hint: check the path"),
    ),
    Case(
        "folder with no log",
        "no-log-in-folder",
        lambda f: ["replay", str(f)],
        says=(
            "this folder holds no log",
            "expected a file events.jsonl in it",
            "found no such file",
        ),
    ),
    Case(
        "log name taken by a folder",
        "no-log-in-folder",
        folder_named_log,
        says=("found events.jsonl is not a file",),
    ),
    Case("not a regular file", "unreadable", fifo, says=("pipe.jsonl: not a regular file",)),
    Case(
        "path too long",
        "bad-path",
        lambda f: ["replay", str(f / "/".join(["d" * 250] * 20))],
        says=("cannot open the log: the path is too long", "hint: check the path"),
    ),
    Case(
        "log over 1 GiB",
        "file-too-large",
        sparse_log,
        says=("events.jsonl: the log is too large", "expected at most 1 GiB"),
    ),
    Case(
        "text file given as a log",
        "not-a-log",
        raw_log(b"secret", "verify"),
        says=("this file is not a sim log", "found 1 line(s) of text: 'secret'"),
    ),
    Case("empty log", "empty-log", raw_log(b""), says=("the log is empty", "found an empty file")),
    Case(
        "blank log",
        "empty-log",
        raw_log(b"\n  \n"),
        says=("the log is empty", "no line with an event"),
    ),
    Case("empty log, verify", "empty-log", raw_log(b"", "verify"), says=("the log is empty",)),
    # ---------------------------------------------------------------- options and outputs
    Case(
        "--at an invalid date",
        "bad-at",
        lambda _: ["state", str(BASELINE), "--at", "2023-11-31"],
        says=("invalid date", "expected YYYY-MM-DD"),
    ),
    Case(
        "--at a milestone name",
        "bad-at",
        lambda _: ["state", str(BASELINE), "--at", "cabinet_approval"],
        says=("cabinet_approval is a milestone; the event that names it is cabinet-approves",),
    ),
    Case(
        "--at a time without zone",
        "bad-at",
        lambda _: ["state", str(BASELINE), "--at", "2023-11-15T12:00:00"],
        says=("--at time has no timezone",),
    ),
    Case(
        "--tz no zone",
        "unknown-zone",
        lambda _: ["timeline", str(BASELINE), "--tz", "Asia/Jerusalm"],
        says=("unknown time zone", "found 'Asia/Jerusalm'"),
    ),
    Case(
        "unknown milestone",
        "unknown-milestone",
        lambda _: ["explain", str(BASELINE), "--milestone", "cabinet_aproval"],
        says=(
            "unknown milestone 'cabinet_aproval'",
            "did you mean cabinet_approval, war_cabinet_agrees?",
        ),
    ),
    Case(
        "unknown party",
        "unknown-party",
        lambda _: ["state", str(BASELINE), "--at", "2023-11-16", "--as-known-by", "hamaz"],
        says=("unknown party 'hamaz'", "expected one of qatar, us, israel, hamas, egypt"),
    ),
    Case(
        "unknown --prefer source",
        "unknown-source",
        lambda _: ["replay", str(BASELINE), "--prefer", "BBC"],
        says=("no event of this log has an alternative from that source", "found 'BBC'"),
    ),
    Case(
        "unknown export format",
        "unknown-format",
        lambda _: ["export", str(BASELINE), "--format", "plovr"],
        says=("unknown export format 'plovr'", "did you mean plover?"),
    ),
    Case(
        "chart format from the file name",
        "unknown-format",
        lambda f: ["chart", str(BASELINE), "-o", str(f / "chart.jpg")],
        says=("cannot tell the chart format", "found .jpg"),
    ),
    Case(
        "output in a missing folder",
        "no-output-folder",
        lambda f: ["report", str(BASELINE), "-o", str(f / "nowhere" / "r.html")],
        says=("the folder for the output does not exist", "hint: create"),
    ),
    Case(
        "import into a missing folder",
        "no-output-folder",
        lambda f: ["import", str(f / "x.csv"), "-o", str(f / "a" / "b" / "log")],
        says=("the folder for the log does not exist",),
    ),
    Case(
        "import onto a log",
        "output-exists",
        lambda f: ["import", str(f / "x.csv"), "-o", str(good_log(f).parent)],
        says=("a log already exists there", "--force"),
    ),
    Case(
        "output path is a folder",
        "unwritable",
        lambda f: ["export", str(BASELINE), "--format", "csv", "-o", str(f)],
        says=("the output path is not a regular file", "found a folder"),
    ),
    Case(
        "chart without matplotlib",
        "missing-extra",
        lambda f: ["chart", str(BASELINE), "-o", str(f / "c.png")],
        says=("sim chart needs matplotlib, which is not installed", "pip install 'sim[charts]'"),
        patch=lambda mp: mp.setitem(sys.modules, "matplotlib", None),
    ),
    Case(
        "whatif of a log",
        "not-a-scenario",
        lambda _: ["whatif", str(BASELINE)],
        says=("whatif takes a scenario file",),
    ),
    Case(
        "strict replay with a voided event",
        "voided",
        lambda f: [
            *written(make("contact", "c", 0), make("announcement", "ann", 1))(f),
            "--strict",
        ],
        exit=1,
        says=("strict replay: 1 event(s) voided; first 'ann'",),
    ),
    Case(
        "chart of an empty window",
        "nothing-to-chart",
        lambda f: [
            "chart",
            str(BASELINE),
            "-o",
            str(f / "c.png"),
            "--from",
            "2030-01-01",
            "--to",
            "2030-02-01",
        ],
        says=("there is nothing to chart", "2030-01-01"),
    ),
    # ---------------------------------------------------------------- CSV imports
    Case(
        "CSV with an unknown column",
        "invalid-csv",
        lambda f: _csv(f, "kind,id,at,source.documnt\ncall,x,2023-10-09T00:00:00+00:00,s\n"),
        says=("x.csv:1:4: unknown column 'source.documnt'", "did you mean source.document,"),
    ),
    Case(
        "CSV row with a bad value",
        "invalid-event",
        lambda f: _csv(f, "kind,id,at,source.document\ncall,x,the 9th,s\n"),
        says=("x.csv:2:3: row 2, column 'at'", "expected an ISO 8601 time, found 'the 9th'"),
    ),
    Case(
        "CSV row of an unknown kind",
        "unknown-kind",
        lambda f: _csv(f, "kind,id,at,source.document\nblackout_start,x,2023-10-09T00:00:00Z,s\n"),
        says=("unknown event kind 'blackout_start'", "did you mean blackout_started"),
    ),
    # ---------------------------------------------------------------- bytes and lines
    Case(
        "byte-order mark",
        "byte-order-mark",
        raw_log(b"\xef\xbb\xbf" + line(record())),
        says=(
            "events.jsonl:1:1: the file starts with a byte-order mark",
            "found a UTF-8 BOM",
            "without BOM",
        ),
    ),
    Case(
        "invalid UTF-8",
        "invalid-utf8",
        log_with(b'{"kind": "call", "id": "\xff"}'),
        says=(
            "events.jsonl:2:25: the bytes are not UTF-8",
            "found byte 0xff",
            "hint: save the file as UTF-8",
        ),
    ),
    Case(
        "line over 1 MiB",
        "line-too-long",
        log_with(line(record(summary="x" * ONE_MIB))),
        says=("events.jsonl:2: line too long", f"expected at most {ONE_MIB} bytes", "found 1048"),
    ),
    Case(
        "CR LF line ends",
        "crlf-line-end",
        edited(replace_once(b"\n", b"\r\n"), n=2),
        says=("events.jsonl:1: line ends with CR LF", "sim seal"),
    ),
    Case(
        "invalid JSON",
        "invalid-json",
        log_with(b'{"kind": "call", "id": }'),
        says=(
            "events.jsonl:2:24: invalid JSON",
            "found unexpected character",
            "hint: one event is one JSON object",
        ),
    ),
    Case(
        "duplicate key",
        "duplicate-key",
        log_with(b'{"kind": "call", "id": "x", "id": "y"}'),
        says=("events.jsonl:2:29: the key 'id' appears twice in one object",),
    ),
    Case(
        "JSON but not an object",
        "not-an-object",
        log_with(b"[1, 2]"),
        says=("events.jsonl:2: a log line must be a JSON object", "found an array"),
    ),
    # ---------------------------------------------------------------- manifests
    Case(
        "bad manifest",
        "bad-manifest",
        with_manifest('[scenario]\ntitle = "t"\n[[party]]\nid = "us"\nplover = "USA"\n'),
        says=("scenario.toml: missing key: party[1].name", "expected text", "found none"),
    ),
    Case(
        "unknown milestone in the log",
        "unknown-milestone-in-log",
        with_manifest(
            '[scenario]\ntitle = "t"\n[[milestone]]\nname = "signed"\n',
            make("call", "c0", 0, milestone="sgned"),
        ),
        says=("events.jsonl:1: unknown milestone 'sgned' in event 'c0'", "did you mean signed?"),
    ),
    # ---------------------------------------------------------------- records
    Case(
        "unknown record version",
        "unknown-schema",
        log_with(line(record(schema=9))),
        says=(":2: unknown record version", "expected schema between 1 and 4", "found 9"),
    ),
    Case(
        "unknown kind",
        "unknown-kind",
        log_with(line(record(kind="truce"))),
        says=(":2: unknown event kind", "expected one of contact,", "found 'truce'"),
    ),
    Case(
        "missing kind",
        "unknown-kind",
        log_with(line(record(kind=None))),
        says=(":2: missing event kind", "found no kind key"),
    ),
    Case(
        "missing field",
        "invalid-event",
        log_with(line(record(source=None))),
        says=(
            ":2: invalid call event 'x': missing required field source",
            "hint: call takes the fields id, at, source",
        ),
    ),
    Case(
        "extra field",
        "invalid-event",
        log_with(line(record(colour="red"))),
        says=(":2: invalid call event 'x': unknown field(s) colour",),
    ),
    Case(
        "mistyped field",
        "invalid-event",
        log_with(line(record(actors="qatar"))),
        says=(":2: invalid call event 'x': actors: expected an array of strings, found 'qatar'",),
    ),
    Case(
        "mistyped number",
        "invalid-event",
        log_with(line(record(kind="release", captor="hamas", count="3", medium=None))),
        says=("count: expected int, found str '3'",),
    ),
    Case(
        "value outside its choices",
        "invalid-event",
        log_with(line(record(precision="roughly"))),
        says=("precision: expected one of 'exact', 'day', 'approx', found 'roughly'",),
    ),
    Case(
        "naive datetime",
        "invalid-event",
        log_with(line(record(at="2023-10-09T12:00:00"))),
        says=("at: expected a timezone-aware time", "found '2023-10-09T12:00:00'"),
    ),
    Case(
        "invalid datetime",
        "invalid-event",
        log_with(line(record(at="2023-13-45T99:00:00+00:00"))),
        says=("at: expected an ISO 8601 time, found '2023-13-45T99:00:00+00:00'",),
    ),
    # ---------------------------------------------------------------- the log as a whole
    Case(
        "duplicate id",
        "duplicate-id",
        written(make("call", "a", 0), make("call", "a", 1)),
        says=(
            ":2: duplicate event id 'a'",
            "expected ids unique in a log",
            "found 'a' already at line 1",
        ),
    ),
    Case(
        "unknown cause",
        "unknown-cause",
        written(make("call", "offer1", 0), make("call", "b", 1, answers=("ofer1",))),
        says=(
            ":2: event 'b' names a cause that is not an earlier event: 'ofer1' is no event",
            "hint: did you mean 'offer1'?",
        ),
    ),
    Case(
        "later cause",
        "later-cause",
        written(make("call", "a", 0, answers=("b",)), make("call", "b", 1)),
        says=(
            ":1: event 'a' names a cause that is not an earlier event: 'b' comes after it",
            "found 'b', which is at line 2",
        ),
    ),
    Case(
        "cycle of causes",
        "cause-cycle",
        written(*LOOP),
        says=(":1: the causes of event 'a' loop back to it", "found 'a' → 'c' → 'b' → 'a'"),
    ),
    Case(
        "event its own cause",
        "cause-cycle",
        written(make("call", "a", 0, answers=("a",))),
        says=("found 'a' → 'a'",),
    ),
    Case(
        "events out of time order",
        "out-of-order",
        written(make("call", "a", 1), make("call", "b", 0)),
        says=(":2: event 'b' is dated before the event on line 1 ('a')", "`sim seal`"),
    ),
    # ---------------------------------------------------------------- integrity, on load
    Case(
        "broken hash chain",
        "broken-chain",
        edited(replace_once(b'"c1"', b'"C1"')),
        says=(":2: broken hash chain", "run `sim verify"),
    ),
    Case(
        "line without hash",
        "no-chain-hash",
        log_with(line(record())),
        says=(":2: line has no chain hash", "`sim seal"),
    ),
    Case(
        "torn last line",
        "torn-tail",
        edited(cut_tail(40)),
        says=(
            ":3: the log's last line is torn",
            "no newline at its end and not a complete JSON line",
            "hint: run `sim verify --repair",
        ),
    ),
    Case(
        "unpinned last line",
        "torn-tail",
        edited(unpin_last),
        says=(":3: the log's last line is torn", "the pinned head does not cover"),
    ),
    # ---------------------------------------------------------------- integrity, verify (exit 1)
    Case(
        "verify: broken chain",
        "broken-chain",
        edited(replace_once(b'"c1"', b'"C1"'), "verify"),
        exit=1,
        says=("DAMAGED", "line 2: hash mismatch"),
    ),
    Case(
        "verify: line without hash",
        "no-chain-hash",
        log_with(line(record()), n=2),
        exit=2,
        says=("line has no chain hash",),
    ),
    Case(
        "verify: torn last line",
        "torn-tail",
        edited(cut_tail(40), "verify"),
        exit=1,
        says=("line 3: torn last line (40 bytes at byte", "hint: `sim verify --repair"),
    ),
    Case(
        "verify: unpinned last line",
        "torn-tail",
        edited(unpin_last, "verify"),
        exit=1,
        says=("line 3: torn last line", "the pinned head does not cover"),
    ),
    Case(
        "verify: cut-off tail",
        "head-mismatch",
        edited(drop_last, "verify"),
        exit=1,
        says=("line 2: head", "does not match the pinned head"),
    ),
    Case(
        "verify: bad pinned head",
        "bad-head",
        edited(write_head("not a hash"), "verify"),
        exit=1,
        says=("the pinned head is not a hash: 'not a hash'",),
    ),
    Case(
        "verify --repair: other damage",
        "damaged-log",
        edited(both(replace_once(b'"c1"', b'"C1"'), cut_tail(30)), "verify"),
        exit=1,
        says=("line 2: hash mismatch", "not repaired"),
    ),
    Case(
        "verify --repair and --head",
        "bad-option",
        lambda f: ["verify", str(good_log(f)), "--repair", "--head", "0" * 64],
        says=("--repair works from the pinned head, so it takes no --head",),
    ),
    # ---------------------------------------------------------------- appends
    Case(
        "append: no log",
        "no-log",
        appending(NEXT, log=lambda f: f / "new.jsonl"),
        says=("new.jsonl: no log here to append to", "pass --expect 0"),
    ),
    Case(
        "append: no folder for a new log",
        "no-such-path",
        appending(NEXT, "--expect", "0", log=lambda f: f / "sub" / "new.jsonl"),
        says=("the folder for the new log does not exist",),
    ),
    Case(
        "append: no event file",
        "no-such-path",
        lambda f: ["append", str(good_log(f)), str(f / "e.json")],
        says=("e.json: no such event file", "or - to read it from stdin"),
    ),
    Case(
        "append: --expect negative",
        "bad-option",
        appending(NEXT, "--expect", "-1"),
        says=("--expect must count events",),
    ),
    Case(
        "append: --expect mismatch",
        "expect-mismatch",
        appending(NEXT, "--expect", "5"),
        exit=3,
        says=(
            "the log is not at the expected length",
            "expected 5 events (--expect 5)",
            "found 2 events",
            "read the log again",
        ),
    ),
    Case(
        "append: id taken",
        "id-conflict",
        appending(line(record(id="c1"))),
        exit=3,
        says=(":2: event id 'c1' is taken by a different event", "give the new event its own id"),
    ),
    Case(
        "append: dated before the last event",
        "out-of-order",
        appending(line(record(at="2023-10-07T00:00:00+00:00"))),
        says=(
            "event 'x' is dated before the log's last event",
            "expected a time at or after 2023-10-08",
            "found 2023-10-07T00:00:00+00:00",
        ),
    ),
    Case(
        "append: outside its bounds",
        "outside-bounds",
        appending(line(record(precision="approx", latest="2023-10-09T00:00:00+00:00"))),
        says=("event 'x' is dated outside its own bounds", "found 2023-10-12"),
    ),
    Case(
        "append: unknown cause",
        "unknown-cause",
        appending(line(record(answers=["c9"]))),
        says=("names a cause that is no event of this log", "found 'c9'"),
    ),
    Case(
        "append: its own cause",
        "cause-cycle",
        appending(line(record(answers=["x"]))),
        says=("event 'x' names itself as a cause",),
    ),
    Case(
        "append: torn log",
        "torn-tail",
        appending(NEXT, log=lambda f: (p := good_log(f, 3), cut_tail(25)(p))[0]),
        says=(":3: the log's last line is torn", "run `sim verify --repair"),
    ),
    Case(
        "append: damaged log",
        "damaged-log",
        appending(NEXT, log=lambda f: (p := good_log(f, 3), replace_once(b'"c1"', b'"C1"')(p))[0]),
        says=(":2: the log is damaged", "hash mismatch", "run `sim verify"),
    ),
    Case(
        "append: no pinned head",
        "no-head",
        headless,
        says=("the log has no pinned head", "found events.jsonl.head missing", "sim seal"),
    ),
    Case(
        "append: lock held too long",
        "lock-timeout",
        appending(NEXT, "--wait", "0"),
        exit=3,
        hold=True,
        says=("another writer holds the log's lock", f"process {os.getpid()}"),
    ),
    Case(
        "append: lock file is a folder",
        "io-error",
        lock_folder,
        exit=4,
        says=("the lock file is not a file", "found a folder"),
    ),
    Case(
        "seal: permission denied",
        "permission-denied",
        edited(untouched, "seal"),
        exit=4,
        patch=refusing(errno.EACCES),
        says=("cannot write the log: permission denied", "nothing was changed"),
    ),
    Case(
        "seal: disk full",
        "disk-full",
        edited(untouched, "seal"),
        exit=4,
        patch=refusing(errno.ENOSPC),
        says=("cannot write the log: no space left on the disk", "free some space"),
    ),
    Case(
        "append: event not JSON",
        "invalid-json",
        appending(b'{\n  "kind": "call",\n  "id": x\n}'),
        says=("e.json:3:9: invalid JSON",),
    ),
    Case(
        "append: event with BOM",
        "byte-order-mark",
        appending(b"\xef\xbb\xbf" + NEXT),
        says=("e.json:1:1: the file starts with a byte-order mark",),
    ),
    Case(
        "append: event not UTF-8",
        "invalid-utf8",
        appending(b'{"kind": "call",\n "id": "\xfe"}'),
        says=("e.json:2:9: the bytes are not UTF-8", "found byte 0xfe"),
    ),
    Case(
        "append: event over 1 MiB",
        "line-too-long",
        appending(line(record(summary="x" * ONE_MIB))),
        says=("e.json: the event is too long",),
    ),
    Case(
        "append: empty stdin",
        "invalid-json",
        appending(None),
        stdin=b"\n",
        says=("<stdin>: no JSON value", "found nothing but white space"),
    ),
    Case(
        "append: invalid event on stdin",
        "invalid-event",
        appending(None),
        stdin=line(record(at="soon")),
        says=("<stdin>: invalid call event 'x': at: expected an ISO 8601 time, found 'soon'",),
    ),
    # ---------------------------------------------------------------- scenario files
    Case(
        "scenario: no such file",
        "no-such-path",
        lambda f: ["whatif", str(f / "nope.toml")],
        says=("nope.toml: no such scenario file", "hint: a what-if scenario is a .toml file"),
    ),
    Case(
        "scenario: byte-order mark",
        "byte-order-mark",
        scenario(b"\xef\xbb\xbf" + HEAD.encode()),
        says=("x.toml:1:1: the file starts with a byte-order mark", "without BOM"),
    ),
    Case(
        "scenario: not UTF-8",
        "invalid-utf8",
        scenario(b'[scenario]\nname = "\xff"\n'),
        says=("x.toml:2:9: the bytes are not UTF-8", "found byte 0xff"),
    ),
    Case(
        "scenario: invalid TOML",
        "invalid-toml",
        scenario("[scenario]\nname = x\n"),
        says=("x.toml:2:8: invalid TOML: Invalid value", "hint: see https://toml.io"),
    ),
    Case(
        "scenario: empty file",
        "bad-scenario",
        scenario(""),
        says=("x.toml: missing [scenario] table", 'base = "../baseline"'),
    ),
    Case(
        "scenario: nested too deeply",
        "nested-too-deep",
        scenario(HEAD + "x = " + "[" * 100_000 + "]" * 100_000 + "\n"),
        says=("x.toml: the scenario file nests tables or arrays too deeply",),
    ),
    Case(
        "scenario: unknown top-level key",
        "bad-scenario",
        scenario('title = "x"\n' + HEAD),
        says=(
            "x.toml: unknown key(s) title",
            "expected a [scenario] table and [[intervention]] tables",
        ),
    ),
    Case(
        "scenario: unknown [scenario] key",
        "bad-scenario",
        scenario(HEAD + "colour = 1\n"),
        says=("unknown key(s) in [scenario]: colour", "expected name, base, question"),
    ),
    Case(
        "scenario: no base",
        "bad-scenario",
        scenario('[scenario]\nname = "x"\n'),
        says=("x.toml: [scenario] needs base as text", "found nothing"),
    ),
    Case(
        "scenario: question not text",
        "bad-scenario",
        scenario(HEAD + "question = 3\n"),
        says=("[scenario] question must be text", "found 3"),
    ),
    Case(
        "scenario: intervention not an array",
        "bad-scenario",
        scenario("intervention = 3\n" + HEAD),
        says=("intervention must be an array of tables", "expected [[intervention]]"),
    ),
    Case(
        "scenario: intervention not a table",
        "bad-scenario",
        scenario("intervention = [1]\n" + HEAD),
        says=("[[intervention]] #1: an intervention must be a table",),
    ),
    Case(
        "scenario: no action",
        "bad-scenario",
        doing("nothing = 1"),
        says=(
            "x.toml:4: [[intervention]] #1: an intervention needs an action",
            "expected exactly one of remove, insert, retime, amend",
            "found keys nothing",
        ),
    ),
    Case(
        "scenario: two actions",
        "bad-scenario",
        doing('remove = { id = "cell-formed" }\nretime = { id = "cell-formed" }'),
        says=(":4: [[intervention]] #1: an intervention does one thing", "found remove, retime"),
    ),
    Case(
        "scenario: unknown key in an action",
        "bad-scenario",
        doing('remove = { id = "cell-formed" }\nby = "+1d"'),
        says=("unknown key(s) by in a remove",),
    ),
    Case(
        "scenario: selector not a table",
        "bad-scenario",
        doing('remove = "cell-formed"'),
        says=("bad selector", "found str 'cell-formed'"),
    ),
    Case(
        "scenario: selector with unknown key",
        "bad-scenario",
        doing('remove = { colour = "red" }'),
        says=("bad selector: unknown key(s) colour", "expected keys among actor, all, id"),
    ),
    Case(
        "scenario: selector with unknown kind",
        "bad-scenario",
        doing('remove = { kind = "assurence" }'),
        says=("bad selector: unknown kind 'assurence'", "hint: did you mean 'assurance'?"),
    ),
    Case(
        "scenario: selector naming nothing",
        "bad-scenario",
        doing("remove = { all = true }"),
        says=(
            "bad selector: it names no event",
            "expected an id, or any of kind, actor, since, until",
        ),
    ),
    Case(
        "scenario: bad duration",
        "bad-scenario",
        doing('retime = { id = "cell-formed" }\nby = "3 days"'),
        says=("bad duration", "found '3 days'"),
    ),
    Case(
        "scenario: duration too long",
        "bad-scenario",
        doing('retime = { id = "cell-formed" }\nby = "+99999999999d"'),
        says=("duration too long", "expected at most 999999999 days"),
    ),
    Case(
        "scenario: retime without by or to",
        "bad-scenario",
        doing('retime = { id = "cell-formed" }'),
        says=("a retime needs exactly one of by and to", "found neither"),
    ),
    Case(
        "scenario: naive time",
        "bad-scenario",
        doing('retime = { id = "cell-formed" }\nto = 2023-11-20T12:00:00'),
        says=("retime to has no timezone", "found '2023-11-20T12:00:00'"),
    ),
    Case(
        "scenario: amend without set",
        "bad-scenario",
        doing('amend = { id = "cell-formed" }'),
        says=("an amend needs set = { field = value, ... }", "found no set"),
    ),
    Case(
        "scenario: insert missing fields",
        "bad-scenario",
        doing('insert = { id = "n", kind = "call" }'),
        says=(
            "an inserted event is missing at",
            "expected id, kind, at and the fields of its kind",
        ),
    ),
    Case(
        "scenario: insert of unknown kind",
        "unknown-kind",
        doing('insert = { id = "n", kind = "truce", at = 2023-10-20T12:00:00Z }'),
        says=(":4: [[intervention]] #1: unknown event kind", "found 'truce'"),
    ),
    Case(
        "scenario: insert of a misspelt kind",
        "unknown-kind",
        doing('insert = { id = "n", kind = "blackout_start", at = 2023-10-20T12:00:00Z }'),
        says=("found 'blackout_start'", "hint: did you mean blackout_started"),
    ),
    Case(
        "scenario: amend of a misspelt field",
        "invalid-event",
        doing('amend = { id = "war-cabinet-agrees" }\nset = { descision = "rejected" }'),
        says=("unknown field(s) descision", "hint: did you mean decision"),
    ),
    Case(
        "scenario: insert with a mistyped field",
        "invalid-event",
        doing('insert = { id = "n", kind = "call", at = 2023-10-20T12:00:00Z, actors = "qatar" }'),
        says=("invalid call event 'n': actors: expected an array of strings",),
    ),
    Case(
        "scenario: insert with an unknown cause",
        "unknown-cause",
        doing(
            'insert = { id = "n", kind = "call", at = 2023-10-20T12:00:00Z, '
            'causes = ["cell-formd"] }'
        ),
        says=(
            "'n' names a cause that is no event of the log: 'cell-formd'",
            "did you mean 'cell-formed'?",
        ),
    ),
    Case(
        "scenario: insert that causes itself",
        "cause-cycle",
        doing('insert = { id = "n", kind = "call", at = 2023-10-20T12:00:00Z, causes = ["n"] }'),
        says=("a cycle of causes: n → n", "made by inserted by [[intervention]] #1"),
    ),
    Case(
        "scenario: selector matching nothing",
        "intervention-failed",
        doing('remove = { id = "cell-formd" }'),
        says=(
            ":4: [[intervention]] #1: the remove selector",
            "matches no event",
            "did you mean cell-formed?",
        ),
    ),
    Case(
        "scenario: selector matching several",
        "intervention-failed",
        doing('remove = { kind = "call" }'),
        says=("matches 5 events", "add all = true"),
    ),
    Case(
        "scenario: insert of a taken id",
        "intervention-failed",
        doing('insert = { id = "cell-formed", kind = "call", at = 2023-10-20T12:00:00Z }'),
        says=("cannot insert 'cell-formed': an event with that id is already in the log",),
    ),
    Case(
        "scenario: amend of an id",
        "intervention-failed",
        doing('amend = { id = "cell-formed" }\nset = { id = "x" }'),
        says=("amend cannot change the id of 'cell-formed'",),
    ),
    Case(
        "scenario: amend to a bad value",
        "invalid-event",
        doing('amend = { id = "cell-formed" }\nset = { precision = "roughly" }'),
        says=(
            "amending 'cell-formed' gives an invalid channel_opened event",
            "precision: expected one of 'exact', 'day', 'approx', found 'roughly'",
        ),
    ),
    Case(
        "scenario: retime past the calendar",
        "intervention-failed",
        doing('retime = { id = "blackout-fuel-ended" }\nto = 9999-12-31T23:00:00Z'),
        says=(
            "x.toml: re-timing would move an event outside the calendar",
            "between the years 1 and 9999",
        ),
    ),
    Case(
        "scenario: missing base",
        "base-missing",
        scenario('[scenario]\nname = "x"\nbase = "../nowhere"\n'),
        says=("the base '../nowhere' does not exist", "relative to this file"),
    ),
    Case(
        "scenario: base not a log",
        "base-invalid",
        scenario('[scenario]\nname = "x"\nbase = "bad.jsonl"\n'),
        says=("the base 'bad.jsonl' is not a log: invalid JSON", "bad.jsonl:1"),
    ),
    Case(
        "scenario: bases in a loop",
        "base-loop",
        scenario('[scenario]\nname = "x"\nbase = "x.toml"\n'),
        says=("the scenario's bases form a loop", "x.toml → "),
    ),
    # ---------------------------------------------------------------- studies
    Case(
        "study: unknown selector",
        "intervention-failed",
        studying(
            'retime = { id = "blackout-fuel-endd" }\nby = { dist = "uniform", low = "0d", '
            'high = "5d" }'
        ),
        says=(
            's.toml:6: [[vary]] #1: the selector { id = "blackout-fuel-endd" } matches no event',
            "hint: did you mean blackout-fuel-ended,",
        ),
    ),
    Case(
        "study: bad distribution parameters",
        "bad-study",
        studying(
            'retime = { id = "blackout-fuel-ended" }\nby = { dist = "uniform", '
            'low = "5d", high = "1d" }'
        ),
        says=("s.toml:6: [[vary]] #1: bad uniform distribution: low must be less than high",),
    ),
    Case(
        "study: probabilities that do not sum to 1",
        "bad-study",
        studying('decide = { id = "hamas-green-light" }\np = { accepted = 0.7, rejected = 0.2 }'),
        says=(
            "s.toml:6: [[vary]] #1: probabilities do not sum to 1",
            "found 0.7 + 0.2 = 0.9",
        ),
    ),
    Case(
        "study: a draw outside the calendar",
        "intervention-failed",
        studying(
            'retime = { id = "blackout-fuel-ended" }\n'
            'by = { dist = "normal", mean = "0d", sd = "100000000d" }'
        ),
        says=(
            "error: sample 0 of the study (by:blackout-fuel-ended = ",
            "it would move an event outside the calendar",
        ),
    ),
    Case(
        "study: unreachable scheduler",
        "no-scheduler",
        studying(
            'drop = { id = "minor-exchanges" }\np = 0.5',
            options=("--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "0.5"),
        ),
        says=("cannot reach the Dask scheduler at tcp://127.0.0.1:9 (waited 0.5 s)",),
    ),
    Case(
        "study: an output that is a folder",
        "unwritable",
        lambda f: ["necessity", str(BASELINE), "--out", str(_folder(f / "rows.csv"))],
        says=("the output path is not a regular file", "found a folder"),
    ),
    Case(
        "study: invalid TOML, with its line and column",
        "invalid-toml",
        studying("drop = x"),
        says=("s.toml:7:8: invalid TOML: Invalid value", "hint: see https://toml.io"),
    ),
    Case(
        "study: nested too deeply",
        "nested-too-deep",
        studying('drop = { id = "minor-exchanges" }\np = 0.5\nx = ' + "[" * 50 + "]" * 50),
        says=("s.toml: the study file nests tables or arrays too deeply",),
    ),
]


def files(folder: Path) -> dict[str, tuple[bytes, int] | None]:
    """Every entry under ``folder`` with its bytes and mtime (``None`` for non-files)."""
    found: dict[str, tuple[bytes, int] | None] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        regular = path.is_file() and path.stat().st_size < ONE_MIB
        found[name] = (path.read_bytes(), path.stat().st_mtime_ns) if regular else None
    return found


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_catalogue_entry(tmp_path: Path, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    args = case.setup(tmp_path)
    if case.name.startswith("verify --repair"):
        args.append("--repair")
    before = files(tmp_path)
    holder = os.open(tmp_path / "events.jsonl.lock", os.O_RDONLY) if case.hold else None
    if holder is not None:
        fcntl.flock(holder, fcntl.LOCK_EX)
    if case.patch is not None:
        case.patch(monkeypatch)
    try:
        result = runner.invoke(app, ["--log-json", *args], input=case.stdin)
    finally:
        monkeypatch.undo()
        if holder is not None:
            os.close(holder)
    assert result.exit_code == case.exit, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    refused = any(line.startswith("error: ") for line in result.stderr.splitlines())
    shown = result.stderr if refused else result.stdout
    for fragment in case.says:
        assert fragment in shown, f"{fragment!r} not in:\n{shown}"
    if case.exit != 1:
        assert result.stderr.startswith("error: ")
    assert refused or case.exit == 1  # only verify reports a fault on stdout
    if refused:
        logged = json.loads(result.stderr.strip().splitlines()[-1])
        assert logged["code"] == case.code
        assert logged["exit_code"] == case.exit
    after = files(tmp_path)
    if args[0] == "append" or "--repair" in args:  # writers may leave their empty lock file
        for name in [n for n in after if n.endswith(".lock") and n not in before]:
            assert after.pop(name) is not None
            assert (tmp_path / name).read_bytes() == b""
    assert after == before, "a failing command changed the user's files"


def test_every_code_has_an_entry() -> None:
    assert set(CODES) == {case.code for case in CASES}


READERS = [
    ["replay", "{log}"],
    ["replay", "{log}", "--json"],
    ["state", "{log}", "--at", "c1"],
    ["verify", "{log}"],
    ["timeline", "{log}"],
    ["whatif", "{scenario}"],
]


@pytest.mark.parametrize("args", READERS, ids=[" ".join(a) for a in READERS])
def test_reading_commands_write_nothing(tmp_path: Path, args: list[str]) -> None:
    """Commands that read succeed without touching a file, not even creating a lock."""
    log = good_log(tmp_path, 3)
    scenario = tmp_path / "x.toml"
    scenario.write_text('[scenario]\nname = "x"\nbase = "events.jsonl"\n[[intervention]]\n'
                        'remove = { id = "c1" }\n')  # fmt: skip
    before = files(tmp_path)
    argv = [a.format(log=log, scenario=scenario) for a in args]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert files(tmp_path) == before

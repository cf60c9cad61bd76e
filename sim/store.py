"""The store: logs on disk as hash-chained JSON Lines, read with every line checked.

A log is a file of JSON Lines (see :mod:`sim.codec` for the line format).  A scenario directory
holds its log as ``events.jsonl``; every function here takes the directory or the file.  The
head hash may be pinned beside the log in ``<log>.head``: ``verify`` then also catches a tail
cut off the log.  Writes go to a temporary file that is flushed, synced and renamed into place,
so a reader sees the old log or the new one, never half of one.

Appends (:mod:`sim.append`) write one line at the end and then pin the new head, under the
writers' lock (:mod:`sim.lock`).  A crash can leave two kinds of *torn tail*, both reported
distinctly by :func:`load_log` and :func:`verify`, and cut off by ``sim verify --repair``
(:mod:`sim.recovery`):

- a last line cut short: no newline at its end, and not a complete JSON line;
- a complete last line that the pinned head does not cover: the head pins the line before it,
  so the append that wrote it stopped before it pinned the head, and never acknowledged it.

Reading never writes: not the log, not its head, not even the lock file.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final

import attrs
import orjson
from attrs import frozen

from sim import lock
from sim.codec import (
    GENESIS,
    decode_parsed,
    line_hash,
    linked_hash,
    parse_json,
    record_bytes,
    split_line,
    stored_line,
    text_fault,
)
from sim.errors import SimError
from sim.events import Event
from sim.fold import Log, cyclic_gc_paused

__all__ = [
    "LOG_NAME",
    "MAX_LINE",
    "TornTail",
    "VerifyReport",
    "check_log",
    "damaged",
    "head_path",
    "load_log",
    "log_path",
    "pin_head",
    "read_bytes",
    "read_head",
    "split_log",
    "torn_error",
    "verify",
    "write_all",
    "write_file",
    "write_log",
]

LOG_NAME: Final = "events.jsonl"
MAX_LINE: Final = 1 << 20
"""The longest line a log may hold (1 MiB)."""

_BOM: Final = b"\xef\xbb\xbf"
_HEX64: Final = re.compile(r"[0-9a-f]{64}")


def log_path(path: str | os.PathLike[str]) -> Path:
    """The log file for ``path``: the file itself, or ``events.jsonl`` in a directory."""
    given = Path(path)
    if given.is_dir():
        inner = given / LOG_NAME
        if not inner.is_file():
            raise SimError(
                what="this folder holds no log",
                path=str(given),
                expected=f"a file {LOG_NAME} in it",
                found="no such file" if not inner.exists() else f"{LOG_NAME} is not a file",
                hint="pass a scenario folder that has events.jsonl, or the .jsonl file itself",
                code="no-log-in-folder",
            )
        return inner
    if not given.exists():
        raise SimError(
            what="no such file or folder",
            path=str(given),
            hint="check the path; a scenario folder or a .jsonl log is expected",
            code="no-such-path",
        )
    if not given.is_file():
        raise SimError(
            what="not a regular file",
            path=str(given),
            expected="a scenario folder or a .jsonl log",
            code="unreadable",
        )
    return given


def head_path(log: Path) -> Path:
    """Where the head hash of ``log`` is pinned."""
    return log.with_name(log.name + ".head")


def read_head(log: Path) -> str | None:
    """The pinned head hash of ``log``, if one is pinned (as written: check it before use)."""
    pinned = head_path(log)
    try:
        text = pinned.read_bytes().decode("ascii", "replace").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SimError(
            what=f"cannot read the pinned head: {exc.strerror}", path=str(pinned), code="unreadable"
        ) from None
    return text or None


# ------------------------------------------------------------------------------------ reading


@frozen(kw_only=True)
class TornTail:
    """A last line a crash left behind: cut short, or complete but never pinned."""

    line: int
    offset: int
    """The byte offset where it starts: ``--repair`` truncates the log here."""
    size: int
    """Its bytes, up to the end of the file."""
    found: str
    """What is there, in words."""

    def describe(self) -> str:
        """One sentence for reports."""
        return f"torn last line ({self.size} bytes at byte {self.offset}): {self.found}"


def read_bytes(file: Path) -> bytes:
    """The bytes of ``file``; :class:`SimError` when it cannot be read."""
    try:
        return file.read_bytes()
    except OSError as exc:
        raise SimError(
            what=f"cannot read the log: {exc.strerror}", path=str(file), code="unreadable"
        ) from None


def _snapshot(file: Path) -> tuple[bytes, str | None]:
    """The log's bytes and pinned head, read as one consistent state.

    An append in progress looks like a torn tail until it pins its head; when what was read
    does not look settled, wait for the writers' lock (if any writer ever made one) and read
    again.
    """
    data, pinned = read_bytes(file), read_head(file)
    if _settled(data, pinned):
        return data, pinned
    with lock.shared(file) as held:
        if held:
            data, pinned = read_bytes(file), read_head(file)
    return data, pinned


def _settled(data: bytes, pinned: str | None) -> bool:
    if data and not data.endswith(b"\n"):
        return False
    if pinned is None:
        return True
    end = len(data)
    while end and data[end - 1] in b" \t\r\n":  # skip trailing blank lines, without a copy
        end -= 1
    parts = split_line(data[data.rfind(b"\n", 0, end) + 1 : end])
    return (parts[1] if parts else GENESIS) == pinned


def split_log(data: bytes, where: str) -> tuple[list[tuple[int, bytes]], TornTail | None]:
    """The non-blank lines of a log with their numbers (newlines cut), and a cut-short tail.

    The last line is *cut short* when it has no newline and is not valid JSON: every writer
    ends its line with a newline, so only a write that stopped midway leaves one like that.
    """
    if data.startswith(_BOM):
        fault = text_fault(data)
        assert fault is not None
        raise attrs.evolve(fault, path=where, hint=f"{fault.hint}, then `sim seal` it")
    segments = data.split(b"\n")
    last = segments.pop()
    torn = None
    if last.strip():
        try:
            orjson.loads(last)
        except orjson.JSONDecodeError:
            torn = TornTail(
                line=len(segments) + 1,
                offset=len(data) - len(last),
                size=len(last),
                found=f"no newline at its end and not a complete JSON line: {_preview(last)}",
            )
        else:
            segments.append(last)
    return [(n, raw) for n, raw in enumerate(segments, start=1) if raw.strip()], torn


def _preview(raw: bytes) -> str:
    text = raw[:48].decode("utf-8", "replace")
    return repr(text + "…") if len(raw) > 48 else repr(text)


def _name(path: Path) -> str:
    return path.parent.name if path.name == LOG_NAME else path.stem


def torn_error(torn: TornTail, where: str) -> SimError:
    """The error that readers and writers give for a torn tail, with the command that fixes it."""
    return SimError(
        what="the log's last line is torn (an append did not finish)",
        path=where,
        line=torn.line,
        expected="a complete, pinned last line",
        found=torn.found,
        hint=f"run `sim verify --repair {where}`: it keeps a backup and cuts off only that line",
        code="torn-tail",
    )


def _unpinned(
    data: bytes, lines: Sequence[tuple[int, bytes]], hashes: Sequence[str], pinned: str | None
) -> TornTail | None:
    """The last line, when the pinned head is the hash just before it (an unfinished append)."""
    if pinned is None or not hashes or pinned == hashes[-1]:
        return None
    before = hashes[-2] if len(hashes) > 1 else GENESIS
    if pinned != before:
        return None
    number, raw = lines[-1]
    offset = len(data.rstrip()) - len(raw)  # a chained line ends in "}", so rstrip keeps it
    return TornTail(
        line=number,
        offset=offset,
        size=len(data) - offset,
        found="a complete line that the pinned head does not cover: the append that wrote it "
        "stopped before pinning the head, so it was never acknowledged",
    )


def load_log(path: str | os.PathLike[str], *, check_chain: bool = True) -> Log:
    """Read and validate a log: every line parsed, decoded and checked against its chain hash.

    Raises :class:`SimError` naming the file and line of the first fault: invalid bytes or JSON,
    an unknown kind, a missing or mistyped field, a naive time, a duplicate id, a cause that
    names no earlier event, a broken hash chain, a torn last line (with the repair command).
    """
    file = log_path(path)
    with cyclic_gc_paused():
        return _load(file, check_chain=check_chain)


def _load(file: Path, *, check_chain: bool) -> Log:
    where = str(file)
    data, pinned = _snapshot(file)
    lines, torn = split_log(data, where)
    events: list[Event] = []
    hashes: list[str] = []
    seen: dict[str, int] = {}
    previous = GENESIS
    for number, raw in lines:
        if len(raw) > MAX_LINE:
            raise SimError(
                what="line too long",
                path=where,
                line=number,
                expected=f"at most {MAX_LINE} bytes",
                found=f"{len(raw)} bytes",
                hint="a log line holds one event; shorten its quote or notes",
                code="line-too-long",
            )
        try:
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError:
                record = parse_json(raw, line=number)  # raises, saying what is wrong where
            event = decode_parsed(record)
        except SimError as exc:
            raise exc.at(path=where, line=number) from None
        if event.id in seen:
            raise SimError(
                what=f"duplicate event id {event.id!r}",
                path=where,
                line=number,
                expected="ids unique in a log",
                found=f"{event.id!r} already at line {seen[event.id]}",
                hint="give each event its own id",
                code="duplicate-id",
            )
        for cause in event.causes:
            if cause not in seen:
                later = [line for line in lines if line[0] > number]
                raise _cause_fault(
                    event, cause, where=where, number=number, earlier=seen, later=later
                )
        if check_chain:
            previous = linked_hash(raw, previous) or _check_link(raw, previous, where, number)
            hashes.append(previous)
        seen[event.id] = number
        events.append(event)
    if torn is not None:
        raise torn_error(torn, where)
    if not events:
        raise SimError(
            what="the log is empty",
            path=where,
            expected="at least one event, one JSON object a line",
            found=f"{len(data)} bytes, no line with an event" if data else "an empty file",
            code="empty-log",
        )
    if check_chain:
        unpinned = _unpinned(data, lines, hashes, pinned)
        if unpinned is not None:
            raise torn_error(unpinned, where)
    return Log(events=tuple(events), name=_name(file), hashes=tuple(hashes), source=where)


def _cause_fault(
    event: Event,
    cause: str,
    *,
    where: str,
    number: int,
    earlier: Mapping[str, int],
    later: Sequence[tuple[int, bytes]],
) -> SimError:
    """Say why ``cause`` is not an earlier event: unknown, later, or part of a loop."""
    ahead: dict[str, tuple[int, list[str]]] = {}
    for line, raw in later:
        with contextlib.suppress(orjson.JSONDecodeError):
            record = orjson.loads(raw)
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                causes = record.get("causes")
                if not isinstance(causes, list):
                    causes = []
                named = [c for c in causes if isinstance(c, str)]
                ahead.setdefault(record["id"], (line, named))
    loop = _loop(event.id, cause, ahead)
    if loop is not None:
        return SimError(
            what=f"the causes of event {event.id!r} loop back to it",
            path=where,
            line=number,
            expected="causes that lead back in time, to earlier events",
            found=" → ".join(repr(i) for i in loop),
            hint="an event cannot answer itself, even through others; drop one of these causes",
            code="cause-cycle",
        )
    if cause in ahead:
        return SimError(
            what=f"event {event.id!r} names a cause that is not an earlier event: "
            f"{cause!r} comes after it",
            path=where,
            line=number,
            expected="each cause to be the id of an event earlier in the log",
            found=f"{cause!r}, which is at line {ahead[cause][0]}",
            hint="an event answers what happened before it: move the lines, or fix the cause",
            code="later-cause",
        )
    close = difflib.get_close_matches(cause, list(earlier), n=1)
    return SimError(
        what=f"event {event.id!r} names a cause that is not an earlier event: "
        f"{cause!r} is no event of this log",
        path=where,
        line=number,
        expected="each cause to be the id of an event earlier in the log",
        found=repr(cause),
        hint=f"did you mean {close[0]!r}?" if close else "add the event it answers before it",
        code="unknown-cause",
    )


def _loop(start: str, cause: str, ahead: Mapping[str, tuple[int, list[str]]]) -> list[str] | None:
    """The ids of a loop ``start → cause → … → start`` through later events, if there is one."""
    if cause == start:
        return [start, start]
    parent: dict[str, str] = {cause: start}
    frontier = [cause]
    while frontier:
        current = frontier.pop()
        for nxt in ahead.get(current, (0, []))[1]:
            if nxt == start:
                path = [current]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if nxt not in parent:
                parent[nxt] = current
                frontier.append(nxt)
    return None


def _check_link(raw: bytes, previous: str, where: str, number: int) -> str:
    parts = split_line(raw)
    if parts is None:
        crlf = raw.endswith(b"\r")
        raise SimError(
            what="line ends with CR LF" if crlf else "line has no chain hash",
            path=where,
            line=number,
            expected='a "hash" key last on the line, then LF',
            found="a CR before the line feed (Windows line ends)" if crlf else _preview(raw[-48:]),
            hint=f"`sim seal {where}` checks every event and rewrites the chain",
            code="crlf-line-end" if crlf else "no-chain-hash",
        )
    content, stored = parts
    expected = line_hash(previous, content)
    if stored != expected:
        raise SimError(
            what="broken hash chain: this line, or one before it, was changed, added or removed",
            path=where,
            line=number,
            expected=expected,
            found=stored,
            hint=f"run `sim verify {where}` for the whole report; "
            "if you edited the log on purpose, `sim seal` re-chains it",
            code="broken-chain",
        )
    return stored


# ------------------------------------------------------------------------------------ writing


def encode_lines(events: Iterable[Event], previous: str = GENESIS) -> tuple[list[bytes], str]:
    """The stored lines for ``events`` continuing a chain at ``previous``, and the new head."""
    lines = []
    for event in events:
        content = record_bytes(event)
        previous = line_hash(previous, content)
        lines.append(stored_line(content, previous))
    return lines, previous


def write_log(path: str | os.PathLike[str], events: Iterable[Event], *, pin: bool = True) -> str:
    """Write ``events`` as a new log at ``path`` (a file, or a folder for ``events.jsonl``).

    The file is replaced atomically; with ``pin`` the head is written beside it.  Returns the
    head hash.
    """
    target = Path(path)
    if target.is_dir() or target.suffix == "":
        target = target / LOG_NAME
    if not target.parent.is_dir():
        raise SimError(
            what="the folder for the log does not exist",
            path=str(target.parent),
            code="no-output-folder",
        )
    lines, head = encode_lines(events)
    _atomic_write(target, b"".join(line + b"\n" for line in lines))
    if pin:
        pin_head(target, head)
    return head


def pin_head(log: Path, head: str) -> None:
    """Pin ``head`` beside ``log``, atomically."""
    _atomic_write(head_path(log), head.encode("ascii") + b"\n")


def write_file(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file beside it, synced and renamed.

    The folder must exist; if anything fails, nothing is left at ``path`` (an older file there
    stays as it was).  For outputs such as charts, reports and exports.
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise SimError(
            what="the folder for the output does not exist",
            path=str(target),
            hint=f"create {target.parent} first, or write somewhere else",
            code="no-output-folder",
        )
    if target.is_dir():
        raise SimError(
            what="the output path is a folder",
            path=str(target),
            expected="a file name",
            code="unwritable",
        )
    try:
        _atomic_write(target, data)
    except OSError as exc:
        raise SimError(
            what=f"cannot write the output: {exc.strerror}", path=str(target), code="unwritable"
        ) from None
    return target


def _atomic_write(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise
    fsync_dir(target.parent)


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd`` (``os.write`` may write less than asked), then sync."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (a created or renamed file) durable, where the OS allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ------------------------------------------------------------------------------------ verify


@frozen(kw_only=True)
class VerifyReport:
    """What ``verify`` found: the head hash, the line count, and each fault with its line."""

    path: str
    lines: int
    head: str
    pinned: str | None
    faults: tuple[tuple[int, str], ...]
    torn: TornTail | None = None
    """A torn last line (also among ``faults``): the one fault ``--repair`` may fix."""

    @property
    def ok(self) -> bool:
        """Whether the chain is whole and matches the pinned head, if any."""
        return not self.faults

    @property
    def only_torn(self) -> bool:
        """Whether the one fault is a torn tail, which ``--repair`` cuts off."""
        return self.torn is not None and len(self.faults) == 1


def verify(path: str | os.PathLike[str], *, head: str | None = None) -> VerifyReport:
    """Check every line's chain hash, and the head against ``head`` or the pinned one.

    Unlike :func:`load_log` this reports every fault instead of stopping at the first.  It does
    not decode events: a line that is not a chained record is reported as such.
    """
    file = log_path(path)
    data, pinned = _snapshot(file)
    if head is not None:
        return check_log(file, data, head, from_pin=False)
    return check_log(file, data, pinned)


def check_log(
    file: Path,
    data: bytes,
    pinned: str | None,
    *,
    from_pin: bool = True,
    split: tuple[list[tuple[int, bytes]], TornTail | None] | None = None,
) -> VerifyReport:
    """:func:`verify` of ``data`` as read from ``file``, with ``pinned`` as the head to match.

    ``from_pin`` says ``pinned`` came from the head file, written only by appends: then a head
    one line short of the log marks an unfinished append (a torn tail), not a foreign line.
    ``split`` is :func:`split_log` of ``data``, when the caller has it already.
    """
    where = str(file)
    lines, torn = split if split is not None else split_log(data, where)
    faults: list[tuple[int, str]] = []
    hashes: list[str] = []
    previous = GENESIS
    for number, raw in lines:
        parts = split_line(raw)
        if parts is None:
            fault = "no chain hash at the end of the line (edited, or not written by sim)"
            if raw.endswith(b"\r"):
                fault = "line ends with CR LF (Windows line ends): `sim seal` rewrites it"
            faults.append((number, fault))
            continue
        content, stored = parts
        expected = line_hash(previous, content)
        if stored != expected:
            faults.append(
                (number, f"hash mismatch: expected {expected[:12]}…, found {stored[:12]}…")
            )
        previous = stored
        hashes.append(stored)
    if torn is not None:
        faults.append((torn.line, torn.describe()))
    elif not lines:
        if pinned is None or pinned == GENESIS:
            raise SimError(
                what="the log is empty",
                path=where,
                expected="at least one event",
                found="an empty file" if not data else "only blank lines",
                code="empty-log",
            )
        faults.append((0, f"the log is empty but its pinned head is {pinned[:12]}…"))
        pinned = None
    if pinned is not None and pinned != previous:
        unpinned = None
        if from_pin and not faults:
            unpinned = _unpinned(data, lines, hashes, pinned)
        if unpinned is not None:
            torn = unpinned
            faults.append((unpinned.line, unpinned.describe()))
        elif _HEX64.fullmatch(pinned) is None:
            faults.append((len(lines), f"the pinned head is not a hash: {pinned[:70]!r}"))
        else:
            faults.append(
                (
                    len(lines),
                    (
                        f"head {previous[:12]}… does not match the pinned head {pinned[:12]}… "
                        "(lines cut off the end, or added after it)"
                    ),
                )
            )
    return VerifyReport(
        path=where,
        lines=len(lines),
        head=previous,
        pinned=pinned,
        faults=tuple(sorted(faults, key=lambda fault: fault[0])),
        torn=torn,
    )


def damaged(report: VerifyReport) -> SimError:
    """The error for a damaged log that a writer refuses to touch."""
    line, fault = report.faults[0]
    more = len(report.faults) - 1
    return SimError(
        what="the log is damaged" + (f" ({more} more fault(s) after this one)" if more else ""),
        path=report.path,
        line=line or None,
        found=fault,
        hint=f"run `sim verify {report.path}` for the whole report",
        code="damaged-log",
    )

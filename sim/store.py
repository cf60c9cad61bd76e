"""The store: logs on disk as hash-chained JSON Lines, read with every line checked.

A log is a file of JSON Lines (see :mod:`sim.codec` for the line format).  A scenario directory
holds its log as ``events.jsonl``; every function here takes the directory or the file.  The
head hash may be pinned beside the log in ``<log>.head``: ``verify`` then also catches a tail
cut off the log.  Writes go to a temporary file that is flushed, synced and renamed into place,
so a reader sees the old log or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

import orjson
from attrs import frozen

from sim.codec import (
    GENESIS,
    decode_parsed,
    line_hash,
    linked_hash,
    record_bytes,
    split_line,
    stored_line,
)
from sim.errors import SimError
from sim.events import Event
from sim.fold import Log, cyclic_gc_paused

__all__ = [
    "LOG_NAME",
    "VerifyReport",
    "head_path",
    "load_log",
    "log_path",
    "read_head",
    "verify",
    "write_file",
    "write_log",
]

LOG_NAME: Final = "events.jsonl"
MAX_LINE: Final = 1 << 20
"""The longest line a log may hold (1 MiB)."""


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
                found="no such file",
                hint="pass a scenario folder that has events.jsonl, or the .jsonl file itself",
            )
        return inner
    if not given.exists():
        raise SimError(
            what="no such file or folder",
            path=str(given),
            hint="check the path; a scenario folder or a .jsonl log is expected",
        )
    return given


def head_path(log: Path) -> Path:
    """Where the head hash of ``log`` is pinned."""
    return log.with_name(log.name + ".head")


def read_head(log: Path) -> str | None:
    """The pinned head hash of ``log``, if one is pinned."""
    pinned = head_path(log)
    if not pinned.is_file():
        return None
    return pinned.read_text(encoding="ascii").strip() or None


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The lines of ``path`` with their numbers, without newlines; a torn tail included."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SimError(what=f"cannot read the log: {exc.strerror}", path=str(path)) from None
    if data.startswith(b"\xef\xbb\xbf"):
        raise SimError(
            what="the log starts with a byte-order mark",
            path=str(path),
            line=1,
            expected="plain UTF-8 JSON Lines",
            found="a UTF-8 BOM (EF BB BF)",
            hint="save the file as UTF-8 without BOM",
        )
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.strip():
            yield number, raw


def _name(path: Path) -> str:
    return path.parent.name if path.name == LOG_NAME else path.stem


def load_log(path: str | os.PathLike[str], *, check_chain: bool = True) -> Log:
    """Read and validate a log: every line parsed, decoded and checked against its chain hash.

    Raises :class:`SimError` naming the file and line of the first fault: invalid JSON, an
    unknown kind, a missing or mistyped field, a naive time, a duplicate id, a cause that names
    no earlier event, a broken hash chain.
    """
    file = log_path(path)
    with cyclic_gc_paused():
        return _load(file, check_chain=check_chain)


def _load(file: Path, *, check_chain: bool) -> Log:
    where = str(file)
    events: list[Event] = []
    hashes: list[str] = []
    seen: set[str] = set()
    previous = GENESIS
    count = 0
    for number, raw in _lines(file):
        count += 1
        if len(raw) > MAX_LINE:
            raise SimError(
                what="line too long",
                path=where,
                line=number,
                expected=f"at most {MAX_LINE} bytes",
                found=f"{len(raw)} bytes",
            )
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise SimError(
                what="invalid JSON",
                path=where,
                line=number,
                column=getattr(exc, "colno", None),
                found=str(exc).split(":")[0],
                hint="each line of a log is one JSON object",
            ) from None
        try:
            event = decode_parsed(record)
        except SimError as exc:
            raise exc.at(path=where, line=number) from None
        if event.id in seen:
            raise SimError(
                what=f"duplicate event id {event.id!r}",
                path=where,
                line=number,
                expected="ids unique in a log",
            )
        for cause in event.causes:
            if cause not in seen:
                raise SimError(
                    what=f"event {event.id!r} names a cause that is not an earlier event",
                    path=where,
                    line=number,
                    expected="each cause to be the id of an event earlier in the log",
                    found=repr(cause),
                )
        if check_chain:
            previous = linked_hash(raw, previous) or _check_link(raw, previous, where, number)
            hashes.append(previous)
        seen.add(event.id)
        events.append(event)
    if count == 0:
        raise SimError(what="the log is empty", path=where, expected="at least one event")
    return Log(events=tuple(events), name=_name(file), hashes=tuple(hashes), source=where)


def _check_link(raw: bytes, previous: str, where: str, number: int) -> str:
    parts = split_line(raw)
    if parts is None:
        raise SimError(
            what="line has no chain hash",
            path=where,
            line=number,
            expected='a "hash" key last on the line',
            hint="write logs with `sim import` or the library's write_log",
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
            hint="run `sim verify` for the whole report",
        )
    return stored


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
        raise SimError(what="the folder for the log does not exist", path=str(target.parent))
    lines, head = encode_lines(events)
    _atomic_write(target, b"".join(line + b"\n" for line in lines))
    if pin:
        _atomic_write(head_path(target), head.encode("ascii") + b"\n")
    return head


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
        )
    if target.is_dir():
        raise SimError(what="the output path is a folder", path=str(target), expected="a file name")
    try:
        _atomic_write(target, data)
    except OSError as exc:
        raise SimError(what=f"cannot write the output: {exc.strerror}", path=str(target)) from None
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
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@frozen(kw_only=True)
class VerifyReport:
    """What ``verify`` found: the head hash, the line count, and each fault with its line."""

    path: str
    lines: int
    head: str
    pinned: str | None
    faults: tuple[tuple[int, str], ...]

    @property
    def ok(self) -> bool:
        """Whether the chain is whole and matches the pinned head, if any."""
        return not self.faults


def verify(path: str | os.PathLike[str], *, head: str | None = None) -> VerifyReport:
    """Check every line's chain hash, and the head against ``head`` or the pinned one.

    Unlike :func:`load_log` this reports every fault instead of stopping at the first.  It does
    not decode events: a line that is not a chained record is reported as such.
    """
    file = log_path(path)
    pinned = head if head is not None else read_head(file)
    faults: list[tuple[int, str]] = []
    previous = GENESIS
    count = 0
    for number, raw in _lines(file):
        count += 1
        parts = split_line(raw)
        if parts is None:
            faults.append((number, "no chain hash at the end of the line (torn or edited)"))
            continue
        content, stored = parts
        expected = line_hash(previous, content)
        if stored != expected:
            faults.append(
                (number, f"hash mismatch: expected {expected[:12]}…, found {stored[:12]}…")
            )
        previous = stored
    if pinned is not None and pinned != previous:
        faults.append(
            (count, f"head {previous[:12]}… does not match the pinned head {pinned[:12]}…")
        )
    return VerifyReport(
        path=str(file), lines=count, head=previous, pinned=pinned, faults=tuple(faults)
    )

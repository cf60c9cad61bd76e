"""What an append knows of a log: its events' ids, its head, its last time and how it ends.

An append (:mod:`sim.append`) reads the whole log under the writers' lock and checks it (every
line's chain hash, the pinned head, no torn tail) before it writes a line.  What it learns is a
:class:`Tail`, kept between appends of one process in :data:`REMEMBERED`: when the log and its
head are exactly as this process left them (same file, size and modification time, the same
last line, the pinned head its own), nobody else has written, and the next append need not read
the log again, so a loop of appends costs each append a constant, not the size of the log.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Final

import orjson
from attrs import define

from sim.codec import GENESIS, decode_event, parse_json
from sim.errors import SimError
from sim.events import Event
from sim.files import stat_path
from sim.store import (
    check_log,
    damaged,
    head_path,
    read_bytes,
    split_log,
    torn_error,
)

__all__ = ["REMEMBERED", "Stamp", "Tail", "decode", "recall", "stamp"]

Stamp = tuple[int, int, int, int]
"""(device, inode, size, modification time in ns) of a log."""


@define(kw_only=True)
class Tail:
    """What an append needs to know of a log, read whole under the lock (see the module)."""

    events: int
    ids: dict[str, int]
    """Each id with its position (from 1) among the events."""
    head: str
    last_at: datetime | None
    newlines: int
    clean_end: bool
    """Whether the file is empty or ends with a newline (else a new line starts with one)."""
    stamp: Stamp | None
    """The :func:`stamp` of the log when this was true."""
    ending: bytes
    """The file's last bytes (its last line), checked again before the next append."""

    def still(self, target: Path, stamp: Stamp | None) -> bool:
        """Whether the log is as this was read or written (its pinned head checked apart)."""
        if stamp is None or stamp != self.stamp:
            return False
        with target.open("rb") as handle:
            handle.seek(stamp[2] - len(self.ending))
            return handle.read(len(self.ending)) == self.ending

    def advance(
        self, event: Event, head: str, line: bytes, number: int, stamp: Stamp | None
    ) -> None:
        """Take in ``event``, just written as the whole ``line`` numbered ``number``."""
        self.ids[event.id] = self.events + 1
        self.events += 1
        self.head, self.last_at, self.newlines = head, event.at, number
        self.clean_end, self.stamp, self.ending = True, stamp, line


REMEMBERED: Final[dict[str, Tail]] = {}
"""The tail of each log this process appended to, by its resolved path (taken out while an
append runs, put back after a success)."""


def stamp(target: Path) -> Stamp | None:
    """The log's device, inode, size and modification time; ``None`` when there is no file."""
    info = stat_path(target, doing="read the log")
    if info is None:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def recall(
    target: Path, remembered: Tail | None, ident: str, pinned: str | None, now: Stamp | None
) -> tuple[Tail, list[tuple[int, bytes]] | None]:
    """The tail of the log ``target``: ``remembered`` if it still holds, else read anew (with
    the log's lines).

    It is read anew also when it holds the id ``ident``, whose line the caller then needs.
    ``pinned`` is the log's pinned head and ``now`` its :func:`stamp`, both just read.
    """
    if (
        remembered is None
        or remembered.head != pinned
        or ident in remembered.ids
        or not remembered.still(target, now)
    ):
        return _read(target, pinned, now)
    return remembered, None


def _read(
    target: Path, pinned: str | None, now: Stamp | None
) -> tuple[Tail, list[tuple[int, bytes]]]:
    """Read the whole log and check it: chain, pinned head, tail; refuse a damaged one."""
    where = str(target)
    data = read_bytes(target) if now is not None else b""
    split = split_log(data, where)
    lines = split[0]
    if pinned is None and (lines or split[1] is not None):
        name = head_path(target).name
        status = "missing" if not head_path(target).exists() else "empty"
        raise SimError(
            what="the log has no pinned head, so lines cut off its end could not be seen",
            path=where,
            expected=f"its head pinned in {name}",
            found=f"{name} {status}",
            hint="appending would pin whatever end it has now, for good: check the log with "
            f"`sim verify {where} --head HASH` (a head you kept), or if you know it is "
            f"complete, `sim seal {where}` to pin its head; then append",
            code="no-head",
        )
    head = GENESIS
    if lines or pinned not in (None, GENESIS) or data.strip():
        report = check_log(target, data, pinned, split=split)
        if report.torn is not None and report.only_torn:
            raise torn_error(report.torn, where)
        if not report.ok:
            raise damaged(report)
        head = report.head
    tail = Tail(
        events=len(lines),
        ids=_ids(lines, where),
        head=head,
        last_at=decode(lines[-1], where).at if lines else None,
        newlines=data.count(b"\n"),
        clean_end=not data or data.endswith(b"\n"),
        stamp=now,
        ending=data[data.rfind(b"\n", 0, len(data) - 1) + 1 :],
    )
    return tail, lines


def _ids(lines: list[tuple[int, bytes]], where: str) -> dict[str, int]:
    """Each id of the log with its position (from 1) among the lines."""
    ids: dict[str, int] = {}
    for position, (number, raw) in enumerate(lines, start=1):
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError:
            record = None
        ident = record.get("id") if isinstance(record, dict) else None
        if not isinstance(ident, str):
            raise SimError(
                what="a line of the log has no event id",
                path=where,
                line=number,
                hint=f"run `sim replay {where}` to see what is wrong with it",
                code="damaged-log",
            )
        ids.setdefault(ident, position)
    return ids


def decode(line: tuple[int, bytes], where: str) -> Event:
    """The event on the numbered ``line`` of the log ``where``."""
    number, raw = line
    try:
        return decode_event(parse_json(raw, line=number))
    except SimError as exc:
        raise exc.at(path=where, line=number) from None

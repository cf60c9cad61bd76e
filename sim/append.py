"""Appending one event to a log on disk: validated, chained, durable, and safe to retry.

The promise is that of an event store's append: when :func:`append_event` returns, the event is
in the log on disk (flushed and ``fsync``-ed) and the pinned head covers it.  How:

1. Take the writers' lock (``<log>.lock``, see :mod:`sim.lock`), so writers never interleave.
2. Read the log under the lock and check it: every line's chain hash, the pinned head, no torn
   tail (a torn tail is refused with the ``sim verify --repair`` command that fixes it).  What
   it learns is kept for the next append of this process (:mod:`sim.tail`), which skips the
   read when nobody else has written since.
3. Check the event against the log: an identical event already there makes the append a no-op
   (so a writer that crashed, or lost the answer, may simply retry); the same id with other
   content is a conflict; ``expect`` (optimistic concurrency) must equal the number of events;
   each cause names an event already in the log; the time is not before the log's last event
   (the log is in time order, which time travel relies on) and lies within the event's own
   ``earliest``/``latest`` bounds.
4. Write the line in one ``write`` at the end of the file, then ``fsync`` it.
5. Pin the new head: write it to a fresh temporary file (``O_EXCL | O_NOFOLLOW``), ``fsync``,
   rename it over ``<log>.head``, ``fsync`` the folder.  Only then return (the acknowledgement).

A crash before step 4 completes leaves a line cut short; one between 4 and 5 leaves a complete
line the head does not cover.  Either is a *torn tail* of an append that was never acknowledged:
:mod:`sim.store` reports it and ``sim verify --repair`` cuts it off (keeping a backup).  A new
log gets the head of an empty log pinned before its first line, so the same holds for it.

A failure the process survives (a full disk, a refused permission) is undone instead: the
partial line is cut off again and the head left as it was, so a failed append leaves the log
exactly as it found it, and says why (exit code 4).  A log with lines but no pinned head is
refused: appending would pin whatever tail it has, hiding lines cut off its end for good.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import Final

from attrs import frozen

from sim import lock
from sim.codec import GENESIS, decode_event, line_hash, parse_json, record_bytes, stored_line
from sim.errors import CONFLICT, SimError, os_fault
from sim.events import Event
from sim.files import clean_stale, fsync_dir, read_regular, stat_path, write_all
from sim.graph import link_fault
from sim.store import (
    LOG_NAME,
    MAX_HEAD,
    MAX_LINE,
    head_path,
    log_path,
    log_target,
    pin_head,
    read_head,
)
from sim.tail import REMEMBERED, Tail, decode, recall
from sim.tail import stamp as tail_stamp

__all__ = ["Appended", "append_event", "read_event"]

_REMEMBERED: Final = REMEMBERED
"""The tail of each log this process appended to (:mod:`sim.tail`); ``bench/append.py`` clears
it to time an append that starts cold, as ``sim append`` does."""


@frozen(kw_only=True)
class Appended:
    """What an append did: where the event is, and the log's size and head after it."""

    path: str
    id: str
    line: int
    """The line (from 1) that holds the event."""
    events: int
    """Events in the log after the append."""
    head: str
    written: bool
    """``False`` when the identical event was already there and nothing was written."""


def read_event(data: bytes, *, source: str) -> Event:
    """The one event a JSON document describes (an ``EVENT.json`` file, or stdin).

    ``source`` names where ``data`` came from, for messages.  A ``hash`` key (from a line
    copied out of another log) is ignored: the append computes the chain anew.
    """
    if len(data) > MAX_LINE:
        raise SimError(  # the limit load_log puts on a line of the log, said of one event
            what="the event is too long",
            path=source,
            expected=f"at most {MAX_LINE} bytes",
            found=f"{len(data)} bytes",
            hint="a log line holds one event; shorten its quote or notes",
            code="line-too-long",
        )
    try:
        return decode_event(parse_json(data))
    except SimError as exc:
        raise exc.at(path=source) from None


def append_event(
    path: str | os.PathLike[str],
    event: Event,
    *,
    expect: int | None = None,
    wait: float = lock.WAIT,
) -> Appended:
    """Append ``event`` to the log at ``path`` (a file, or a folder holding ``events.jsonl``).

    ``expect``: refuse (a conflict) unless the log holds exactly that many events; ``0`` also
    allows creating the log (and its folder, if its parent exists).  ``wait``: seconds to wait
    for another writer to finish.  Raises :class:`SimError`: exit code 3 for conflicts
    (``expect`` did not match; the id holds another event; the lock stayed taken), 4 when the
    system refused (permissions, a full disk: nothing was changed), 2 for everything else.
    """
    target = _target(Path(path), expect)
    content = record_bytes(event)
    if len(content) + 74 > MAX_LINE:  # the stored line adds ,"hash":"<64 hex>"
        raise SimError(
            what=f"event {event.id!r} is too long for a log line",
            path=str(target),
            expected=f"at most {MAX_LINE} bytes",
            found=f"{len(content) + 74} bytes",
            code="line-too-long",
        )
    folder = target.parent
    made = stat_path(folder, doing="create the log's folder") is None
    if made:
        try:
            folder.mkdir()
        except OSError as exc:
            raise os_fault(exc, doing="create the log's folder", path=folder) from None
    try:
        with lock.exclusive(target, wait=wait):
            return _append_locked(target, event, content, expect)
    except BaseException:
        if made:
            _remove_new_folder(folder)
        raise


def _remove_new_folder(folder: Path) -> None:
    """Remove a folder this append made, with the lock file it left (nothing else is there)."""
    with contextlib.suppress(OSError):
        lock.lock_path(folder / LOG_NAME).unlink(missing_ok=True)
        folder.rmdir()


def _target(given: Path, expect: int | None) -> Path:
    # Each refusal below is shaped like every SimError (sim.cli.whatif's among them): the words
    # are this fault's own.
    if expect is not None and expect < 0:
        raise SimError(
            what="--expect must count events",
            expected="0 or more",
            found=str(expect),
            code="bad-option",
        )
    if given.suffix.lower() == ".toml":
        raise SimError(
            what="a what-if scenario file is not a log",
            path=str(given),
            expected="a scenario folder (events.jsonl) or a .jsonl log",
            found="a .toml file",
            hint="append to the scenario's base log instead, or add an [[intervention]]",
            code="not-a-log",
        )
    target = log_target(given)
    info = stat_path(target, doing="open the log")
    if info is not None:
        target = log_path(target)  # a regular file, or a clear refusal
        if info.st_size == 0 and target.suffix.lower() != ".jsonl":
            raise SimError(
                what="an empty file that is not named as a log",
                path=str(target),
                expected="a log (a .jsonl file, or a folder holding events.jsonl)",
                found="an empty file" + (f" named {target.suffix}" if target.suffix else ""),
                hint="to start a new log, name it NAME.jsonl or give a folder, with --expect 0",
                code="not-a-log",
            )
        return target
    if expect != 0:
        raise SimError(
            what="no log here to append to",
            path=str(target),
            expected="an existing log",
            found="no such file",
            hint="check the path; to start a new log, pass --expect 0",
            code="no-log",
        )
    parent = stat_path(target.parent, doing="create the log")
    grand = stat_path(target.parent.parent, doing="create the log")
    makes_folder = target.name == LOG_NAME and grand is not None and stat.S_ISDIR(grand.st_mode)
    if (parent is None and not makes_folder) or (
        parent is not None and not stat.S_ISDIR(parent.st_mode)
    ):
        raise SimError(
            what="the folder for the new log does not exist",
            path=str(target.parent),
            hint="create the folder first",
            code="no-such-path",
        )
    return target


def _append_locked(target: Path, event: Event, content: bytes, expect: int | None) -> Appended:
    where = str(target)
    key = str(target.resolve())
    clean_stale(target, locked=True)  # what killed writers (a seal, a repair) left behind
    remembered = _REMEMBERED.pop(key, None)  # put back only after a success
    stamp, pinned = tail_stamp(target), read_head(target)
    tail, lines = recall(target, remembered, event.id, pinned, stamp)
    held = tail.ids.get(event.id)
    if held is not None and lines is not None:
        number, raw = lines[held - 1]
        if record_bytes(decode((number, raw), where)) == content:
            _REMEMBERED[key] = tail
            return Appended(
                path=where,
                id=event.id,
                line=number,
                events=tail.events,
                head=tail.head,
                written=False,
            )
    if expect is not None and expect != tail.events:
        raise SimError(
            what="the log is not at the expected length",
            path=where,
            expected=f"{expect} events (--expect {expect})",
            found=f"{tail.events} events",
            hint="another writer appended first: read the log again and decide again",
            exit_code=CONFLICT,
            code="expect-mismatch",
        )
    if held is not None and lines is not None:
        raise SimError(
            what=f"event id {event.id!r} is taken by a different event",
            path=where,
            line=lines[held - 1][0],
            expected="a new id, or the identical event (which appends nothing)",
            found="an event with that id and other content",
            hint="give the new event its own id",
            exit_code=CONFLICT,
            code="id-conflict",
        )
    _check_against(event, tail, where)
    head = line_hash(tail.head, content)
    prefix = b"" if tail.clean_end else b"\n"
    line = stored_line(content, head) + b"\n"
    _write_and_pin(target, prefix + line, head, created=stamp is None)
    number = tail.newlines + len(prefix) + 1
    tail.advance(event, head, line, number, tail_stamp(target))
    _REMEMBERED[key] = tail
    return Appended(
        path=where, id=event.id, line=number, events=tail.events, head=head, written=True
    )


def _check_against(event: Event, tail: Tail, where: str) -> None:
    fault = link_fault(event.id, event.causes, tail.ids)
    if fault is not None:
        cause = fault.cause
        if fault.kind == "itself":
            raise SimError(
                what=f"event {event.id!r} names itself as a cause",
                path=where,
                expected="causes that are earlier events",
                found=f"{cause!r} → {cause!r}",
                hint="an event cannot answer itself; drop that cause",
                code="cause-cycle",
            )
        raise SimError(
            what=f"event {event.id!r} names a cause that is no event of this log",
            path=where,
            expected="each cause to be the id of an event already in the log",
            found=repr(cause),
            hint="append the event it answers first",
            code="unknown-cause",
        )
    if tail.last_at is not None and event.at < tail.last_at:
        raise SimError(
            what=f"event {event.id!r} is dated before the log's last event",
            path=where,
            expected=f"a time at or after {tail.last_at.isoformat()}",
            found=event.at.isoformat(),
            hint="the log is kept in time order; to record an earlier event, edit the log "
            "and `sim seal` it",
            code="out-of-order",
        )
    low, high = event.earliest, event.latest
    if (low is not None and event.at < low) or (high is not None and event.at > high):
        span = f"{low.isoformat() if low else '…'} to {high.isoformat() if high else '…'}"
        raise SimError(
            what=f"event {event.id!r} is dated outside its own bounds",
            path=where,
            expected=f"at within earliest/latest: {span}",
            found=event.at.isoformat(),
            hint="fix at, earliest or latest",
            code="outside-bounds",
        )


def _write_and_pin(target: Path, data: bytes, head: str, *, created: bool) -> None:
    """Write ``data`` at the end of the log, sync it, then pin ``head``: all of it, or nothing.

    A new log first gets the head of an empty log pinned, so that a crash before its first
    pin leaves a tail its head does not cover (a torn tail) like any other append.  A failure
    the process survives is undone: the file is cut back to its size before, the head restored.
    """
    pinned = head_path(target)
    before = read_regular(pinned, limit=MAX_HEAD, what="the pinned head", missing_ok=True)
    if created:
        pin_head(target, GENESIS)
    try:
        size = _write_durably(target, data, created=created)
        try:
            pin_head(target, head)
        except BaseException:
            if created:
                with contextlib.suppress(OSError):
                    target.unlink()
            else:
                _cut_back(target, size)
            raise
    except BaseException:
        if created:  # put the head file back as it was
            with contextlib.suppress(OSError, SimError):
                if before is None:
                    pinned.unlink()
                else:
                    pin_head(target, before.decode("ascii", "replace").strip())
        raise


def _write_durably(target: Path, data: bytes, *, created: bool) -> int:
    """Append ``data`` in one write and sync it; return the file's size before.

    A new log is created exclusively (never through a planted link) with the umask's mode.
    If the write fails (a full disk), what was written of it is cut off again.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC
    if created:
        flags |= os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        fd = os.open(target, flags, 0o666)
    except FileExistsError:  # something appeared there, or a link to nowhere was planted
        raise SimError(
            what="cannot create the log: something is already there",
            path=str(target),
            expected="no file, or an existing log",
            found="a symbolic link to nothing, or a file made meanwhile",
            hint="remove what is there, or append to an existing log",
            code="bad-path",
        ) from None
    except OSError as exc:
        raise os_fault(exc, doing="write the log", path=target) from None
    try:
        size = os.fstat(fd).st_size
        try:
            write_all(fd, data)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                if created:
                    target.unlink()
                else:
                    os.ftruncate(fd, size)
                    os.fsync(fd)
            if isinstance(exc, OSError):
                raise os_fault(exc, doing="write the log", path=target) from None
            raise
    finally:
        os.close(fd)
    if created:
        fsync_dir(target.parent)
    return size


def _cut_back(target: Path, size: int) -> None:
    """Cut the log back to ``size`` bytes: undo a line whose head could not be pinned."""
    with contextlib.suppress(OSError):
        fd = os.open(target, os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.ftruncate(fd, size)
            os.fsync(fd)
        finally:
            os.close(fd)

"""Recovery: cut off a torn last line, keeping a backup; report any other damage untouched.

A torn tail is the trace of an append that never finished, so never acknowledged (see
:mod:`sim.append`): cutting it off loses nothing anyone was told is stored.  Anything else that
``verify`` finds (a changed, missing, added or moved line; a cut tail) may be tampering or a
disk fault, and only a person can say which: it is reported and nothing is written.

Nothing is cut off a file that has not just been verified as a log: the torn line must follow
at least one line whose chain hash checks, or a pinned head that vouches for what is before it
(the empty log a new log starts as).  A text file, or one lone half line with no head, is left
alone.

The repair holds the writers' lock, copies the whole log to ``<log>.bak-<n>`` (``n`` one more
than the highest there; the copy written under a temporary name, synced, then linked into
place, so a backup is whole or absent and never overwritten; with the log's mode), then
truncates the log where the torn line starts and syncs that.  It keeps the last ``keep``
backups (3 by default) and removes older ones.  If the backup cannot be written (a full disk),
the log is not touched.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import attrs
from attrs import frozen

from sim import lock
from sim.codec import GENESIS
from sim.errors import SimError, os_fault
from sim.files import clean_stale, copy_file
from sim.store import VerifyReport, check_log, log_path, read_bytes, read_head

__all__ = ["KEEP", "Repair", "backups", "repair"]

KEEP = 3
"""How many backups of a log ``repair`` keeps by default."""


@frozen(kw_only=True)
class Repair:
    """What ``repair`` found (``before``), did, and found after (``after``)."""

    before: VerifyReport
    after: VerifyReport
    backup: str | None = None
    """The copy of the original log, when a torn line was cut off."""
    cut: int = 0
    """Bytes cut off the end of the log."""
    removed: tuple[str, ...] = ()
    """Older backups removed to keep the last ``keep``."""
    refused: str | None = None
    """Why a torn last line was not cut off, when it was not (the file is not a verified log)."""

    @property
    def repaired(self) -> bool:
        """Whether a torn tail was cut off."""
        return self.backup is not None


def repair(path: str | os.PathLike[str], *, keep: int = KEEP, wait: float = lock.WAIT) -> Repair:
    """Cut off the torn last line of the log at ``path``, if that is its only fault.

    Keeps the last ``keep`` backups (at least 1); waits up to ``wait`` seconds for the lock.
    """
    if keep < 1:
        raise SimError(
            what="--keep-backups must keep at least one backup",
            expected="1 or more",
            found=str(keep),
            code="bad-option",
        )
    file = log_path(path)
    with lock.exclusive(file, wait=wait):
        clean_stale(file, locked=True)
        data = read_bytes(file)
        pinned = read_head(file)
        before = check_log(file, data, pinned)
        if before.torn is None or not before.only_torn:
            return Repair(before=before, after=before)
        if before.lines == 0 and pinned is None:
            return Repair(
                before=before,
                after=before,
                refused="nothing before the torn line shows that this file is a log (no line "
                "whose chain hash checks, no pinned head); if it is a log whose first append "
                "crashed, delete it and append again",
            )
        backup = _backup(file, data)
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CLOEXEC)
            try:
                os.ftruncate(fd, before.torn.offset)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise os_fault(exc, doing="cut the torn line off the log", path=file) from None
        removed = _prune(file, keep)
        if before.torn.offset == 0:  # the log was its first, unfinished line: now empty
            after = attrs.evolve(before, lines=0, head=GENESIS, faults=(), torn=None)
        else:
            after = check_log(file, read_bytes(file), read_head(file))
    return Repair(
        before=before,
        after=after,
        backup=str(backup),
        cut=before.torn.size,
        removed=tuple(str(p) for p in removed),
    )


def backups(file: Path) -> list[tuple[int, Path]]:
    """The backups ``repair`` made of ``file``, oldest first, with their numbers."""
    pattern = re.compile(re.escape(file.name) + r"\.bak-([1-9][0-9]{0,8})")
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(file.parent):
            match = pattern.fullmatch(entry.name)
            if match is not None and entry.is_file(follow_symlinks=False):
                found.append((int(match.group(1)), Path(entry.path)))
    return sorted(found)


def _backup(file: Path, data: bytes) -> Path:
    """Copy ``data`` to ``<file>.bak-<n>``, ``n`` past the highest there; never overwrite one."""
    n = max((number for number, _ in backups(file)), default=0) + 1
    while True:
        target = file.with_name(f"{file.name}.bak-{n}")
        if copy_file(file, data, target, doing="write the backup of the log"):
            return target
        n += 1


def _prune(file: Path, keep: int) -> list[Path]:
    """Remove all but the last ``keep`` backups of ``file``; return those removed."""
    removed = []
    for _, path in backups(file)[:-keep]:
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed

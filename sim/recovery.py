"""Recovery: cut off a torn last line, keeping a backup; report any other damage untouched.

A torn tail is the trace of an append that never finished, so never acknowledged (see
:mod:`sim.append`): cutting it off loses nothing anyone was told is stored.  Anything else that
``verify`` finds (a changed, missing, added or moved line; a cut tail) may be tampering or a
disk fault, and only a person can say which: it is reported and nothing is written.

The repair holds the writers' lock, copies the whole log to the first free
``<log>.bak-<n>`` (created exclusively, so no backup is ever overwritten), syncs it, then
truncates the log where the torn line starts and syncs that.
"""

from __future__ import annotations

import os
from pathlib import Path

from attrs import frozen

from sim import lock
from sim.store import (
    VerifyReport,
    check_log,
    fsync_dir,
    log_path,
    read_bytes,
    read_head,
    write_all,
)

__all__ = ["Repair", "repair"]


@frozen(kw_only=True)
class Repair:
    """What ``repair`` found (``before``), did, and found after (``after``)."""

    before: VerifyReport
    after: VerifyReport
    backup: str | None = None
    """The copy of the original log, when a torn line was cut off."""
    cut: int = 0
    """Bytes cut off the end of the log."""

    @property
    def repaired(self) -> bool:
        """Whether a torn tail was cut off."""
        return self.backup is not None


def repair(path: str | os.PathLike[str]) -> Repair:
    """Cut off the torn last line of the log at ``path``, if that is its only fault."""
    file = log_path(path)
    with lock.exclusive(file):
        data = read_bytes(file)
        before = check_log(file, data, read_head(file))
        if before.torn is None or not before.only_torn:
            return Repair(before=before, after=before)
        backup = _backup(file, data)
        with file.open("r+b") as handle:
            handle.truncate(before.torn.offset)
            handle.flush()
            os.fsync(handle.fileno())
        after = check_log(file, read_bytes(file), read_head(file))
    return Repair(before=before, after=after, backup=str(backup), cut=before.torn.size)


def _backup(file: Path, data: bytes) -> Path:
    """Copy ``data`` to the first free ``<file>.bak-<n>``, durably; never overwrite one."""
    n = 1
    while True:
        target = file.with_name(f"{file.name}.bak-{n}")
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except FileExistsError:
            n += 1
            continue
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
        fsync_dir(file.parent)
        return target

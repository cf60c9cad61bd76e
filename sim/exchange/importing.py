"""Where ``sim import`` writes the log it builds from a CSV, and the writing: all or nothing.

:func:`import_target` checks the output before the CSV is read (its folder exists, nothing
but a log is there, a log there is replaced only when asked); :meth:`ImportTarget.write` writes
the hash-chained log and, if anything fails, leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Iterable
from pathlib import Path

from attrs import frozen

from sim import lock, store
from sim.errors import SimError, os_fault
from sim.events import Event
from sim.files import file_kind, stat_path

__all__ = ["ImportTarget", "import_target"]


@frozen(kw_only=True)
class ImportTarget:
    """The log file an import writes, and whether its folder is to be made first."""

    log: Path
    create_folder: bool

    def write(self, events: Iterable[Event], *, wait: float = lock.WAIT) -> str:
        """Write ``events`` as the log (replacing one there), making its folder first if need
        be, and return its head; if anything fails, a folder made for it is removed again
        (it held only the lock file), and an older log there stays as it was."""
        folder = self.log.parent
        if self.create_folder:
            try:
                folder.mkdir()
            except OSError as exc:
                raise os_fault(exc, doing="create the log's folder", path=folder) from None
        try:
            return store.write_log(self.log, events, wait=wait)
        except BaseException:
            if self.create_folder:  # leave nothing behind: the folder held only the lock file
                with contextlib.suppress(OSError):
                    lock.lock_path(self.log).unlink(missing_ok=True)
                    folder.rmdir()
            raise


def import_target(output: Path, *, force: bool) -> ImportTarget:
    """Where an import to ``output`` (a scenario folder, or a ``.jsonl`` file) writes its log.

    Refused, before anything is read or written: a folder for the log that does not exist
    (``no-output-folder``, unless only the scenario folder itself is to be made), an output
    that is neither a folder nor a log (``bad-path``, ``unreadable``), a log that exists without
    ``force`` (``output-exists``).
    """
    # These checks are sim.cli.app.check_output's for a log (duplicates pairs them by shape):
    # here one folder level may be made, and each refusal names the log in its own words, as
    # the import command's did before they moved here (an edge may not import the CLI).
    target = store.log_target(output)
    folder = target.parent
    there = stat_path(folder, doing="write the log")
    above = stat_path(folder.parent, doing="write the log")
    if there is None and (above is None or not stat.S_ISDIR(above.st_mode)):
        raise SimError(
            what="the folder for the log does not exist",
            path=str(output),
            hint=f"create {folder.parent} first, or write somewhere else",
            code="no-output-folder",
        )
    if there is not None and not stat.S_ISDIR(there.st_mode):
        raise SimError(
            what="the output is neither a folder nor a .jsonl log",
            path=str(output),
            expected="a scenario folder (events.jsonl goes in it) or a .jsonl file",
            found=file_kind(there.st_mode),
            code="bad-path",
        )
    existing = stat_path(target, doing="write the log")
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        raise SimError(
            what="the output is not a regular file",
            path=str(target),
            expected="a .jsonl log to replace",
            found=file_kind(existing.st_mode),
            hint="choose a file name or a folder",
            code="unreadable",
        )
    if existing is not None and not force:
        raise SimError(
            what="a log already exists there",
            path=str(target),
            hint="pass --force to replace it, or choose another output",
            code="output-exists",
        )
    return ImportTarget(log=target, create_folder=there is None)

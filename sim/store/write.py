"""Writing whole files atomically: a log with its pinned head, a head alone, an output.

Writes go to a temporary file that is flushed, synced and renamed into place (see
:mod:`sim.files`), so a reader sees the old file or the new one, never half of one.  A log is
written under the writers' lock (:mod:`sim.lock`); its head is pinned by :func:`pin_head`, the
one place that says what a head file holds.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from sim import lock
from sim._fast import cyclic_gc_paused
from sim.errors import SimError
from sim.events import Event
from sim.files import fsync_dir, replace_file, stage_file, stat_path
from sim.log import Log
from sim.store.chain import encode_lines
from sim.store.load import load_file
from sim.store.paths import head_path, log_path, log_target

__all__ = ["check_output_folder", "pin_head", "seal", "write_file", "write_log"]

_PIN_DOING = "pin the log's head"


def _head_bytes(head: str) -> bytes:
    """What a head file holds: the hash and a newline."""
    return head.encode("ascii") + b"\n"


def pin_head(log: Path, head: str) -> None:
    """Pin ``head`` beside ``log``, atomically (the caller holds the log's writers' lock)."""
    replace_file(head_path(log), _head_bytes(head), doing=_PIN_DOING, locked=True)


def write_log(
    path: str | os.PathLike[str],
    events: Iterable[Event],
    *,
    pin: bool = True,
    wait: float = lock.WAIT,
) -> str:
    """Write ``events`` as a new log at ``path`` (see :func:`~sim.store.log_target` for where it
    goes).

    The file is replaced atomically under the writers' lock (waiting up to ``wait`` seconds for
    it); with ``pin`` the head is written beside it.  A log replaced keeps its mode.  Returns
    the head hash.
    """
    target = log_target(path)
    folder = stat_path(target.parent, doing="write the log")
    if folder is None or not stat.S_ISDIR(folder.st_mode):
        raise SimError(
            what="the folder for the log does not exist",
            path=str(target.parent),
            hint="create the folder first",
            code="no-output-folder",
        )
    lines, head = encode_lines(events)
    with lock.exclusive(target, wait=wait):
        _write_locked(target, lines, head, pin=pin)
    return head


def _write_locked(target: Path, lines: Sequence[bytes], head: str, *, pin: bool) -> None:
    """Replace the log at ``target`` by ``lines`` and pin ``head`` (the caller holds the lock).

    Both files are written and synced under temporary names first, then renamed into place:
    a full disk or a refused permission fails before anything is replaced.
    """
    body = b"".join(line + b"\n" for line in lines)
    staged = [stage_file(target, body, doing="write the log", locked=True)]
    try:
        if pin:
            staged.append(
                stage_file(head_path(target), _head_bytes(head), doing=_PIN_DOING, locked=True)
            )
        for file in staged:
            file.commit()
    except BaseException:
        for file in staged:
            file.discard()
        raise
    fsync_dir(target.parent)


def seal(path: str | os.PathLike[str], *, wait: float = lock.WAIT) -> tuple[Path, Log, str]:
    """Re-chain the log at ``path`` and pin its head: ``(file, log, head)``.

    The log is read and checked as strictly as any load except for its chain, and rewritten,
    all under the writers' lock, so that no append can slip in between and be lost.
    """
    file = log_path(path)
    with lock.exclusive(file, wait=wait), cyclic_gc_paused():
        log = load_file(file, check_chain=False, settle=False)
        lines, head = encode_lines(log.events)
        _write_locked(file, lines, head, pin=True)
    return file, log, head


def write_file(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file beside it, synced and renamed.

    The folder must exist; if anything fails, nothing is left at ``path`` (an older file there
    stays as it was).  A file replaced keeps its mode; a new one gets the umask's.  For outputs
    such as charts, reports and exports.
    """
    target = Path(path)
    check_output_folder(target)
    info = stat_path(target, doing="write the output")
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise SimError(  # shaped like every SimError (history's too): the words are this fault's
            what="the output path is a folder",
            path=str(target),
            expected="a file name",
            code="unwritable",
        )
    replace_file(target, data, doing="write the output")
    return target


def check_output_folder(target: Path) -> None:
    """Refuse the output ``target`` when its folder does not exist (``no-output-folder``).

    :func:`write_file` checks this first; a command checks it before any work
    (``sim.cli.app.check_output``).
    """
    folder = stat_path(target.parent, doing="write the output")
    if folder is None or not stat.S_ISDIR(folder.st_mode):
        raise SimError(
            what="the folder for the output does not exist",
            path=str(target),
            hint=f"create {target.parent} first, or write somewhere else",
            code="no-output-folder",
        )

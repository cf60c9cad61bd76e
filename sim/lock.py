"""Locks that serialize the writers of a log: ``fcntl.flock`` on ``<log>.lock`` beside it.

Writers (``append``, ``verify --repair``, ``seal``, ``import``) hold the exclusive lock from
reading the log to pinning its new head, so two of them never interleave.  A writer waits for
the lock at most ``wait`` seconds (``--wait``, default :data:`WAIT`), then gives up with exit
code 3 and, where the system says (Linux's ``/proc/locks``), the process that holds it.

Readers take no lock as long as what they read looks settled; when the tail looks torn or the
head does not match (which is also what a write in progress looks like), they wait for the
shared lock (a few seconds at most) and read again.  A reader never creates the lock file: it
only opens one that a writer made, read-only.

The lock file is kept after use: removing it would let a second writer lock a new file while a
first still holds the old one.  It is created with the umask's mode, so that in a shared folder
the group shares it; a lock file that another user made, and that this user may not write, is
locked through a read-only descriptor (``flock`` needs no write permission).  ``flock`` is
POSIX: sim's writers need Linux, macOS or a BSD.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from sim.errors import CONFLICT, SimError, os_fault
from sim.text import printable

__all__ = ["WAIT", "exclusive", "holder", "lock_path", "shared"]

WAIT: Final = 30.0
"""Seconds a writer waits for the writers' lock by default."""


def lock_path(log: Path) -> Path:
    """The lock file of ``log``."""
    return log.with_name(log.name + ".lock")


def _open(path: Path) -> int:
    """A descriptor of the lock file at ``path``, created if need be; never a link followed."""
    flags = os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o666)
    except PermissionError as first:
        try:  # a lock file made by another user: flock works on a read-only descriptor too
            fd = os.open(path, os.O_RDONLY | flags)
        except OSError:
            raise os_fault(first, doing="take the writers' lock", path=path) from None
    except IsADirectoryError:
        fd = os.open(path, os.O_RDONLY | flags)
    except OSError as exc:
        raise os_fault(exc, doing="take the writers' lock", path=path) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise SimError(
            what="cannot take the writers' lock: the lock file is not a file",
            path=str(path),
            expected="an empty regular file (sim makes one there)",
            found="a folder" if stat.S_ISDIR(mode) else "not a regular file",
            hint=f"remove {path.name}; sim makes its lock file anew",
            exit_code=4,
            code="io-error",
        )
    return fd


@contextmanager
def exclusive(log: Path, *, wait: float = WAIT) -> Iterator[None]:
    """Hold the writers' lock of ``log``, waiting up to ``wait`` seconds for it.

    Raises :class:`SimError` (exit 3, ``lock-timeout``) when another process holds it longer,
    naming that process where the system tells.
    """
    path = lock_path(log)
    fd = _open(path)
    try:
        if not _wait(fd, fcntl.LOCK_EX, wait):
            raise _timeout(path, log, wait)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextmanager
def shared(log: Path, *, timeout: float = 5.0) -> Iterator[bool]:
    """Wait up to ``timeout`` seconds for the readers' lock; yield whether it is held.

    Yields ``False`` at once when no writer ever made a lock file: then nobody writes.
    """
    try:
        fd = os.open(lock_path(log), os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    except (OSError, ValueError):
        yield False
        return
    try:
        yield _wait(fd, fcntl.LOCK_SH, timeout)
    finally:
        os.close(fd)


def _wait(fd: int, kind: int, timeout: float) -> bool:
    deadline = time.monotonic() + max(timeout, 0.0)
    pause = 0.001
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.05)
        else:
            return True


def _timeout(path: Path, log: Path, wait: float) -> SimError:
    pid = holder(path)
    who = f"process {pid}" if pid is not None else "another process"
    command = _command(pid) if pid is not None else None
    found = f"{who}{f' ({command})' if command else ''} still holds it after {wait:g} s"
    stop = f"`kill {pid}`" if pid is not None else "stop it"
    return SimError(
        what="another writer holds the log's lock",
        path=str(log),
        expected=f"the lock free within --wait {wait:g} seconds",
        found=found,
        hint=f"try again when it is done, or wait longer with --wait; if it is stuck, {stop}",
        exit_code=CONFLICT,
        code="lock-timeout",
    )


def holder(path: Path) -> int | None:
    """The process holding the ``flock`` on the file at ``path``, if the system says
    (Linux's ``/proc/locks``); ``None`` elsewhere or when nobody holds it."""
    try:
        info = path.stat()
        with Path("/proc/locks").open("rb") as handle:
            table = handle.read(1 << 20).decode("ascii", "replace")
    except OSError:
        return None
    want = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    for row in table.splitlines():
        fields = row.split()
        if len(fields) < 6 or "->" in fields[1] or fields[1] != "FLOCK":
            continue
        if fields[5] == want:
            with contextlib.suppress(ValueError):
                return int(fields[4]) or None
    return None


def _command(pid: int) -> str | None:
    """The command line of process ``pid`` (shortened, made printable), where the system says."""
    try:
        with Path(f"/proc/{pid}/cmdline").open("rb") as handle:
            raw = handle.read(4096)
    except OSError:
        return None
    text = " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)
    text = printable(text, keep="")
    return text if len(text) <= 80 else text[:79] + "…"

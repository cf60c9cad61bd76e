"""Locks that serialize the writers of a log: ``fcntl.flock`` on ``<log>.lock`` beside it.

Writers (``append``, ``verify --repair``) hold the exclusive lock from reading the tail to
pinning the new head, so two of them never interleave.  Readers take no lock as long as what
they read looks settled; when the tail looks torn or the head does not match (which is also what
a write in progress looks like), they wait for the shared lock and read again.  A reader never
creates the lock file: it only opens one that a writer made, read-only.

The lock file is kept after use: removing it would let a second writer lock a new file while a
first still holds the old one.  ``flock`` is POSIX: sim's writers need Linux, macOS or a BSD.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["exclusive", "lock_path", "shared"]


def lock_path(log: Path) -> Path:
    """The lock file of ``log``."""
    return log.with_name(log.name + ".lock")


@contextmanager
def exclusive(log: Path) -> Iterator[None]:
    """Hold the writers' lock of ``log`` (waiting for it), creating the lock file if needed."""
    fd = os.open(lock_path(log), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextmanager
def shared(log: Path, *, timeout: float = 5.0) -> Iterator[bool]:
    """Wait up to ``timeout`` seconds for the readers' lock; yield whether it is held.

    Yields ``False`` at once when no writer ever made a lock file: then nobody writes.
    """
    try:
        fd = os.open(lock_path(log), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        yield False
        return
    try:
        yield _wait_shared(fd, timeout)
    finally:
        os.close(fd)


def _wait_shared(fd: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        else:
            return True

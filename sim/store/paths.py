"""Where a log and its pinned head are on disk, and reading them, bounded.

A scenario folder holds its log as ``events.jsonl``; every reader takes the folder or the file.
The head hash is pinned beside the log in ``<log>.head``.  Every read here is bounded
(:data:`MAX_LOG`, :data:`MAX_HEAD`) and of regular files only (see :mod:`sim.files`).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Final

from sim.errors import SimError
from sim.files import file_kind, read_regular, stat_path

__all__ = [
    "HEX64",
    "LOG_NAME",
    "MAX_HEAD",
    "MAX_LINE",
    "MAX_LOG",
    "head_path",
    "head_status",
    "log_name",
    "log_path",
    "log_target",
    "parse_head",
    "read_bytes",
    "read_head",
]

LOG_NAME: Final = "events.jsonl"
MAX_LINE: Final = 1 << 20
"""The longest line a log may hold (1 MiB)."""
MAX_LOG: Final = 1 << 30
"""The largest log sim reads (1 GiB, some two million events): a larger file is refused before
a byte of it is read."""
MAX_HEAD: Final = 4096
"""The largest head file sim reads (a head is one line of 64 hex digits)."""

HEX64: Final = re.compile(r"[0-9a-f]{64}")
"""A head hash as sim writes it."""


def log_path(path: str | os.PathLike[str]) -> Path:
    """The log file for ``path``: the file itself, or ``events.jsonl`` in a directory."""
    given = Path(path)
    info = stat_path(given, doing="open the log")
    if info is not None and stat.S_ISDIR(info.st_mode):
        inner = given / LOG_NAME
        inside = stat_path(inner, doing="open the log")
        if inside is None or not stat.S_ISREG(inside.st_mode):
            raise SimError(
                what="this folder holds no log",
                path=str(given),
                expected=f"a file {LOG_NAME} in it",
                found="no such file" if inside is None else f"{LOG_NAME} is not a file",
                hint="pass a scenario folder that has events.jsonl, or the .jsonl file itself",
                code="no-log-in-folder",
            )
        return inner
    if info is None:
        raise SimError(
            what="no such file or folder",
            path=str(given),
            hint="check the path; a scenario folder or a .jsonl log is expected",
            code="no-such-path",
        )
    if not stat.S_ISREG(info.st_mode):
        raise SimError(  # shaped like the CLI's output checks: the words are this fault's own
            what="not a regular file",
            path=str(given),
            expected="a scenario folder or a .jsonl log",
            found=file_kind(info.st_mode),
            code="unreadable",
        )
    return given


def log_target(path: str | os.PathLike[str]) -> Path:
    """Where a log written or created at ``path`` goes: an existing folder's ``events.jsonl``;
    an existing file itself; for a path that does not exist yet, the file itself if its name
    ends in ``.jsonl``, else ``events.jsonl`` in a folder of that name."""
    given = Path(path)
    info = stat_path(given, doing="open the log")
    if info is not None:
        return given / LOG_NAME if stat.S_ISDIR(info.st_mode) else given
    return given if given.suffix.lower() == ".jsonl" else given / LOG_NAME


def log_name(file: Path) -> str:
    """The name of the log in ``file``: its scenario folder's, or the file's stem."""
    return file.parent.name if file.name == LOG_NAME else file.stem


def head_path(log: Path) -> Path:
    """Where the head hash of ``log`` is pinned."""
    return log.with_name(log.name + ".head")


def read_head(log: Path) -> str | None:
    """The pinned head hash of ``log``, if one is pinned (as written: check it before use).

    ``None`` when the head file is missing or empty (:func:`head_status` tells which).
    """
    pinned = head_path(log)
    data = read_regular(pinned, limit=MAX_HEAD, what="the pinned head", missing_ok=True)
    if data is None:
        return None
    text = data.decode("ascii", "replace").strip()
    return text or None


def head_status(log: Path) -> str:
    """``"pinned"``, ``"missing"`` or ``"empty"``: the state of the head file of ``log``."""
    data = read_regular(head_path(log), limit=MAX_HEAD, what="the pinned head", missing_ok=True)
    if data is None:
        return "missing"
    return "pinned" if data.strip() else "empty"


def parse_head(text: str) -> str:
    """A head hash given as an option (``--head``): 64 hex digits, any case; :class:`SimError`
    (exit 2) for anything else."""
    head = text.strip().lower()
    if HEX64.fullmatch(head) is None:
        raise SimError(
            what="--head is not a head hash",
            expected="64 hexadecimal digits, as `sim verify` prints after 'head'",
            found=repr(text) if len(text) <= 80 else f"{len(text)} characters",
            code="bad-option",
        )
    return head


def read_bytes(file: Path) -> bytes:
    """The bytes of the log ``file`` (a regular file of at most :data:`MAX_LOG` bytes);
    :class:`SimError` when it cannot be read."""
    data = read_regular(file, limit=MAX_LOG, what="the log")
    assert data is not None
    return data

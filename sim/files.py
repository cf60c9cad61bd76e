"""The file-system edge: bounded reads of regular files, and writes that are whole or absent.

Everything sim reads or writes on the user's disk goes through here, so that four promises hold
in one place:

- **Bounded reads of regular files only.**  :func:`read_regular` opens without blocking (a FIFO
  never hangs it), refuses anything that is not a regular file (a FIFO, a device, a folder, a
  socket) and refuses a file over its limit before reading it (``/dev/zero`` or a 200 MB
  scenario never reaches memory).
- **Atomic writes.**  :func:`replace_file` writes a temporary file in the target's folder,
  created with ``O_EXCL | O_NOFOLLOW`` under a fresh name (so a planted file or symbolic link is
  never followed or reused), syncs it and renames it over the target.  On any failure (a full
  disk, a refused permission, a signal) the temporary file is removed and the target is as it
  was.
- **Modes.**  A replaced file keeps its mode (and, where allowed, its owner and group); a new
  file gets the mode the umask gives (``0666 & ~umask``); :func:`copy_file` gives a copy the mode
  of its source.
- **No traceback for the system's refusals.**  Every :class:`OSError` becomes a
  :class:`~sim.errors.SimError` (:func:`~sim.errors.os_fault`) naming the path, what failed and
  a hint, with exit code 4 for the environment or 2 for an unusable path.

Temporary files are named ``.<target>.<pid>-<8 hex>.tmp``.  A writer that was killed (SIGKILL)
leaves one behind; :func:`clean_stale` removes those of a target: all of them when the caller
holds the log's writers' lock (every writer of those names holds it), else those whose process
is gone or that are over an hour old.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import time
from pathlib import Path
from typing import Final

from attrs import frozen

from sim.errors import SimError, os_fault

__all__ = [
    "Staged",
    "clean_stale",
    "copy_file",
    "discard_pending",
    "file_kind",
    "fsync_dir",
    "read_regular",
    "replace_file",
    "resolve",
    "stage_file",
    "stat_path",
    "temp_name",
    "write_all",
]

STALE_AFTER: Final = 3600.0
"""Seconds after which a temporary file of a process that may still run is taken as stale."""


def file_kind(mode: int) -> str:
    """What kind of file a mode describes, in words."""
    # one test of the stat module and its words per kind of file: alike in shape only
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def stat_path(path: Path, *, doing: str, follow: bool = True) -> os.stat_result | None:
    """``os.stat`` of ``path`` (``lstat`` without ``follow``); ``None`` when nothing is there.

    Any other refusal (permission, a path too long, a loop of links) is a :class:`SimError`.
    """
    try:
        return path.stat() if follow else path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise os_fault(exc, doing=doing, path=path) from None
    except ValueError:  # an embedded NUL byte
        raise SimError(
            what=f"cannot {doing}: the path holds a NUL byte",
            path=repr(str(path)),
            hint="check the path",
            code="bad-path",
        ) from None


def resolve(path: Path, *, doing: str) -> Path:
    """``path`` made absolute with its links resolved; a loop of links or a path the system
    cannot use is a :class:`SimError`."""
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:
        if isinstance(exc, OSError):
            raise os_fault(exc, doing=doing, path=path) from None
        raise SimError(
            what=f"cannot {doing}: its symbolic links form a loop",
            path=str(path),
            hint="check the links along the path (`ls -l`)",
            code="bad-path",
        ) from None


def read_regular(path: Path, *, limit: int, what: str, missing_ok: bool = False) -> bytes | None:
    """The bytes of the regular file at ``path``: at most ``limit`` of them, or a SimError.

    ``what`` names the file in messages (``"the log"``).  With ``missing_ok`` a missing file
    gives ``None``.  The file is opened without blocking, so a FIFO is refused at once rather
    than waited on.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError) as exc:
        if missing_ok:
            return None
        raise os_fault(exc, doing=f"read {what}", path=path) from None
    except OSError as exc:
        raise os_fault(exc, doing=f"read {what}", path=path) from None
    except ValueError:
        raise SimError(
            what=f"cannot read {what}: the path holds a NUL byte",
            path=repr(str(path)),
            code="bad-path",
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SimError(
                what=f"{what} is not a regular file",
                path=str(path),
                expected="a regular file",
                found=file_kind(info.st_mode),
                hint="sim reads only regular files (a FIFO or a device could block or never end)",
                code="unreadable",
            )
        if info.st_size > limit:
            raise too_large(path, what, info.st_size, limit)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(info.st_size + 1)  # asking for no more than is there is faster
            if len(data) > info.st_size:  # it grew while it was read (or is a /proc file)
                data += handle.read(limit + 1 - len(data))
    except OSError as exc:
        raise os_fault(exc, doing=f"read {what}", path=path) from None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while it was read
        raise too_large(path, what, len(data), limit)
    return data


def too_large(path: Path | str, what: str, size: int, limit: int) -> SimError:
    """The error for a file over the size sim reads."""
    return SimError(
        what=f"{what} is too large",
        path=str(path),
        expected=f"at most {_size(limit)}",
        found=f"{_size(size)}" if size <= limit else f"more than {_size(limit)}",
        hint="check that this is the file you meant",
        code="file-too-large",
    )


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n:,} bytes"


# ------------------------------------------------------------------------------------ writing


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd`` (``os.write`` may write less than asked), then sync."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (a created or renamed file) durable, where the OS allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_NAME_ROOM: Final = 200
"""How much of a target's name a temporary name keeps (names are limited to 255 bytes)."""


def temp_name(target: Path) -> Path:
    """A fresh temporary name for ``target``, in its folder: ``.<name>.<pid>-<8 hex>.tmp``."""
    short = target.name[:_NAME_ROOM]
    return target.with_name(f".{short}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


_PENDING: Final[set[Path]] = set()
"""Temporary files this process created and has neither renamed into place nor removed."""


def _create_temp(target: Path, *, doing: str) -> tuple[int, Path]:
    """A new temporary file beside ``target``, open for writing, and its name.

    The name is recorded as pending before the file exists, so that a signal arriving at any
    moment after it was made finds it in :func:`discard_pending`.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    while True:
        tmp = temp_name(target)
        _PENDING.add(tmp)
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:  # not ours: leave it
            _PENDING.discard(tmp)
            continue
        except OSError as exc:
            _PENDING.discard(tmp)
            raise os_fault(exc, doing=doing, path=target.parent) from None


def _forget(tmp: Path) -> None:
    """Remove the temporary file ``tmp`` (if it is still there) and stop tracking it."""
    with contextlib.suppress(OSError):
        tmp.unlink()
    _PENDING.discard(tmp)


def discard_pending() -> None:
    """Remove every temporary file this process left pending: for an exit by a signal."""
    for tmp in list(_PENDING):
        _forget(tmp)


def _keep_owner(fd: int, like: os.stat_result | None) -> None:
    """Give ``fd`` the mode (and, where allowed, the owner and group) of ``like``."""
    if like is None:
        return
    os.fchmod(fd, stat.S_IMODE(like.st_mode))
    if (like.st_uid, like.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):
            os.fchown(fd, like.st_uid, like.st_gid)
            os.fchmod(fd, stat.S_IMODE(like.st_mode))  # chown may clear set-id bits


@frozen
class Staged:
    """A file written and synced under a temporary name, waiting to be renamed into place."""

    target: Path
    tmp: Path
    doing: str

    def commit(self) -> None:
        """Rename it over the target (a rename needs no space: it cannot fill the disk)."""
        try:
            self.tmp.replace(self.target)
        except OSError as exc:
            self.discard()
            raise os_fault(exc, doing=self.doing, path=self.target) from None
        _PENDING.discard(self.tmp)

    def discard(self) -> None:
        """Remove the temporary file (after a failure: the target stays as it was)."""
        _forget(self.tmp)


def stage_file(target: Path, data: bytes, *, doing: str, locked: bool = False) -> Staged:
    """Write ``data`` to a fresh temporary file beside ``target`` and sync it; nothing at
    ``target`` changes until :meth:`Staged.commit`.

    ``doing`` says what for messages (``"write the log"``).  ``locked``: the caller holds the
    log's writers' lock, so every temporary file of ``target`` is stale.  The file gets the mode
    of an existing target, else the umask's.  Only a regular file (or a symbolic link, which is
    replaced, not followed) may be replaced.  On any failure the temporary file is removed.
    """
    old = stat_path(target, doing=doing)
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise SimError(
            what=f"cannot {doing}: something other than a file is there",
            path=str(target),
            expected="a regular file to replace, or no file",
            found=file_kind(old.st_mode),
            hint="choose another path: sim replaces only regular files",
            code="unreadable",
        )
    clean_stale(target, locked=locked)
    fd, tmp = _create_temp(target, doing=doing)
    staged = Staged(target, tmp, doing)
    try:
        try:
            _keep_owner(fd, old)
            write_all(fd, data)
        finally:
            os.close(fd)
    except BaseException as exc:
        staged.discard()
        if isinstance(exc, OSError):
            raise os_fault(exc, doing=doing, path=target) from None
        raise
    return staged


def replace_file(target: Path, data: bytes, *, doing: str, locked: bool = False) -> None:
    """Put ``data`` at ``target`` atomically: all of it, or (on any failure) nothing changed.

    See :func:`stage_file` for ``doing``, ``locked`` and the file's mode.
    """
    staged = stage_file(target, data, doing=doing, locked=locked)
    try:
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    fsync_dir(target.parent)


def copy_file(source: Path, data: bytes, target: Path, *, doing: str) -> bool:
    """Write ``data`` (the bytes of ``source``) as a new file ``target``, never replacing one.

    The copy gets the mode, and where allowed the owner and group, of ``source``; it is written
    to a temporary file, synced, then linked into place, so ``target`` is whole or absent.
    Returns ``False`` (writing nothing) when ``target`` exists already.
    """
    like = stat_path(source, doing=doing)
    fd, tmp = _create_temp(target, doing=doing)
    try:
        try:
            _keep_owner(fd, like)
            write_all(fd, data)
        finally:
            os.close(fd)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: rename (the caller holds the lock)
            if stat_path(target, doing=doing, follow=False) is not None:
                return False
            tmp.rename(target)
    except OSError as exc:
        raise os_fault(exc, doing=doing, path=target) from None
    finally:
        _forget(tmp)
    fsync_dir(target.parent)
    return True


# ------------------------------------------------------------------------------------ stale temps


def _pattern(name: str) -> re.Pattern[str]:
    short = re.escape(name[:_NAME_ROOM])
    full = re.escape(name)
    legacy = rf"|{full}\.tmp" if name.endswith(".head") else ""  # earlier versions' head pins
    return re.compile(
        rf"\.{short}(?:\.bak-\d+)?\.(?P<pid>\d+)-[0-9a-f]{{8}}\.tmp"  # ours, and backups' copies
        rf"|\.{full}\.[a-z0-9_]{{8}}\.tmp"  # tempfile.mkstemp's, written by earlier versions
        + legacy
    )


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def clean_stale(target: Path, *, locked: bool, also: tuple[str, ...] = ()) -> list[Path]:
    """Remove the temporary files that writers of ``target`` (and of the names in ``also``, in
    the same folder) left behind; return them.

    With ``locked`` (the caller holds the log's writers' lock) every one is stale; otherwise
    only those whose process no longer runs on this machine, or that are over an hour old.
    Only files and symbolic links are removed (a link itself, never what it points to).
    """
    patterns = [_pattern(n) for n in (target.name, *also)]
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = next((m for p in patterns if (m := p.fullmatch(entry.name))), None)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
            continue
        pid = match.groupdict().get("pid")
        old = now - info.st_mtime > STALE_AFTER
        if not (locked or old or (pid is not None and not _alive(int(pid)))):
            continue
        with contextlib.suppress(OSError):
            Path(entry.path).unlink()
            removed.append(Path(entry.path))
    return removed

"""One error type for every fault a user can fix: it says where, what was expected, what was found.

The CLI prints :class:`SimError` as one message on stderr and exits with its ``exit_code``
(2 for bad input, 1 when a check such as ``verify`` finds a damaged log, 3 when an append
conflicts with what the log holds or another writer holds the log's lock too long, 4 when the
environment refuses: permissions, a full disk, a failing device); it never shows a traceback for
one.  :func:`os_fault` turns an :class:`OSError` into one, with the path, what failed and a hint.

Each kind of fault has a stable ``code`` from :data:`CODES`, so that scripts and the library's
callers can tell faults apart without parsing messages (the README's "Reliability" section lists
them with an example each).
"""

from __future__ import annotations

import difflib
import errno
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

import attrs

from sim.text import lookalike_note

__all__ = [
    "BAD_INPUT",
    "CODES",
    "CONFLICT",
    "DAMAGED",
    "ENVIRONMENT",
    "SimError",
    "did_you_mean",
    "os_fault",
]

BAD_INPUT: Final = 2
"""Exit code for input the user must fix (a bad file, a bad event, bad options)."""
DAMAGED: Final = 1
"""Exit code for a check that failed: ``verify`` found a damaged log, a strict replay voided."""
CONFLICT: Final = 3
"""Exit code for an append refused because the log is not what the writer expected: re-read it
and decide again (``--expect`` did not match, or the id is taken by another event), or refused
because another writer held the log's lock longer than ``--wait``: try again later."""
ENVIRONMENT: Final = 4
"""Exit code for a fault of the environment, not of the input: permission denied, the disk
full, a read-only or failing file system.  Nothing was changed; fix the environment and rerun."""

CODES: Final[Mapping[str, str]] = {
    # where the input is
    "no-such-path": "the path names no file or folder",
    "no-log-in-folder": "a folder without an events.jsonl",
    "unreadable": "the path is not a regular file (a folder, a FIFO, a device) or cannot be read",
    "bad-path": "a path the system cannot use: too long, a loop of links, a file used as a folder",
    "file-too-large": "a file over the size sim reads (a log, a scenario, a CSV, an event)",
    "not-a-log": "a file given as a log that holds no log lines (text, NUL bytes, a scenario)",
    "empty-log": "a log with no events",
    "no-log": "appending to a log that does not exist, without --expect 0",
    # bytes and lines
    "byte-order-mark": "a UTF-8 byte-order mark at the start of the file",
    "invalid-utf8": "bytes that are not UTF-8",
    "line-too-long": "a line (or an event) over 1 MiB",
    "crlf-line-end": "a line ending in CR LF (Windows line ends)",
    "invalid-json": "a line that is not JSON",
    "not-an-object": "a line that is JSON but not an object",
    "duplicate-key": "a JSON object that names the same key twice",
    "nested-too-deep": "a scenario file (TOML) nested deeper than a scenario can be",
    # records
    "unknown-schema": "a record version this code cannot read",
    "unknown-kind": "an event kind that is not in the closed union, or no kind at all",
    "invalid-event": "missing, unknown or mistyped fields; naive or invalid times; bad values",
    # the log as a whole
    "duplicate-id": "two events with the same id",
    "unknown-cause": "a cause naming no event of the log",
    "later-cause": "a cause naming an event that comes later in the log",
    "cause-cycle": "causes that loop back to the event itself",
    "outside-bounds": "an appended event's time outside its own earliest/latest bounds",
    "out-of-order": "an event dated before the event on the line above it (logs are in time order)",
    # integrity
    "no-chain-hash": "a line without its chain hash",
    "broken-chain": "a line whose chain hash does not match (changed, added, removed, moved)",
    "bad-head": "a pinned head file that does not hold a hash",
    "head-mismatch": "a log whose last hash is not the pinned head (a cut or extended tail)",
    "torn-tail": "a last line cut short by a crash, or written but never pinned",
    "no-head": "appending to a log whose head is not pinned: a cut tail could not be seen",
    "damaged-log": "an append or repair refused because the log is damaged",
    # appends
    "expect-mismatch": "--expect N given, but the log holds another number of events",
    "id-conflict": "an append whose id is taken by a different event",
    "bad-option": "an option's value is not valid, or options that cannot be used together",
    "lock-timeout": "another writer held the log's lock longer than --wait (exit 3)",
    # the environment (exit 4)
    "permission-denied": "the system refused to read or write a file or folder (exit 4)",
    "disk-full": "no space left on the disk, or the quota is used up (exit 4)",
    "io-error": "another failure of the system: a read-only or failing disk, ... (exit 4)",
    # command options and outputs
    "bad-at": "an --at, --from or --to that is no date, no time with an offset, no event id",
    "unknown-zone": "a --tz that is not UTC, own, an offset such as +02:00 or an IANA zone",
    "unknown-milestone": "a milestone name that no event of the log (or its base) names",
    "unknown-party": "a party that is not one of the negotiation's parties",
    "unknown-source": "a --prefer source that no alternative date in the log comes from",
    "unknown-format": "an export format, or an output file's extension, sim does not write",
    "no-output-folder": "an output (file or log) in a folder that does not exist",
    "output-exists": "an import onto a log that exists, without --force",
    "unwritable": "an output that cannot be written (a folder in its place, permissions, ...)",
    "missing-extra": "a command that needs an optional extra that is not installed",
    "not-a-scenario": "a what-if command given something that is not a scenario file",
    "voided": "replay --strict of a log in which an event could not take effect",
    "nothing-to-chart": "a chart window (--from, --to) with no events in it",
    # CSV imports
    "invalid-csv": "a CSV whose header, quoting or rows are not those of an event table",
    # scenario files
    "invalid-toml": "a scenario file that is not TOML",
    "bad-scenario": "a scenario file whose tables, keys or values are not a scenario's",
    "bad-manifest": "a scenario.toml whose tables, keys or values are not a manifest's (missing, "
    "mistyped, unknown, duplicated)",
    "unknown-milestone-in-log": "an event naming a milestone its scenario's manifest does not list",
    "intervention-failed": "an intervention that cannot apply to its base (matches nothing, ...)",
    "base-missing": "a scenario whose base does not exist",
    "base-invalid": "a scenario whose base is not a sound log",
    "base-loop": "scenarios whose bases lead back to themselves",
    # studies
    "bad-study": "a study file whose tables, keys or values are not a study's (distributions, p)",
    "no-scheduler": "a --scheduler that is no address, does not answer, or has no workers",
}
"""Every error code, with what it means."""


@attrs.define(kw_only=True, auto_exc=True)
class SimError(Exception):
    """A fault in the user's input, located as precisely as the input allows."""

    what: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    expected: str | None = None
    found: str | None = None
    hint: str | None = None
    exit_code: int = BAD_INPUT
    code: str | None = None
    """The fault's stable name, one of :data:`CODES` (``None`` for faults not catalogued yet)."""

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        parts = [f"{where}{self.what}"]
        if self.expected is not None:
            parts.append(f"expected {self.expected}")
        if self.found is not None:
            parts.append(f"found {self.found}")
        message = "; ".join(parts)
        if self.hint:
            message += f"\n  hint: {self.hint}"
        return message

    def __reduce__(self) -> tuple[object, tuple[dict[str, object]]]:
        """Pickle by field (a study's task may fail on a Dask worker and be re-raised here)."""
        return _rebuild, (attrs.asdict(self, recurse=False),)

    def at(self, *, path: str | None = None, line: int | None = None) -> SimError:
        """The same error, located in ``path`` at ``line`` (keeps a location already known)."""
        return attrs.evolve(
            self,
            path=self.path if self.path is not None else path,
            line=self.line if self.line is not None else line,
        )


def _rebuild(fields: dict[str, object]) -> SimError:
    """A :class:`SimError` from its fields (unpickling)."""
    return SimError(**fields)  # type: ignore[arg-type]


def did_you_mean(
    word: str, choices: Iterable[str], *, cutoff: float = 0.6, most: int = 3, quote: bool = False
) -> str | None:
    """A hint naming up to ``most`` of ``choices`` spelled like ``word`` (with ``quote``, each as
    Python writes a string: ``'alpha'``), or ``None``.

    Where a choice differs from ``word`` only by letters outside ASCII (a Cyrillic ``\u0435`` for a
    Latin ``e``: the two look the same), the hint names their code points.
    """
    near = difflib.get_close_matches(word, list(choices), n=most, cutoff=cutoff)
    if not near:
        return None
    notes = [note for choice in near if (note := lookalike_note(word, choice))]
    names = ", ".join(repr(n) if quote else n for n in near)
    return f"did you mean {names}?" + "".join(f" ({note})" for note in notes)


_OS_FAULTS: Final[Mapping[int, tuple[str, str, int, str]]] = {
    errno.EACCES: ("permission denied", "permission-denied", ENVIRONMENT, "access"),
    errno.EPERM: ("operation not permitted", "permission-denied", ENVIRONMENT, "access"),
    errno.ENOSPC: ("no space left on the disk", "disk-full", ENVIRONMENT, "space"),
    errno.EDQUOT: ("the disk quota is used up", "disk-full", ENVIRONMENT, "space"),
    errno.EFBIG: ("the file is larger than the system allows", "disk-full", ENVIRONMENT, "space"),
    errno.EROFS: ("the file system is read-only", "io-error", ENVIRONMENT, "readonly"),
    errno.EIO: ("an input/output error (a failing disk?)", "io-error", ENVIRONMENT, "device"),
    errno.EMFILE: ("too many open files", "io-error", ENVIRONMENT, "limits"),
    errno.ENFILE: ("too many open files in the system", "io-error", ENVIRONMENT, "limits"),
    errno.ENOMEM: ("out of memory", "io-error", ENVIRONMENT, "limits"),
    errno.ENAMETOOLONG: ("the path is too long", "bad-path", BAD_INPUT, "path"),
    errno.ELOOP: ("too many levels of symbolic links", "bad-path", BAD_INPUT, "path"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "bad-path", BAD_INPUT, "path"),
    errno.EISDIR: ("it is a folder", "unreadable", BAD_INPUT, "kind"),
    errno.ENXIO: ("it is a device or a pipe with no other end", "unreadable", BAD_INPUT, "kind"),
    errno.ENODEV: ("it is a device", "unreadable", BAD_INPUT, "kind"),
    errno.ENOENT: ("no such file or folder", "no-such-path", BAD_INPUT, "path"),
    errno.EEXIST: ("something already exists there", "bad-path", BAD_INPUT, "path"),
    errno.EBUSY: ("it is busy (a mount point?)", "io-error", ENVIRONMENT, "device"),
    errno.EXDEV: ("it is on another file system", "io-error", ENVIRONMENT, "device"),
}


def os_fault(exc: OSError, *, doing: str, path: str | os.PathLike[str] | None = None) -> SimError:
    """The :class:`SimError` for an :class:`OSError` met while ``doing`` (``"write the log"``).

    It names the path (the one the system names, else ``path``), what failed and why, a hint,
    and the exit code: 4 when the environment refused (permissions, a full disk, a failing
    device), 2 when the path itself is unusable (too long, a loop of links, not a file).
    """
    where = exc.filename if isinstance(exc.filename, str) else None
    if where is None and path is not None:
        where = os.fspath(path)
    known = _OS_FAULTS.get(exc.errno or 0)
    if known is None:
        reason = (exc.strerror or type(exc).__name__).lower()
        return SimError(
            what=f"cannot {doing}: {reason}",
            path=where,
            hint="the system refused; nothing was changed. Fix the cause and run it again",
            exit_code=ENVIRONMENT,
            code="io-error",
        )
    reason, code, exit_code, kind = known
    folder = str(Path(where).parent) if where else None
    hints = {
        "access": "check who owns the file and its folder and their modes (`ls -ld "
        + (folder or ".")
        + "`): reading needs read permission, writing needs write permission on the folder"
        "; nothing was changed",
        "space": "free some space on that disk (or write elsewhere) and run it again; "
        "nothing was changed",
        "readonly": "write to a file system mounted read-write; nothing was changed",
        "device": "check the disk or the network share; nothing was changed",
        "limits": "close other programs, or raise the limit, and run it again",
        "path": "check the path: each part but the last must be a folder, and it must fit "
        "the system's limits",
        "kind": "pass a regular file",
    }
    return SimError(
        what=f"cannot {doing}: {reason}",
        path=where,
        hint=hints[kind],
        exit_code=exit_code,
        code=code,
    )

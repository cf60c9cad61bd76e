"""One error type for every fault a user can fix: it says where, what was expected, what was found.

The CLI prints :class:`SimError` as one message on stderr and exits with its ``exit_code``
(2 for bad input, 1 when a check such as ``verify`` finds a damaged log, 3 when an append
conflicts with what the log holds); it never shows a traceback for one.

Each kind of fault has a stable ``code`` from :data:`CODES`, so that scripts and the library's
callers can tell faults apart without parsing messages (the README's "Reliability" section lists
them with an example each).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Final

import attrs

__all__ = ["BAD_INPUT", "CODES", "CONFLICT", "DAMAGED", "SimError", "did_you_mean"]

BAD_INPUT: Final = 2
"""Exit code for input the user must fix (a bad file, a bad event, bad options)."""
DAMAGED: Final = 1
"""Exit code for a check that failed: ``verify`` found a damaged log, a strict replay voided."""
CONFLICT: Final = 3
"""Exit code for an append refused because the log is not what the writer expected: re-read it
and decide again (``--expect`` did not match, or the id is taken by another event)."""

CODES: Final[Mapping[str, str]] = {
    # where the input is
    "no-such-path": "the path names no file or folder",
    "no-log-in-folder": "a folder without an events.jsonl",
    "unreadable": "the file exists but cannot be read (permissions, a folder, ...)",
    "empty-log": "a log with no events",
    "no-log": "appending to a log that does not exist, without --expect 0",
    # bytes and lines
    "byte-order-mark": "a UTF-8 byte-order mark at the start of the file",
    "invalid-utf8": "bytes that are not UTF-8",
    "line-too-long": "a line (or an event) over 1 MiB",
    "crlf-line-end": "a line ending in CR LF (Windows line ends)",
    "invalid-json": "a line that is not JSON",
    "not-an-object": "a line that is JSON but not an object",
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
    "out-of-order": "an appended event dated before the log's last event",
    # integrity
    "no-chain-hash": "a line without its chain hash",
    "broken-chain": "a line whose chain hash does not match (changed, added, removed, moved)",
    "bad-head": "a pinned head file that does not hold a hash",
    "head-mismatch": "a log whose last hash is not the pinned head (a cut or extended tail)",
    "torn-tail": "a last line cut short by a crash, or written but never pinned",
    "damaged-log": "an append or repair refused because the log is damaged",
    # appends
    "expect-mismatch": "--expect N given, but the log holds another number of events",
    "id-conflict": "an append whose id is taken by a different event",
    "bad-option": "options that cannot be used together",
    # command options and outputs
    "bad-at": "an --at, --from or --to that is no date, no time with an offset, no event id",
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
    "intervention-failed": "an intervention that cannot apply to its base (matches nothing, ...)",
    "base-missing": "a scenario whose base does not exist",
    "base-invalid": "a scenario whose base is not a sound log",
    "base-loop": "scenarios whose bases lead back to themselves",
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

    def at(self, *, path: str | None = None, line: int | None = None) -> SimError:
        """The same error, located in ``path`` at ``line`` (keeps a location already known)."""
        return attrs.evolve(
            self,
            path=self.path if self.path is not None else path,
            line=self.line if self.line is not None else line,
        )


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """A hint naming up to three of ``choices`` spelled like ``word``, or ``None``."""
    near = difflib.get_close_matches(word, list(choices), n=3, cutoff=cutoff)
    return ("did you mean " + ", ".join(near) + "?") if near else None

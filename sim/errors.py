"""One error type for every fault a user can fix: it says where, what was expected, what was found.

The CLI prints :class:`SimError` as one message on stderr and exits with its ``exit_code``
(2 for bad input, 1 when a check such as ``verify`` finds a damaged log); it never shows a
traceback for one.
"""

from __future__ import annotations

import attrs

__all__ = ["SimError"]


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
    exit_code: int = 2

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

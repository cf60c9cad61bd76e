"""The hash chain: each line of a log stores the hash of its record and of the line before it.

:func:`encode_lines` writes a chain; :func:`walk` is the one walk along it, which the reader
(:func:`sim.store.load_log`, stopping at the first :class:`Break`) and the checker
(:func:`sim.store.verify`, reporting every one) both take.  A line's hash covers the hash before
it, so a changed, added, removed or moved line breaks the chain where it is; the pinned head
(see :mod:`sim.store.check`) covers the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from attrs import frozen

from sim.codec import GENESIS, line_hash, linked_hash, record_bytes, split_line, stored_line
from sim.errors import SimError
from sim.events import Event
from sim.store.torn import preview

__all__ = ["Break", "encode_lines", "walk"]


def encode_lines(events: Iterable[Event], previous: str = GENESIS) -> tuple[list[bytes], str]:
    """The stored lines for ``events`` continuing a chain at ``previous``, and the new head."""
    lines = []
    for event in events:
        content = record_bytes(event)
        previous = line_hash(previous, content)
        lines.append(stored_line(content, previous))
    return lines, previous


@frozen(kw_only=True)
class Break:
    """A line that does not continue the chain: it has no chain hash, or not the one it should."""

    line: int
    raw: bytes
    stored: str | None
    """The hash the line holds (``None``: it holds none)."""
    expected: str | None
    """The hash it should hold, continuing the chain (``None`` when it holds none)."""

    @property
    def crlf(self) -> bool:
        """Whether the line has no hash because it ends in CR LF (Windows line ends)."""
        return self.stored is None and self.raw.endswith(b"\r")

    def describe(self) -> str:
        """The fault in one phrase, for ``verify``'s report."""
        if self.stored is None or self.expected is None:
            if self.crlf:
                return "line ends with CR LF (Windows line ends): `sim seal` rewrites it"
            return "no chain hash at the end of the line (edited, or not written by sim)"
        return f"hash mismatch: expected {self.expected[:12]}…, found {self.stored[:12]}…"

    def error(self, where: str) -> SimError:
        """The fault as the error a reader of the log ``where`` stops at."""
        if self.stored is None or self.expected is None:
            return SimError(
                what="line ends with CR LF" if self.crlf else "line has no chain hash",
                path=where,
                line=self.line,
                expected='a "hash" key last on the line, then LF',
                found="a CR before the line feed (Windows line ends)"
                if self.crlf
                else preview(self.raw[-48:]),
                hint=f"`sim seal {where}` checks every event and rewrites the chain",
                code="crlf-line-end" if self.crlf else "no-chain-hash",
            )
        return SimError(
            what="broken hash chain: this line, or one before it, was changed, added or removed",
            path=where,
            line=self.line,
            expected=self.expected,
            found=self.stored,
            hint=f"run `sim verify {where}` for the whole report; "
            "if you edited the log on purpose, `sim seal` re-chains it",
            code="broken-chain",
        )


def walk(
    lines: Iterable[tuple[int, bytes]], previous: str = GENESIS
) -> Iterator[tuple[str | None, Break | None]]:
    """For each of the numbered ``lines``: the chain hash it stores (``None`` if it has none),
    and its :class:`Break` if it does not continue the chain from ``previous``.

    The chain goes on from each line's stored hash, right or wrong, so that one changed line is
    one break and the lines after it still check; a line without a hash is passed over.
    """
    for number, raw in lines:
        linked = linked_hash(raw, previous)  # the common case, checked without splitting
        if linked is not None:
            previous = linked
            yield linked, None
            continue
        parts = split_line(raw)
        if parts is None:
            yield None, Break(line=number, raw=raw, stored=None, expected=None)
            continue
        content, stored = parts
        expected = line_hash(previous, content)
        previous = stored
        if stored == expected:  # never, as linked_hash says; kept so the walk stands alone
            yield stored, None
        else:
            yield stored, Break(line=number, raw=raw, stored=stored, expected=expected)

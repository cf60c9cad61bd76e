"""Torn tails: what a crashed append leaves at the end of a log, found and described.

An append (:mod:`sim.append`) writes one line at the end and then pins the new head.  A crash
can leave two kinds of *torn tail*, both reported distinctly by :func:`sim.store.load_log` and
:func:`sim.store.verify`, and cut off by ``sim verify --repair`` (:mod:`sim.recovery`):

- a last line cut short: no newline at its end, and not a complete JSON line
  (:func:`split_log`);
- a complete last line that the pinned head does not cover: the head pins the line before it,
  so the append that wrote it stopped before it pinned the head, and never acknowledged it
  (:func:`unpinned`).

An append in progress looks like a torn tail until it pins its head, so readers take a
:func:`snapshot` that waits for a writer to finish when what it read does not look settled.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import attrs
import orjson
from attrs import frozen

from sim import lock
from sim.codec import GENESIS, split_line, text_fault
from sim.errors import SimError
from sim.store.paths import read_bytes, read_head

__all__ = ["TornTail", "preview", "snapshot", "split_log", "torn_error", "unpinned"]

_BOM: Final = b"\xef\xbb\xbf"


@frozen(kw_only=True)
class TornTail:
    """A last line a crash left behind: cut short, or complete but never pinned."""

    line: int
    offset: int
    """The byte offset where it starts: ``--repair`` truncates the log here."""
    size: int
    """Its bytes, up to the end of the file."""
    found: str
    """What is there, in words."""

    def describe(self) -> str:
        """One sentence for reports."""
        return f"torn last line ({self.size} bytes at byte {self.offset}): {self.found}"


def snapshot(file: Path) -> tuple[bytes, str | None]:
    """The log's bytes and pinned head, read as one consistent state.

    An append in progress looks like a torn tail until it pins its head; when what was read
    does not look settled, wait for the writers' lock (if any writer ever made one) and read
    again.
    """
    data, pinned = read_bytes(file), read_head(file)
    if _settled(data, pinned):
        return data, pinned
    with lock.shared(file) as held:
        if held:
            data, pinned = read_bytes(file), read_head(file)
    return data, pinned


def _settled(data: bytes, pinned: str | None) -> bool:
    if data and not data.endswith(b"\n"):
        return False
    if pinned is None:
        return True
    end = len(data)
    while end and data[end - 1] in b" \t\r\n":  # skip trailing blank lines, without a copy
        end -= 1
    parts = split_line(data[data.rfind(b"\n", 0, end) + 1 : end])
    return (parts[1] if parts else GENESIS) == pinned


def split_log(data: bytes, where: str) -> tuple[list[tuple[int, bytes]], TornTail | None]:
    """The non-blank lines of a log with their numbers (newlines cut), and a cut-short tail.

    The last line is *cut short* when it has no newline and is the start of a log line but not
    valid JSON: every writer ends its line with a newline, so only a write that stopped midway
    leaves one like that.  A last line that does not even start as a log line does (``{"``), or
    that holds NUL bytes, is no torn append: it stays a line, for the readers to refuse as what
    it is (text, NUL bytes from a disk fault, ...).
    """
    if data.startswith(_BOM):
        fault = text_fault(data)
        assert fault is not None
        raise attrs.evolve(fault, path=where, hint=f"{fault.hint}, then `sim seal` it")
    segments = data.split(b"\n")
    last = segments.pop()
    torn = None
    if last.strip():
        try:
            orjson.loads(last)
        except orjson.JSONDecodeError:
            if not b'{"'.startswith(last[:2]) or b"\x00" in last:
                segments.append(last)
                return [(n, raw) for n, raw in enumerate(segments, 1) if raw.strip()], None
            torn = TornTail(
                line=len(segments) + 1,
                offset=len(data) - len(last),
                size=len(last),
                found=f"no newline at its end and not a complete JSON line: {preview(last)}",
            )
        else:
            segments.append(last)
    return [(n, raw) for n, raw in enumerate(segments, start=1) if raw.strip()], torn


def preview(raw: bytes) -> str:
    """The start of ``raw`` as text, quoted, for messages."""
    text = raw[:48].decode("utf-8", "replace")
    return repr(text + "…") if len(raw) > 48 else repr(text)


def torn_error(torn: TornTail, where: str) -> SimError:
    """The error that readers and writers give for a torn tail, with the command that fixes it."""
    return SimError(  # shaped like every SimError: the words are this fault's own
        what="the log's last line is torn (an append did not finish)",
        path=where,
        line=torn.line,
        expected="a complete, pinned last line",
        found=torn.found,
        hint=f"run `sim verify --repair {where}`: it keeps a backup and cuts off only that line",
        code="torn-tail",
    )


def unpinned(
    data: bytes, lines: Sequence[tuple[int, bytes]], hashes: Sequence[str], pinned: str | None
) -> TornTail | None:
    """The last line, when the pinned head is the hash just before it (an unfinished append)."""
    if pinned is None or not hashes or pinned == hashes[-1]:
        return None
    before = hashes[-2] if len(hashes) > 1 else GENESIS
    if pinned != before:
        return None
    number, raw = lines[-1]
    offset = len(data.rstrip()) - len(raw)  # a chained line ends in "}", so rstrip keeps it
    return TornTail(
        line=number,
        offset=offset,
        size=len(data) - offset,
        found="a complete line that the pinned head does not cover: the append that wrote it "
        "stopped before pinning the head, so it was never acknowledged",
    )

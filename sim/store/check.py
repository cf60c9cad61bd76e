"""Checking a log: every line's chain hash and the head against the pinned one, every fault.

Unlike loading (:func:`sim.store.load_log`), which stops at the first fault, :func:`verify`
walks the whole chain and reports each fault with its line.  It does not decode events.  The
head may be pinned beside the log in ``<log>.head``: ``verify`` then also catches a tail cut
off the log.  Writers (appends, repairs) refuse a log whose report is not clean
(:func:`damaged`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import attrs
from attrs import frozen

from sim.codec import GENESIS
from sim.errors import SimError
from sim.store.chain import walk
from sim.store.paths import HEX64, head_path, head_status, log_path, parse_head
from sim.store.torn import TornTail, preview, snapshot, split_log, unpinned

__all__ = ["VerifyReport", "check_log", "damaged", "verify"]


@frozen(kw_only=True)
class VerifyReport:
    """What ``verify`` found: the head hash, the line count, and each fault with its line."""

    path: str
    lines: int
    head: str
    pinned: str | None
    faults: tuple[tuple[int, str], ...]
    torn: TornTail | None = None
    """A torn last line (also among ``faults``): the one fault ``--repair`` may fix."""
    unchecked: str | None = None
    """Why the end of the log could not be checked (no pinned head, or an empty one), if so:
    lines cut off the end would then go unseen.  Not a fault: ``sim verify --strict`` makes it
    one."""

    @property
    def ok(self) -> bool:
        """Whether the chain is whole and matches the pinned head, if any."""
        return not self.faults

    @property
    def only_torn(self) -> bool:
        """Whether the one fault is a torn tail, which ``--repair`` cuts off."""
        return self.torn is not None and len(self.faults) == 1


def verify(path: str | os.PathLike[str], *, head: str | None = None) -> VerifyReport:
    """Check every line's chain hash, and the head against ``head`` or the pinned one.

    Unlike :func:`~sim.store.load_log` this reports every fault instead of stopping at the
    first.  It does not decode events: a line that is not a chained record is reported as such.
    """
    expected = parse_head(head) if head is not None else None
    file = log_path(path)
    data, pinned = snapshot(file)
    if expected is not None:
        return check_log(file, data, expected, from_pin=False)
    report = check_log(file, data, pinned)
    if pinned is None and report.lines:
        pin = head_path(file)
        status = head_status(file)
        report = attrs.evolve(
            report,
            unchecked=f"no pinned head ({pin.name} is {status}): lines cut off the end of "
            "the log would go unseen",
        )
    return report


def check_log(
    file: Path,
    data: bytes,
    pinned: str | None,
    *,
    from_pin: bool = True,
    split: tuple[list[tuple[int, bytes]], TornTail | None] | None = None,
) -> VerifyReport:
    """:func:`verify` of ``data`` as read from ``file``, with ``pinned`` as the head to match.

    ``from_pin`` says ``pinned`` came from the head file, written only by appends: then a head
    one line short of the log marks an unfinished append (a torn tail), not a foreign line.
    ``split`` is :func:`~sim.store.split_log` of ``data``, when the caller has it already.
    """
    where = str(file)
    lines, torn = split if split is not None else split_log(data, where)
    faults: list[tuple[int, str]] = []
    hashes: list[str] = []
    previous = GENESIS
    for stored, broken in walk(lines):
        if broken is not None:
            faults.append((broken.line, broken.describe()))
        if stored is not None:
            previous = stored
            hashes.append(stored)
    if lines and not hashes and not any(raw.startswith(b'{"') for _, raw in lines):
        raise _not_a_log(where, lines)  # text, NUL bytes: no line is even the start of one
    if torn is not None:
        faults.append((torn.line, torn.describe()))
    elif not lines:
        if pinned is None or pinned == GENESIS:
            raise SimError(
                what="the log is empty",
                path=where,
                expected="at least one event",
                found="an empty file" if not data else "only blank lines",
                code="empty-log",
            )
        faults.append((0, f"the log is empty but its pinned head is {pinned[:12]}…"))
        pinned = None
    if pinned is not None and pinned != previous:
        cut_short = None
        if from_pin and not faults:
            cut_short = unpinned(data, lines, hashes, pinned)
        if cut_short is not None:
            torn = cut_short
            faults.append((cut_short.line, cut_short.describe()))
        elif HEX64.fullmatch(pinned) is None:
            faults.append((len(lines), f"the pinned head is not a hash: {pinned[:70]!r}"))
        else:
            faults.append(
                (
                    len(lines),
                    (
                        f"head {previous[:12]}… does not match the pinned head {pinned[:12]}… "
                        "(lines cut off the end, or added after it)"
                    ),
                )
            )
    return VerifyReport(
        path=where,
        lines=len(lines),
        head=previous,
        pinned=pinned,
        faults=tuple(sorted(faults, key=lambda fault: fault[0])),
        torn=torn,
    )


def _not_a_log(where: str, lines: Sequence[tuple[int, bytes]]) -> SimError:
    nul = any(b"\x00" in raw for _, raw in lines)
    return SimError(
        what="this file is not a sim log: none of its lines is a JSON record with its chain hash",
        path=where,
        expected="lines of JSON, each with its chain hash (as sim writes them)",
        found=f"{len(lines)} line(s) of "
        + (
            "NUL bytes (a disk fault, or not a text file)"
            if nul
            else f"text: {preview(lines[0][1])}"
        ),
        hint="a log you wrote by hand gets its chain from `sim seal`; "
        "check that this is the file you meant",
        code="not-a-log",
    )


def damaged(report: VerifyReport) -> SimError:
    """The error for a damaged log that a writer refuses to touch."""
    line, fault = report.faults[0]
    more = len(report.faults) - 1
    return SimError(
        what="the log is damaged" + (f" ({more} more fault(s) after this one)" if more else ""),
        path=report.path,
        line=line or None,
        found=fault,
        hint=f"run `sim verify {report.path}` for the whole report",
        code="damaged-log",
    )

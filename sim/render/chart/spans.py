"""What was in force when: the blackouts, suspensions and operations the status strip draws.

Read from the trajectory's states (the chart decides nothing about the negotiation); pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from attrs import frozen

from sim.fold import Trajectory
from sim.manifest import Manifest
from sim.state import NegotiationState

__all__ = ["Span", "SpanKind", "meeting", "operation_name", "spans", "strip_rows"]

SpanKind = Literal["blackout", "suspended", "ended", "operation"]


def operation_name(operation: str, manifest: Manifest | None = None) -> str:
    """An operation's name: the manifest's ``[[operation]]`` name for it (where a proper name
    needs more than its words capitalized), else the slug's words, first capitalized."""
    named = manifest.operation_name(operation) if manifest is not None else None
    return named or operation.replace("_", " ").capitalize()


@frozen(kw_only=True)
class Span:
    """A stretch of time in which something was in force, read from the trajectory's states."""

    kind: SpanKind
    row: str
    """The status row it is drawn in (one per area, one for the talks, one per operation)."""
    label: str
    start: datetime
    end: datetime | None
    """``None``: still in force after the last event."""


def _in_force(state: NegotiationState, manifest: Manifest) -> dict[str, tuple[SpanKind, str]]:
    now: dict[str, tuple[SpanKind, str]] = {}
    for area, ids in state.blackouts.items():
        if ids:
            now[f"blackout-{area}"] = ("blackout", f"{area.title()} comms cut")
    if state.talks == "suspended":
        now["suspended"] = ("suspended", "Talks suspended")
    if state.talks == "ended":
        now["ended"] = ("ended", "Talks ended")
    for operation, posture in state.posture.items():
        if posture.phase != "ended":
            now[f"operation-{operation}"] = ("operation", operation_name(operation, manifest))
    return now


def spans(trajectory: Trajectory) -> tuple[Span, ...]:
    """Every blackout, suspension and military operation in force, with when it began and ended.

    A span opens at the event after which its condition holds and closes at the event after
    which it no longer does; one still open at the end of the log has ``end=None``.
    """
    opened: dict[str, tuple[SpanKind, str, datetime]] = {}
    out: list[Span] = []
    manifest = trajectory.scenario
    for event, state in zip(trajectory.events, trajectory.states, strict=True):
        now = _in_force(state, manifest)
        for row in [r for r in opened if r not in now]:
            kind, label, start = opened.pop(row)
            out.append(Span(kind=kind, row=row, label=label, start=start, end=event.at))
        for row, (kind, label) in now.items():
            if row not in opened:
                opened[row] = (kind, label, event.at)
    out.extend(
        Span(kind=kind, row=row, label=label, start=start, end=None)
        for row, (kind, label, start) in opened.items()
    )
    return tuple(sorted(out, key=lambda s: (s.start, s.row)))


def meeting(found: Sequence[Span], lo: datetime, hi: datetime) -> tuple[Span, ...]:
    """The spans that meet the window ``lo``..``hi``."""
    return tuple(s for s in found if s.start <= hi and (s.end is None or s.end >= lo))


def strip_rows(*groups: Sequence[Span]) -> list[tuple[str, str, SpanKind]]:
    """The status strip's rows, ``(row, label, kind)``: blackouts, then the talks, then
    operations, each row once, in the order the spans first name it."""
    rank = {"blackout": 0, "suspended": 1, "ended": 2, "operation": 3}
    rows: dict[str, tuple[str, SpanKind]] = {}
    for group in groups:
        for span in group:
            rows.setdefault(span.row, (span.label, span.kind))
    ordered = sorted(rows.items(), key=lambda item: rank[item[1][1]])
    return [(row, label, kind) for row, (label, kind) in ordered]

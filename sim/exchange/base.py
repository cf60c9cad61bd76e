"""What every export shares: the context it is given, the events that took effect, a citation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from sim.events import Event, Source
from sim.fold import Trajectory

__all__ = ["Context", "citation", "taken"]

Context = Literal["historical", "hypothetical"]
"""``historical`` for a recorded log, ``hypothetical`` for a what-if."""


def citation(source: Source) -> str:
    """A source as one citation: the document, and its paragraph if it names one."""
    return f"{source.document} ¶{source.paragraph}" if source.paragraph else source.document


def taken(trajectory: Trajectory) -> Iterable[Event]:
    """The events of ``trajectory`` that took effect (a voided event did not happen)."""
    voided = trajectory.final.voided
    return (e for e in trajectory.events if e.id not in voided)

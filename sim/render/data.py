"""Plain-data (JSON-ready) views of trajectories and states, for ``--json`` output.

The keys here are a public contract: analysts' scripts read them.
"""

from __future__ import annotations

from typing import Any

import attrs

from sim.analysis import changes, milestone_names, milestone_times
from sim.codec import converter, encode_event
from sim.events import Event
from sim.fold import Outcome, Trajectory
from sim.state import NegotiationState

__all__ = ["event_data", "outcome_data", "replay_data", "state_data", "timeline_data"]


def event_data(event: Event) -> dict[str, Any]:
    """An event as its record (without the record version)."""
    record = encode_event(event)
    del record["schema"]
    return record


def state_data(state: NegotiationState) -> dict[str, Any]:
    """A state as plain data; ``talks`` first."""
    data: dict[str, Any] = converter.unstructure(state)
    return data


def outcome_data(outcome: Outcome) -> dict[str, Any]:
    """``concluded``, ``concluded_at``, ``text`` and ``terms``."""
    return {
        "concluded": outcome.concluded,
        "concluded_at": outcome.concluded_at.isoformat() if outcome.concluded_at else None,
        "text": outcome.text,
        "terms": attrs.asdict(outcome.terms) if outcome.terms else None,
    }


def replay_data(trajectory: Trajectory, *, names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The ``replay --json`` object: scenario, events, voided, milestones, outcome, final_state."""
    times = milestone_times(trajectory, names or milestone_names(trajectory))
    return {
        "scenario": trajectory.name,
        "events": [event_data(e) for e in trajectory.events],
        "voided": [{"id": v.id, "reason": v.reason} for v in trajectory.voided],
        "milestones": {k: v.isoformat() if v else None for k, v in times.items()},
        "outcome": outcome_data(trajectory.outcome),
        "final_state": state_data(trajectory.final),
    }


def timeline_data(trajectory: Trajectory) -> dict[str, Any]:
    """The ``timeline --json`` object: ``scenario``, ``entries``, ``milestones``, ``outcome``.

    Each entry is the event's record (as in ``replay --json``) plus what the replay made of it:
    ``reached`` (the milestone it reached, or null), ``changes`` (the state changes it caused,
    in words) and ``voided`` (the reason it could not take effect, or null).
    """
    entries = []
    before = trajectory.initial
    for event, after in zip(trajectory.events, trajectory.states, strict=True):
        reason = after.voided.get(event.id) if event.id not in before.voided else None
        reached = (
            event.milestone
            if event.milestone is not None
            and event.milestone not in before.milestones
            and event.milestone in after.milestones
            else None
        )
        entries.append(
            {
                **event_data(event),
                "reached": reached,
                "changes": list(changes(before, after)) if reason is None else [],
                "voided": reason,
            }
        )
        before = after
    times = milestone_times(trajectory, milestone_names(trajectory))
    return {
        "scenario": trajectory.name,
        "entries": entries,
        "milestones": {k: v.isoformat() if v else None for k, v in times.items()},
        "outcome": outcome_data(trajectory.outcome),
    }

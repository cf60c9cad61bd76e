"""Plain-data (JSON-ready) views of trajectories and states, for ``--json`` output.

The keys here are a public contract: analysts' scripts read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from sim.analysis import changes, milestone_names, milestone_times
from sim.codec import converter, encode_event
from sim.events import Event
from sim.fold import Outcome, Trajectory
from sim.state import NegotiationState, Refusal
from sim.times import format_span

V = TypeVar("V")

__all__ = [
    "event_data",
    "in_order",
    "outcome_data",
    "refusal_data",
    "replay_data",
    "state_data",
    "timeline_data",
]


def event_data(event: Event) -> dict[str, Any]:
    """An event as its record (without the record version)."""
    record = encode_event(event)
    del record["schema"]
    return record


def _when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    moment = getattr(value, "at", None) or getattr(value, "since", None)
    return moment if isinstance(moment, datetime) else None


def in_order(items: Mapping[str, V]) -> list[tuple[str, V]]:
    """A state's map in a stable order, whatever order its hash trie iterates in.

    Records with a time (offers, responses, approvals: ``at``; conditions, military posture:
    ``since``; milestones: the time itself) come in time order, ties and the rest by key.
    """
    timed = [(key, value, _when(value)) for key, value in items.items()]
    if timed and all(moment is not None for _, _, moment in timed):
        timed.sort(key=lambda kv: (kv[2], kv[0]))
    else:
        timed.sort(key=lambda kv: kv[0])
    return [(key, value) for key, value, _ in timed]


def state_data(state: NegotiationState) -> dict[str, Any]:
    """A state as plain data; ``talks`` first, every map in :func:`in_order`'s order.

    ``voided`` maps each voided event to its reason in words (as it always has); ``refusals``
    beside it gives the same refusals as records (``rule``, ``culprit``, ``subject``, ``text``,
    and ``waited`` for an event whose patience ran out).
    """
    data: dict[str, Any] = converter.unstructure(state)
    for name, value in data.items():
        field = getattr(state, name)
        if isinstance(field, Mapping) and isinstance(value, dict) and name != "voided":
            data[name] = {key: value[key] for key, _ in in_order(field)}
    voided = sorted(state.voided.items())
    data["voided"] = {k: v.text for k, v in voided}
    data["refusals"] = {k: refusal_data(v) for k, v in voided}
    return data


def refusal_data(refusal: Refusal) -> dict[str, Any]:
    """A refusal as plain data: its fields, those at their defaults left out."""
    data: dict[str, Any] = {"rule": refusal.rule, "text": refusal.text}
    if refusal.culprit is not None:
        data["culprit"] = refusal.culprit
    if refusal.subject is not None:
        data["subject"] = refusal.subject
    if refusal.waited is not None:
        data["waited"] = format_span(refusal.waited)
    return data


def outcome_data(outcome: Outcome) -> dict[str, Any]:
    """``concluded``, ``concluded_at``, ``text`` and ``terms`` (a list of named terms, each
    ``name``, ``value``, and where given ``text`` and ``source``)."""
    return {
        "concluded": outcome.concluded,
        "concluded_at": outcome.concluded_at.isoformat() if outcome.concluded_at else None,
        "text": outcome.text,
        "terms": converter.unstructure(outcome.terms) if outcome.terms is not None else None,
    }


def replay_data(trajectory: Trajectory, *, names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The ``replay --json`` object: scenario, events, voided, milestones, outcome, final_state."""
    times = milestone_times(trajectory, names or milestone_names(trajectory))
    return {
        "scenario": trajectory.name,
        "events": [event_data(e) for e in trajectory.events],
        "voided": [
            {"id": v.id, "reason": v.reason, **(refusal_data(v.refusal) if v.refusal else {})}
            for v in trajectory.voided
        ],
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
        refusal = after.voided.get(event.id) if event.id not in before.voided else None
        reason = refusal.text if refusal is not None else None
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

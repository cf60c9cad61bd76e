"""Milestones and what each event changed: the plain readings of a trajectory."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from sim.events import Event
from sim.state import NegotiationState

if TYPE_CHECKING:
    from sim.fold import Trajectory

__all__ = [
    "changes",
    "concluding_event",
    "milestone_events",
    "milestone_names",
    "milestone_times",
]


def milestone_names(*trajectories: Trajectory) -> tuple[str, ...]:
    """The milestones of the first trajectory's scenario (its manifest's, in order; else those
    its events name, in the order they happen), then any other milestone an event of these
    trajectories names."""
    names = list(trajectories[0].scenario.milestone_names) if trajectories else []
    for trajectory in trajectories:
        for event in trajectory.events:
            if event.milestone is not None and event.milestone not in names:
                names.append(event.milestone)
    return tuple(names)


def milestone_times(
    trajectory: Trajectory, names: tuple[str, ...] | None = None
) -> Mapping[str, datetime | None]:
    """Each milestone name with the time it was reached, or ``None`` where it was not."""
    reached = trajectory.milestones
    return {name: reached.get(name) for name in names or milestone_names(trajectory)}


def milestone_events(trajectory: Trajectory) -> Mapping[str, Event]:
    """Each milestone reached, with the event that reached it (its date and precision)."""
    found: dict[str, Event] = {}
    before = trajectory.initial
    for event, after in zip(trajectory.events, trajectory.states, strict=True):
        if len(after.milestones) != len(before.milestones):
            for name in after.milestones:
                if name not in before.milestones:
                    found[name] = event
        before = after
    return found


def concluding_event(trajectory: Trajectory) -> Event | None:
    """The event that concluded the deal, if any did."""
    before = trajectory.initial
    for event, after in zip(trajectory.events, trajectory.states, strict=True):
        if after.concluded_at is not None and before.concluded_at is None:
            return event
        before = after
    return None


def changes(before: NegotiationState, after: NegotiationState) -> tuple[str, ...]:
    """What an event changed, in words: the state changes a timeline shows beside it."""
    said: list[str] = []
    if after.talks != before.talks:
        said.append(f"talks {after.talks.replace('_', ' ')}")
    for name, channel in sorted(after.channels.items()):
        if name not in before.channels:
            said.append(f"channel {name} opened ({', '.join(channel)})")
    for area, ids in sorted(after.blackouts.items()):
        was = before.blackouts.get(area, ())
        if ids and not was:
            said.append(f"{area} dark")
        elif was and not ids:
            said.append(f"{area} reachable again")
    held = sorted(set(after.in_transit) - set(before.in_transit))
    said.extend(f"{key} held up by the blackout over {after.in_transit[key]}" for key in held)
    delivered = set(before.in_transit) - set(after.in_transit)
    if delivered:
        said.append(f"delivered: {', '.join(sorted(delivered))}")
    for key, offer in sorted(after.offers.items()):
        old = before.offers.get(key)
        if old is None:
            said.append(f"text {offer.text} on the table")
        elif old.status != offer.status and offer.status == "lapsed":
            said.append(f"offer {key} lapsed")
    for name, condition in sorted(after.conditions.items()):
        old_condition = before.conditions.get(name)
        if old_condition is None or old_condition.status != condition.status:
            said.append(f"condition {name} {condition.status}")
    for key, approval in sorted(after.approvals.items()):
        old_approval = before.approvals.get(key)
        if old_approval is None:
            said.append(f"approval by {approval.body} bound to text {approval.text}")
        elif old_approval.status != approval.status:
            said.append(f"approval by {approval.body} of text {approval.text} {approval.status}")
    for captor, captives in sorted(after.captives.items()):
        old_captives = before.captives.get(captor)
        released = captives.released - (old_captives.released if old_captives else 0)
        if released:
            said.append(f"{released} released by {captor} ({captives.released} in all)")
    for operation, posture in sorted(after.posture.items()):
        old_posture = before.posture.get(operation)
        if old_posture is None or old_posture.phase != posture.phase:
            said.append(f"{operation.replace('_', ' ')} {posture.phase}")
    if after.concluded_at is not None and before.concluded_at is None:
        said.append(f"deal concluded on text {after.concluded_text}")
    return tuple(said)

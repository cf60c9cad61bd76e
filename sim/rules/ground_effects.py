"""What the events around the table change: channels, news of captives and their release,
conditions and assurances, military operations, and blackouts.

Each effect takes a state and an event of its kind that passed its guards, and returns the new
state (the same object where nothing changes).  :func:`sim.rules.effect_of` pairs kinds with
effects; the events of the talks themselves are :mod:`sim.rules.talk_effects`.
"""

from __future__ import annotations

from sim.events import (
    Assurance,
    BlackoutEnded,
    BlackoutStarted,
    ChannelOpened,
    Condition,
    Event,
    Information,
    MilitaryOperation,
    Release,
)
from sim.state import NO_CAPTIVES, ConditionState, NegotiationState, PostureState

# The effects build state records field by field from their events' fields: the calls alike in
# shape (here, in talk_effects.py) fill different records.

__all__ = [
    "assure",
    "end_blackout",
    "inform",
    "no_change",
    "open_channel",
    "operate",
    "release",
    "set_condition",
    "start_blackout",
]


def no_change(state: NegotiationState, event: Event) -> NegotiationState:
    """Calls, meetings and announcements are recorded in the log, not in the state."""
    return state


def open_channel(state: NegotiationState, event: ChannelOpened) -> NegotiationState:
    return state.replace(channels=state.channels.set(event.name, event.members))


def inform(state: NegotiationState, event: Information) -> NegotiationState:
    if event.captor is None or event.count is None:
        return state
    captives = state.captives.get(event.captor, NO_CAPTIVES)
    updated = captives.replace(held=max(captives.held or 0, event.count))
    return state.replace(captives=state.captives.set(event.captor, updated))


def release(state: NegotiationState, event: Release) -> NegotiationState:
    captives = state.captives.get(event.captor, NO_CAPTIVES)
    updated = captives.replace(
        released=captives.released + event.count,
        names=captives.names + event.names,
    )
    return state.replace(captives=state.captives.set(event.captor, updated))


def set_condition(state: NegotiationState, event: Condition) -> NegotiationState:
    earlier = state.conditions.get(event.name)
    status, settled_by = event.status, None if event.status == "open" else event.id
    going = state.posture.get(event.prohibits) if event.prohibits is not None else None
    if status == "open" and going is not None and going.underway:
        status, settled_by = "breached", going.started_by  # set while what it forbids goes on
    condition = ConditionState(
        name=event.name,
        holder=event.holder,
        set_by=event.actors,
        demand=event.demand or (earlier.demand if earlier is not None else ""),
        prohibits=event.prohibits,
        status=status,
        since=event.at,
        settled_by=settled_by,
        event=event.id,
    )
    return state.replace(conditions=state.conditions.set(event.name, condition))


def assure(state: NegotiationState, event: Assurance) -> NegotiationState:
    conditions = state.conditions
    for name in event.meets:
        conditions = conditions.set(
            name, conditions[name].replace(status="met", settled_by=event.id)
        )
    return state.replace(
        assurances=state.assurances.set(event.id, event.about),
        conditions=conditions,
    )


def operate(state: NegotiationState, event: MilitaryOperation) -> NegotiationState:
    earlier = state.posture.get(event.operation)
    started_by = earlier.started_by if earlier is not None else None
    if event.phase == "started":
        started_by = event.id
    posture = PostureState(
        operation=event.operation,
        area=event.area,
        phase=event.phase,
        since=event.at,
        event=event.id,
        started_by=started_by,
    )
    new = state.replace(posture=state.posture.set(event.operation, posture))
    if event.phase != "started":
        return new
    conditions = new.conditions
    breached = set()
    for name, condition in new.conditions.items():
        if condition.status == "open" and condition.prohibits == event.operation:
            breached.add(name)
            conditions = conditions.set(
                name, condition.replace(status="breached", settled_by=event.id)
            )
    if not breached:
        return new
    new = new.replace(conditions=conditions)
    offer = new.current_offer
    if new.talks == "concluded":
        return new  # a concluded deal does not lapse: it collapses (see carry_out)
    if offer is not None and any(c in breached for c in offer.conditions):
        new = new.replace(offers=new.offers.set(offer.event, offer.replace(status="lapsed")))
    return new


def start_blackout(state: NegotiationState, event: BlackoutStarted) -> NegotiationState:
    in_force = state.blackouts.get(event.area, ())
    return state.replace(blackouts=state.blackouts.set(event.area, (*in_force, event.id)))


def end_blackout(state: NegotiationState, event: BlackoutEnded) -> NegotiationState:
    in_force = tuple(b for b in state.blackouts[event.area] if b not in event.causes)
    new = state.replace(blackouts=state.blackouts.set(event.area, in_force))
    if in_force or not new.in_transit:
        return new
    delivered = [k for k, area in new.in_transit.items() if area == event.area]
    in_transit = new.in_transit.mutate()
    for key in delivered:
        del in_transit[key]
    return new.replace(in_transit=in_transit.finish())

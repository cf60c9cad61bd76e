"""The rules of the negotiation: which events can take effect, and what they change.

How it works
------------
Folding an event into a state takes two steps, both pure:

1. **Guards.**  ``GUARDS`` below is the rule book, one row per kind, read top to bottom.  Each
   guard looks at the state and the event and returns ``None`` when the event may take effect,
   or a sentence saying why it cannot.  Before any kind's guards, every event must have all of
   its causes in effect and delivered: an event that answers a voided event is voided too, and
   one that answers a message still held up by a communications blackout could not have been
   sent yet.  The first guard that objects *voids* the event: the reason is recorded in
   ``state.voided`` and nothing else changes.  Guards never raise.

2. **Effects.**  An event that passes its guards changes the state through ``_effect``, one
   ``case`` per kind (mypy checks that every kind has one).  A milestone named on the event is
   reached at the event's time, except on a response that does not accept (a rejection is not
   a green light).

The rules in words
------------------
- A ``contact`` opens the talks.  Offers, responses, conditions, suspensions and approvals need
  talks that are ``active``; an ``assurance`` may also be given while talks are suspended (that
  is how suspended talks are won back).
- An ``offer`` puts a new text version on the table and supersedes the current one: approvals of
  older versions stop counting.  Its ``conditions`` must be known.
- A ``military_operation`` that starts breaches every open condition that prohibits it; an offer
  that rests on a breached condition lapses.  A ``response`` to a lapsed or superseded offer
  cannot take effect.
- An ``assurance`` meets the conditions it names (not those already breached).
- ``talks_suspended`` names the conditions for resuming; ``talks_resumed`` takes effect only once
  each of them is met or waived.
- An acceptance (``response`` with decision ``accepted`` and a ``body``) or an ``approval``
  binds that body's approval to the current text version.  When every body the current offer
  ``requires`` has approved it, the deal is concluded.  Rejecting a final offer ends the talks.
- A ``release`` cannot free more captives than the captor is known to hold, nor anyone twice.
- A ``blackout_ended`` must end a blackout in force in its area (named in its causes).  A
  message whose channel runs through a dark area is held up there until the area is lit again.
- Announcing the deal needs a concluded deal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, assert_never

import attrs

from sim.events import (
    Announcement,
    Approval,
    Assurance,
    BlackoutEnded,
    BlackoutStarted,
    Call,
    ChannelOpened,
    Condition,
    Contact,
    Event,
    Information,
    Meeting,
    MilitaryOperation,
    Offer,
    Release,
    Response,
    TalksResumed,
    TalksSuspended,
)
from sim.state import (
    ApprovalState,
    CaptiveState,
    ConditionState,
    NegotiationState,
    OfferState,
    PostureState,
    ResponseState,
    frozen_map,
    with_item,
)

__all__ = ["GUARDS", "REDUCER_VERSION", "apply", "void"]

REDUCER_VERSION: Final = "1"
"""Bump whenever a guard or an effect changes: snapshots taken under another version are stale."""

Guard = Callable[[NegotiationState, Any], "str | None"]


# ------------------------------------------------------------------------------------ guards


def talks_active(state: NegotiationState, event: Event) -> str | None:
    if state.talks == "active":
        return None
    return f"talks are {state.talks.replace('_', ' ')}, not active"


def talks_open_or_suspended(state: NegotiationState, event: Event) -> str | None:
    if state.talks in ("active", "suspended"):
        return None
    return f"talks are {state.talks.replace('_', ' ')}"


def talks_suspended_now(state: NegotiationState, event: Event) -> str | None:
    if state.talks == "suspended":
        return None
    return f"talks are {state.talks.replace('_', ' ')}, not suspended"


def channel_not_open(state: NegotiationState, event: ChannelOpened) -> str | None:
    if event.name in state.channels:
        return f"channel {event.name} is already open"
    return None


def conditions_known(state: NegotiationState, event: Offer) -> str | None:
    for name in event.conditions:
        if name not in state.conditions:
            return f"it rests on condition {name}, which no earlier event set"
    return None


def offer_current(state: NegotiationState, event: Response) -> str | None:
    offer = state.offers.get(event.to)
    if offer is None:
        return f"it answers {event.to}, which is not an offer on record"
    if offer.status == "lapsed":
        broken = [c for c in offer.conditions if state.conditions[c].status == "breached"]
        why = f" (condition {broken[0]} was breached)" if broken else ""
        return f"it answers offer {event.to}, which has lapsed{why}"
    if offer.status == "superseded":
        return f"it answers offer {event.to}, superseded by text {state.current_text}"
    return None


def condition_not_breached(state: NegotiationState, event: Condition) -> str | None:
    known = state.conditions.get(event.name)
    if known is not None and known.status == "breached" and event.status != "breached":
        return f"condition {event.name} was already breached by {known.settled_by}"
    return None


def assured_conditions_known(state: NegotiationState, event: Assurance) -> str | None:
    for name in event.meets:
        known = state.conditions.get(name)
        if known is None:
            return f"it meets condition {name}, which no earlier event set"
        if known.status == "breached":
            return f"condition {name} was already breached by {known.settled_by}"
    return None


def resume_conditions_settled(state: NegotiationState, event: TalksResumed) -> str | None:
    for name in state.suspended_until:
        known = state.conditions.get(name)
        status = known.status if known else "unknown"
        if status not in ("met", "waived"):
            return f"talks stay suspended: condition {name} is {status}"
    return None


def suspension_conditions_known(state: NegotiationState, event: TalksSuspended) -> str | None:
    for name in event.until:
        if name not in state.conditions:
            return f"it waits on condition {name}, which no earlier event set"
    return None


def approves_current_text(state: NegotiationState, event: Approval) -> str | None:
    if state.current_text is None:
        return "there is no text on the table to approve"
    if event.text != state.current_text:
        return f"it approves text {event.text}, but the text on the table is {state.current_text}"
    return None


def captives_to_release(state: NegotiationState, event: Release) -> str | None:
    known = state.captives.get(event.captor, CaptiveState())
    twice = sorted(set(event.names) & set(known.names))
    if twice:
        return f"{', '.join(twice)} already released"
    if known.held is not None and known.released + event.count > known.held:
        return (
            f"{event.captor} is known to hold {known.held}, "
            f"{known.released} already released, cannot release {event.count} more"
        )
    return None


def blackout_in_force(state: NegotiationState, event: BlackoutEnded) -> str | None:
    in_force = state.blackouts.get(event.area, ())
    if not any(cause in in_force for cause in event.causes):
        return f"it ends no blackout in force over {event.area}"
    return None


def deal_concluded(state: NegotiationState, event: Announcement) -> str | None:
    if event.of_deal and state.talks != "concluded":
        return f"there is no concluded deal to announce (talks are {state.talks.replace('_', ' ')})"
    return None


GUARDS: Final[Mapping[str, tuple[Guard, ...]]] = {
    "contact": (),
    "channel_opened": (channel_not_open,),
    "call": (),
    "meeting": (),
    "information": (),
    "release": (captives_to_release,),
    "offer": (talks_active, conditions_known),
    "response": (talks_active, offer_current),
    "condition": (talks_open_or_suspended, condition_not_breached),
    "assurance": (talks_open_or_suspended, assured_conditions_known),
    "military_operation": (),
    "blackout_started": (),
    "blackout_ended": (blackout_in_force,),
    "talks_suspended": (talks_active, suspension_conditions_known),
    "talks_resumed": (talks_suspended_now, resume_conditions_settled),
    "approval": (talks_active, approves_current_text),
    "announcement": (deal_concluded,),
}
"""The rule book: for each kind, the guards an event must pass, in order."""


def _causes_in_effect(state: NegotiationState, event: Event) -> str | None:
    for cause in event.causes:
        reason = state.voided.get(cause)
        if reason is not None:
            return f"its cause {cause} was voided ({reason})"
        area = state.in_transit.get(cause)
        if area is not None:
            return f"its cause {cause} is still held up by the blackout over {area}"
    return None


# ------------------------------------------------------------------------------------ fold


def void(state: NegotiationState, event: Event, reason: str) -> NegotiationState:
    """``state`` with ``event`` recorded as voided for ``reason``."""
    return attrs.evolve(state, voided=with_item(state.voided, event.id, reason))


def apply(state: NegotiationState, event: Event) -> NegotiationState:
    """Fold one event into ``state``: pure and total (a failed guard voids, never raises)."""
    reason = _causes_in_effect(state, event) if event.causes else None
    if reason is None:
        for guard in GUARDS[event.kind]:
            reason = guard(state, event)
            if reason is not None:
                break
    if reason is not None:
        return void(state, event, reason)
    new = _effect(state, event)
    if event.channel is not None and event.channel.via:
        for area in event.channel.via:
            if new.dark(area):
                new = attrs.evolve(new, in_transit=with_item(new.in_transit, event.id, area))
                break
    if event.milestone is not None and event.milestone not in new.milestones and _counts(event):
        new = attrs.evolve(new, milestones=with_item(new.milestones, event.milestone, event.at))
    return new


def _counts(event: Event) -> bool:
    """Whether the event reaches the milestone it names (a rejection is no green light)."""
    return not isinstance(event, Response) or event.decision in (
        "accepted",
        "accepted_with_changes",
    )


def _effect(state: NegotiationState, event: Event) -> NegotiationState:
    match event:
        case Contact():
            if state.talks == "not_started":
                return attrs.evolve(state, talks="active")
            return state
        case ChannelOpened():
            return attrs.evolve(
                state, channels=with_item(state.channels, event.name, event.members)
            )
        case Call() | Meeting():
            return state
        case Information():
            if event.captor is None or event.count is None:
                return state
            captives = state.captives.get(event.captor, CaptiveState())
            held = max(captives.held or 0, event.count)
            updated = attrs.evolve(captives, held=held)
            return attrs.evolve(state, captives=with_item(state.captives, event.captor, updated))
        case Release():
            captives = state.captives.get(event.captor, CaptiveState())
            updated = attrs.evolve(
                captives,
                released=captives.released + event.count,
                names=captives.names + event.names,
            )
            return attrs.evolve(state, captives=with_item(state.captives, event.captor, updated))
        case Offer():
            return _table_text(state, event)
        case Response():
            return _respond(state, event)
        case Condition():
            earlier = state.conditions.get(event.name)
            condition = ConditionState(
                name=event.name,
                holder=event.holder,
                set_by=event.actors,
                demand=event.demand or (earlier.demand if earlier is not None else ""),
                prohibits=event.prohibits,
                status=event.status,
                since=event.at,
                settled_by=None if event.status == "open" else event.id,
            )
            return attrs.evolve(
                state, conditions=with_item(state.conditions, event.name, condition)
            )
        case Assurance():
            conditions = dict(state.conditions)
            for name in event.meets:
                conditions[name] = attrs.evolve(conditions[name], status="met", settled_by=event.id)
            return attrs.evolve(
                state,
                assurances=with_item(state.assurances, event.id, event.about),
                conditions=frozen_map(conditions) if event.meets else state.conditions,
            )
        case MilitaryOperation():
            return _operate(state, event)
        case BlackoutStarted():
            in_force = state.blackouts.get(event.area, ())
            return attrs.evolve(
                state, blackouts=with_item(state.blackouts, event.area, (*in_force, event.id))
            )
        case BlackoutEnded():
            in_force = tuple(b for b in state.blackouts[event.area] if b not in event.causes)
            new = attrs.evolve(state, blackouts=with_item(state.blackouts, event.area, in_force))
            if not in_force and event.area in new.in_transit.values():
                delivered = {k: v for k, v in new.in_transit.items() if v != event.area}
                new = attrs.evolve(new, in_transit=frozen_map(delivered))
            return new
        case TalksSuspended():
            return attrs.evolve(state, talks="suspended", suspended_until=event.until)
        case TalksResumed():
            return attrs.evolve(state, talks="active", suspended_until=())
        case Approval():
            return _bind(state, event.id, event.body, event.text, event)
        case Announcement():
            return state
        case _:
            assert_never(event)


def _table_text(state: NegotiationState, event: Offer) -> NegotiationState:
    offers = {
        key: attrs.evolve(offer, status="superseded") if offer.status == "current" else offer
        for key, offer in state.offers.items()
    }
    offers[event.id] = OfferState(
        event=event.id,
        text=event.text,
        by=event.actors,
        terms=event.terms,
        conditions=event.conditions,
        requires=event.requires,
        final=event.final,
        status="current",
        at=event.at,
    )
    approvals = {
        key: attrs.evolve(a, status="superseded") if a.text != event.text else a
        for key, a in state.approvals.items()
    }
    texts = state.texts if event.text in state.texts else (*state.texts, event.text)
    return attrs.evolve(
        state,
        offers=frozen_map(offers),
        approvals=frozen_map(approvals),
        current_text=event.text,
        texts=texts,
    )


def _respond(state: NegotiationState, event: Response) -> NegotiationState:
    offer = state.offers[event.to]
    response = ResponseState(
        event=event.id,
        by=event.actors,
        to=event.to,
        text=offer.text,
        decision=event.decision,
        at=event.at,
    )
    new = attrs.evolve(state, responses=with_item(state.responses, event.id, response))
    if event.decision == "accepted" and event.body is not None:
        return _bind(new, event.id, event.body, offer.text, event)
    if event.decision == "rejected" and offer.final:
        return attrs.evolve(new, talks="ended")
    return new


def _bind(
    state: NegotiationState, key: str, body: str, text: str, event: Event
) -> NegotiationState:
    approval = ApprovalState(event=key, body=body, text=text, status="bound", at=event.at)
    new = attrs.evolve(state, approvals=with_item(state.approvals, key, approval))
    offer = new.current_offer
    if offer is None or not offer.requires or new.talks != "active":
        return new
    bound = {a.body for a in new.approvals.values() if a.status == "bound" and a.text == offer.text}
    if all(body in bound for body in offer.requires):
        return attrs.evolve(
            new, talks="concluded", concluded_at=event.at, concluded_text=offer.text
        )
    return new


def _operate(state: NegotiationState, event: MilitaryOperation) -> NegotiationState:
    posture = PostureState(
        operation=event.operation, area=event.area, phase=event.phase, since=event.at
    )
    new = attrs.evolve(state, posture=with_item(state.posture, event.operation, posture))
    if event.phase != "started":
        return new
    breached = {
        name: attrs.evolve(c, status="breached", settled_by=event.id)
        for name, c in state.conditions.items()
        if c.status == "open" and c.prohibits == event.operation
    }
    if not breached:
        return new
    offers = {
        key: attrs.evolve(o, status="lapsed")
        if o.status == "current" and any(c in breached for c in o.conditions)
        else o
        for key, o in state.offers.items()
    }
    return attrs.evolve(
        new, conditions=frozen_map({**state.conditions, **breached}), offers=frozen_map(offers)
    )

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

2. **Effects.**  An event that passes its guards changes the state through its kind's effect,
   chosen by ``effect_of``: one ``case`` per kind of the closed ``Kind`` literal (mypy checks
   that every kind has one).  A milestone named on the event is
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
  binds that body's approval to the current text version.  When every body among the current
  offer's ``approvers`` has approved it, the deal is concluded.  Rejecting a final offer ends
  the talks.
- A ``release`` cannot free more captives than the captor is known to hold, nor anyone twice.
- A ``blackout_ended`` must end a blackout in force in its area (named in its causes).  A
  message whose channel runs through a dark area is held up there until the area is lit again.
- Announcing the deal needs a concluded deal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, assert_never, get_args

from sim.events import (
    Announcement,
    Approval,
    Assurance,
    BlackoutEnded,
    BlackoutStarted,
    ChannelOpened,
    Condition,
    Contact,
    Event,
    Information,
    Kind,
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
)

__all__ = ["GUARDS", "REDUCER_VERSION", "apply", "effect_of", "void"]

REDUCER_VERSION: Final = "1"
"""Bump whenever a guard or an effect changes: snapshots taken under another version are stale."""

Guard = Callable[[NegotiationState, Any], "str | None"]

NO_CAPTIVES: Final = CaptiveState()
"""What is known of a captor no event has told of yet."""


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
    known = state.captives.get(event.captor, NO_CAPTIVES)
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


# ------------------------------------------------------------------------------------ effects


Effect = Callable[[NegotiationState, Any], NegotiationState]


def _no_change(state: NegotiationState, event: Event) -> NegotiationState:
    """Calls, meetings and announcements are recorded in the log, not in the state."""
    return state


def _open_talks(state: NegotiationState, event: Contact) -> NegotiationState:
    if state.talks == "not_started":
        return state.replace(talks="active")
    return state


def _open_channel(state: NegotiationState, event: ChannelOpened) -> NegotiationState:
    return state.replace(channels=state.channels.set(event.name, event.members))


def _inform(state: NegotiationState, event: Information) -> NegotiationState:
    if event.captor is None or event.count is None:
        return state
    captives = state.captives.get(event.captor, NO_CAPTIVES)
    updated = captives.replace(held=max(captives.held or 0, event.count))
    return state.replace(captives=state.captives.set(event.captor, updated))


def _release(state: NegotiationState, event: Release) -> NegotiationState:
    captives = state.captives.get(event.captor, NO_CAPTIVES)
    updated = captives.replace(
        released=captives.released + event.count,
        names=captives.names + event.names,
    )
    return state.replace(captives=state.captives.set(event.captor, updated))


def _table_text(state: NegotiationState, event: Offer) -> NegotiationState:
    offers = state.offers
    previous = state.current_offer
    if previous is not None:
        offers = offers.set(previous.event, previous.replace(status="superseded"))
    offers = offers.set(
        event.id,
        OfferState(
            event=event.id,
            text=event.text,
            by=event.actors,
            terms=event.terms,
            conditions=event.conditions,
            approvers=event.approvers,
            final=event.final,
            status="current",
            at=event.at,
        ),
    )
    approvals = state.approvals
    kept: tuple[str, ...] = ()
    for key in state.bound:
        if approvals[key].text == event.text:
            kept += (key,)
        else:
            approvals = approvals.set(key, approvals[key].replace(status="superseded"))
    return state.replace(
        offers=offers,
        current_offer_id=event.id,
        approvals=approvals,
        bound=kept,
        current_text=event.text,
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
    new = state.replace(responses=state.responses.set(event.id, response))
    if event.decision == "accepted" and event.body is not None:
        return _bind(new, event.id, event.body, offer.text, event)
    if event.decision == "rejected" and offer.final:
        return new.replace(talks="ended")
    return new


def _set_condition(state: NegotiationState, event: Condition) -> NegotiationState:
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
    return state.replace(conditions=state.conditions.set(event.name, condition))


def _assure(state: NegotiationState, event: Assurance) -> NegotiationState:
    conditions = state.conditions
    for name in event.meets:
        conditions = conditions.set(
            name, conditions[name].replace(status="met", settled_by=event.id)
        )
    return state.replace(
        assurances=state.assurances.set(event.id, event.about),
        conditions=conditions,
    )


def _operate(state: NegotiationState, event: MilitaryOperation) -> NegotiationState:
    posture = PostureState(
        operation=event.operation, area=event.area, phase=event.phase, since=event.at
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
    if offer is not None and any(c in breached for c in offer.conditions):
        new = new.replace(offers=new.offers.set(offer.event, offer.replace(status="lapsed")))
    return new


def _start_blackout(state: NegotiationState, event: BlackoutStarted) -> NegotiationState:
    in_force = state.blackouts.get(event.area, ())
    return state.replace(blackouts=state.blackouts.set(event.area, (*in_force, event.id)))


def _end_blackout(state: NegotiationState, event: BlackoutEnded) -> NegotiationState:
    in_force = tuple(b for b in state.blackouts[event.area] if b not in event.causes)
    new = state.replace(blackouts=state.blackouts.set(event.area, in_force))
    if in_force or not new.in_transit:
        return new
    delivered = [k for k, area in new.in_transit.items() if area == event.area]
    in_transit = new.in_transit.mutate()
    for key in delivered:
        del in_transit[key]
    return new.replace(in_transit=in_transit.finish())


def _suspend(state: NegotiationState, event: TalksSuspended) -> NegotiationState:
    return state.replace(talks="suspended", suspended_until=event.until)


def _resume(state: NegotiationState, event: TalksResumed) -> NegotiationState:
    return state.replace(talks="active", suspended_until=())


def _approve(state: NegotiationState, event: Approval) -> NegotiationState:
    return _bind(state, event.id, event.body, event.text, event)


def _bind(
    state: NegotiationState, key: str, body: str, text: str, event: Event
) -> NegotiationState:
    approval = ApprovalState(event=key, body=body, text=text, status="bound", at=event.at)
    new = state.replace(approvals=state.approvals.set(key, approval), bound=(*state.bound, key))
    offer = new.current_offer
    if offer is None or not offer.approvers or new.talks != "active":
        return new
    bodies = {new.approvals[k].body for k in new.bound}
    if all(body in bodies for body in offer.approvers):
        return new.replace(talks="concluded", concluded_at=event.at, concluded_text=offer.text)
    return new


def effect_of(kind: Kind) -> Effect:
    """What an event of ``kind`` that passed its guards changes: one case per kind.

    ``kind`` is the closed :data:`~sim.events.Kind` literal, so mypy reports a kind left
    without a case.  Each effect takes the event class of its kind (a test checks the pairing).
    """
    match kind:
        case "contact":
            return _open_talks
        case "channel_opened":
            return _open_channel
        case "call" | "meeting" | "announcement":
            return _no_change
        case "information":
            return _inform
        case "release":
            return _release
        case "offer":
            return _table_text
        case "response":
            return _respond
        case "condition":
            return _set_condition
        case "assurance":
            return _assure
        case "military_operation":
            return _operate
        case "blackout_started":
            return _start_blackout
        case "blackout_ended":
            return _end_blackout
        case "talks_suspended":
            return _suspend
        case "talks_resumed":
            return _resume
        case "approval":
            return _approve
        case _:
            assert_never(kind)


_STEPS: Final[Mapping[str, tuple[tuple[Guard, ...], Effect]]] = {
    kind: (GUARDS[kind], effect_of(kind)) for kind in get_args(Kind)
}
"""Each kind's guards and effect, looked up once per event (one dict lookup, no type tests)."""


# ------------------------------------------------------------------------------------ fold


def void(state: NegotiationState, event: Event, reason: str) -> NegotiationState:
    """``state`` with ``event`` recorded as voided for ``reason``."""
    return state.replace(voided=state.voided.set(event.id, reason))


def apply(state: NegotiationState, event: Event) -> NegotiationState:
    """Fold one event into ``state``: pure and total (a failed guard voids, never raises)."""
    guards, effect = _STEPS[event.kind]
    if event.causes:
        reason = _causes_in_effect(state, event)
        if reason is not None:
            return void(state, event, reason)
    for guard in guards:
        reason = guard(state, event)
        if reason is not None:
            return void(state, event, reason)
    new = effect(state, event)
    channel = event.channel
    if channel is not None and channel.via and new.blackouts:
        for area in channel.via:
            if new.dark(area):
                new = new.replace(in_transit=new.in_transit.set(event.id, area))
                break
    milestone = event.milestone
    if milestone is not None and milestone not in new.milestones and _counts(event):
        new = new.replace(milestones=new.milestones.set(milestone, event.at))
    return new


def _counts(event: Event) -> bool:
    """Whether the event reaches the milestone it names (a rejection is no green light)."""
    return not isinstance(event, Response) or event.decision in (
        "accepted",
        "accepted_with_changes",
    )

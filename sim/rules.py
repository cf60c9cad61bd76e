"""The rules of the negotiation: which events can take effect, and what they change.

How it works
------------
Folding an event into a state takes three steps, all pure:

1. **Links.**  An event cannot happen without each event it ``requires`` (and, where that event
   is a response, without the decision the link names: by default an acceptance), nor without
   each message it ``answers`` having reached it.  A link to an event that is not in the log,
   or that was voided, or a required response with another decision, is a *permanent* refusal.
   ``after`` links only order and time events (the scheduler's business): they never refuse.

2. **Guards.**  ``GUARDS`` below is the rule book, one row per kind, read top to bottom.  Each
   guard looks at the state and the event and returns ``None`` when the event may take effect,
   or a :class:`~sim.state.Refusal` saying why it cannot.  A refusal is *temporary* when the
   barrier can lift (talks suspended or not yet started, a condition not yet met, a channel
   not yet open, a text not yet on the table, a deal not yet concluded): it names the barrier,
   and the scheduler holds the event until the barrier lifts, up to its patience.  Otherwise it
   is *permanent* (talks ended, a condition breached, an offer superseded): the event is
   voided at once, with the refusal recorded in ``state.voided``.  Guards never raise.

3. **Effects.**  An event that passes changes the state through its kind's effect, chosen by
   ``effect_of``: one ``case`` per kind of the closed ``Kind`` literal (mypy checks that every
   kind has one).  A milestone named on the event is reached at the event's time, except on a
   response that does not accept (a rejection is not a green light).

The rules in words
------------------
- A ``contact`` opens the talks.  Offers, responses, conditions, suspensions and approvals need
  talks that are ``active``; an ``assurance`` may also be given while talks are suspended (that
  is how suspended talks are won back).  Before a contact they wait for talks to start; while
  talks are suspended they wait for them to resume; once talks ended or concluded they cannot
  happen.
- An ``offer`` puts a new text version on the table and supersedes the current one: approvals of
  older versions stop counting.  It waits for the conditions it rests on to be set; one whose
  condition is already breached lapses at once.
- A ``response`` waits for the offer it answers to be on the table.
- A ``military_operation`` that starts breaches every open condition that prohibits it; an offer
  that rests on a breached condition lapses.  A condition set while what it prohibits is already
  under way is breached from the start.  A ``response`` to a lapsed or superseded offer
  cannot take effect.
- An ``assurance`` meets the conditions it names (not those already breached).
- ``talks_suspended`` names the conditions for resuming; ``talks_resumed`` takes effect only once
  each of them is met or waived (it waits for that).
- An acceptance (``response`` with decision ``accepted`` and a ``body``) or an ``approval``
  binds that body's approval to the current text version (an approval waits for its text to be
  tabled).  When every body among the current offer's ``approvers`` has approved it, the deal
  is concluded.  Rejecting a final offer ends the talks.
- A ``release`` cannot free more captives than the captor is known to hold, nor anyone twice.
- A ``blackout_ended`` must end a blackout in force in its area (named in its links).  A
  message whose channel runs through a dark area is held up there until the area is lit again.
- Announcing the deal needs a concluded deal (it waits for one while talks go on).

After conclusion: carrying out the deal
---------------------------------------
A concluded deal is ``in_force``.  The talks are over (no offer, response, suspension or
resumption can happen any more), but what carries the deal out still takes effect:

- information, calls, meetings and announcements, as before;
- the deal's own conditions (those its offer rests on): a ``condition`` event may change one
  (extend a truce, mark a step done), and an ``assurance`` may meet them; a condition the deal
  does not rest on cannot be set any more;
- further approvals of the concluded text (a court upholding it): bound to it, as before;
- releases: a captor's release waits while a condition of the deal held by another party is
  still open (funds moved, lists exchanged: each side waits for the other's part); a condition
  that prohibits an operation (a truce) holds while it is kept, and holds nothing up.

When every condition of the deal is met or waived the deal is ``completed``; when one is
breached (an operation it prohibits starts, or a condition event says so) it has
``collapsed``, and nothing can carry it out any more.  ``state.deal_by`` names the events that
led there.
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
from sim.parties import party_of
from sim.state import (
    ApprovalState,
    CaptiveState,
    ConditionState,
    NegotiationState,
    OfferState,
    PostureState,
    Refusal,
    ResponseState,
)

__all__ = [
    "GUARDS",
    "REDUCER_VERSION",
    "apply",
    "attempt",
    "effect_of",
    "enact",
    "link_refusal",
    "void",
]

REDUCER_VERSION: Final = "3"
"""Bump whenever a guard or an effect changes: snapshots taken under another version are stale."""

Guard = Callable[[NegotiationState, Any], "Refusal | None"]

NO_CAPTIVES: Final = CaptiveState()
"""What is known of a captor no event has told of yet."""


# ------------------------------------------------------------------------------------ guards


def _talks(state: NegotiationState, rule: str, text: str) -> Refusal:
    """A refusal for talks in the wrong status: temporary while they may still (re)open."""
    status = state.talks
    if status == "not_started":
        return Refusal(
            rule=rule, text=text, barrier="talks", never="talks never started", culprit=None
        )
    if status == "suspended":
        return Refusal(
            rule=rule,
            culprit=state.talks_by,
            text=text,
            barrier="talks",
            never="talks never resumed",
        )
    return Refusal(rule=rule, culprit=state.talks_by, text=text)


def talks_active(state: NegotiationState, event: Event) -> Refusal | None:
    if state.talks == "active":
        return None
    return _talks(state, "talks_active", f"talks are {state.talks.replace('_', ' ')}, not active")


def talks_open_or_suspended(state: NegotiationState, event: Event) -> Refusal | None:
    if state.talks in ("active", "suspended"):
        return None
    return _talks(state, "talks_open_or_suspended", f"talks are {state.talks.replace('_', ' ')}")


def _collapsed(state: NegotiationState, subject: str | None = None) -> Refusal:
    """A permanent refusal: the deal this event would carry out has collapsed."""
    by = state.deal_by[0] if state.deal_by else None
    return Refusal(
        rule="deal_collapsed", culprit=by, subject=subject, text=f"the deal collapsed with {by}"
    )


def talks_open_or_deal_condition(state: NegotiationState, event: Condition) -> Refusal | None:
    """Conditions are set while talks are active or suspended; once the deal is concluded, only
    its own conditions may change (a truce extended, a step marked done)."""
    if state.talks == "concluded" and event.name in state.deal_conditions:
        return _collapsed(state, event.name) if state.deal == "collapsed" else None
    return talks_open_or_suspended(state, event)


def talks_open_or_deal_assurance(state: NegotiationState, event: Assurance) -> Refusal | None:
    """Assurances are given while talks are active or suspended; once the deal is concluded,
    those that meet its own conditions carry it out."""
    if state.talks != "concluded" or not event.meets:
        return talks_open_or_suspended(state, event)
    outside = [name for name in event.meets if name not in state.deal_conditions]
    if outside:
        return Refusal(
            rule="deal_conditions",
            culprit=state.talks_by,
            subject=outside[0],
            text=f"talks are concluded, and the deal does not rest on condition {outside[0]}",
        )
    return _collapsed(state) if state.deal == "collapsed" else None


def talks_active_or_deal_approval(state: NegotiationState, event: Approval) -> Refusal | None:
    """Approvals are given while talks are active; once the deal is concluded, further
    approvals of the concluded text (a court's, a parliament's) still bind to it."""
    if state.talks == "concluded" and event.text == state.concluded_text:
        return _collapsed(state, event.text) if state.deal == "collapsed" else None
    return talks_active(state, event)


def deal_lets_release(state: NegotiationState, event: Release) -> Refusal | None:
    """Once a deal is concluded, a captor's release waits while a condition of the deal held
    by another party is still open (each side waits for the other's part); a truce's terms
    (a condition that prohibits an operation) hold up nothing while they are kept."""
    if state.talks != "concluded":
        return None
    if state.deal == "collapsed":
        return _collapsed(state)
    captor = party_of(event.captor)
    for name in state.deal_conditions:
        condition = state.conditions[name]
        if condition.prohibits is not None:
            continue  # a truce's terms hold while kept: nothing to wait for
        if condition.status == "open" and party_of(condition.holder) != captor:
            return Refusal(
                rule="deal_lets_release",
                culprit=condition.event,
                subject=name,
                text=f"the deal's condition {name} on {condition.holder} is not yet met",
                barrier=f"condition:{name}",
                never=f"condition {name} was never met",
            )
    return None


def talks_suspended_now(state: NegotiationState, event: Event) -> Refusal | None:
    if state.talks == "suspended":
        return None
    return _talks(
        state, "talks_suspended_now", f"talks are {state.talks.replace('_', ' ')}, not suspended"
    )


def channel_not_open(state: NegotiationState, event: ChannelOpened) -> Refusal | None:
    if event.name in state.channels:
        return Refusal(rule="channel_not_open", text=f"channel {event.name} is already open")
    return None


def conditions_known(state: NegotiationState, event: Offer) -> Refusal | None:
    for name in event.conditions:
        if name not in state.conditions:
            return Refusal(
                rule="conditions_known",
                subject=name,
                text=f"it rests on condition {name}, which no earlier event set",
                barrier=f"condition:{name}",
                never=f"condition {name} was never set",
            )
    return None


def conditions_not_breached(state: NegotiationState, event: Offer) -> Refusal | None:
    """An offer resting on a condition already breached lapses the moment it is made."""
    for name in event.conditions:
        known = state.conditions[name]
        if known.status == "breached":
            return Refusal(
                rule="conditions_not_breached",
                subject=name,
                culprit=known.settled_by,
                text=f"it rests on condition {name}, already breached by {known.settled_by}:"
                " the offer lapses at once",
            )
    return None


def offer_current(state: NegotiationState, event: Response) -> Refusal | None:
    offer = state.offers.get(event.to)
    if offer is None:
        return Refusal(
            rule="offer_current",
            subject=event.to,
            culprit=event.to,
            text=f"it answers {event.to}, which is not an offer on record",
            barrier=f"offer:{event.to}",
            never=f"{event.to} was never made",
        )
    if offer.status == "lapsed":
        broken = [c for c in offer.conditions if state.conditions[c].status == "breached"]
        why = f" (condition {broken[0]} was breached)" if broken else ""
        culprit = state.conditions[broken[0]].settled_by if broken else event.to
        return Refusal(
            rule="offer_current",
            subject=broken[0] if broken else event.to,
            culprit=culprit,
            text=f"it answers offer {event.to}, which has lapsed{why}",
        )
    if offer.status == "superseded":
        return Refusal(
            rule="offer_current",
            subject=event.to,
            culprit=state.current_offer_id,
            text=f"it answers offer {event.to}, superseded by text {state.current_text}",
        )
    return None


def condition_not_breached(state: NegotiationState, event: Condition) -> Refusal | None:
    known = state.conditions.get(event.name)
    if known is not None and known.status == "breached" and event.status != "breached":
        return Refusal(
            rule="condition_not_breached",
            subject=event.name,
            culprit=known.settled_by,
            text=f"condition {event.name} was already breached by {known.settled_by}",
        )
    return None


def assured_conditions_known(state: NegotiationState, event: Assurance) -> Refusal | None:
    for name in event.meets:
        known = state.conditions.get(name)
        if known is None:
            return Refusal(
                rule="assured_conditions_known",
                subject=name,
                text=f"it meets condition {name}, which no earlier event set",
                barrier=f"condition:{name}",
                never=f"condition {name} was never set",
            )
        if known.status == "breached":
            return Refusal(
                rule="assured_conditions_known",
                subject=name,
                culprit=known.settled_by,
                text=f"condition {name} was already breached by {known.settled_by}",
            )
    return None


def resume_conditions_settled(state: NegotiationState, event: TalksResumed) -> Refusal | None:
    for name in state.suspended_until:
        known = state.conditions.get(name)
        status = known.status if known else "unknown"
        if status in ("met", "waived"):
            continue
        text = f"talks stay suspended: condition {name} is {status}"
        if status == "breached":
            culprit = known.settled_by if known else None
            return Refusal(
                rule="resume_conditions_settled", subject=name, culprit=culprit, text=text
            )
        return Refusal(
            rule="resume_conditions_settled",
            subject=name,
            culprit=state.talks_by,
            text=text,
            barrier=f"condition:{name}",
            never=f"condition {name} was never met",
        )
    return None


def suspension_conditions_known(state: NegotiationState, event: TalksSuspended) -> Refusal | None:
    for name in event.until:
        if name not in state.conditions:
            return Refusal(
                rule="suspension_conditions_known",
                subject=name,
                text=f"it waits on condition {name}, which no earlier event set",
                barrier=f"condition:{name}",
                never=f"condition {name} was never set",
            )
    return None


def approves_current_text(state: NegotiationState, event: Approval) -> Refusal | None:
    current = state.current_text
    if current == event.text:
        offer = state.current_offer
        if offer is not None and offer.status == "lapsed":
            broken = [c for c in offer.conditions if state.conditions[c].status == "breached"]
            return Refusal(
                rule="approves_current_text",
                subject=broken[0] if broken else event.text,
                culprit=state.conditions[broken[0]].settled_by if broken else offer.event,
                text=f"it approves text {event.text}, whose offer {offer.event} has lapsed"
                + (f" (condition {broken[0]} was breached)" if broken else ""),
            )
        return None
    tabled = any(offer.text == event.text for offer in state.offers.values())
    if current is not None and tabled:
        return Refusal(
            rule="approves_current_text",
            subject=event.text,
            culprit=state.current_offer_id,
            text=f"it approves text {event.text}, but the text on the table is {current}",
        )
    text = (
        "there is no text on the table to approve"
        if current is None
        else f"it approves text {event.text}, but the text on the table is {current}"
    )
    return Refusal(
        rule="approves_current_text",
        subject=event.text,
        text=text,
        barrier=f"text:{event.text}",
        never=f"text {event.text} was never tabled",
    )


def captives_to_release(state: NegotiationState, event: Release) -> Refusal | None:
    known = state.captives.get(event.captor, NO_CAPTIVES)
    twice = sorted(set(event.names) & set(known.names))
    if twice:
        return Refusal(rule="captives_to_release", text=f"{', '.join(twice)} already released")
    if known.held is not None and known.released + event.count > known.held:
        return Refusal(
            rule="captives_to_release",
            text=f"{event.captor} is known to hold {known.held}, "
            f"{known.released} already released, cannot release {event.count} more",
        )
    return None


def blackout_in_force(state: NegotiationState, event: BlackoutEnded) -> Refusal | None:
    in_force = state.blackouts.get(event.area, ())
    if not any(cause in in_force for cause in event.causes):
        return Refusal(
            rule="blackout_in_force", text=f"it ends no blackout in force over {event.area}"
        )
    return None


def deal_concluded(state: NegotiationState, event: Announcement) -> Refusal | None:
    if not event.of_deal or state.talks == "concluded":
        return None
    text = f"there is no concluded deal to announce (talks are {state.talks.replace('_', ' ')})"
    if state.talks == "ended":
        return Refusal(rule="deal_concluded", culprit=state.talks_by, text=text)
    return Refusal(
        rule="deal_concluded",
        culprit=state.talks_by,
        text=text,
        barrier="deal",
        never="the deal was never concluded",
    )


GUARDS: Final[Mapping[str, tuple[Guard, ...]]] = {
    "contact": (),
    "channel_opened": (channel_not_open,),
    "call": (),
    "meeting": (),
    "information": (),
    "release": (deal_lets_release, captives_to_release),
    "offer": (talks_active, conditions_known, conditions_not_breached),
    "response": (talks_active, offer_current),
    "condition": (talks_open_or_deal_condition, condition_not_breached),
    "assurance": (talks_open_or_deal_assurance, assured_conditions_known),
    "military_operation": (),
    "blackout_started": (),
    "blackout_ended": (blackout_in_force,),
    "talks_suspended": (talks_active, suspension_conditions_known),
    "talks_resumed": (talks_suspended_now, resume_conditions_settled),
    "approval": (talks_active_or_deal_approval, approves_current_text),
    "announcement": (deal_concluded,),
}
"""The rule book: for each kind, the guards an event must pass, in order.

A guard reads the state and the event's own fields, never the event's time (the scheduler
tries a waiting event as recorded and moves it only once it passes), and the guards of a kind
that can wait read no more of the state than :data:`sim.schedule._READS_CONDITIONS` lists for
it: a guard that reads more must be listed there."""


# ------------------------------------------------------------------------------------ links


def link_refusal(
    state: NegotiationState, event: Event, present: Callable[[str], bool] | None = None
) -> Refusal | None:
    """Why ``event``'s ``requires`` and ``answers`` links keep it from happening, if they do.

    ``present`` says whether an id is an event of the log that has happened (taken effect or
    been voided) before this one; without it only what the state records is checked.
    """
    voided = state.voided
    for link in event.requires:
        ident = link.id
        reason = voided.get(ident)
        if reason is not None:
            return Refusal(
                rule="requires", culprit=ident, text=f"it requires {ident}, which was voided"
            )
        if present is not None and not present(ident):
            return Refusal(
                rule="requires", culprit=ident, text=f"it requires {ident}, which is not in the log"
            )
        response = state.responses.get(ident)
        decision = response.decision if response is not None else None
        if not link.met_by(decision):
            wanted = "an acceptance" if link.decision == "acceptance" else link.decision
            found = decision.replace("_", " ") if decision is not None else "no response"
            return Refusal(
                rule="requires",
                culprit=ident,
                text=f"it requires {ident} to be {wanted.replace('_', ' ')}, but it was {found}",
            )
    for ident in event.answers:
        if ident in voided:
            return Refusal(
                rule="answers", culprit=ident, text=f"it answers {ident}, which was voided"
            )
        if present is not None and not present(ident):
            return Refusal(
                rule="answers", culprit=ident, text=f"it answers {ident}, which is not in the log"
            )
        area = state.in_transit.get(ident)
        if area is not None:  # the scheduler sends a reply only once its message arrived
            return Refusal(
                rule="answers",
                culprit=ident,
                text=f"it answers {ident}, still held up by the blackout over {area}",
            )
    return None


# ------------------------------------------------------------------------------------ effects


Effect = Callable[[NegotiationState, Any], NegotiationState]


def _no_change(state: NegotiationState, event: Event) -> NegotiationState:
    """Calls, meetings and announcements are recorded in the log, not in the state."""
    return state


def _open_talks(state: NegotiationState, event: Contact) -> NegotiationState:
    if state.talks == "not_started":
        return state.replace(talks="active", talks_by=event.id)
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
        return new.replace(talks="ended", talks_by=event.id)
    return new


def _set_condition(state: NegotiationState, event: Condition) -> NegotiationState:
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
        return new  # a concluded deal does not lapse: it collapses (see _carry_out)
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
    return state.replace(talks="suspended", talks_by=event.id, suspended_until=event.until)


def _resume(state: NegotiationState, event: TalksResumed) -> NegotiationState:
    return state.replace(talks="active", talks_by=event.id, suspended_until=())


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
        return new.replace(
            talks="concluded",
            talks_by=event.id,
            concluded_at=event.at,
            concluded_text=offer.text,
            deal="in_force",
            deal_by=(event.id,),
        )
    return new


def _carry_out(state: NegotiationState) -> NegotiationState:
    """The concluded deal's status, read from the conditions it rests on: ``collapsed`` once
    one is breached (for good), ``completed`` while every one is met or waived, else
    ``in_force`` (named by the event that concluded it)."""
    if state.deal == "collapsed":
        return state
    conditions = state.conditions
    names = state.deal_conditions
    for name in names:
        if conditions[name].status == "breached":
            return state.replace(deal="collapsed", deal_by=(conditions[name].settled_by or name,))
    if names and all(conditions[name].status in ("met", "waived") for name in names):
        by = tuple(dict.fromkeys(conditions[name].settled_by or name for name in names))
        return (
            state
            if state.deal == "completed" and state.deal_by == by
            else state.replace(deal="completed", deal_by=by)
        )
    if state.deal == "in_force":
        return state
    return state.replace(deal="in_force", deal_by=(state.talks_by or "",))


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


_UNHELD: Final = frozenset({"blackout_started", "blackout_ended"})
"""Kinds that are not messages: a blackout's own start or end is never held up by it."""

_STEPS: Final[Mapping[str, tuple[tuple[Guard, ...], Effect]]] = {
    kind: (GUARDS[kind], effect_of(kind)) for kind in get_args(Kind)
}
"""Each kind's guards and effect, looked up once per event (one dict lookup, no type tests)."""


# ------------------------------------------------------------------------------------ fold


def void(state: NegotiationState, event: Event, refusal: Refusal) -> NegotiationState:
    """``state`` with ``event`` recorded as voided, for ``refusal``."""
    return state.replace(voided=state.voided.set(event.id, refusal))


def attempt(
    state: NegotiationState, event: Event, present: Callable[[str], bool] | None = None
) -> NegotiationState | Refusal:
    """The state after ``event`` takes effect, or the :class:`Refusal` that stops it now.

    This is one step of the fold, at the event's own time.  A temporary refusal may lift later:
    :mod:`sim.schedule` then tries the event again; :func:`apply` voids it.
    """
    guards, effect = _STEPS[event.kind]
    if event.causes:
        refusal = link_refusal(state, event, present)
        if refusal is not None:
            return refusal
    for guard in guards:
        refusal = guard(state, event)
        if refusal is not None:
            return refusal
    return _enact(state, event, effect)


def enact(state: NegotiationState, event: Event) -> NegotiationState:
    """What ``event`` changes, its guards and links not asked: for a party's view of events it
    saw take effect (:mod:`sim.analysis.knowledge`), not for the fold."""
    return _enact(state, event, _STEPS[event.kind][1])


def _enact(state: NegotiationState, event: Event, effect: Effect) -> NegotiationState:
    new = effect(state, event)
    if new.talks == "concluded" and (
        new.conditions is not state.conditions or state.talks != "concluded"
    ):
        new = _carry_out(new)
    channel = event.channel
    if channel is not None and channel.via and new.blackouts and event.kind not in _UNHELD:
        for area in channel.via:
            if new.dark(area):
                new = new.replace(in_transit=new.in_transit.set(event.id, area))
                break
    milestone = event.milestone
    if milestone is not None and milestone not in new.milestones and _counts(event):
        new = new.replace(milestones=new.milestones.set(milestone, event.at))
    return new


def apply(
    state: NegotiationState, event: Event, present: Callable[[str], bool] | None = None
) -> NegotiationState:
    """Fold one event into ``state`` at its own time: pure and total.

    An event that cannot take effect now is voided with its :class:`Refusal`, never raised.
    This single step cannot wait: a replay (:func:`sim.fold.replay`) holds an event that meets
    a temporary barrier until the barrier lifts, which ``apply`` alone cannot know.
    """
    result = attempt(state, event, present)
    if isinstance(result, Refusal):
        return void(state, event, result)
    return result


def _counts(event: Event) -> bool:
    """Whether the event reaches the milestone it names (a rejection is no green light)."""
    return not isinstance(event, Response) or event.decision in (
        "accepted",
        "accepted_with_changes",
    )

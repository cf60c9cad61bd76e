"""The guards: whether an event of a kind may take effect in a state, and if not, why.

Each guard looks at the state and the event and returns ``None`` when the event may take
effect, or a :class:`~sim.state.Refusal` saying why it cannot: *temporary* (it names the barrier
the scheduler may wait on) or *permanent*.  Guards never raise and never read the event's time.
Which guards each kind must pass, in which order, is :data:`sim.rules.GUARDS`
(:mod:`sim.rules.dispatch`); the rules they enforce are told in words in :mod:`sim.rules`.
"""

from __future__ import annotations

from sim.events import (
    Announcement,
    Approval,
    Assurance,
    BlackoutEnded,
    ChannelOpened,
    Condition,
    Event,
    Offer,
    Release,
    Response,
    TalksResumed,
    TalksSuspended,
)
from sim.parties import party_of
from sim.state import NO_CAPTIVES, ConditionState, NegotiationState, Refusal

# Each guard builds its own Refusal (rule, culprit, subject, text, barrier, never): the calls are
# alike in shape and say different things; those that said the same now share _not_set,
# _first_unset and _breached.

__all__ = [
    "approves_current_text",
    "assured_conditions_known",
    "blackout_in_force",
    "captives_to_release",
    "channel_not_open",
    "condition_not_breached",
    "conditions_known",
    "conditions_not_breached",
    "deal_concluded",
    "deal_lets_release",
    "offer_current",
    "resume_conditions_settled",
    "suspension_conditions_known",
    "talks_active",
    "talks_active_or_deal_approval",
    "talks_open_or_deal_assurance",
    "talks_open_or_deal_condition",
    "talks_open_or_suspended",
    "talks_suspended_now",
]


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


def _not_set(rule: str, name: str, link: str) -> Refusal:
    """A temporary refusal: the event names condition ``name`` (``it {link} condition``), which
    no earlier event set; it may wait for one to set it."""
    return Refusal(
        rule=rule,
        subject=name,
        text=f"it {link} condition {name}, which no earlier event set",
        barrier=f"condition:{name}",
        never=f"condition {name} was never set",
    )


def _breached(rule: str, known: ConditionState) -> Refusal:
    """A permanent refusal: the event would change condition ``known``, already breached."""
    return Refusal(
        rule=rule,
        subject=known.name,
        culprit=known.settled_by,
        text=f"condition {known.name} was already breached by {known.settled_by}",
    )


def _first_unset(
    state: NegotiationState, names: tuple[str, ...], rule: str, link: str
) -> Refusal | None:
    """:func:`_not_set` for the first of ``names`` no earlier event set, if one is."""
    for name in names:
        if name not in state.conditions:
            return _not_set(rule, name, link)
    return None


def conditions_known(state: NegotiationState, event: Offer) -> Refusal | None:
    return _first_unset(state, event.conditions, "conditions_known", "rests on")


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
        return _breached("condition_not_breached", known)
    return None


def assured_conditions_known(state: NegotiationState, event: Assurance) -> Refusal | None:
    for name in event.meets:
        known = state.conditions.get(name)
        if known is None:
            return _not_set("assured_conditions_known", name, "meets")
        if known.status == "breached":
            return _breached("assured_conditions_known", known)
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
    return _first_unset(state, event.until, "suspension_conditions_known", "waits on")


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

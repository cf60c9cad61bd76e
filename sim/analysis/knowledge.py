"""What a party knew, and the state as it knew it.

The rule (the README's "Who knew what"): a party learns of an event at once if one of its actors
took part; on arrival if it was among the recipients, or if the kind is public (military
operations, blackouts, releases, announcements); otherwise not at all.  A message held up by a
blackout arrives when the scheduler says it did.

The view does not re-run the rules on what the party heard of, which would void half of its
own acts for want of events it never saw.  It folds the events the party knew of, in the order
it learned them, each as it turned out: an event that took effect takes effect in the view, and
the view first takes from the true state the facts that event's guards read (talks active, the
offer it answers, the conditions it rests on, the text it approves) and the standing channels
its route went through, since seeing it take effect tells the party they held.  An event that
was voided is voided in the view, unless what voided
it is an event the party never heard of: then its fate is unknown to the party, and the view
leaves it out, naming the cause as unknown.  Links to events the party never heard of are
listed the same way.  For a party that takes part in every event, the view is the replay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from attrs import frozen

from sim import rules
from sim.errors import SimError, did_you_mean
from sim.events import Event
from sim.fold import Trajectory
from sim.parties import parties_of
from sim.rules import enact, void
from sim.state import NegotiationState

__all__ = [
    "PUBLIC_KINDS",
    "View",
    "arrival_of",
    "known_by",
    "learned_at",
    "parties_in",
    "view_of",
]

PUBLIC_KINDS: Final[frozenset[str]] = frozenset(
    {"military_operation", "blackout_started", "blackout_ended", "release", "announcement"}
)
"""Kinds every party learns of when they happen, addressed or not."""


def learned_at(event: Event, party: str, arrival: datetime | None) -> datetime | None:
    """When ``party`` learned of ``event``: at once if it acted; on arrival if addressed (or the
    kind is public); never otherwise (``None``)."""
    if party in parties_of(event.actors):
        return event.at
    if party in parties_of(event.recipients) or event.kind in PUBLIC_KINDS:
        return arrival
    return None


def arrival_of(trajectory: Trajectory, event: Event) -> datetime | None:
    """When ``event`` arrived where it was going: when sent, or when a blackout let it through
    (``None``: it never did)."""
    hold = trajectory.holds.get(event.id)
    if hold is not None:
        return hold.until
    return event.at


def known_by(
    events: Sequence[Event],
    arrivals: Mapping[str, datetime | None],
    party: str,
    until: datetime,
) -> tuple[Event, ...]:
    """The events that had reached ``party`` by ``until``, in the order it learned of them."""
    learned = []
    for position, event in enumerate(events):
        when = learned_at(event, party, arrivals.get(event.id))
        if when is not None and when <= until:
            learned.append((when, position, event))
    learned.sort(key=lambda item: (item[0], item[1]))
    return tuple(event for _, _, event in learned)


def parties_in(trajectory: Trajectory) -> tuple[str, ...]:
    """Every party that acts or is addressed in ``trajectory``, in order of first appearance
    (a standing channel addressed as a recipient, such as ``hostage_cell``, is no party)."""
    channels = {getattr(e, "name", None) for e in trajectory.events if e.kind == "channel_opened"}
    found: dict[str, None] = {}
    for event in trajectory.events:
        named = [a for a in (*event.actors, *event.recipients) if a not in channels]
        for party in parties_of(named):
            found.setdefault(party, None)
    return tuple(found)


# a frozen value with a short repr, shaped as the what-if's record and the studies' are
@frozen(kw_only=True, repr=False)
class View:
    """The state at ``at`` as ``party`` knew it."""

    party: str
    at: datetime
    state: NegotiationState
    known: tuple[str, ...]
    """The events the party had heard of, in the order it learned of them."""
    not_yet_known: tuple[str, ...]
    """The events that had happened by then that it had not heard of."""
    unknown_links: Mapping[str, tuple[str, ...]]
    """For an event it knew of: the events it links to that were unknown to the party."""
    unknown_fate: Mapping[str, str]
    """Events it knew of that were voided for a cause unknown to the party, with that cause."""

    def __repr__(self) -> str:
        return f"<View of {self.party} at {self.at.isoformat()}: {len(self.known)} known>"


# ------------------------------------------------------------------------------------ adopting

Adopt = Callable[[NegotiationState, NegotiationState, Any], NegotiationState]


def _talks(view: NegotiationState, real: NegotiationState, event: Event) -> NegotiationState:
    return view.replace(
        talks=real.talks,
        talks_by=real.talks_by,
        suspended_until=real.suspended_until,
        concluded_at=real.concluded_at,
        concluded_text=real.concluded_text,
        deal=real.deal,
        deal_by=real.deal_by,
    )


def _deal(view: NegotiationState, real: NegotiationState, event: Event) -> NegotiationState:
    """The talks, and once the deal is concluded, the deal: its status, its text and offer, and
    the conditions it rests on (what a guard of the implementation phase reads)."""
    view = _talks(view, real, event)
    if real.talks != "concluded":
        return view
    view = _text(view, real, event).replace(deal=real.deal, deal_by=real.deal_by)
    return _conditions(real.deal_conditions)(view, real, event)


def _conditions(names: Sequence[str]) -> Adopt:
    def adopt(view: NegotiationState, real: NegotiationState, event: Event) -> NegotiationState:
        conditions = view.conditions
        for name in names:
            if name in real.conditions:
                conditions = conditions.set(name, real.conditions[name])
        return view.replace(conditions=conditions)

    return adopt


def _named(field: str) -> Adopt:
    def adopt(view: NegotiationState, real: NegotiationState, event: Any) -> NegotiationState:
        return _conditions(tuple(getattr(event, field)))(view, real, event)

    return adopt


def _suspension(view: NegotiationState, real: NegotiationState, event: Event) -> NegotiationState:
    view = _talks(view, real, event)
    return _conditions(real.suspended_until)(view, real, event)


# _offer and _captives each copy one record of the real state into the view: alike in shape,
# each its own record.
def _offer(view: NegotiationState, real: NegotiationState, event: Any) -> NegotiationState:
    offer = real.offers.get(event.to)
    if offer is None:
        return view
    return view.replace(offers=view.offers.set(event.to, offer))


def _text(view: NegotiationState, real: NegotiationState, event: Event) -> NegotiationState:
    offer = real.current_offer
    offers = view.offers if offer is None else view.offers.set(offer.event, offer)
    return view.replace(
        offers=offers, current_offer_id=real.current_offer_id, current_text=real.current_text
    )


def _blackout(view: NegotiationState, real: NegotiationState, event: Any) -> NegotiationState:
    return view.replace(
        blackouts=view.blackouts.set(event.area, real.blackouts.get(event.area, ()))
    )


def _captives(view: NegotiationState, real: NegotiationState, event: Any) -> NegotiationState:
    known = real.captives.get(event.captor)
    if known is None:
        return view
    return view.replace(captives=view.captives.set(event.captor, known))


def _nothing(view: NegotiationState, real: NegotiationState, event: Event) -> NegotiationState:
    return view


ADOPT: Final[Mapping[Callable[..., Any], Adopt]] = {
    rules.talks_active: _talks,
    rules.talks_open_or_suspended: _talks,
    rules.talks_open_or_deal_condition: _deal,
    rules.talks_open_or_deal_assurance: _deal,
    rules.talks_active_or_deal_approval: _deal,
    rules.deal_lets_release: _deal,
    rules.talks_suspended_now: _talks,
    rules.deal_concluded: _talks,
    rules.channel_not_open: _nothing,
    rules.conditions_known: _named("conditions"),
    rules.conditions_not_breached: _named("conditions"),
    rules.offer_current: _offer,
    rules.condition_not_breached: _nothing,
    rules.assured_conditions_known: _named("meets"),
    rules.resume_conditions_settled: _suspension,
    rules.suspension_conditions_known: _named("until"),
    rules.approves_current_text: _text,
    rules.captives_to_release: _captives,
    rules.blackout_in_force: _blackout,
}
"""For each guard, the facts of the true state it reads, which a party that saw the event take
effect learns held (a test checks every guard of the rule book has an entry)."""


def _adopt(view: NegotiationState, real: NegotiationState, event: Event) -> NegotiationState:
    for guard in rules.GUARDS[event.kind]:
        view = ADOPT[guard](view, real, event)
    if event.channel is not None:  # a message that went through a standing channel shows it
        for hop in event.channel.name.split(">"):
            members = real.channels.get(hop)
            if members is not None and hop not in view.channels:
                view = view.replace(channels=view.channels.set(hop, members))
    return view


# ------------------------------------------------------------------------------------ the view


def view_of(trajectory: Trajectory, party: str, at: datetime) -> View:
    """The state at ``at`` as ``party`` knew it (see the module docstring)."""
    positions = {e.id: i for i, e in enumerate(trajectory.events)}
    learned: list[tuple[datetime, int, Event]] = []
    for i, event in enumerate(trajectory.events):
        when = learned_at(event, party, arrival_of(trajectory, event))
        if when is not None and when <= at:
            learned.append((when, i, event))
    learned.sort(key=lambda item: (item[0], item[1]))
    known = {event.id for _, _, event in learned}
    state = trajectory.initial
    unknown_links: dict[str, tuple[str, ...]] = {}
    unknown_fate: dict[str, str] = {}
    for _, i, event in learned:
        after = trajectory.states[i]
        before = trajectory.states[i - 1] if i else trajectory.initial
        missing = tuple(c for c in event.causes if c in positions and c not in known)
        if missing:
            unknown_links[event.id] = missing
        refusal = after.voided.get(event.id)
        if refusal is None:
            state = enact(_adopt(state, before, event), event)
            continue
        culprit = refusal.culprit
        if culprit is not None and culprit in positions and culprit not in known:
            unknown_fate[event.id] = culprit
            continue
        state = void(state, event, refusal)
    happened = [e.id for e in trajectory.events if e.at <= at and e.id not in known]
    return View(
        party=party,
        at=at,
        state=state,
        known=tuple(event.id for _, _, event in learned),
        not_yet_known=tuple(happened),
        unknown_links=unknown_links,
        unknown_fate=unknown_fate,
    )


def _example_actor(trajectory: Trajectory) -> str:
    """`` (north_president acts for north)``, from the log's own first compound actor id."""
    for event in trajectory.events:
        for actor in event.actors:
            if "_" in actor:
                return f" ({actor} acts for {actor.split('_', 1)[0]})"
    return ""


def view_at(trajectory: Trajectory, party: str, at: datetime | str) -> View:
    """:func:`view_of` at a time or just after an event (its id), for a party of the log: one
    its manifest lists or one that acts or is addressed (else ``unknown-party``)."""
    parties = tuple(dict.fromkeys((*trajectory.scenario.party_ids, *parties_in(trajectory))))
    if party not in parties:
        raise SimError(
            what=f"unknown party {party!r}",
            expected="one of " + ", ".join(parties),
            hint=did_you_mean(party, parties)
            or "a party is the first part of an actor id" + _example_actor(trajectory),
            code="unknown-party",
        )
    moment = trajectory.events[trajectory.index(at)].at if isinstance(at, str) else at
    return view_of(trajectory, party, moment)

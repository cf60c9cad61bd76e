"""Analysis of trajectories: milestones, outcome, the diff of two, explanations, knowledge.

Pure functions over :class:`sim.fold.Trajectory`; no I/O.  ``diff`` compares a what-if with its
base; ``explain`` walks the ``causes`` behind a milestone reached, or down to the first voided
link behind one missed; ``known_by`` picks the events a party had heard of by a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from attrs import frozen

from sim.events import Event
from sim.fold import Outcome, Trajectory, Voided, shared_tail
from sim.parties import parties_of
from sim.rules import GUARDS
from sim.state import NegotiationState

__all__ = [
    "MILESTONES",
    "PUBLIC_KINDS",
    "Diff",
    "EventMove",
    "Explanation",
    "Link",
    "MilestoneMove",
    "changes",
    "concluding_event",
    "diff",
    "explain",
    "known_by",
    "learned_at",
    "milestone_events",
    "milestone_names",
    "milestone_times",
]

MILESTONES: Final[tuple[str, ...]] = (
    "first_contact",
    "cell_formed",
    "first_release",
    "conditional_offer",
    "ground_invasion",
    "framework_agreed",
    "talks_suspended",
    "talks_resumed",
    "final_text_review",
    "hamas_accepts_in_principle",
    "war_cabinet_agrees",
    "final_offer",
    "hamas_green_light",
    "cabinet_approval",
    "announcement",
)
"""The milestones of the November 2023 deal, in the order the record reaches them."""
_RANK: Final = {name: rank for rank, name in enumerate(MILESTONES)}


def milestone_names(*trajectories: Trajectory) -> tuple[str, ...]:
    """The canonical milestones, then any other milestone an event of these trajectories names."""
    names = list(MILESTONES)
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
    for name, channel in after.channels.items():
        if name not in before.channels:
            said.append(f"channel {name} opened ({', '.join(channel)})")
    for area, ids in after.blackouts.items():
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
    for key, offer in after.offers.items():
        old = before.offers.get(key)
        if old is None:
            said.append(f"text {offer.text} on the table")
        elif old.status != offer.status and offer.status == "lapsed":
            said.append(f"offer {key} lapsed")
    for name, condition in after.conditions.items():
        old_condition = before.conditions.get(name)
        if old_condition is None or old_condition.status != condition.status:
            said.append(f"condition {name} {condition.status}")
    for key, approval in after.approvals.items():
        old_approval = before.approvals.get(key)
        if old_approval is None:
            said.append(f"approval by {approval.body} bound to text {approval.text}")
        elif old_approval.status != approval.status:
            said.append(f"approval by {approval.body} of text {approval.text} {approval.status}")
    for captor, captives in after.captives.items():
        old_captives = before.captives.get(captor)
        released = captives.released - (old_captives.released if old_captives else 0)
        if released:
            said.append(f"{released} released by {captor} ({captives.released} in all)")
    for operation, posture in after.posture.items():
        old_posture = before.posture.get(operation)
        if old_posture is None or old_posture.phase != posture.phase:
            said.append(f"{operation.replace('_', ' ')} {posture.phase}")
    if after.concluded_at is not None and before.concluded_at is None:
        said.append(f"deal concluded on text {after.concluded_text}")
    return tuple(said)


# ------------------------------------------------------------------------------------ diff


@frozen(kw_only=True)
class MilestoneMove:
    """A milestone reached at another time (``None``: not reached) in the second trajectory."""

    name: str
    before: datetime | None
    after: datetime | None


@frozen(kw_only=True)
class EventMove:
    """An event that happens at another time in the second trajectory."""

    id: str
    before: datetime
    after: datetime


@frozen(kw_only=True)
class Diff:
    """What changed from one trajectory (``before``) to another (``after``)."""

    milestones: tuple[MilestoneMove, ...]
    voided: tuple[Voided, ...]
    """Events voided in ``after`` that were in effect (or absent, or voided otherwise) before."""
    restored: tuple[str, ...]
    """Events voided before that take effect in ``after``."""
    moved: tuple[EventMove, ...]
    removed: tuple[str, ...]
    inserted: tuple[str, ...]
    before: Outcome
    after: Outcome

    @property
    def outcome_changed(self) -> bool:
        """Whether the deal's conclusion, time or text differs."""
        b, a = self.before, self.after
        return (b.concluded, b.concluded_at, b.text) != (a.concluded, a.concluded_at, a.text)

    @property
    def empty(self) -> bool:
        """Whether nothing at all changed."""
        return not (
            self.milestones
            or self.voided
            or self.restored
            or self.moved
            or self.removed
            or self.inserted
            or self.outcome_changed
        )

    def _repr_html_(self) -> str:
        """Jupyter's view (built by the notebook edge, :mod:`sim.render.notebook`)."""
        from sim.render.notebook import diff_html  # noqa: PLC0415 (an edge, loaded on use)

        return diff_html(self)


def diff(before: Trajectory, after: Trajectory, *, same_before: int = 0) -> Diff:
    """Compare two trajectories: milestones moved, events voided, restored, moved, the outcome.

    ``same_before`` says the first that many events and states are known to be the same in
    both (a what-if and its base), so only the rest is compared.  Where both end in the same
    state object (a what-if that rejoined its base, see :func:`sim.fold.resume`), the events
    they end with alike (the very same objects) are skipped too: each is at the same time in
    both and, the final state being one, voided alike.
    """
    tail = 0
    if before.final is after.final:
        tail = shared_tail(before.events[same_before:], after.events[same_before:])
    old_events = before.events[same_before : len(before.events) - tail]
    new_events = after.events[same_before : len(after.events) - tail]
    old_at = {e.id: e.at for e in old_events}
    old_void = before.final.voided
    new_void = after.final.voided
    voided: list[Voided] = []
    restored: list[str] = []
    moved: list[EventMove] = []
    inserted: list[str] = []
    for event in new_events:  # one pass: these are most of a what-if's cost of comparing
        key = event.id
        reason = new_void.get(key)
        if reason is not None:
            if old_void.get(key) != reason:
                voided.append(Voided(id=key, reason=reason))
        elif key in old_void:
            restored.append(key)
        was = old_at.get(key)
        if was is None:
            inserted.append(key)
        elif was != event.at:
            moved.append(EventMove(id=key, before=was, after=event.at))
    new_ids = {e.id for e in new_events}
    reached_before, reached_after = before.milestones, after.milestones
    changed = set()
    if reached_before is not reached_after:
        for name, at in reached_after.items():
            if reached_before.get(name) != at:
                changed.add(name)
        changed.update(name for name in reached_before if name not in reached_after)
    if changed.difference(MILESTONES):  # names no canonical one covers: the events' order
        order = [name for name in milestone_names(before, after) if name in changed]
    else:
        order = sorted(changed, key=_RANK.__getitem__)
    milestones = tuple(
        MilestoneMove(name=name, before=reached_before.get(name), after=reached_after.get(name))
        for name in order
    )
    outcome = before.outcome
    return Diff(
        milestones=milestones,
        voided=tuple(voided),
        restored=tuple(restored),
        moved=tuple(moved),
        removed=tuple(e.id for e in old_events if e.id not in new_ids),
        inserted=tuple(inserted),
        before=outcome,
        after=outcome if before.final is after.final else after.outcome,
    )


# ------------------------------------------------------------------------------------ explain


@frozen(kw_only=True)
class Link:
    """One event of an explanation: what it is, whether it took effect, and why (not)."""

    id: str
    kind: str
    at: datetime
    summary: str
    voided: str | None = None
    """The reason it could not take effect, or ``None`` if it did."""
    guards: tuple[str, ...] = ()
    """The rules it had to pass (passed, or the first that stopped it last)."""
    blame: str | None = None
    """What brought about the state that stopped it, in words."""


@frozen(kw_only=True)
class Explanation:
    """Why a milestone was reached (its chain of causes) or missed (the first voided link)."""

    milestone: str
    reached: bool
    at: datetime | None
    verdict: str
    """One sentence: reached when and by what, or missed and why."""
    chain: tuple[Link, ...]
    """Reached: the event and everything it rests on, in log order.  Missed: from the event
    that would have reached it down to the first voided link (the root)."""


def _guard_names(event: Event) -> tuple[str, ...]:
    names = ["causes in effect and delivered"] if event.causes else []
    names.extend(g.__name__.replace("_", " ") for g in GUARDS[event.kind])
    return tuple(names)


def _link(trajectory: Trajectory, index: int, notes: Mapping[str, str]) -> Link:
    event = trajectory.events[index]
    reason = trajectory.final.voided.get(event.id)
    return Link(
        id=event.id,
        kind=event.kind,
        at=event.at,
        summary=event.summary or event.id,
        voided=reason,
        guards=_guard_names(event),
        blame=_blame(trajectory, index, reason, notes) if reason else None,
    )


def _who(trajectory: Trajectory, event_id: str | None) -> str:
    if event_id is None:
        return "an earlier event"
    try:
        event = trajectory.events[trajectory.index(event_id)]
    except KeyError:
        return event_id
    return f"{event_id} on {event.at:%Y-%m-%d %H:%M} ({event.summary or event.kind})"


def _blame(trajectory: Trajectory, index: int, reason: str, notes: Mapping[str, str]) -> str | None:
    """What put the state where the guard saw it, found by looking back along the trajectory."""
    event = trajectory.events[index]
    state = trajectory.states[index - 1] if index else trajectory.initial
    for cause in event.causes:
        if cause in reason and cause in notes:
            return f"{cause} was {notes[cause]}"
    if reason.startswith(("talks are", "there is no concluded deal")):
        for j in range(index - 1, -1, -1):
            previous = trajectory.states[j - 1] if j else trajectory.initial
            if trajectory.states[j].talks != previous.talks:
                was = trajectory.states[j].talks.replace("_", " ")
                return f"talks became {was} with {_who(trajectory, trajectory.events[j].id)}"
        return "talks never started: no contact opened them"
    if "lapsed" in reason or "breached" in reason:
        for condition in state.conditions.values():
            if condition.status == "breached" and condition.name in reason:
                return f"condition {condition.name} was breached by " + _who(
                    trajectory, condition.settled_by
                )
    if "superseded" in reason and state.current_offer is not None:
        return "the text on the table is " + _who(trajectory, state.current_offer.event)
    if "held up by the blackout" in reason:
        dark = [b for ids in state.blackouts.values() for b in ids]
        if dark:
            return "blackout in force: " + ", ".join(_who(trajectory, b) for b in dark)
    return None


def _voided_root(trajectory: Trajectory, index: int) -> list[int]:
    """From a voided event down its voided (or missing) causes to the first voided link."""
    voided = trajectory.final.voided
    path = [index]
    while True:
        event = trajectory.events[path[-1]]
        reason = voided.get(event.id, "")
        nxt = None
        for cause in event.causes:
            if cause in reason and cause in voided:
                nxt = trajectory.index(cause)
                break
        if nxt is None or nxt in path:
            return path
        path.append(nxt)


def explain(
    trajectory: Trajectory,
    milestone: str,
    *,
    notes: Mapping[str, str] | None = None,
    base: Trajectory | None = None,
) -> Explanation:
    """Why ``milestone`` was reached or missed in ``trajectory``.

    ``notes`` says what happened to some event ids (``"removed by [[intervention]] #1"``);
    ``base`` is the trajectory a what-if was derived from, to name the event that reached the
    milestone there when it is gone here.
    """
    notes = notes or {}
    reached = trajectory.milestones.get(milestone)
    voided = trajectory.final.voided
    naming = [i for i, e in enumerate(trajectory.events) if e.milestone == milestone]
    if reached is not None:
        index = next(
            i
            for i in naming
            if trajectory.events[i].at == reached and trajectory.events[i].id not in voided
        )
        wanted = _ancestors(trajectory, index)
        chain = tuple(_link(trajectory, i, notes) for i in sorted(wanted))
        event = trajectory.events[index]
        verdict = (
            f"{milestone} reached on {reached:%Y-%m-%d %H:%M} by {event.id}"
            f" ({event.summary or event.kind}), resting on {len(chain) - 1} earlier event(s)"
        )
        return Explanation(
            milestone=milestone, reached=True, at=reached, verdict=verdict, chain=chain
        )
    if not naming:
        verdict = f"no event of this log reaches {milestone}"
        if base is not None and milestone in base.milestones:
            gone = [e.id for e in base.events if e.milestone == milestone]
            said = [f"{g} ({notes[g]})" if g in notes else g for g in gone]
            verdict += "; in the base it was reached by " + ", ".join(said)
        return Explanation(milestone=milestone, reached=False, at=None, verdict=verdict, chain=())
    first = naming[0]
    event = trajectory.events[first]
    if event.id not in voided:
        verdict = (
            f"{milestone} missed: {event.id} took effect, but its decision"
            f" {getattr(event, 'decision', '?')!s} is no green light (only an acceptance counts)"
        )
        link = _link(trajectory, first, notes)
        return Explanation(
            milestone=milestone, reached=False, at=None, verdict=verdict, chain=(link,)
        )
    path = _voided_root(trajectory, first)
    chain = tuple(_link(trajectory, i, notes) for i in path)
    root = chain[-1]
    verdict = f"{milestone} missed: {event.id} was voided"
    if len(chain) > 1:
        verdict += f" because its chain of causes broke at {root.id}"
    verdict += f"; {root.id} could not take effect: {root.voided}"
    if root.blame:
        verdict += f" ({root.blame})"
    return Explanation(milestone=milestone, reached=False, at=None, verdict=verdict, chain=chain)


def _ancestors(trajectory: Trajectory, index: int) -> set[int]:
    found = {index}
    stack = [index]
    while stack:
        event = trajectory.events[stack.pop()]
        for cause in event.causes:
            try:
                j = trajectory.index(cause)
            except KeyError:
                continue
            if j not in found:
                found.add(j)
                stack.append(j)
    return found


# ------------------------------------------------------------------------------------ knowledge

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

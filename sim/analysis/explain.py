"""Why a milestone was reached (the chain of events behind it) or missed (where it broke).

Explanations read the structured refusals the rules recorded (:class:`~sim.state.Refusal`: the
rule, the event that put the barrier there, what the rule is about) and the scheduler's records
of waits and holds; they never parse the words of a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from attrs import frozen

from sim.analysis.diff import _barrier_words, delays
from sim.analysis.milestones import concluding_event
from sim.events import Event
from sim.fold import Trajectory
from sim.rules import GUARDS
from sim.state import Refusal
from sim.times import Zone, format_span, show_dated

__all__ = ["Explanation", "Link", "explain"]

_TALKS_RULES = frozenset(
    {"talks_active", "talks_open_or_suspended", "talks_suspended_now", "deal_concluded"}
)
_BREACH_RULES = frozenset(
    {"conditions_not_breached", "condition_not_breached", "assured_conditions_known"}
)


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
    refusal: Refusal | None = None
    """The refusal that voided it, as the rules recorded it."""
    waited: tuple[str, ...] = ()
    """Why it happened when it did, where it waited or followed a moved event (in words)."""
    precision: str = "exact"
    """How precisely the record dates it (``exact``, ``day``, ``approx``): how to show ``at``."""


@frozen(kw_only=True)
class Explanation:
    """Why a milestone was reached (its chain of causes) or missed (the first voided link)."""

    milestone: str
    reached: bool
    at: datetime | None
    verdict: str
    """One sentence: reached when and by what, or missed and why."""
    chain: tuple[Link, ...]
    """Reached: the event and everything it rests on, in order.  Missed: from the event that
    would have reached it down to the first voided link (the root)."""


def _guard_names(event: Event) -> tuple[str, ...]:
    names = []
    if event.requires:
        names.append("what it requires took effect")
    if event.answers:
        names.append("what it answers arrived")
    names.extend(g.__name__.replace("_", " ") for g in GUARDS[event.kind])
    return tuple(names)


def _who(
    trajectory: Trajectory, event_id: str | None, notes: Mapping[str, str], zone: Zone = UTC
) -> str:
    if event_id is None:
        return "an earlier event"
    if event_id in notes and notes[event_id].startswith("removed"):
        return f"{event_id} ({notes[event_id]})"
    try:
        event = trajectory.events[trajectory.index(event_id)]
    except KeyError:
        return event_id
    dated = show_dated(event.at, event.precision, zone)
    return f"{event_id} on {dated} ({event.summary or event.kind})"


def blame(  # noqa: PLR0915 (one case per rule, as the refusals read)
    trajectory: Trajectory, refusal: Refusal, notes: Mapping[str, str], zone: Zone = UTC
) -> str | None:
    """What put the barrier in the way, in words, from the refusal's fields (times in
    ``zone``)."""
    rule, culprit, subject = refusal.rule, refusal.culprit, refusal.subject
    voided = trajectory.final.voided
    said: str | None = None
    if rule in ("requires", "answers") and culprit is not None:
        response = trajectory.final.responses.get(culprit)
        if culprit in voided:
            said = f"{culprit} was voided: {voided[culprit].text}"
            if culprit in notes:
                said += f" ({notes[culprit]})"
        elif response is not None:  # it took effect, with another decision than asked
            said = f"{culprit} was {response.decision.replace('_', ' ')}"
            if culprit in notes:
                said += f" ({notes[culprit]})"
        elif culprit in notes:
            said = f"{culprit} was {notes[culprit]}"
    elif rule in _TALKS_RULES:
        if culprit is None:
            said = "talks never started: no contact opened them"
        else:
            status = trajectory.final.talks.replace("_", " ")
            for event, state in zip(trajectory.events, trajectory.states, strict=True):
                if event.id == culprit:
                    status = state.talks.replace("_", " ")
                    break
            said = f"talks became {status} with {_who(trajectory, culprit, notes, zone)}"
    elif rule in _BREACH_RULES or rule == "offer_current":
        condition = subject is not None and subject in trajectory.final.conditions
        if culprit is not None and rule == "offer_current" and not condition:
            if culprit != subject:  # superseded by the offer on the table
                said = "the text on the table is " + _who(trajectory, culprit, notes, zone)
        elif culprit is not None:
            said = f"condition {subject} was breached by {_who(trajectory, culprit, notes, zone)}"
    elif rule == "resume_conditions_settled" and subject is not None:
        said = f"condition {subject} was never met"
        if culprit is not None:
            said += f" (talks suspended by {_who(trajectory, culprit, notes, zone)})"
    elif rule == "approves_current_text" and culprit is not None:
        if subject is not None and subject in trajectory.final.conditions:
            said = f"condition {subject} was breached by {_who(trajectory, culprit, notes, zone)}"
        else:
            said = "the text on the table is " + _who(trajectory, culprit, notes, zone)
    elif rule == "deal_collapsed" and culprit is not None:
        said = f"the deal collapsed with {_who(trajectory, culprit, notes, zone)}"
    elif rule == "deal_lets_release" and subject is not None:
        said = f"the deal's condition {subject} was never met"
    if refusal.waited is not None:
        barrier = _barrier_of(refusal)
        waited = f"it waited {format_span(refusal.waited)} for " + _barrier_words(
            barrier, refusal.text
        )
        said = f"{waited}; {said}" if said else waited
        for lifter in _lifters(trajectory, barrier):
            reason = voided[lifter.id]
            why = blame(trajectory, reason, notes, zone) if reason.waited is None else None
            said += f"; {lifter.id} could not lift it: {reason.text}" + (f" ({why})" if why else "")
    return said


def _lifters(trajectory: Trajectory, barrier: str | None) -> list[Event]:
    """The voided events of ``trajectory`` that would have lifted ``barrier``."""
    voided = trajectory.final.voided
    kind, _, name = (barrier or "").partition(":")

    def lifts(event: Event) -> bool:
        if kind == "talks":
            return event.kind in ("talks_resumed", "contact")
        if kind == "condition":
            return name in getattr(event, "meets", ())
        if kind == "text":
            return event.kind == "offer" and getattr(event, "text", None) == name
        return kind == "offer" and event.id == name

    return [event for event in trajectory.events if event.id in voided and lifts(event)]


def _barrier_of(refusal: Refusal) -> str | None:
    """The barrier a patience refusal waited on (its rule and subject say which)."""
    if refusal.rule in _TALKS_RULES:
        return "deal" if refusal.rule == "deal_concluded" else "talks"
    if refusal.rule == "approves_current_text":
        return f"text:{refusal.subject}"
    if refusal.rule == "offer_current":
        return f"offer:{refusal.subject}"
    if refusal.subject is not None:
        return f"condition:{refusal.subject}"
    return None


def _link(trajectory: Trajectory, index: int, notes: Mapping[str, str], zone: Zone = UTC) -> Link:
    event = trajectory.events[index]
    refusal = trajectory.final.voided.get(event.id)
    timing = tuple(d.text for d in delays(trajectory, event.id, origins=notes))
    return Link(
        id=event.id,
        kind=event.kind,
        at=event.at,
        summary=event.summary or event.id,
        voided=refusal.text if refusal else None,
        guards=_guard_names(event),
        blame=blame(trajectory, refusal, notes, zone) if refusal else None,
        refusal=refusal,
        waited=timing,
        precision=event.precision,
    )


def _voided_root(trajectory: Trajectory, index: int) -> list[int]:
    """From a voided event down the links that voided it to the first voided link."""
    voided = trajectory.final.voided
    path = [index]
    while True:
        refusal = voided.get(trajectory.events[path[-1]].id)
        culprit = refusal.culprit if refusal is not None else None
        if refusal is None or refusal.rule not in ("requires", "answers") or culprit is None:
            return path
        if culprit not in voided:
            return path
        nxt = trajectory.index(culprit)
        if nxt in path:
            return path
        path.append(nxt)


def explain(
    trajectory: Trajectory,
    milestone: str,
    *,
    notes: Mapping[str, str] | None = None,
    base: Trajectory | None = None,
    zone: Zone = UTC,
) -> Explanation:
    """Why ``milestone`` was reached or missed in ``trajectory``.

    ``notes`` says what happened to some event ids (``"removed by [[intervention]] #1"``);
    ``base`` is the trajectory a what-if was derived from, to name the event that reached the
    milestone there when it is gone here.  The sentences give times in ``zone`` (``None``: each in
    the offset it was recorded with), labelled.
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
        chain = tuple(_link(trajectory, i, notes, zone) for i in sorted(wanted))
        event = trajectory.events[index]
        verdict = (
            f"{milestone} reached on {show_dated(reached, event.precision, zone)} by {event.id}"
            f" ({event.summary or event.kind}), resting on {len(chain) - 1} earlier event(s)"
        )
        late = [t for link in chain if link.id == event.id for t in link.waited]
        if late:
            verdict += "; " + "; ".join(late)
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
        link = _link(trajectory, first, notes, zone)
        return Explanation(
            milestone=milestone, reached=False, at=None, verdict=verdict, chain=(link,)
        )
    path = _voided_root(trajectory, first)
    chain = tuple(_link(trajectory, i, notes, zone) for i in path)
    root = chain[-1]
    verdict = f"{milestone} missed: {event.id} was voided"
    if len(chain) > 1:
        verdict += f" because its chain of links broke at {root.id}"
    verdict += f"; {root.id} could not take effect: {root.voided}"
    if root.blame:
        verdict += f" ({root.blame})"
    return Explanation(milestone=milestone, reached=False, at=None, verdict=verdict, chain=chain)


def _ancestors(trajectory: Trajectory, index: int) -> set[int]:
    found = {index}
    stack = [index]
    positions = {e.id: i for i, e in enumerate(trajectory.events)}
    while stack:
        event = trajectory.events[stack.pop()]
        for cause in event.causes:
            j = positions.get(cause)
            if j is not None and j not in found:
                found.add(j)
                stack.append(j)
    return found


def explained_milestone(trajectory: Trajectory, base: Trajectory | None = None) -> str | None:
    """The milestone that decides the deal's outcome: the one the concluding event reached
    (in ``trajectory``, or in ``base`` for a what-if that did not conclude)."""
    for each in (trajectory, base):
        event = concluding_event(each) if each is not None else None
        if event is not None and event.milestone is not None:
            return event.milestone
    return None

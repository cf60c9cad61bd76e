"""The diff of two trajectories, and why each moved event happens when it does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import cached_property, partial
from typing import Any, Literal

import attrs
from attrs import frozen

from sim.analysis.milestones import milestone_names
from sim.events import Event
from sim.fold import Outcome, Trajectory, Voided, shared_tail
from sim.schedule import Plan
from sim.times import format_span

__all__ = [
    "Amended",
    "Delay",
    "Diff",
    "EventMove",
    "FieldChange",
    "MilestoneMove",
    "delays",
    "diff",
]


@frozen(kw_only=True)
class MilestoneMove:
    """A milestone reached at another time (``None``: not reached) in the second trajectory."""

    name: str
    before: datetime | None
    after: datetime | None


DelayCause = Literal["edited", "waited", "held", "follows"]


@frozen(kw_only=True)
class Delay:
    """One reason an event happens when it does in a what-if.

    ``edited``: an intervention moved, inserted or amended it (``text`` says which).
    ``waited``: it waited ``length`` at a barrier (``rule`` the guard, ``barrier`` what it
    waited on, ``culprit`` the event that put the barrier there).  ``held``: it answers
    ``link``, a message a blackout over ``barrier`` (an area; ``culprit`` the blackout) held up
    for ``length``.  ``follows``: it keeps its recorded lag behind ``link`` (``rule``: the
    link's type), which moved by ``length``.
    """

    # fields with defaults of None, alike in shape only to other records' (SimError's, a
    # party's in the manifest)
    id: str
    cause: DelayCause
    text: str
    link: str | None = None
    rule: str | None = None
    barrier: str | None = None
    culprit: str | None = None
    length: timedelta | None = None


Reasons = tuple[Delay, ...] | Callable[[], tuple[Delay, ...]]
"""A move's reasons, or how to find them when first asked."""


@frozen(kw_only=True, eq=False)
class EventMove:
    """An event that happens at another time in the second trajectory, and why.

    ``because`` may be given as a function: :func:`diff` passes one, so that a what-if whose
    reasons nobody reads (a study, a sweep) does not pay for them.  Equal moves have equal
    reasons."""

    id: str
    before: datetime
    after: datetime
    _reasons: Reasons = attrs.field(default=(), alias="because", repr=False)

    @cached_property
    def because(self) -> tuple[Delay, ...]:
        """Why it happens when it does: :func:`delays`, found on first use."""
        reasons = self._reasons
        return reasons if isinstance(reasons, tuple) else reasons()

    def _key(self) -> tuple[str, datetime, datetime, tuple[Delay, ...]]:
        return (self.id, self.before, self.after, self.because)

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, EventMove) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"EventMove(id={self.id!r}, before={self.before!r}, after={self.after!r},"
            f" because={self.because!r})"
        )


@frozen(kw_only=True)
class FieldChange:
    """One field an amend changed: its value before and after."""

    field: str
    before: Any
    after: Any


@frozen(kw_only=True)
class Amended:
    """An event an intervention amended, field by field."""

    id: str
    changes: tuple[FieldChange, ...]


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
    amended: tuple[Amended, ...] = ()

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
            or self.amended
            or self.outcome_changed
        )

    def _repr_html_(self) -> str:
        """Jupyter's view (built by the notebook edge, :mod:`sim.render.notebook`)."""
        from sim.render.notebook import diff_html  # noqa: PLC0415 (an edge, loaded on use)

        return diff_html(self)


def diff(
    before: Trajectory,
    after: Trajectory,
    *,
    same_before: int = 0,
    same_after: int | None = None,
    amended: Mapping[str, Event] | None = None,
    recorded: Plan | None = None,
    origins: Mapping[str, str] | None = None,
) -> Diff:
    """Compare two trajectories: milestones moved, events voided, restored, moved, the outcome.

    ``same_before`` says the first that many events and states are known to be the same in
    both (a what-if and its base), so only the rest is compared.  Where both end in the same
    state object (a what-if that rejoined its base), the events they end with alike (the very
    same objects; ``same_after`` says how many, when the caller knows) are skipped too: each
    is at the same time in both and, the final state being one, voided alike.  ``amended``
    holds a what-if's amended events (compared with ``recorded``, its base's log, field by
    field); ``origins`` says what the interventions did to each event, for the reasons events
    moved.
    """
    tail = 0
    if before.final is after.final:
        tail = (
            shared_tail(before.events[same_before:], after.events[same_before:])
            if same_after is None
            else same_after
        )
    old_events = before.events[same_before : len(before.events) - tail]
    new_events = after.events[same_before : len(after.events) - tail]
    old_at = {e.id: e.at for e in old_events}
    old_void = before.final.voided
    new_void = after.final.voided
    voided: list[Voided] = []
    restored: list[str] = []
    moved: list[EventMove] = []
    inserted: list[str] = []
    shifts: dict[str, timedelta] = {}  # every event that moved, voided ones too: links follow them
    for event in new_events:  # one pass: these are most of a what-if's cost of comparing
        key = event.id
        refusal = new_void.get(key)
        if refusal is not None:
            if old_void.get(key) != refusal:
                voided.append(Voided(id=key, reason=refusal.text, refusal=refusal))
        elif key in old_void:
            restored.append(key)
        was = old_at.get(key)
        if was is None:
            inserted.append(key)
        elif was != event.at:
            shifts[key] = event.at - was
            if refusal is None:  # a voided event is listed as voided
                moved.append(EventMove(id=key, before=was, after=event.at))
    if moved:
        moved = [
            EventMove(
                id=m.id,
                before=m.before,
                after=m.after,
                because=partial(delays, after, m.id, shifts=shifts, origins=origins or {}),
            )
            for m in moved
        ]
    new_ids = {e.id for e in new_events}
    reached_before, reached_after = before.milestones, after.milestones
    changed = set()
    if reached_before is not reached_after:
        for name, at in reached_after.items():
            if reached_before.get(name) != at:
                changed.add(name)
        changed.update(name for name in reached_before if name not in reached_after)
    order = [name for name in before.scenario.milestone_names if name in changed]
    if len(order) < len(changed):  # one the manifest does not list: ordered by the events too
        order = [name for name in milestone_names(before, after) if name in changed]
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
        amended=_amendments(amended or {}, recorded),
    )


def _amendments(amended: Mapping[str, Event], recorded: Plan | None) -> tuple[Amended, ...]:
    if recorded is None:
        return ()
    found: list[Amended] = []
    for ident, event in amended.items():
        slot = recorded.index.get(ident)
        if slot is None:
            continue
        old = recorded.log.events[slot]
        changes = tuple(
            FieldChange(field=f.name, before=getattr(old, f.name), after=getattr(event, f.name))
            for f in attrs.fields(type(event))
            if f.init and getattr(old, f.name, None) != getattr(event, f.name)
        )
        found.append(Amended(id=ident, changes=changes))
    return tuple(found)


# ------------------------------------------------------------------------------------ why


def _barrier_words(barrier: str | None, never: str) -> str:
    if barrier is None:
        return "a barrier"
    if barrier == "talks":
        return "talks to start" if "started" in never else "talks to resume"
    if barrier == "deal":
        return "the deal to be concluded"
    kind, _, name = barrier.partition(":")
    if kind == "condition":
        return f"condition {name}"
    if kind == "text":
        return f"text {name} to be tabled"
    if kind == "offer":
        return f"offer {name} to be made"
    return barrier


def delays(
    trajectory: Trajectory,
    event_id: str,
    *,
    shifts: Mapping[str, timedelta] | None = None,
    origins: Mapping[str, str] | None = None,
) -> tuple[Delay, ...]:
    """Why ``event_id`` happens when it does in ``trajectory``: the chain of edits, waits at
    barriers, blackouts that held what it answers, and links it follows, from the event back.

    ``shifts`` gives how far each moved event moved (from the diff), ``origins`` what the
    interventions did to each event.  Read from the scheduler's records
    (:attr:`~sim.fold.Trajectory.timings`, ``waits``, ``holds``), never from words.
    """
    shifts = shifts or {}
    origins = origins or {}
    steps: list[Delay] = []
    ident: str | None = event_id
    visited: set[str] = set()
    while ident is not None and ident not in visited:
        visited.add(ident)
        origin = origins.get(ident)
        if origin is not None and not origin.startswith("removed"):
            steps.append(Delay(id=ident, cause="edited", text=f"{ident} was {origin}"))
        wait = trajectory.waits.get(ident)
        if wait is not None and wait.took_effect:
            refusal = wait.refusal
            said = _barrier_words(refusal.barrier, refusal.never)
            culprit = f" ({refusal.culprit})" if refusal.culprit else ""
            steps.append(
                Delay(
                    id=ident,
                    cause="waited",
                    text=f"{ident} waited {format_span(wait.length)} for {said}{culprit}",
                    rule=refusal.rule,
                    barrier=refusal.barrier,
                    culprit=refusal.culprit,
                    length=wait.length,
                )
            )
        timing = trajectory.timings.get(ident)
        if timing is None or timing.link is None:
            break
        link, via = timing.link, timing.via
        hold = trajectory.holds.get(link) if via == "answers" else None
        if hold is not None and hold.until is not None:
            length = hold.until - hold.since
            blackouts = ", ".join(hold.blackouts)
            steps.append(
                Delay(
                    id=ident,
                    cause="held",
                    text=(
                        f"{ident} waited for the {hold.area} blackout ({blackouts}): {link}, which"
                        f" it answers, was held up {format_span(length)}"
                    ),
                    link=link,
                    rule=via,
                    barrier=hold.area,
                    culprit=hold.blackouts[-1] if hold.blackouts else None,
                    length=length,
                )
            )
        shift = shifts.get(link)
        if shift is not None:
            sign = "later" if shift > timedelta(0) else "earlier"
            steps.append(
                Delay(
                    id=ident,
                    cause="follows",
                    text=f"{ident} keeps its lag behind {link} ({via}), which moved "
                    f"{format_span(abs(shift))} {sign}",
                    link=link,
                    rule=via,
                    length=shift,
                )
            )
            ident = link
            continue
        break
    return tuple(steps)

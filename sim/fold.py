"""Replay and time travel: the log scheduled and folded, event by event, into a trajectory.

``replay`` runs the scheduler (:mod:`sim.schedule`) over a log: a left fold of
:func:`sim.rules.attempt` over the events in their order, except that an event meeting a
temporary barrier waits for it (and what is linked to it waits too), and an event answering a
message waits until the message arrives.  For a record consistent with the rules nothing waits,
and the replay is the plain fold.  The result, a :class:`Trajectory`, keeps the state after
every event, so asking for the state at an event, an index or a date costs a lookup.

Snapshots serve the other case, a late state of a long log without the trajectory at hand:
``take_snapshots`` keeps every n-th state keyed by the hash of the log prefix it closes and the
reducer version, and ``state_at`` runs only the events after the nearest snapshot.  Changed
reducers change the version, so a stale snapshot is never reused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

import attrs
from attrs import field, frozen

from sim._fast import cyclic_gc_paused  # also re-exported: sim.store imports it from here
from sim.events import Event, Terms
from sim.log import Log
from sim.manifest import Manifest, derive
from sim.rules import REDUCER_VERSION
from sim.schedule import DEFAULT_PATIENCE, Hold, Run, Timing, Wait, run
from sim.state import EMPTY, NegotiationState, Refusal

__all__ = [
    "Log",
    "Outcome",
    "SnapshotKey",
    "Trajectory",
    "Voided",
    "cyclic_gc_paused",
    "replay",
    "shared_tail",
    "state_at",
    "take_snapshots",
]

SnapshotKey = tuple[str, str]
"""(hash of the log prefix, reducer version)."""

_NONE: Final[Mapping[str, Any]] = {}


@frozen(kw_only=True)
class Voided:
    """An event that could not take effect, and why (``reason`` is the refusal in words)."""

    id: str
    reason: str
    refusal: Refusal | None = field(default=None, eq=False)


@frozen(kw_only=True)
class Outcome:
    """Whether the deal was concluded, when, and on which text and terms."""

    concluded: bool
    concluded_at: datetime | None = None
    text: str | None = None
    terms: Terms | None = None

    def _repr_html_(self) -> str:
        """Jupyter's view (built by the notebook edge, :mod:`sim.render.notebook`)."""
        from sim.render.notebook import outcome_html  # noqa: PLC0415 (an edge, loaded on use)

        return outcome_html(self)


@frozen(kw_only=True, repr=False)
class Trajectory:
    """The states a log passes through: ``states[i]`` is the state after ``events[i]``.

    ``events`` are in the order they happened, at the times they happened: an event that waited,
    or that answers a message a blackout held up, is moved to its time.  ``waits`` says which
    events waited at a barrier (since when, until when, for what), ``holds`` which messages a
    blackout held up, ``timings`` how the time of each event the scheduler moved was found.
    """

    events: tuple[Event, ...]
    states: tuple[NegotiationState, ...] = field()
    initial: NegotiationState = EMPTY
    name: str = "log"
    waits: Mapping[str, Wait] = field(factory=dict)
    holds: Mapping[str, Hold] = field(factory=dict)
    timings: Mapping[str, Timing] = field(factory=dict)
    busy: tuple[int, ...] = ()
    """Positions after which something was still in flight (see :class:`sim.schedule.Run`)."""
    aligned: int = -1
    """How many leading events are the log's own, in its order, with nothing in flight after
    each (``-1``: all of them)."""
    patience: timedelta = DEFAULT_PATIENCE
    recorded: tuple[Event, ...] = ()
    """The log in its recorded order, kept where it differs from :attr:`events`."""
    manifest: Manifest | None = None
    """The scenario's manifest, where its log has one (see :attr:`scenario`)."""
    _scenario: Manifest | None = field(default=None, init=False, eq=False, repr=False)
    """:attr:`scenario`, once read (a trajectory never changes)."""
    _outcome: Outcome | None = field(default=None, init=False, eq=False, repr=False)
    """:attr:`outcome`, once read."""

    @states.validator
    def _one_state_per_event(self, _attribute: object, value: tuple[object, ...]) -> None:
        if len(value) != len(self.events):
            msg = f"a trajectory needs one state per event: {len(self.events)} != {len(value)}"
            raise ValueError(msg)

    @property
    def scenario(self) -> Manifest:
        """Who the parties are and which milestones count: the log's manifest completed with
        any party it does not list, else one derived from the events (see :mod:`sim.manifest`).
        """
        if self._scenario is None:
            found = (
                self.manifest.completed(self.events)
                if self.manifest is not None
                else derive(self.events)
            )
            object.__setattr__(self, "_scenario", found)
            return found
        return self._scenario

    @property
    def final(self) -> NegotiationState:
        """The state after the last event."""
        return self.states[-1] if self.states else self.initial

    @property
    def voided(self) -> tuple[Voided, ...]:
        """The events that could not take effect, in order, with their refusals."""
        reasons = self.final.voided
        return tuple(
            Voided(id=e.id, reason=reasons[e.id].text, refusal=reasons[e.id])
            for e in self.events
            if e.id in reasons
        )

    @property
    def milestones(self) -> Mapping[str, datetime]:
        """Milestones reached, by name, with the time each was reached."""
        return self.final.milestones

    @property
    def outcome(self) -> Outcome:
        """The outcome at the end of the log."""
        found = self._outcome
        if found is not None:
            return found
        final = self.final
        if final.concluded_at is None:
            found = Outcome(concluded=False)
        else:
            offer = next((o for o in final.offers.values() if o.text == final.concluded_text), None)
            found = Outcome(
                concluded=True,
                concluded_at=final.concluded_at,
                text=final.concluded_text,
                terms=offer.terms if offer else None,
            )
        object.__setattr__(self, "_outcome", found)
        return found

    @property
    def quiet(self) -> frozenset[int]:
        """Positions after which nothing was in flight is the complement of :attr:`busy`."""
        return frozenset(range(len(self.events))) - frozenset(self.busy)

    def took_effect(self, event_id: str) -> bool:
        """Whether ``event_id`` is in this trajectory and was not voided."""
        return any(e.id == event_id for e in self.events) and event_id not in self.final.voided

    def index(self, event_id: str) -> int:
        """The position of ``event_id``; ``KeyError`` if absent."""
        for i, event in enumerate(self.events):
            if event.id == event_id:
                return i
        raise KeyError(event_id)

    def state_at(self, when: datetime | date | int | str) -> NegotiationState:
        """The state after an event id, after the first ``n`` events (an int), or at a time."""
        n = _resolve(self, when)
        return self.states[n - 1] if n else self.initial

    def waiting_at(self, when: datetime) -> tuple[Wait, ...]:
        """The events waiting at a barrier at ``when``."""
        return tuple(w for w in self.waits.values() if w.since <= when < w.until)

    def extend(self, events: Sequence[Event]) -> Trajectory:
        """This trajectory continued with more events: the same as replaying the longer log.

        It runs again from the last point where this trajectory was its log's own prefix with
        nothing in flight (for a record consistent with the rules, its end).
        """
        keep = len(self.events) if self.aligned < 0 else self.aligned
        log = tuple(self.recorded or self.events) + tuple(events)
        return _replay(
            log,
            initial=self.initial,
            name=self.name,
            patience=self.patience,
            prefix=self if keep else None,
            keep=keep,
        )

    def to_frame(self) -> Any:
        """One row per event with the state after it, as a pandas DataFrame (extra ``frame``).

        See :func:`sim.render.notebook.trajectory_frame` for the columns.
        """
        from sim.render.notebook import trajectory_frame  # noqa: PLC0415 (pandas is optional)

        return trajectory_frame(self)

    def __repr__(self) -> str:
        """One line that names the size: the full view is :meth:`_repr_html_` (or ``.events``,
        ``.states``)."""
        outcome = self.outcome
        verdict = (
            f"concluded {outcome.concluded_at.isoformat()} on {outcome.text}"
            if outcome.concluded_at is not None
            else "not concluded"
        )
        return (
            f"<Trajectory {self.name!r}: {len(self.events)} events, "
            f"{len(self.final.voided)} voided, {len(self.milestones)} milestones, {verdict}>"
        )

    def _repr_html_(self) -> str:
        """Jupyter's view (built by the notebook edge, :mod:`sim.render.notebook`)."""
        from sim.render.notebook import trajectory_html  # noqa: PLC0415 (an edge, loaded on use)

        return trajectory_html(self)


def _end_of(when: datetime | date) -> datetime:
    if isinstance(when, datetime):
        if when.utcoffset() is None:
            msg = f"a time to travel to must be timezone-aware, got {when.isoformat()}"
            raise ValueError(msg)
        return when
    return datetime.combine(when, time.max, tzinfo=UTC)


def _resolve(trajectory: Trajectory | Log, when: datetime | date | int | str) -> int:
    """The number of leading events the point ``when`` includes."""
    if isinstance(when, bool):
        msg = "a point in a log is an event id, an index or a time, not a boolean"
        raise TypeError(msg)
    if isinstance(when, int):
        if not 0 <= when <= len(trajectory.events):
            msg = f"index {when} is outside the log (0 to {len(trajectory.events)})"
            raise IndexError(msg)
        return when
    if isinstance(when, str):
        return trajectory.index(when) + 1
    limit = _end_of(when)
    n = 0
    for event in trajectory.events:
        if event.at > limit:
            break
        n += 1
    return n


def shared_tail(old: Sequence[Event], new: Sequence[Event]) -> int:
    """How many events ``old`` and ``new`` end with alike (the very same objects)."""
    shared = 0
    limit = min(len(old), len(new))
    while shared < limit and old[-1 - shared] is new[-1 - shared]:
        shared += 1
    return shared


def trajectory_of(
    result: Run,
    *,
    initial: NegotiationState,
    name: str,
    patience: timedelta,
    recorded: tuple[Event, ...] = (),
    manifest: Manifest | None = None,
) -> Trajectory:
    """A :class:`Trajectory` of a scheduler's :class:`~sim.schedule.Run` of the log
    ``recorded``."""
    whole = result.aligned >= len(result.events)
    return Trajectory(
        events=result.events,
        states=result.states,
        initial=initial,
        name=name,
        waits=result.waits or _NONE,
        holds=result.holds or _NONE,
        timings=result.timings or _NONE,
        busy=result.busy,
        aligned=-1 if whole else result.aligned,
        patience=patience,
        recorded=() if whole else recorded,
        manifest=manifest,
    )


def replay(
    log: Log | Sequence[Event],
    *,
    initial: NegotiationState = EMPTY,
    patience: timedelta = DEFAULT_PATIENCE,
) -> Trajectory:
    """Schedule and fold every event of ``log`` into a :class:`Trajectory`.

    What cannot take effect is voided; what meets a temporary barrier waits for it, up to
    ``patience`` (or the event's own).

    >>> replay(load_log("scenarios/baseline")).outcome.concluded
    True
    """
    events = log.events if isinstance(log, Log) else tuple(log)
    name = log.name if isinstance(log, Log) else "log"
    trajectory = _replay(events, initial=initial, name=name, patience=patience)
    if isinstance(log, Log) and log.manifest is not None:
        return attrs.evolve(trajectory, manifest=log.manifest)
    return trajectory


def _replay(
    events: tuple[Event, ...],
    *,
    initial: NegotiationState,
    name: str,
    patience: timedelta,
    prefix: Trajectory | None = None,
    keep: int = 0,
) -> Trajectory:
    with cyclic_gc_paused():
        if prefix is None or keep == 0:
            result = run(events, initial=initial, patience=patience)
            return trajectory_of(
                result, initial=initial, name=name, patience=patience, recorded=events
            )
        kept = {e.id for e in events[:keep]}
        still = prefix.states[keep - 1].in_transit
        arrived = {
            h.id: h.until
            for h in prefix.holds.values()
            if h.until is not None and h.id in kept and h.id not in still
        }
        result = run(
            events,
            initial=prefix.states[keep - 1],
            patience=patience,
            start=keep,
            known=kept.__contains__,
            arrived=arrived,
            holds={k: v for k, v in prefix.holds.items() if k in kept},
        )
    merged = Run(
        events=tuple(prefix.events[:keep]) + result.events,
        states=tuple(prefix.states[:keep]) + result.states,
        waits={**{k: v for k, v in prefix.waits.items() if k in kept}, **result.waits},
        holds={**{k: v for k, v in prefix.holds.items() if k in kept}, **result.holds},
        timings={**{k: v for k, v in prefix.timings.items() if k in kept}, **result.timings},
        busy=tuple(i for i in prefix.busy if i < keep) + result.busy,
        aligned=result.aligned,
        first_change=keep,
    )
    return trajectory_of(merged, initial=initial, name=name, patience=patience, recorded=events)


def take_snapshots(
    trajectory: Trajectory, hashes: Sequence[str], *, every: int = 1024
) -> dict[SnapshotKey, NegotiationState]:
    """Every ``every``-th state of ``trajectory``, keyed by its prefix hash and reducer version.

    Only states that close a prefix of the log with nothing in flight are kept (for a record
    consistent with the rules, every one).
    """
    if len(hashes) != len(trajectory.events):
        msg = f"need one prefix hash per event: {len(hashes)} for {len(trajectory.events)} events"
        raise ValueError(msg)
    limit = len(trajectory.events) if trajectory.aligned < 0 else trajectory.aligned
    return {
        (hashes[i], REDUCER_VERSION): trajectory.states[i] for i in range(every - 1, limit, every)
    }


def state_at(
    log: Log | Trajectory,
    when: datetime | date | int | str,
    *,
    snapshots: Mapping[SnapshotKey, NegotiationState] | None = None,
    patience: timedelta = DEFAULT_PATIENCE,
) -> NegotiationState:
    """The state at a point of ``log``: after an event id, after ``n`` events, or at a time.

    A date means the end of that day (UTC).  With ``snapshots`` (from :func:`take_snapshots`),
    only the events after the nearest snapshot before that point are run.
    """
    if isinstance(log, Trajectory):
        return log.state_at(when)
    events = log.events
    n = _resolve(log, when)
    start, state = 0, EMPTY
    if snapshots and log.hashes:
        for i in range(n - 1, -1, -1):
            found = snapshots.get((log.hashes[i], REDUCER_VERSION))
            if found is not None:
                start, state = i + 1, found
                break
    if start == 0:
        return replay(log, patience=patience).state_at(when)
    kept = {e.id for e in events[:start]}
    result = run(events, initial=state, patience=patience, start=start, known=kept.__contains__)
    if isinstance(when, int):
        return result.states[when - start - 1] if when > start else state
    if isinstance(when, str):
        place = next(i for i, e in enumerate(result.events) if e.id == when)
        return result.states[place]
    limit = _end_of(when)
    count = sum(1 for e in result.events if e.at <= limit)
    return result.states[count - 1] if count else state

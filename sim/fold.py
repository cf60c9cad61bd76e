"""Replay and time travel: the log folded, event by event, into a trajectory of states.

``replay`` is a left fold of :func:`sim.rules.apply` over the events, in log order.  Beyond what
``apply`` checks, it voids an event whose causes are not in the log before it (an intervention
may have removed them).  The result, a :class:`Trajectory`, keeps the state after every event, so
asking for the state at an event, an index or a date costs a lookup.

Snapshots serve the other case, a late state of a long log without the trajectory at hand:
``take_snapshots`` keeps every n-th state keyed by the hash of the log prefix it closes and the
reducer version, and ``state_at`` folds only the events after the nearest snapshot.  Changed
reducers change the version, so a stale snapshot is never reused.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Any, Final, Protocol

import attrs
from attrs import field, frozen

from sim.events import Event, Terms
from sim.rules import REDUCER_VERSION, apply, void
from sim.state import EMPTY, NegotiationState

__all__ = [
    "Log",
    "Outcome",
    "SnapshotKey",
    "Trajectory",
    "Voided",
    "replay",
    "resume",
    "shared_tail",
    "state_at",
    "take_snapshots",
]

SnapshotKey = tuple[str, str]
"""(hash of the log prefix, reducer version)."""


@frozen(kw_only=True)
class Log:
    """A log: its events in recorded order, a name, and the chain hash after each line.

    ``hashes`` is empty for logs built in memory; the codec fills it for logs read from disk.
    """

    events: tuple[Event, ...]
    name: str = "log"
    hashes: tuple[str, ...] = ()
    source: str | None = None
    """Where it was read from, if anywhere."""

    def __len__(self) -> int:
        return len(self.events)

    def __repr__(self) -> str:
        return f"<Log {self.name!r}: {len(self.events)} events>"

    def index(self, event_id: str) -> int:
        """The position of ``event_id``; ``KeyError`` if absent."""
        for i, event in enumerate(self.events):
            if event.id == event_id:
                return i
        raise KeyError(event_id)


@frozen(kw_only=True)
class Voided:
    """An event that could not take effect, and why."""

    id: str
    reason: str


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


@frozen(kw_only=True)
class Trajectory:
    """The states a log passes through: ``states[i]`` is the state after ``events[i]``."""

    events: tuple[Event, ...]
    states: tuple[NegotiationState, ...] = field()
    initial: NegotiationState = EMPTY
    name: str = "log"

    @states.validator
    def _one_state_per_event(self, _attribute: object, value: tuple[object, ...]) -> None:
        if len(value) != len(self.events):
            msg = f"a trajectory needs one state per event: {len(self.events)} != {len(value)}"
            raise ValueError(msg)

    @property
    def final(self) -> NegotiationState:
        """The state after the last event."""
        return self.states[-1] if self.states else self.initial

    @property
    def voided(self) -> tuple[Voided, ...]:
        """The events that could not take effect, in log order, with their reasons."""
        reasons = self.final.voided
        return tuple(Voided(id=e.id, reason=reasons[e.id]) for e in self.events if e.id in reasons)

    @property
    def milestones(self) -> Mapping[str, datetime]:
        """Milestones reached, by name, with the time each was reached."""
        return self.final.milestones

    @property
    def outcome(self) -> Outcome:
        """The outcome at the end of the log."""
        final = self.final
        if final.concluded_at is None:
            return Outcome(concluded=False)
        offer = next((o for o in final.offers.values() if o.text == final.concluded_text), None)
        return Outcome(
            concluded=True,
            concluded_at=final.concluded_at,
            text=final.concluded_text,
            terms=offer.terms if offer else None,
        )

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

    def extend(self, events: Iterable[Event]) -> Trajectory:
        """This trajectory continued with more events."""
        more = tuple(events)
        states = _fold(self.final, more, {e.id for e in self.events})
        return attrs.evolve(self, events=self.events + more, states=self.states + states)

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


class _Seen(Protocol):
    """The ids already in the log: a set, or a view that knows them without listing them."""

    def __contains__(self, item: object, /) -> bool: ...

    def add(self, item: str, /) -> None: ...


class _KnownOrAdded:
    """``known(id)``, or an id added since: a prefix's ids without building their set."""

    __slots__ = ("add", "added", "known")

    def __init__(self, known: Callable[[str], bool]) -> None:
        self.known = known
        self.added: set[str] = set()
        self.add: Callable[[str], None] = self.added.add  # the set's own: no Python frame

    def __contains__(self, item: object, /) -> bool:
        return item in self.added or (isinstance(item, str) and self.known(item))


def _fold(
    state: NegotiationState, events: Sequence[Event], seen: _Seen
) -> tuple[NegotiationState, ...]:
    states: list[NegotiationState] = []
    append = states.append
    add = seen.add
    for event in events:
        causes = event.causes
        if causes:  # most events have none: skip the loop
            for cause in causes:
                if cause not in seen:
                    state = void(state, event, f"its cause {cause} is not in the log before it")
                    break
            else:
                state = apply(state, event)
        else:
            state = apply(state, event)
        add(event.id)
        append(state)
    return tuple(states)


def shared_tail(old: Sequence[Event], new: Sequence[Event]) -> int:
    """How many events ``old`` and ``new`` end with alike (the very same objects)."""
    shared = 0
    limit = min(len(old), len(new))
    while shared < limit and old[-1 - shared] is new[-1 - shared]:
        shared += 1
    return shared


def _last_link(old: Sequence[Event], new: Sequence[Event], shared: int) -> int:
    """The last of ``new``'s last ``shared`` events that names as a cause an id only one of
    ``old`` and ``new`` holds, or one at or after itself (its position; if none does, the
    position before them)."""
    cut = len(new) - shared
    only_one = {e.id for e in old[: len(old) - shared]} ^ {e.id for e in new[:cut]}
    from_here: set[str] = set()  # the ids at position p and after it
    for p in range(len(new) - 1, cut - 1, -1):
        event = new[p]
        from_here.add(event.id)
        for cause in event.causes:
            if cause in only_one or cause in from_here:
                return p
    return cut - 1


def _same(a: NegotiationState, b: NegotiationState) -> bool:
    """``a == b``, answered early where it is most often false: what was voided, and when
    milestones were reached (comparing maps of different sizes costs nothing)."""
    return a is b or (a.voided == b.voided and a.milestones == b.milestones and a == b)


def _fold_until_rejoined(
    state: NegotiationState,
    events: Sequence[Event],
    seen: _Seen,
    old: Sequence[Event],
    base: Trajectory,
) -> tuple[NegotiationState, ...]:
    """:func:`_fold` of ``events`` (in place of ``base``'s suffix ``old``), handing over to
    ``base``'s states where the two *rejoin*.

    From position ``p`` of ``events`` on, the base's states can take over when (1) the events
    after ``p`` are the very events that end ``old``; (2) none of them names as a cause an id
    that only one of the two logs holds, or one at or after itself (the fold's one check that
    looks past the state is whether a cause is in the log before the event, and for the other
    causes both logs answer alike); and (3) the state after ``p`` equals the base's state after
    its counterpart.  The fold being a function of state and event, it would then repeat the
    base's states to the end.  The states are compared from the first ``p`` that meets (1), then
    at doubling distances, so that a what-if that never rejoins pays a few comparisons, not one
    per event; (2) costs a pass over the shared events, so it is checked only once (3) holds.
    """
    shared = shared_tail(old, events)
    offset = len(base.states) - len(events)
    p = len(events) - shared - 1
    folded = _fold(state, events[: p + 1], seen)
    gap, linked = 1, None
    while True:
        here = folded[-1] if folded else state
        there = base.states[p + offset] if p + offset >= 0 else base.initial
        if _same(here, there):
            if linked is None:
                linked = _last_link(old, events, shared)
            if p >= linked:
                return folded + base.states[p + offset + 1 :]
            folded += _fold(here, events[p + 1 : linked + 1], seen)  # then compare again
            p = linked
            continue
        if p + 1 == len(events):
            return folded
        folded += _fold(here, events[p + 1 : p + 1 + gap], seen)
        p, gap = min(p + gap, len(events) - 1), gap * 2


_PROMOTE_AFTER: Final = 10_000
"""Young objects a pause must leave before they are promoted (a pass over fewer is cheap)."""


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large acyclic structure is built.

    A trajectory (or a decoded log) is a tree of immutable values with no reference cycles, so
    the collector's passes over it while it grows find nothing to free.  Pausing alone only
    defers them: the young generation keeps counting, and the first allocation after the pause
    would trigger one pass over everything built during it (about a third of a 100,000-event
    replay).  So on exit the survivors go straight to the oldest generation (``gc.freeze`` then
    ``gc.unfreeze`` moves them there without a pass), where long-lived data ends up anyway and
    only the rare full collections look at it.  That is skipped for small builds (a pass over
    them is cheap), and when something else uses the permanent generation
    (``gc.get_freeze_count()`` is not 0), so objects a caller froze stay frozen.  Reference
    counting frees everything as usual, the previous setting is restored, and results are
    unaffected; the one cost is that garbage cycles made just before the pause wait for a full
    collection instead of a young one.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] > _PROMOTE_AFTER and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def replay(log: Log | Sequence[Event], *, initial: NegotiationState = EMPTY) -> Trajectory:
    """Fold every event of ``log`` into a :class:`Trajectory`, voiding what cannot take effect.

    >>> replay(load_log("scenarios/baseline")).outcome.concluded
    True
    """
    events = log.events if isinstance(log, Log) else tuple(log)
    name = log.name if isinstance(log, Log) else "log"
    with cyclic_gc_paused():
        states = _fold(initial, events, set())
    return Trajectory(events=events, states=states, initial=initial, name=name)


def resume(
    trajectory: Trajectory,
    keep: int,
    events: Sequence[Event],
    *,
    known: Callable[[str], bool] | None = None,
    name: str | None = None,
    log: tuple[Event, ...] | None = None,
) -> Trajectory:
    """``trajectory``'s first ``keep`` events and states, then ``events`` folded after them.

    This is how a what-if reuses its base: the states before the first changed event are the
    base's own, and so are the states after the point where it *rejoins* the base (see
    :func:`_fold_until_rejoined`), if it does.  ``known`` says whether an id is among the kept
    events (or otherwise counts as earlier in the log); without it the kept ids are collected,
    which costs a pass over them.  ``log``, the kept events followed by ``events``, saves
    building that tuple again where the caller holds it already.
    """
    if not 0 <= keep <= len(trajectory.events):
        msg = f"cannot keep {keep} events of a trajectory of {len(trajectory.events)}"
        raise IndexError(msg)
    more = tuple(events)
    if log is None:
        log = trajectory.events[:keep] + more
    elif len(log) != keep + len(more):
        msg = f"a log of {len(log)} events is not {keep} kept events and {len(more)} more"
        raise ValueError(msg)
    seen: _Seen = (
        _KnownOrAdded(known) if known is not None else {e.id for e in trajectory.events[:keep]}
    )
    start = trajectory.states[keep - 1] if keep else trajectory.initial
    with cyclic_gc_paused():
        old = trajectory.events[keep:]
        if old and more and old[-1] is more[-1]:  # they may rejoin
            states = _fold_until_rejoined(start, more, seen, old, trajectory)
        else:
            states = _fold(start, more, seen)
    return Trajectory(
        events=log,
        states=trajectory.states[:keep] + states,
        initial=trajectory.initial,
        name=trajectory.name if name is None else name,
    )


def take_snapshots(
    trajectory: Trajectory, hashes: Sequence[str], *, every: int = 1024
) -> dict[SnapshotKey, NegotiationState]:
    """Every ``every``-th state of ``trajectory``, keyed by its prefix hash and reducer version."""
    if len(hashes) != len(trajectory.events):
        msg = f"need one prefix hash per event: {len(hashes)} for {len(trajectory.events)} events"
        raise ValueError(msg)
    return {
        (hashes[i], REDUCER_VERSION): trajectory.states[i]
        for i in range(every - 1, len(trajectory.states), every)
    }


def state_at(
    log: Log | Trajectory,
    when: datetime | date | int | str,
    *,
    snapshots: Mapping[SnapshotKey, NegotiationState] | None = None,
) -> NegotiationState:
    """The state at a point of ``log``: after an event id, after ``n`` events, or at a time.

    A date means the end of that day (UTC).  With ``snapshots`` (from :func:`take_snapshots`),
    only the events after the nearest snapshot at or before that point are folded.
    """
    if isinstance(log, Trajectory):
        return log.state_at(when)
    n = _resolve(log, when)
    start, state = 0, EMPTY
    if snapshots and log.hashes:
        for i in range(n - 1, -1, -1):
            found = snapshots.get((log.hashes[i], REDUCER_VERSION))
            if found is not None:
                start, state = i + 1, found
                break
    seen = {e.id for e in log.events[:start]}
    states = _fold(state, log.events[start:n], seen)
    return states[-1] if states else state

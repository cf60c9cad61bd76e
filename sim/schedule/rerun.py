"""Running the scheduler: a replay (:func:`run`), a base's run with its anchors
(:func:`based`), and a what-if that restarts at an anchor and rejoins its base
(:func:`rerun`).  Pure."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypedDict, TypeVar

from sim.events import Event
from sim.schedule.engine import Engine
from sim.schedule.plan import Anchors, Plan
from sim.schedule.records import _NEAR, DEFAULT_PATIENCE, Edit, Hold, Run, Timing, Wait, _stamp
from sim.state import EMPTY, NegotiationState

__all__ = ["based", "rerun", "run"]

T = TypeVar("T")


def based(
    base: Plan,
    *,
    initial: NegotiationState = EMPTY,
    patience: timedelta = DEFAULT_PATIENCE,
) -> tuple[Run, Anchors]:
    """The run of ``base`` as a what-if with no edit runs it (the replay of its log: a
    property test holds the two alike), and its :class:`Anchors`, from that one run."""
    events = base.log.events
    last_child = tuple(max(kids, default=-1) for kids in base.children)
    engine = Engine(events, state=initial, base=base, edit=Edit(), patience=patience)
    engine.run()
    busy = set(engine.busy)
    synced = {0}
    index, top = base.index, -1
    for i, event in enumerate(engine.out):
        if engine.closed is not None and i >= engine.closed:
            break  # released at the log's end only: anything added after comes first
        top = max(top, index[event.id])
        if top == i and i not in busy:
            synced.add(i + 1)
    late = engine.late
    found = Anchors(
        synced=frozenset(synced),
        happened={k: v for k, v in engine.happened.items() if k in late},
        arrived=dict(engine.arrived),
        late_arrival=frozenset(engine.late_arrival),
        last_child=last_child,
        far=tuple(i for i, last in enumerate(last_child) if last > i + _NEAR),
    )
    return _result(engine, offset=0, first_change=0), found


def run(
    events: Sequence[Event],
    *,
    initial: NegotiationState = EMPTY,
    patience: timedelta = DEFAULT_PATIENCE,
    start: int = 0,
    known: Callable[[str], bool] | None = None,
    arrived: Mapping[str, datetime] | None = None,
    holds: Mapping[str, Hold] | None = None,
) -> Run:
    """Schedule and fold ``events`` (a recorded log, in its order) from ``initial``.

    To continue a run from its ``start``-th event (a quiet point: nothing in flight), give the
    state there as ``initial``, ``known`` for the ids released before it, and ``arrived`` and
    ``holds`` for the messages the blackouts held before it.
    """
    engine = Engine(
        events,
        state=initial,
        start=start,
        patience=patience,
        known=known,
        arrived={k: (_stamp(v), v) for k, v in (arrived or {}).items()},
    )
    engine.holds.update(holds or {})
    if start:
        engine.now = events[start - 1].at
    engine.run()
    return _result(engine, offset=start, first_change=start)


def rerun(
    base: Plan,
    edit: Edit,
    *,
    released: Sequence[Event],
    states: Sequence[NegotiationState],
    initial: NegotiationState,
    busy: Sequence[int],
    aligned: int,
    holds: Mapping[str, Hold],
    waits: Mapping[str, Wait],
    timings: Mapping[str, Timing],
    anchored: Anchors,
    patience: timedelta = DEFAULT_PATIENCE,
) -> Run:
    """The base's run with ``edit`` applied (see the module docstring).

    ``released``, ``states``, ``busy`` (in order), ``aligned``, ``holds``, ``waits`` and
    ``timings`` describe the base's own run (its trajectory: the events in the order they
    happened, the state after each), ``anchored`` where a run can restart from it and rejoin
    it.  The run restarts at the last such point before the earliest time the edit touches,
    reusing the base's states before it, and rejoins the base where the two cannot differ any
    more.
    """
    events = base.log.events
    if edit.touched is None:
        return Run(
            events=tuple(released),
            states=tuple(states),
            waits=waits,
            holds=holds,
            timings=timings,
            busy=tuple(busy),
            aligned=aligned,
            first_change=len(events),
        )
    synced, touched = anchored.synced, _stamp(edit.touched)

    def restartable(i: int) -> bool:
        # quiet, the log's first i + 1 events released, all before the edit's time
        return i + 1 in synced and _stamp(released[i].at) < touched

    start = _restart(base, edit, restartable)
    prefix = states[start - 1] if start else initial
    index = base.index

    def before_start(ident: str) -> bool:
        return index.get(ident, start) < start

    engine = Engine(
        events,
        state=prefix,
        start=start,
        base=base,
        edit=edit,
        patience=patience,
        known=before_start,
        **_remembered(anchored, edit, base, start, prefix),
    )
    engine.holds.update({k: holds[k] for k in prefix.in_transit if k in holds})
    if start:  # the clock stands at the last event kept: nothing moves before it
        last = released[start - 1].at
        engine.now, engine.now_stamp = last, _stamp(last)
    engine.load()

    def same(position: int, state: NegotiationState) -> bool | None:
        count = position + 1
        if count not in synced:
            return None  # the base is not at a point it can be rejoined
        there = states[position]
        return (
            state is there
            or (
                state.voided == there.voided
                and state.milestones == there.milestones
                and state == there
            )
        ) and _remembers(engine, anchored, count, state, released[position].at)

    rejoined = engine.run(rejoin=same if base.ordered else None)
    out = tuple(released[:start]) + tuple(engine.out)
    new_states = tuple(states[:start]) + tuple(engine.states)
    new_busy = [*busy[: bisect_left(busy, start)], *(start + i for i in engine.busy)]
    end = len(events)
    if rejoined is not None:
        end = rejoined + 1
        shift = len(out) - end
        tail = busy[bisect_right(busy, rejoined) :]
        new_busy += tail if not shift else [i + shift for i in tail]
        out += tuple(released[end:])
        new_states += tuple(states[end:])
        # messages still held at the rejoin arrive as in the base
        for ident, hold in engine.holds.items():
            if hold.until is None and ident in holds:
                engine.holds[ident] = holds[ident]
    region = [events[i].id for i in range(start, end)]
    # the first position where the what-if's trajectory differs from the base's (the base's
    # is in the log's own order up to ``aligned``)
    first = start
    limit = min(len(out), len(released))
    while first < limit and out[first] is released[first]:
        first += 1
    result = _result(engine, offset=start, first_change=first)
    return Run(
        events=out,
        states=new_states,
        waits=_patched(waits, region, result.waits),
        holds=_patched(holds, region, engine.holds),
        timings=_patched(timings, region, result.timings),
        busy=tuple(new_busy),
        aligned=min(
            aligned,
            first,
            len(out) if result.aligned >= start + len(engine.out) else result.aligned,
        ),
        first_change=first,
        same_tail=len(released) - end,
    )


class _Memory(TypedDict):
    moved: dict[str, tuple[int, datetime]]
    arrived: dict[str, tuple[int, datetime]]
    late_arrival: frozenset[str]


def _remembered(
    anchored: Anchors,
    edit: Edit,
    base: Plan,
    start: int,
    prefix: NegotiationState,
) -> _Memory:
    """What the base's run remembers, at ``start`` released events, of the events linked to
    after it or by the edit's own events: when they happened if late, when they arrived."""
    moved: dict[str, tuple[int, datetime]] = {}
    arrived: dict[str, tuple[int, datetime]] = {}
    late_arrival: set[str] = set()
    if not start:
        return _Memory(moved=moved, arrived=arrived, late_arrival=frozenset())
    events, index = base.log.events, base.index
    wanted = {events[i].id for i in anchored.open_at(start)}
    for event in (*edit.inserted, *edit.replaced.values()):
        wanted.update(c for c in event.causes if index.get(c, start) < start)
    for ident in wanted:
        found = anchored.happened.get(ident)
        if found is not None:
            moved[ident] = found
        if ident not in prefix.in_transit:
            found = anchored.arrived.get(ident)
            if found is not None:
                arrived[ident] = found
            if ident in anchored.late_arrival:
                late_arrival.add(ident)
    return _Memory(moved=moved, arrived=arrived, late_arrival=frozenset(late_arrival))


def _patched(base: Mapping[str, T], drop: Sequence[str], new: Mapping[str, T]) -> dict[str, T]:
    """``base`` without the entries of ``drop``, with ``new``'s."""
    patched = dict(base)
    for ident in drop:
        patched.pop(ident, None)
    patched.update(new)
    return patched


def _remembers(
    engine: Engine, anchored: Anchors, count: int, state: NegotiationState, now: datetime
) -> bool:
    """Whether ``engine`` stands where the base's run stands at ``count`` released events (its
    clock at ``now``) and remembers what it does of each event linked to from after them: so
    the two runs go on alike from there."""
    if engine.now is None or engine.now != now or engine.now.utcoffset() != now.utcoffset():
        return False
    events = engine.events
    transit = state.in_transit
    for i in anchored.open_at(count):
        ident = events[i].id
        if (ident in engine.late) != (ident in anchored.happened):
            return False
        if ident in engine.late and engine.happened.get(ident) != anchored.happened[ident]:
            return False
        if ident in transit:
            continue
        if (ident in engine.late_arrival) != (ident in anchored.late_arrival):
            return False
        if engine.arrived.get(ident) != anchored.arrived.get(ident):
            return False
    return True


def _restart(base: Plan, edit: Edit, quiet: Callable[[int], bool]) -> int:
    """The last quiet point at or before the first base event the edit can touch."""
    assert edit.touched is not None
    if not base.ordered:
        return 0
    first = bisect_right(base.stamps, _stamp(edit.touched) - 1)
    for ident in (*edit.removed, *edit.replaced, *edit.offsets, *edit.pinned):
        first = min(first, base.index[ident])
    while first > 0 and not quiet(first - 1):
        first -= 1
    return first


def _result(engine: Engine, *, offset: int, first_change: int) -> Run:
    aligned = 0
    busy = set(engine.busy)
    events = engine.events
    limit = len(engine.out) if engine.diverged is None else engine.diverged
    for i, event in enumerate(engine.out[:limit]):
        j = offset + i
        if j >= len(events) or events[j] is not event or i in busy:
            break
        aligned = i + 1
    return Run(
        events=tuple(engine.out),
        states=tuple(engine.states),
        waits=engine.waits,
        holds=engine.holds,
        timings=engine.timings,
        busy=tuple(offset + i for i in engine.busy),
        aligned=offset + aligned,
        first_change=first_change,
    )

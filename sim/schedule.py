"""Re-timing an edited log: when each event happens once the record has been changed.

How it works
------------
The recorded log says when each event happened.  An intervention (see :mod:`sim.whatif`) moves,
removes, inserts or changes some of them, and the rest must follow:

- An event with no causes keeps its time, unless an intervention moved it.
- An event with causes happens at the latest *arrival* of its causes plus its *reaction lag*:
  its recorded time minus its causes' recorded arrival, both measured on the recorded (base) log
  before any edit.  So an answer that came two hours after the offer reached its addressee still
  comes two hours after it, wherever the offer now lands.
- A message whose channel runs ``via`` an area arrives when it is sent, unless that area is under
  a communications blackout: then it is held there and arrives when the area is lit again.  An
  area is dark while any of its blackouts is in force (blackouts may overlap); a
  ``blackout_ended`` ends the ``blackout_started`` events named in its ``causes``.  Blackout
  events are re-timed like any other event (they move only when edited or when their causes
  move).
- Where the record has an event answer a message *before* that message could have arrived (an
  inconsistent record, which the fold voids), the event keeps its lag behind the message's
  sending instead, so that with no edit nothing moves.
- An event pinned by an intervention (``retime ... to``, an inserted event, an amended time or
  amended causes) happens at its pinned time, but never before its causes have arrived.  An
  event with a cause that is no longer in the log keeps its recorded time; the fold voids it.

The engine is a small discrete-event simulation: events are released in order of time (ties in
log order) once their causes have arrived, blackouts darken and light areas as they are
released, and the order of release is the order of the new log.  With no edit it reproduces the
recorded log exactly.

Only the part of the log that an edit can reach is simulated again.  :func:`plan` measures the
base log once (arrivals, lags, and the *clean points* where no area is dark and no message is
held); :func:`schedule` restarts from the last clean point before the earliest time the edit
touches and keeps everything before it as it was.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs
from attrs import field, frozen

from sim.errors import SimError
from sim.events import BlackoutEnded, BlackoutStarted, Event
from sim.fold import Log

__all__ = ["Edit", "Plan", "Schedule", "arrivals", "moved_to", "plan", "schedule"]

_ZERO = timedelta(0)


@frozen(kw_only=True)
class Edit:
    """What interventions did to a base log, in the terms the schedule needs.

    ``replaced`` holds amended events by id; ``inserted`` the new events in the order given;
    ``offsets`` the signed shifts of ``retime ... by``; ``pinned`` the times fixed by
    ``retime ... to`` or an amended time or causes; ``touched`` the earliest time any of it
    touches (``None`` for no edit at all).
    """

    removed: frozenset[str] = frozenset()
    replaced: Mapping[str, Event] = field(factory=dict)
    inserted: tuple[Event, ...] = ()
    offsets: Mapping[str, timedelta] = field(factory=dict)
    pinned: Mapping[str, datetime] = field(factory=dict)
    touched: datetime | None = None
    origins: Mapping[str, str] = field(factory=dict)
    """Event id to the intervention that changed it, in words (for messages and explanations)."""


@frozen(kw_only=True)
class _Wait:
    """An event's dependency on one cause: on its arrival, or (inconsistent records) its sending."""

    cause: str
    arrival: bool


@frozen(kw_only=True)
class Plan:
    """The base log measured once: what every what-if of it reuses."""

    log: Log
    index: Mapping[str, int]
    times: tuple[datetime, ...]
    ordered: bool
    """Whether the base is in time order (otherwise every what-if simulates it whole)."""
    delivered: tuple[datetime | None, ...]
    """When each event arrived where it was going (``None``: held by a blackout that never ends)."""
    waits: tuple[tuple[_Wait, ...], ...]
    lags: tuple[timedelta, ...]
    clean: tuple[int, ...]
    """Indices before which no area is dark and no message is held, ascending (0 always)."""


@frozen(kw_only=True)
class Schedule:
    """The re-timed log and the first index at which it differs from the base."""

    events: tuple[Event, ...]
    first_change: int
    present: Callable[[str], bool]
    """Whether an id is an event of the new log."""


# ------------------------------------------------------------------------------------ the base


def _via(event: Event) -> tuple[str, ...]:
    if event.channel is None or isinstance(event, BlackoutStarted | BlackoutEnded):
        return ()
    return event.channel.via


class _Areas:
    """Blackouts in force and messages held, per area: the simulation's view of the lines."""

    __slots__ = ("dark", "dark_count", "held", "held_count")

    def __init__(self) -> None:
        self.dark: dict[str, list[str]] = {}
        self.held: dict[str, list[str]] = {}
        self.dark_count = 0
        self.held_count = 0

    @property
    def clean(self) -> bool:
        return self.dark_count == 0 and self.held_count == 0

    def release(self, event: Event) -> tuple[bool, list[str]]:
        """Release ``event``: whether it got through now, and the held messages it delivers."""
        if isinstance(event, BlackoutStarted):
            self.dark.setdefault(event.area, []).append(event.id)
            self.dark_count += 1
            return True, []
        if isinstance(event, BlackoutEnded):
            in_force = self.dark.get(event.area)
            if not in_force:
                return True, []
            remaining = [b for b in in_force if b not in event.causes]
            self.dark_count -= len(in_force) - len(remaining)
            self.dark[event.area] = remaining
            if remaining:
                return True, []
            freed = self.held.pop(event.area, [])
            self.held_count -= len(freed)
            return True, freed
        for area in _via(event):
            if self.dark.get(area):
                self.held.setdefault(area, []).append(event.id)
                self.held_count += 1
                return False, []
        return True, []


def plan(log: Log) -> Plan:
    """Measure ``log``: when each event arrived, its lag behind its causes, the clean points."""
    events = log.events
    index: dict[str, int] = {}
    delivered: list[datetime | None] = [None] * len(events)
    delivered_at: list[int] = [len(events)] * len(events)
    waits: list[tuple[_Wait, ...]] = []
    lags: list[timedelta] = []
    clean: list[int] = []
    areas = _Areas()
    ordered = True
    previous: datetime | None = None
    for i, event in enumerate(events):
        if previous is not None and event.at < previous:
            ordered = False
        previous = event.at
        if areas.clean:
            clean.append(i)
        own: list[_Wait] = []
        latest: datetime | None = None
        for cause in event.causes:
            j = index.get(cause)
            if j is None:
                continue
            arrived = delivered_at[j] < i
            own.append(_Wait(cause=cause, arrival=arrived))
            at = delivered[j] if arrived else events[j].at
            assert at is not None  # arrived implies a delivery time
            if latest is None or at > latest:
                latest = at
        waits.append(tuple(own))
        lags.append(event.at - latest if latest is not None else _ZERO)
        index[event.id] = i
        through, freed = areas.release(event)
        if through:
            delivered[i], delivered_at[i] = event.at, i
        for message in freed:
            k = index[message]
            delivered[k], delivered_at[k] = event.at, i
    return Plan(
        log=log,
        index=index,
        times=tuple(e.at for e in events),
        ordered=ordered,
        delivered=tuple(delivered),
        waits=tuple(waits),
        lags=tuple(lags),
        clean=tuple(clean),
    )


def arrivals(log: Log) -> Mapping[str, datetime | None]:
    """When each event of ``log`` arrived (sent, or released by the end of a blackout)."""
    measured = plan(log)
    return {e.id: measured.delivered[i] for i, e in enumerate(log.events)}


# ------------------------------------------------------------------------------------ what-if


_KEEP, _LAG, _PIN = 0, 1, 2
"""How an event's new time is found: its recorded time (no causes, or a cause gone), its lag
behind its causes' latest arrival, or a time an intervention pinned (not before that arrival)."""


class _Sim:
    """One simulation of the suffix of an edited log (see the module docstring)."""

    def __init__(self, base: Plan, edit: Edit, start: int) -> None:
        self.base = base
        self.edit = edit
        self.start = start
        self.inserted = {e.id: e for e in edit.inserted}
        self.events: dict[str, Event] = {}
        self.keys: dict[str, tuple[int, int, int]] = {}
        self.pending: dict[str, int] = {}
        self.latest: dict[str, datetime] = {}
        self.waiters: dict[str, list[tuple[str, bool]]] = {}
        self.pins: dict[str, datetime] = {}
        self.rules: dict[str, tuple[int, Any]] = {}
        self.heap: list[tuple[datetime, tuple[int, int, int], str]] = []
        self.out: list[Event] = []
        self.now: datetime | None = None

    def present(self, event_id: str) -> bool:
        if event_id in self.inserted:
            return True
        return event_id in self.base.index and event_id not in self.edit.removed

    # -- set-up --------------------------------------------------------------------------

    def load(self) -> None:
        base, edit = self.base, self.edit
        events = base.log.events
        removed, replaced = edit.removed, edit.replaced
        own, keys = self.events, self.keys
        for i in range(self.start, len(events)):
            event = events[i]
            event_id = event.id
            if event_id in removed:
                continue
            own[event_id] = replaced.get(event_id, event) if replaced else event
            keys[event_id] = (i, 0, 0)
        self.pins = dict(edit.pinned)
        for seq, event in enumerate(edit.inserted):
            keys[event.id] = (bisect_right(base.times, event.at) - 1, 1, seq)
            own[event.id] = event
            self.pins.setdefault(event.id, event.at)
        for event_id, event in own.items():
            self._enlist(event_id, event)

    def _enlist(self, event_id: str, event: Event) -> None:
        base = self.base
        slot = base.index.get(event_id)
        pinned = self.pins.get(event_id)
        removed = self.edit.removed
        if slot is not None and pinned is None:
            waits = base.waits[slot]
            offset = self.edit.offsets.get(event_id, _ZERO)
            whole = len(waits) == len(event.causes) and not any(
                w.cause in removed and w.cause not in self.inserted for w in waits
            )
            if waits and whole:
                lag = base.lags[slot] + offset
                self.rules[event_id] = (_LAG, max(_ZERO, lag))
            else:  # no causes, or a cause gone: it keeps its time
                self.rules[event_id] = (_KEEP, base.times[slot] + offset)
        else:
            waits = tuple(_Wait(cause=c, arrival=True) for c in event.causes if self.present(c))
            self.rules[event_id] = (_PIN, pinned if pinned is not None else event.at)
        count = 0
        latest: datetime | None = None
        own = self.events
        for wait in waits:
            cause = wait.cause
            if cause in removed and cause not in self.inserted:
                continue
            if cause in own:
                self.waiters.setdefault(cause, []).append((event_id, wait.arrival))
                count += 1
                continue
            j = base.index.get(cause)
            if j is None:  # an inserted event it names lies before the restart: cannot happen
                continue
            at = base.delivered[j] if wait.arrival else base.times[j]
            if at is not None and (latest is None or at > latest):
                latest = at
        if latest is not None:
            self.latest[event_id] = latest
        if count:
            self.pending[event_id] = count
        else:
            self._push(event_id)

    # -- the run -------------------------------------------------------------------------

    def _push(self, event_id: str) -> None:
        rule, value = self.rules[event_id]
        latest = self.latest.get(event_id)
        if rule == _KEEP or latest is None:
            at = value if rule != _LAG else self._recorded(event_id)
        elif rule == _LAG:
            at = latest + value
        else:
            at = max(value, latest)
        if self.now is not None and at < self.now:
            at = self.now
        heapq.heappush(self.heap, (at, self.keys[event_id], event_id))

    def _recorded(self, event_id: str) -> datetime:
        return self.base.times[self.base.index[event_id]] + self.edit.offsets.get(event_id, _ZERO)

    def _arrived(self, event_id: str, at: datetime, arrival: bool) -> None:
        waiters = self.waiters.get(event_id)
        if not waiters:
            return
        latest, pending = self.latest, self.pending
        for waiter, wants_arrival in waiters:
            if wants_arrival is not arrival:
                continue
            known = latest.get(waiter)
            if known is None or at > known:
                latest[waiter] = at
            left = pending[waiter] - 1
            if left:
                pending[waiter] = left
            else:
                del pending[waiter]
                self._push(waiter)

    def run(self, areas: _Areas) -> None:
        heap, own, out = self.heap, self.events, self.out
        arrived = self._arrived
        pop = heapq.heappop
        while heap:
            at, _key, event_id = pop(heap)
            self.now = at
            event = own[event_id]
            if event.at != at:
                event = moved_to(event, at)
            out.append(event)
            arrived(event_id, at, False)
            if event.channel is None and not isinstance(event, BlackoutStarted | BlackoutEnded):
                arrived(event_id, at, True)
                continue
            through, freed = areas.release(event)
            if through:
                arrived(event_id, at, True)
            for message in freed:
                if message in own:
                    arrived(message, at, True)
        if self.pending:
            self._strand()

    def _strand(self) -> None:
        """Place the events left waiting on a message that never arrives (or report a cycle)."""
        stuck = set(self.pending)
        order: list[str] = []
        state: dict[str, int] = {}
        for root in sorted(stuck, key=lambda e: self.keys[e]):
            self._visit(root, stuck, state, order)
        times = [e.at for e in self.out]
        for event_id in order:
            event = self.events[event_id]
            at = (
                self.base.times[self.base.index[event_id]]
                if event_id in self.base.index
                else event.at
            )
            at += self.edit.offsets.get(event_id, _ZERO)
            pinned = self.pins.get(event_id)
            if pinned is not None:
                at = pinned
            for cause in event.causes:
                sent = self._sent(cause)
                if sent is not None and sent > at:
                    at = sent
            where = bisect_right(times, at)
            times.insert(where, at)
            self.out.insert(where, moved_to(event, at) if event.at != at else event)

    def _sent(self, event_id: str) -> datetime | None:
        for event in self.out:
            if event.id == event_id:
                return event.at
        j = self.base.index.get(event_id)
        return self.base.times[j] if j is not None and event_id not in self.edit.removed else None

    def _visit(self, node: str, stuck: set[str], state: dict[str, int], order: list[str]) -> None:
        path: list[str] = []
        stack: list[tuple[str, int]] = [(node, 0)]
        while stack:
            current, step = stack.pop()
            if step == 0:
                if state.get(current) == 2:
                    continue
                if state.get(current) == 1:
                    cycle = [*path[path.index(current) :], current]
                    raise self._cycle(cycle)
                state[current] = 1
                path.append(current)
            causes = [c for c in self.events[current].causes if c in stuck]
            if step < len(causes):
                stack.append((current, step + 1))
                stack.append((causes[step], 0))
                continue
            state[current] = 2
            path.pop()
            order.append(current)

    def _cycle(self, cycle: list[str]) -> SimError:
        blamed = [self.edit.origins[e] for e in cycle if e in self.edit.origins]
        return SimError(
            what="a cycle of causes: " + " → ".join(cycle),
            expected="each event's causes to be earlier events, never the event itself",
            hint=("made by " + "; ".join(dict.fromkeys(blamed)))
            if blamed
            else "check the causes of the inserted or amended events",
            code="cause-cycle",
        )


def moved_to(event: Event, at: datetime) -> Event:
    """``event`` at ``at``, its ``earliest``/``latest`` bounds shifted with it."""
    shift = at - event.at
    return attrs.evolve(
        event,
        at=at,
        earliest=event.earliest + shift if event.earliest is not None else None,
        latest=event.latest + shift if event.latest is not None else None,
    )


def _restart(base: Plan, touched: datetime) -> int:
    """The last clean point at or before the first base event at or after ``touched``."""
    if not base.ordered:
        return 0
    first = bisect_left(base.times, touched)
    return base.clean[bisect_right(base.clean, first) - 1]


def schedule(base: Plan, edit: Edit) -> Schedule:
    """The edited log, re-timed and in its new order (see the module docstring).

    Raises :class:`SimError` when the edit makes a cycle of causes.
    """
    events = base.log.events
    if edit.touched is None:
        return Schedule(events=events, first_change=len(events), present=base.index.__contains__)
    start = _restart(base, edit.touched)
    sim = _Sim(base, edit, start)
    sim.load()
    sim.run(_Areas())
    new = events[:start] + tuple(sim.out)
    first = start
    limit = min(len(new), len(events))
    while first < limit and new[first] is events[first]:
        first += 1
    return Schedule(events=new, first_change=first, present=sim.present)

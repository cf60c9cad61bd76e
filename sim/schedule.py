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

Within that suffix, most events cannot move either.  An event's time depends only on its rule,
the arrivals of the causes it waits on, and (for a message) whether its areas are dark; so an
event that was not edited, waits on nothing that moved, and is not a message whose delivery a
changed blackout could affect happens exactly when it did in the base (one that lost a removed
cause keeps its recorded time).  The *affected* events are the edited ones, everything that
waits on them (transitively, through ``causes``), and, where a blackout of an area is affected
(edited, removed, or waiting on an affected event), every message through that area still
undelivered at the earliest time the edit touches (with, again, what waits on those).
:func:`schedule` simulates only the affected events and merges the others in, in their recorded
order, at their recorded times: the same log, event for event, as simulating the whole suffix
(``schedule(..., full=True)``, the reference that the property tests compare it with).  The
messages a changed blackout might hold up are first only checked as they pass, and simulated
(the schedule made again) only if one is held up after all (see :meth:`_Sparse._affected`).
Times are compared as int stamps measured once per base (:func:`_stamp`), carried with the
datetimes they came from, whose UTC offsets the moved events keep.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs
from attrs import field, frozen

from sim.errors import SimError
from sim.events import EVENT_TYPES, BlackoutEnded, BlackoutStarted, Event
from sim.fold import Log

__all__ = ["Edit", "Plan", "Schedule", "arrivals", "moved_to", "plan", "schedule"]

_ZERO = timedelta(0)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO: Final = timedelta(microseconds=1)


def _stamp(moment: datetime) -> int:
    """``moment`` in whole microseconds since the epoch: an int that orders moments as their
    instants do, whatever their UTC offsets (comparing two aware datetimes with different
    offsets costs several times more)."""
    return (moment - _EPOCH) // _MICRO


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
    index: int
    """The cause's position in the base log."""


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
    stamps: tuple[int, ...]
    """Each event's time as :func:`_stamp` gives it."""
    delivered_by: tuple[int, ...]
    """The index of the event whose release delivered each event (itself, if it got through at
    once; the log's length if never)."""
    children: tuple[tuple[int, ...], ...]
    """For each event, the indices of the events that wait on it."""
    messages: Mapping[str, tuple[int, ...]]
    """For each area, the indices of the messages routed through it, ascending."""
    blackouts: tuple[str | None, ...]
    """For each event, the area it darkens or lights if it is a blackout event."""
    steady: tuple[tuple[int, int, Any], ...]
    """For each event, how it is timed when neither it nor any of its causes is edited: by its
    lag, ``(_LAG, microseconds, lag)``, or at its recorded time, ``(_KEEP, stamp, time)``."""
    distinct: bool
    """Whether every id occurs once (otherwise every what-if simulates the suffix whole)."""


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


_KEEP, _LAG, _PIN = 0, 1, 2
"""How an event's new time is found: its recorded time (no causes, or a cause gone), its lag
behind its causes' latest arrival, or a time an intervention pinned (not before that arrival)."""


_BLACKOUTS: Final = (BlackoutStarted, BlackoutEnded)


def _blackout_area(event: Event) -> str | None:
    return event.area if isinstance(event, _BLACKOUTS) else None


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
    children: list[list[int]] = [[] for _ in events]
    messages: dict[str, list[int]] = {}
    steady: list[tuple[int, int, Any]] = []
    stamps: list[int] = []
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
            own.append(_Wait(cause=cause, arrival=arrived, index=j))
            children[j].append(i)
            at = delivered[j] if arrived else events[j].at
            assert at is not None  # arrived implies a delivery time
            if latest is None or at > latest:
                latest = at
        waits.append(tuple(own))
        lags.append(event.at - latest if latest is not None else _ZERO)
        stamps.append(_stamp(event.at))
        if own and len(own) == len(event.causes):
            step = max(_ZERO, lags[-1])
            steady.append((_LAG, step // _MICRO, step))
        else:
            steady.append((_KEEP, stamps[-1], event.at))
        index[event.id] = i
        for area in dict.fromkeys(_via(event)):
            messages.setdefault(area, []).append(i)
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
        stamps=tuple(stamps),
        delivered_by=tuple(delivered_at),
        children=tuple(tuple(c) for c in children),
        messages={area: tuple(found) for area, found in messages.items()},
        blackouts=tuple(_blackout_area(e) for e in events),
        steady=tuple(steady),
        distinct=len(index) == len(events),
    )


def arrivals(log: Log) -> Mapping[str, datetime | None]:
    """When each event of ``log`` arrived (sent, or released by the end of a blackout)."""
    measured = plan(log)
    return {e.id: measured.delivered[i] for i, e in enumerate(log.events)}


# ------------------------------------------------------------------------------------ what-if


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
            waits = tuple(
                _Wait(cause=c, arrival=True, index=base.index.get(c, -1))
                for c in event.causes
                if self.present(c)
            )
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
        times = [_stamp(e.at) for e in self.out]  # instants, to place by (in int stamps)
        sent_at = {e.id: e.at for e in self.out}
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
                sent = self._sent(cause, sent_at)
                if sent is not None and sent > at:
                    at = sent
            stamp = _stamp(at)
            where = bisect_right(times, stamp)
            times.insert(where, stamp)
            self.out.insert(where, moved_to(event, at) if event.at != at else event)
            sent_at[event_id] = at

    def _sent(self, event_id: str, sent_at: Mapping[str, datetime]) -> datetime | None:
        """When ``event_id`` was sent: in the new log so far, else in the base (if kept)."""
        if event_id in sent_at:
            return sent_at[event_id]
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


class _Cautious(Exception):  # noqa: N818 (a signal to start again, not an error)
    """Raised when a message the run assumed unaffected turns out to be held up."""


class _Sparse(_Sim):
    """The simulation of :class:`_Sim`, run over the affected events only.

    Why it gives the same log: an event that is not affected (see the module docstring) keeps
    its rule, or loses a removed cause and so keeps its recorded time, which its other causes'
    arrivals never pass (its lag behind them is not negative); it waits only on events that keep
    their times and arrivals; and, if it is a message, it sees the same blackouts (no blackout of
    its areas is affected, or it was delivered before the earliest time the edit touches, before
    which nothing changes).  So the full simulation releases it at its recorded time, and
    releases the unaffected events in recorded order: each one's causes come before it.  This
    class therefore keeps a heap of the affected events only and merges the unaffected ones in
    as a sorted stream; taking the smaller of the heap's top and the stream's head, by (time,
    key), is exactly the full simulation's choice.  When the stream passes an event, it does
    what the full simulation's release of it does for the affected events: it signals those
    waiting on it (or on a message whose blackout it ends), and darkens or lights an area that
    an affected event goes through.

    Times are compared as int stamps (see :func:`_stamp`) but carried with the datetime they came
    from, because a moved event takes the UTC offset of the arrival it was timed from, as in the
    full simulation; :meth:`_popped` works out that datetime for an unaffected event, only where
    an affected one needs it.
    """

    def __init__(self, base: Plan, edit: Edit, start: int, *, cautious: bool = False) -> None:
        super().__init__(base, edit, start)
        self.cautious = cautious
        """Whether every message that a changed blackout could hold up is simulated (otherwise
        only checked as the stream passes it, see :meth:`_affected`)."""
        self.changed: set[str] = set()
        """The areas with an affected, removed or inserted blackout."""
        self.suspects: set[int] = set()
        """Unaffected messages through a changed area that got through at once in the base."""
        self.stamps: dict[str, int] = {}
        """Each affected event's own (recorded or edited) time, stamped."""
        self.timing: dict[str, tuple[int, int, Any]] = {}
        self.reached: dict[str, tuple[int, datetime]] = {}
        self.queue: list[tuple[int, tuple[int, int, int], str, datetime]] = []
        self.signals: dict[int, list[str]] = {}
        """Stream index to the affected events waiting on what its release sends or delivers."""
        self.stream: list[int] = []
        self.watched: set[str] = set()
        """The areas that affected events go through, darken or light."""
        self.lines: set[str] = set()
        """The affected events that go through :class:`_Areas`: blackouts, and messages via an
        area (the others arrive as they are sent)."""
        self.memo: dict[int, datetime] = {}
        self.now_stamp: int | None = None
        self.now_moment: datetime | None = None
        self.now_index = -1

    # -- set-up --------------------------------------------------------------------------

    def _affected(self) -> set[int]:
        """The base indices of the events the edit can move: edited, waiting (transitively) on
        an edited event, or a message through an area one of whose blackouts is affected or
        removed, not yet delivered when the edit begins (and what waits on those).

        Those messages are taken in only when ``cautious``.  Otherwise the run first assumes
        that the changed blackouts hold up none of them: a message the base delivered at once
        is left in the stream as a *suspect*, checked as the stream passes it (if a changed
        area is dark then, :class:`_Cautious` is raised and the schedule is made again,
        cautiously); one the base held until after the edit begins makes the run cautious at
        once.  A suspect that finds its areas lit arrives when sent, as in the base, so leaving
        it (and what waits on it) unaffected was right.
        """
        base, edit = self.base, self.edit
        events, index, children = base.log.events, base.index, base.children
        found: set[int] = set()
        todo = [index[event_id] for event_id in (*edit.replaced, *edit.offsets, *edit.pinned)]
        areas: set[str | None] = set()
        for event_id in edit.removed:  # what waits on it keeps its time (see _timed)
            areas.add(base.blackouts[index[event_id]])
        for event in (*edit.inserted, *edit.replaced.values()):
            areas.add(_blackout_area(event))
            if event.id in edit.removed:  # re-inserted under the same id, changed
                todo.extend(children[index[event.id]])
        assert edit.touched is not None
        touched, never = _stamp(edit.touched), len(events)
        done: set[str | None] = {None}
        while True:
            while todo:
                i = todo.pop()
                if i not in found:
                    found.add(i)
                    areas.add(base.blackouts[i])
                    todo.extend(children[i])
            fresh = areas - done
            if not fresh:
                self.suspects -= found
                return found
            for area in fresh:
                done.add(area)
                self.changed.add(area or "")
                for message in base.messages.get(area or "", ()):
                    by = base.delivered_by[message]
                    if message < self.start or (by != never and base.stamps[by] < touched):
                        continue  # delivered before the edit begins: nothing changes it
                    if self.cautious:
                        todo.append(message)
                    elif by == message:
                        self.suspects.add(message)
                    else:
                        raise _Cautious

    def load(self) -> None:
        base, edit = self.base, self.edit
        events = base.log.events
        removed, replaced = edit.removed, edit.replaced
        moving = self._affected()
        own, keys, stamps = self.events, self.keys, self.stamps
        for i in sorted(moving):
            event = events[i]
            event_id = event.id
            if event_id in removed:
                continue
            new = replaced.get(event_id, event)
            own[event_id] = new
            keys[event_id] = (i, 0, 0)
            stamps[event_id] = base.stamps[i] if new is event else _stamp(new.at)
        self.pins = dict(edit.pinned)
        for seq, event in enumerate(edit.inserted):
            stamps[event.id] = _stamp(event.at)
            keys[event.id] = (bisect_right(base.stamps, stamps[event.id]) - 1, 1, seq)
            own[event.id] = event
            self.pins.setdefault(event.id, event.at)
        skip = moving | {base.index[r] for r in removed}
        self.stream = [k for k in range(self.start, len(events)) if k not in skip]
        self.watched.update(self.changed)
        for event_id, event in own.items():
            areas = (event.area,) if isinstance(event, _BLACKOUTS) else _via(event)
            if areas:
                self.lines.add(event_id)
                self.watched.update(areas)
            self._enlist(event_id, event)

    def _enlist(self, event_id: str, event: Event) -> None:
        base, edit = self.base, self.edit
        slot = base.index.get(event_id)
        pinned = self.pins.get(event_id)
        removed, inserted = edit.removed, self.inserted
        if slot is not None and pinned is None:
            waits = base.waits[slot]
            timing = base.steady[slot]
            if removed and timing[0] == _LAG:
                for wait in waits:
                    if wait.cause in removed and wait.cause not in inserted:
                        timing = (_KEEP, base.stamps[slot], base.times[slot])  # a cause gone
                        break
            offset = edit.offsets.get(event_id)
            if offset is not None and timing[0] == _LAG:
                lag = max(_ZERO, base.lags[slot] + offset)
                timing = (_LAG, lag // _MICRO, lag)
            elif offset is not None:
                timing = (_KEEP, timing[1] + offset // _MICRO, timing[2] + offset)
        else:
            waits = tuple(
                _Wait(cause=c, arrival=True, index=base.index.get(c, -1))
                for c in event.causes
                if self.present(c)
            )
            at = pinned if pinned is not None else event.at
            timing = (_PIN, _stamp(at), at)
        self.timing[event_id] = timing
        count = 0
        latest: tuple[int, datetime] | None = None
        own = self.events
        for wait in waits:
            cause = wait.cause
            if cause in removed and cause not in inserted:
                continue
            if cause in own:
                self.waiters.setdefault(cause, []).append((event_id, wait.arrival))
                count += 1
                continue
            j = base.index.get(cause)
            if j is None:
                continue
            source = base.delivered_by[j] if wait.arrival else j
            if j >= self.start:  # an unaffected event of the suffix: the stream will signal it
                self.signals.setdefault(source, []).append(event_id)
                count += 1
            elif source < len(base.stamps) and (latest is None or base.stamps[source] > latest[0]):
                arrived = base.delivered[j] if wait.arrival else base.times[j]
                assert arrived is not None  # delivered: its source is an event
                latest = (base.stamps[source], arrived)
        if latest is not None:
            self.reached[event_id] = latest
        if count:
            self.pending[event_id] = count
        else:
            self._schedule(event_id)

    # -- the run -------------------------------------------------------------------------

    def _schedule(self, event_id: str) -> None:
        """Push an event whose causes have all arrived (what :meth:`_Sim._push` does)."""
        rule, stamp, value = self.timing[event_id]
        latest = self.reached.get(event_id)
        if rule == _KEEP or latest is None:
            if rule == _LAG:  # its causes' arrivals are all unknown: its recorded time
                slot, offset = self.base.index[event_id], self.edit.offsets.get(event_id, _ZERO)
                stamp, value = (
                    self.base.stamps[slot] + offset // _MICRO,
                    self.base.times[slot] + offset,
                )
            at, moment = stamp, value
        elif rule == _LAG:
            at, moment = latest[0] + stamp, latest[1] + value
        elif latest[0] > stamp:
            at, moment = latest
        else:
            at, moment = stamp, value
        if self.now_stamp is not None and at < self.now_stamp:
            at = self.now_stamp
            moment = (
                self.now_moment if self.now_moment is not None else self._popped(self.now_index)
            )
        heapq.heappush(self.queue, (at, self.keys[event_id], event_id, moment))

    def _reach(self, waiter: str, stamp: int, moment: datetime) -> None:
        known = self.reached.get(waiter)
        if known is None or stamp > known[0]:
            self.reached[waiter] = (stamp, moment)
        left = self.pending[waiter] - 1
        if left:
            self.pending[waiter] = left
        else:
            del self.pending[waiter]
            self._schedule(waiter)

    def _signal(self, event_id: str, stamp: int, moment: datetime, arrival: bool | None) -> None:
        """Tell the waiters on ``event_id`` it was sent, or arrived (``None``: both at once)."""
        for waiter, wants_arrival in self.waiters.get(event_id, ()):
            if arrival is None or wants_arrival is arrival:
                self._reach(waiter, stamp, moment)

    def _pass(self, k: int, areas: _Areas) -> None:
        """What the release of unaffected base event ``k`` does for the affected events: signal
        those waiting on it (or on a message whose blackout it ends), darken or light areas."""
        stamp = self.base.stamps[k]
        if k in self.suspects:  # got through at once in the base: does it still?
            for through in _via(self.base.log.events[k]):
                if through in self.changed and areas.dark.get(through):
                    raise _Cautious
        for waiter in self.signals.get(k, ()):
            self._reach(waiter, stamp, self._popped(k))
        area = self.base.blackouts[k]
        if area is not None and area in self.watched:
            _through, freed = areas.release(self.base.log.events[k])
            for message in freed:  # only affected messages are ever held here
                self._signal(message, stamp, self._popped(k), True)

    def run(self, areas: _Areas) -> None:
        base, queue, own, out = self.base, self.queue, self.events, self.out
        events, stamps, blackouts = base.log.events, base.stamps, base.blackouts
        stream, signals, signal, lines = self.stream, self.signals, self._signal, self.lines
        suspects = self.suspects
        position, size = 0, len(stream)
        pop = heapq.heappop
        while True:
            if position < size:
                k = stream[position]
                stamp = stamps[k]
                if not queue or (stamp, (k, 0, 0)) < queue[0][:2]:
                    position += 1
                    out.append(events[k])
                    self.now_stamp, self.now_moment, self.now_index = stamp, None, k
                    if k in signals or blackouts[k] is not None or k in suspects:
                        self._pass(k, areas)
                    continue
            elif not queue:
                break
            at, _key, event_id, moment = pop(queue)
            self.now_stamp, self.now_moment = at, moment
            event = own[event_id]
            if self.stamps[event_id] != at:
                event = moved_to(event, moment)
            out.append(event)
            if event_id not in lines:
                signal(event_id, at, moment, None)  # sent and arrived at once
                continue
            signal(event_id, at, moment, False)
            through, freed = areas.release(event)
            if through:
                signal(event_id, at, moment, True)
            for message in freed:
                signal(message, at, moment, True)
        if self.pending:
            self._strand()

    def _popped(self, k: int) -> datetime:
        """The datetime the full simulation releases unaffected base event ``k`` at.

        Its instant is the recorded one; its UTC offset is that of the arrival it was timed
        from (the latest of its causes' arrivals, the first of equal ones), worked out back to
        the restart point from the base's measures, and remembered.
        """
        memo = self.memo
        found = memo.get(k)
        if found is not None:
            return found
        base, start = self.base, self.start
        stack = [k]
        while stack:
            i = stack[-1]
            if i in memo:
                stack.pop()
                continue
            sources = [
                base.delivered_by[w.index] if w.arrival else w.index
                for w in base.waits[i]
                if w.index >= start and not self._gone(w.cause)
            ]
            missing = [s for s in sources if s not in memo]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            memo[i] = self._timed(i, sources)
        return memo[k]

    def _gone(self, event_id: str) -> bool:
        """Whether the edit took ``event_id`` out of the log (and did not put it back)."""
        return event_id in self.edit.removed and event_id not in self.inserted

    def _timed(self, i: int, sources: list[int]) -> datetime:
        base, stamps = self.base, self.base.stamps
        rule, _step, value = base.steady[i]
        if rule == _KEEP:
            return value  # type: ignore[no-any-return]
        if self.edit.removed and any(self._gone(w.cause) for w in base.waits[i]):
            return base.times[i]  # a cause gone: it keeps its recorded time
        latest: tuple[int, datetime] | None = None
        for wait in base.waits[i]:  # causes before the restart point, as loaded
            if wait.index >= self.start:
                continue
            at = base.delivered[wait.index] if wait.arrival else base.times[wait.index]
            if at is not None:
                stamp = stamps[base.delivered_by[wait.index] if wait.arrival else wait.index]
                if latest is None or stamp > latest[0]:
                    latest = (stamp, at)
        for source in sorted(sources):  # then the arrivals in the suffix, in release order
            if latest is None or stamps[source] > latest[0]:
                latest = (stamps[source], self.memo[source])
        if latest is None:
            return base.times[i]
        return latest[1] + value  # type: ignore[no-any-return]


_FIELDS: Final = {cls: tuple(a.name for a in attrs.fields(cls)) for cls in EVENT_TYPES.values()}
_set: Final = object.__setattr__


def moved_to(event: Event, at: datetime) -> Event:
    """``event`` at ``at``, its ``earliest``/``latest`` bounds shifted with it.

    The copy is made field by field instead of through ``attrs.evolve``, which would run every
    validator again (most of its cost): the event was validated when it was made, and moving
    its aware times by the same duration keeps each of them aware, so nothing could fail.
    """
    shift = at - event.at
    moved = object.__new__(type(event))
    for name in _FIELDS[type(event)]:
        _set(moved, name, getattr(event, name))
    _set(moved, "at", at)
    if event.earliest is not None:
        _set(moved, "earliest", event.earliest + shift)
    if event.latest is not None:
        _set(moved, "latest", event.latest + shift)
    return moved


def _restart(base: Plan, touched: datetime) -> int:
    """The last clean point at or before the first base event at or after ``touched``."""
    if not base.ordered:
        return 0
    first = bisect_left(base.stamps, _stamp(touched))
    return base.clean[bisect_right(base.clean, first) - 1]


def schedule(base: Plan, edit: Edit, *, full: bool = False) -> Schedule:
    """The edited log, re-timed and in its new order (see the module docstring).

    Only the affected events are simulated, unless ``full`` is set (or the base is not in time
    order): then every event from the restart point on is, which gives the same log and is the
    reference the property tests hold the default to.

    Raises :class:`SimError` when the edit makes a cycle of causes.
    """
    events = base.log.events
    if edit.touched is None:
        return Schedule(events=events, first_change=len(events), present=base.index.__contains__)
    start = _restart(base, edit.touched)
    sim: _Sim
    if full or not (base.ordered and base.distinct):
        sim = _Sim(base, edit, start)
        sim.load()
        sim.run(_Areas())
    else:
        try:
            sim = _Sparse(base, edit, start)
            sim.load()
            sim.run(_Areas())
        except _Cautious:
            sim = _Sparse(base, edit, start, cautious=True)
            sim.load()
            sim.run(_Areas())
    new = events[:start] + tuple(sim.out)
    first = start
    limit = min(len(new), len(events))
    while first < limit and new[first] is events[first]:
        first += 1
    if edit.removed or edit.inserted:
        return Schedule(events=new, first_change=first, present=sim.present)
    return Schedule(events=new, first_change=first, present=base.index.__contains__)  # the same

"""The scheduler: when each event happens, folded as it goes.  There is one; replays and
what-ifs both run it.

How it works
------------
The recorded log says when each event happened.  The scheduler releases events in order of
time (ties in log order) and folds each one as it is released (:func:`sim.rules.attempt`).
With no edit, and a record consistent with the rules, that is the plain fold of the log in its
order, and nothing moves.  Three things move events:

- **Links** (:class:`~sim.events.EventBase`).  An event happens only once each event it
  ``requires`` or follows (``after``) has happened, and each message it ``answers`` has reached
  it; then at its *reaction lag* behind the latest of them, the lag measured on the record
  (its recorded time minus the latest recorded happening or arrival of its links, never
  negative).  So a reply that came two hours after the offer reached its addressee still comes
  two hours after it, wherever the offer now lands.  A link to an event that is not in the log
  (removed), or a message that never arrives (voided), does not time the event: it keeps its
  lag behind the links that remain, or its recorded time if none do.
- **Blackouts.**  A message whose channel runs ``via`` an area arrives when it is sent, unless
  the area is dark: then it is held there and arrives when the area is lit again (the fold's
  ``in_transit``).  What answers it waits for that.
- **Barriers** (temporary refusals of the guards: talks suspended or not yet started, a
  condition not yet met or set, an offer or a text not yet tabled, no deal yet).  An event
  that meets one *waits*: it is tried again whenever the part of the state its barrier watches
  changes, and happens at the first moment it passes, up to its ``patience`` (the event's own,
  else the scenario's, default 14 days).  If the patience runs out it is voided, the refusal
  saying how long it waited and what never happened ("waited 14d: talks never resumed").
  Everything linked to a waiting event waits with it.  A permanent refusal voids the event at
  once.

An intervention (see :mod:`sim.whatif`) removes, inserts, re-times (``by`` a duration, added to
the lag, or ``to`` a time, never before the links arrive) or amends events; the scheduler then
derives the rest.  A moved event keeps its own UTC offset (a Washington call stays in
Washington time).

What is simulated
-----------------
Events are taken, in recorded order, from a *stream* (the base log) at their recorded times, and
most never leave it: an event whose links all happened and arrived when the record says (or are
gone) happens at its recorded time, so it needs no timing.  An event is taken out of the stream
and timed, on a heap, only when it is edited or inserted, when one of its links is late (waiting,
held up, moved) or not yet there, or, in a what-if, when one of its links comes *earlier* than
recorded (the base's :class:`Plan` says which events link to which).  When the heap is empty and
nothing waits, the loop is the plain fold.

A what-if restarts from the last *anchor* of its base's run before the earliest time its edit
touches, reusing the base's states before it, and rejoins the base at a later anchor where
nothing it changed can reach any further, its state equals the base's and it remembers the
same of the events still linked to: from there the base's states are reused too.  An anchor
(:class:`Anchors`) is a point where the base's run is quiet and has released exactly the log's
first events, in whatever order (a reply waits for a blackout to end while later events go
on), with what the run remembers there of events that happened late or arrived otherwise than
recorded.  So an edit costs about what it changes, wherever it falls in a long log.

Pure: no I/O, no clock.  ``tests/oracle.py`` holds a naive simulation of the same rules, without
the stream or the rejoin, that the property tests compare this one with.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, TypedDict, TypeVar

from attrs import field, frozen

from sim._fast import evolved
from sim.errors import SimError
from sim.events import BlackoutEnded, BlackoutStarted, Event
from sim.log import Log
from sim.rules import attempt, void
from sim.state import EMPTY, NegotiationState, Refusal
from sim.times import format_span

__all__ = [
    "DEFAULT_PATIENCE",
    "Anchors",
    "Edit",
    "Hold",
    "Plan",
    "Run",
    "Timing",
    "Wait",
    "based",
    "moved_to",
    "plan",
    "run",
]

T = TypeVar("T")

DEFAULT_PATIENCE: Final = timedelta(days=14)
"""How long an event waits for a temporary barrier unless the event or the scenario says."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO: Final = timedelta(microseconds=1)
_NEAR: Final = 64
"""Links reaching back at most this many positions are looked up by scanning (see
:meth:`Anchors.open_at`); the rest are listed."""
_LAST: Final = 1 << 62
"""A heap key after every event's (for deadlines: events at the same instant go first)."""


def _stamp(moment: datetime) -> int:
    """``moment`` in whole microseconds since the epoch: an int that orders moments as their
    instants do, whatever their UTC offsets (comparing aware datetimes with different offsets
    costs several times more)."""
    return (moment - _EPOCH) // _MICRO


# ------------------------------------------------------------------------------------ records


@frozen(kw_only=True)
class Edit:
    """What interventions did to a base log, in the terms the scheduler needs.

    ``replaced`` holds amended events by id; ``inserted`` the new events in the order given;
    ``offsets`` the signed shifts of ``retime ... by``; ``pinned`` the times fixed by
    ``retime ... to`` or an amended time or links; ``touched`` the earliest time any of it
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
class Wait:
    """An event that met a temporary barrier: when, until when, and what held it."""

    id: str
    since: datetime
    until: datetime
    refusal: Refusal
    """The barrier, as the guard that stopped it last put it."""
    took_effect: bool
    """Whether it happened in the end (else its patience ran out and it was voided)."""

    @property
    def length(self) -> timedelta:
        """How long it waited."""
        return self.until - self.since


@frozen(kw_only=True)
class Hold:
    """A message held up by a blackout: sent, arrived (``None``: never), where and by what."""

    id: str
    area: str
    blackouts: tuple[str, ...]
    """The blackouts in force over the area when it was sent."""
    since: datetime
    until: datetime | None


TimingRule = Literal["pinned", "lag", "recorded", "offset"]


@frozen(kw_only=True)
class Timing:
    """How the scheduler found the time of an event it took out of the stream.

    ``rule``: ``lag`` (its recorded lag behind ``link``, the latest of its links, reached by
    ``via``), ``pinned`` (a time an intervention fixed, or ``link``'s arrival where that came
    later), ``recorded`` or ``offset`` (no link left: its recorded time, shifted by a retime).
    ``at`` is the time found; the event may still have waited after it (see :class:`Wait`).
    """

    rule: TimingRule
    at: datetime
    link: str | None = None
    via: Literal["requires", "answers", "after"] | None = None


@frozen(kw_only=True, repr=False)
class Run:
    """What the scheduler made of a log: the events in the order they happened (moved ones at
    their new times), the state after each, and the record of waits, holds and timings."""

    events: tuple[Event, ...]
    states: tuple[NegotiationState, ...]
    waits: Mapping[str, Wait]
    holds: Mapping[str, Hold]
    timings: Mapping[str, Timing]
    busy: tuple[int, ...]
    """Positions after which something was still in flight (waiting, held back, queued): a
    replay or a what-if can restart only from a quiet point, where nothing is."""
    aligned: int
    """How many leading events are the log's own, in the log's order, each with nothing in
    flight after it (snapshots of the log's prefixes are taken only there)."""
    first_change: int
    """For a what-if, the first position that differs from the base."""
    same_tail: int = 0
    """For a what-if that rejoined its base, how many events it ends with that are the base's
    own (the very same objects, after the very same states)."""

    def __repr__(self) -> str:
        return f"<Run of {len(self.events)} events, {len(self.waits)} waits>"


# ------------------------------------------------------------------------------------ the base


_BLACKOUTS: Final = (BlackoutStarted, BlackoutEnded)


def _via(event: Event) -> tuple[str, ...]:
    if event.channel is None or isinstance(event, _BLACKOUTS):
        return ()
    return event.channel.via


@frozen(kw_only=True, repr=False)
class Plan:
    """A base log measured once, for every what-if of it: the record's own timing.

    ``arrivals`` gives, for each message the record's blackouts hold up, when it arrived in the
    record (``None``: never), by simulating the blackouts alone over the recorded times.
    """

    log: Log
    index: Mapping[str, int]
    stamps: tuple[int, ...]
    arrivals: Mapping[int, tuple[int, datetime] | None]
    children: tuple[tuple[int, ...], ...]
    """For each event, the positions of the events that link to it."""
    ordered: bool
    """Whether the base is in time order."""

    def __repr__(self) -> str:
        return f"<Plan of {self.log.name!r}: {len(self.stamps)} events>"


def plan(log: Log) -> Plan:
    """Measure ``log``: each event's recorded time, each held message's recorded arrival, and
    which events link to which."""
    events = log.events
    index: dict[str, int] = {}
    children: list[list[int]] = [[] for _ in events]
    stamps: list[int] = []
    arrivals: dict[int, tuple[int, datetime] | None] = {}
    dark: dict[str, list[str]] = {}
    held: dict[str, list[int]] = {}
    ordered = True
    for i, event in enumerate(events):
        stamp = _stamp(event.at)
        if stamps and stamp < stamps[-1]:
            ordered = False
        stamps.append(stamp)
        for cause in event.causes:
            j = index.get(cause)
            if j is not None:
                children[j].append(i)
        index.setdefault(event.id, i)
        if isinstance(event, BlackoutStarted):
            dark.setdefault(event.area, []).append(event.id)
        elif isinstance(event, BlackoutEnded):
            left = [b for b in dark.get(event.area, ()) if b not in event.causes]
            dark[event.area] = left
            if not left:
                for k in held.pop(event.area, ()):
                    arrivals[k] = (stamp, event.at)
        else:
            for area in _via(event):
                if dark.get(area):
                    held.setdefault(area, []).append(i)
                    arrivals[i] = None
                    break
    return Plan(
        log=log,
        index=index,
        stamps=tuple(stamps),
        arrivals=arrivals,
        children=tuple(tuple(c) for c in children),
        ordered=ordered,
    )


# ------------------------------------------------------------------------------------ moving


@frozen(kw_only=True, repr=False)
class Anchors:
    """Where a what-if of a base can restart from it and rejoin it, and what the base's run
    remembers there.

    ``synced`` holds the counts ``p`` at which the base's run is quiet (nothing waits, is
    queued or pulled ahead) and has released exactly the log's first ``p`` events, in whatever
    order (an event answering a held message comes after later ones): the state after ``p``
    events is then the state after the log's first ``p``, and a run can restart there.  What the
    state does not carry is how the run differs from the record: which events happened late and
    when (``happened``), when held messages arrived (``arrived``) and which arrived otherwise
    than the record's blackouts deliver them (``late_arrival``).  A restart takes those entries
    for the events still linked to from after it; a rejoin compares them.
    """

    synced: frozenset[int]
    happened: Mapping[str, tuple[int, datetime]]
    arrived: Mapping[str, tuple[int, datetime]]
    late_arrival: frozenset[str]
    last_child: tuple[int, ...]
    """For each position, the last position linking to it (-1: none)."""
    far: tuple[int, ...]
    """The positions linked to from further than :data:`_NEAR` positions after, in order."""

    def __repr__(self) -> str:
        return f"<Anchors: {len(self.synced)} points>"

    def open_at(self, count: int) -> list[int]:
        """The positions before ``count`` that a position at ``count`` or after links to."""
        last = self.last_child
        found = [i for i in self.far[: bisect_left(self.far, count)] if last[i] >= count]
        found += (
            i
            for i in range(max(0, count - _NEAR), count)
            if count <= last[i] <= i + _NEAR  # the others are far
        )
        return found


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
    engine = _Engine(events, state=initial, base=base, edit=Edit(), patience=patience)
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


def moved_to(event: Event, at: datetime) -> Event:
    """``event`` at ``at`` (told in the event's own UTC offset), its bounds shifted with it."""
    at = at.astimezone(event.at.tzinfo)
    if at == event.at and at.utcoffset() == event.at.utcoffset():
        return event
    shift = at - event.at
    earliest = event.earliest + shift if event.earliest is not None else None
    latest = event.latest + shift if event.latest is not None else None
    return evolved(event, at=at, earliest=earliest, latest=latest)


# ------------------------------------------------------------------------------------ the engine

Via = Literal["requires", "answers", "after"]


def _links(event: Event) -> list[tuple[str, Via]]:
    found: list[tuple[str, Via]] = [(r.id, "requires") for r in event.requires]
    found.extend((a, "answers") for a in event.answers)
    found.extend((a, "after") for a in event.after)
    return found


_Watch = tuple[tuple[str, ...], bool] | None
"""What a waiting event's guards read besides the talks: the conditions they name, and whether
the offers and the text on the table (``None``: anything, try it at every change)."""
_Parked = tuple[Event, Refusal, datetime, datetime, NegotiationState, _Watch]
"""A waiting event: itself, the refusal that holds it, since when, its deadline, the state it
was last tried in, and what its guards read."""


class _Engine:
    """One run of the scheduler over a log, or over an edited copy of a base log."""

    def __init__(
        self,
        events: Sequence[Event],
        *,
        state: NegotiationState,
        start: int = 0,
        base: Plan | None = None,
        edit: Edit | None = None,
        patience: timedelta = DEFAULT_PATIENCE,
        known: Callable[[str], bool] | None = None,
        moved: Mapping[str, tuple[int, datetime]] | None = None,
        arrived: Mapping[str, tuple[int, datetime]] | None = None,
        late_arrival: frozenset[str] = frozenset(),
    ) -> None:
        self.events = events
        self.base = base
        self.edit = edit or Edit()
        self.patience = patience
        self.state = state
        self.start = start
        self.position = start
        self.known = known
        """Whether an id was released before ``start``."""
        self.added: set[str] = set()
        self.out: list[Event] = []
        self.states: list[NegotiationState] = []
        self.busy: list[int] = []
        self.waits: dict[str, Wait] = {}
        self.holds: dict[str, Hold] = {}
        self.timings: dict[str, Timing] = {}
        # in flight
        self.heap: list[tuple[int, int, int, str, datetime]] = []
        self.queued = 0
        self.sequence = 0
        self.pending: dict[str, int] = {}
        self.waiters: dict[str, list[tuple[str, bool]]] = {}
        self.parked: dict[str, _Parked] = {}
        self.held: set[str] = set(state.in_transit)
        # how the run differs from the record
        self.happened: dict[str, tuple[int, datetime]] = dict(moved or {})
        """When events released off the stream (or moved in the base) happened."""
        self.arrived: dict[str, tuple[int, datetime]] = dict(arrived or {})
        """When held messages arrived."""
        self.late: set[str] = set(self.happened)
        """Ids that happened at another time than recorded."""
        self.late_arrival: set[str] = set(late_arrival)
        """Ids that arrived at another time than the record's blackouts would deliver them."""
        self.skip: set[int] = set()
        self.own: dict[str, Event] = {}
        """The events taken off the stream (edited, inserted, or with links out of step)."""
        self.keys: dict[str, tuple[int, int]] = {}
        self.index: Mapping[str, int] | None = base.index if base is not None else None
        self.now: datetime | None = None
        self.now_stamp: int | None = None
        self.exact = True
        """Whether the record's arrivals are this run's (no blackout event moved): in a replay,
        a held message's recorded arrival is then the one this run gives it."""
        self.reach = -1
        """The last base position an edit or a disturbance can still change (for rejoining)."""
        self.closed: int | None = None
        """How many events had been released when the log ran out (what comes after was
        waiting on a message that never arrives: released only because nothing follows)."""
        self.ahead = -1
        """The last base position taken off the stream (pulled ahead when it is past the
        stream's position)."""
        self.diverged: int | None = None
        """How many events had been released when the run first left the record (an event
        taken off the stream or late, a message arriving otherwise than recorded, a blackout
        voided): a later run can start from a state before it, never after, since the state
        does not carry how the run differs from the record."""

    # -- lookups ---------------------------------------------------------------------------

    def _index(self) -> Mapping[str, int]:
        if self.index is None:
            found: dict[str, int] = {}
            for i, event in enumerate(self.events):
                found.setdefault(event.id, i)
            self.index = found
        return self.index

    def _seen(self, ident: str) -> bool:
        """Whether ``ident`` was released (took effect or was voided) before now."""
        return ident in self.added or (self.known is not None and self.known(ident))

    def _present(self, ident: str) -> bool:
        """Whether ``ident`` is an event of the new log (released or still to come)."""
        if ident in self.own or ident in self.parked:
            return True
        slot = self._index().get(ident)
        return slot is not None and ident not in self.edit.removed

    def _recorded(self, ident: str) -> tuple[int, datetime]:
        slot = self._index().get(ident)
        if slot is None:
            event = self.own[ident]
            return _stamp(event.at), event.at
        moment = self.events[slot].at
        return (self.base.stamps[slot] if self.base is not None else _stamp(moment)), moment

    def _recorded_arrival(self, ident: str) -> tuple[int, datetime]:
        slot = self._index().get(ident)
        if slot is not None:
            if self.base is None and ident not in self.late:
                # exact, and the message was sent when recorded: the record's arrival is this
                # run's (held and delivered, or through at once)
                return self.arrived.get(ident) or self._recorded(ident)
            if self.base is None:
                self.base = plan(Log(events=tuple(self.events)))
            if slot in self.base.arrivals:
                found = self.base.arrivals[slot]
                if found is not None:
                    return found
        return self._recorded(ident)

    def _happen(self, ident: str) -> tuple[int, datetime]:
        found = self.happened.get(ident)
        return found if found is not None else self._recorded(ident)

    def _arrival(self, ident: str) -> tuple[int, datetime]:
        found = self.arrived.get(ident)
        return found if found is not None else self._happen(ident)

    def _now_stamp(self) -> int:
        if self.now_stamp is None:
            self.now_stamp = _stamp(self.now) if self.now is not None else -(1 << 62)
        return self.now_stamp

    # -- set-up ----------------------------------------------------------------------------

    def load(self) -> None:
        """Take the edited and inserted events off the stream, to be timed."""
        edit, base = self.edit, self.base
        if edit.touched is None:
            return
        assert base is not None
        index = base.index
        for ident in edit.removed:
            self.skip.add(index[ident])
            self._reaches(index[ident])
        for seq, event in enumerate(edit.inserted):
            self.own[event.id] = event
            self.keys[event.id] = (bisect_right(base.stamps, _stamp(event.at)) - 1, 1 + seq)
            slot = index.get(event.id)
            if slot is not None:
                self._reaches(slot)
        for ident in (*edit.replaced, *edit.offsets, *edit.pinned):
            slot = index[ident]
            if ident not in self.own:
                self.own[ident] = edit.replaced.get(ident, self.events[slot])
                self.keys[ident] = (slot, 0)
                self.skip.add(slot)
                self._reaches(slot)
        for ident in list(self.own):
            self._divert(ident)

    def _reaches(self, slot: int) -> None:
        """Everything linked to the event at ``slot`` may change: the rejoin waits past it."""
        if self.base is not None and slot < len(self.base.children):
            self.reach = max(self.reach, slot, *self.base.children[slot])

    # -- taking events off the stream ------------------------------------------------------

    def _divert(self, ident: str) -> None:
        """Time ``ident`` on the heap once each link it waits on has happened or arrived."""
        event = self.own[ident]
        count = 0
        for link, via in _links(event):
            if not self._present(link):
                continue
            arrival = via == "answers"
            if not self._seen(link) or (arrival and link in self.held):
                self.waiters.setdefault(link, []).append((ident, arrival))
                count += 1
        if count:
            self.pending[ident] = self.pending.get(ident, 0) + count
        else:
            self._time(ident)

    def _diverge(self, event: Event | None = None) -> None:
        """The run leaves the record here (at ``event``, if it was released already)."""
        if self.diverged is None:
            released = event is not None and bool(self.out) and self.out[-1] is event
            self.diverged = len(self.out) - 1 if released else len(self.out)

    def _inexact(self, event: Event) -> None:
        """A blackout event leaves the stream: from now on the record's arrivals may not be
        this run's, so the record is measured on its own (a what-if has it measured already)."""
        self._diverge(event)
        if self.exact and isinstance(event, _BLACKOUTS):
            self.exact = False
            if self.base is None:
                self.base = plan(Log(events=tuple(self.events)))

    def _take(self, slot: int) -> None:
        """Take base event ``slot`` off the stream, to be timed from its links."""
        if slot in self.skip:
            return
        event = self.events[slot]
        self._inexact(event)
        self.skip.add(slot)
        self.ahead = max(self.ahead, slot)
        self.own[event.id] = event
        self.keys[event.id] = (slot, 0)
        self._reaches(slot)
        self._divert(event.id)

    def _time(self, ident: str) -> None:
        """Push ``ident``, whose links have all happened or arrived, at its time."""
        event = self.own[ident]
        edit = self.edit
        latest: tuple[int, datetime, str, Via] | None = None
        recorded_latest: int | None = None
        voided = self.state.voided
        for link, via in _links(event):
            if not self._present(link):
                continue
            if via == "answers":
                if link in voided:
                    continue  # it never arrives: it times nothing (and voids this event)
                new, old = self._arrival(link), self._recorded_arrival(link)[0]
            else:
                new, old = self._happen(link), self._recorded(link)[0]
            if latest is None or new[0] > latest[0]:
                latest = (new[0], new[1], link, via)
            if recorded_latest is None or old > recorded_latest:
                recorded_latest = old
        pinned = edit.pinned.get(ident)
        if pinned is None and (ident in edit.removed or ident not in self._index()):
            pinned = event.at  # inserted (or removed and inserted again, changed)
        offset = edit.offsets.get(ident, timedelta(0))
        timing: Timing
        if pinned is not None:
            stamp, moment = _stamp(pinned), pinned
            timing = Timing(rule="pinned", at=pinned)
            if latest is not None and latest[0] > stamp:
                stamp, moment = latest[0], latest[1]
                timing = Timing(rule="pinned", at=moment, link=latest[2], via=latest[3])
        elif latest is None or recorded_latest is None:
            own_stamp, own_moment = self._recorded(ident)
            stamp, moment = own_stamp + offset // _MICRO, own_moment + offset
            timing = Timing(rule="offset" if offset else "recorded", at=moment)
        else:
            lag = self._recorded(ident)[0] - recorded_latest + offset // _MICRO
            lag = max(0, lag)
            stamp = latest[0] + lag
            moment = latest[1] + timedelta(microseconds=lag)
            timing = Timing(rule="lag", at=moment, link=latest[2], via=latest[3])
        now = self._now_stamp()
        if stamp < now:
            assert self.now is not None
            stamp, moment = now, self.now
        self.timings[ident] = timing
        order, extra = self.keys[ident]
        self._push(stamp, order, extra, ident, moment)

    def _push(self, stamp: int, order: int, extra: int, ident: str, moment: datetime) -> None:
        self.sequence += 1
        heapq.heappush(self.heap, (stamp, order, (extra << 32) + self.sequence, ident, moment))
        if order != _LAST:
            self.queued += 1

    # -- releasing -------------------------------------------------------------------------

    def _release(self, event: Event, *, on_time: bool) -> None:
        """Fold ``event`` now: take effect, wait at a barrier, or be voided."""
        before = self.state
        result = attempt(before, event, self._seen)
        if isinstance(result, Refusal):
            if result.barrier is not None:
                self._park(event, result)
                return
            after = void(before, event, result)
        else:
            after = result
        self._append(event, after)
        self._settled(event, before, on_time=on_time)

    def _append(self, event: Event, state: NegotiationState) -> None:
        self.state = state
        self.out.append(event)
        self.states.append(state)
        self.added.add(event.id)
        if self.queued or self.pending or self.parked:
            self.busy.append(len(self.out) - 1)

    def _settled(self, event: Event, before: NegotiationState, *, on_time: bool) -> None:
        """What the release of ``event`` means for the rest: links resolved, messages held or
        delivered, barriers lifted."""
        ident, after = event.id, self.state
        early = False
        if ident in after.voided and isinstance(event, _BLACKOUTS):
            self._inexact(event)  # the areas are no longer lit and darkened as recorded
        if not on_time:
            stamp = self._now_stamp()
            recorded = self._recorded(ident)
            self.happened[ident] = (stamp, event.at)
            if stamp != recorded[0]:
                self.late.add(ident)
                self._diverge(event)
                early = stamp < recorded[0]
        if after.in_transit is not before.in_transit:
            self._transit(before, after)
        if early:
            self._pull(ident)
        if self.base is not None and ident not in self.held:
            slot = self._index().get(ident)
            if slot is not None and slot in self.base.arrivals:
                self._arrived_early(ident, slot)  # held up in the record, not now
        if ident in self.waiters:
            self._resolve(ident, arrival=ident not in self.held)
        if self.parked and _lifts(before, after):
            self._wake()

    def _transit(self, before: NegotiationState, after: NegotiationState) -> None:
        assert self.now is not None
        for ident, area in after.in_transit.items():
            if ident not in before.in_transit:
                self.held.add(ident)
                self.holds[ident] = Hold(
                    id=ident,
                    area=area,
                    blackouts=after.blackouts.get(area, ()),
                    since=self.now,
                    until=None,
                )
        for ident in before.in_transit:
            if ident in after.in_transit or ident not in self.held:
                continue
            self.held.discard(ident)
            stamp = self._now_stamp()
            self.arrived[ident] = (stamp, self.now)
            hold = self.holds.get(ident)
            if hold is not None:
                self.holds[ident] = Hold(
                    id=ident,
                    area=hold.area,
                    blackouts=hold.blackouts,
                    since=hold.since,
                    until=self.now,
                )
            if self.base is not None and ident in self._index():
                recorded = self._recorded_arrival(ident)
                if recorded[0] != stamp:
                    self.late_arrival.add(ident)
                    self._diverge(self.out[-1] if self.out else None)
                    if stamp < recorded[0]:
                        self._pull(ident)
                    self._reaches(self._index()[ident])
            if ident in self.waiters:
                self._resolve(ident, arrival=True)

    def _arrived_early(self, ident: str, slot: int) -> None:
        """``ident`` got through at once, though the record's blackouts held it up."""
        assert self.base is not None
        assert self.now is not None
        stamp = self._now_stamp()
        recorded = self.base.arrivals[slot]
        if recorded is not None and recorded[0] == stamp:
            return
        self.arrived[ident] = (stamp, self.now)
        self.late_arrival.add(ident)
        self._diverge(self.out[-1] if self.out else None)
        self._pull(ident)

    def _pull(self, ident: str) -> None:
        """``ident`` came earlier than recorded: what links to it may come earlier too."""
        if self.base is None:
            return
        slot = self.base.index.get(ident)
        if slot is None:
            return
        self._reaches(slot)
        for child in self.base.children[slot]:
            if child >= self.position and self.events[child].id not in self.edit.removed:
                self._take(child)

    def _resolve(self, ident: str, *, arrival: bool) -> None:
        """``ident`` happened (and, with ``arrival``, arrived): tell what waits on it."""
        waiting = self.waiters.pop(ident, None)
        if not waiting:
            return
        keep: list[tuple[str, bool]] = []
        ready: list[str] = []
        for waiter, wants_arrival in waiting:
            if wants_arrival and not arrival:
                keep.append((waiter, wants_arrival))
                continue
            left = self.pending[waiter] - 1
            if left:
                self.pending[waiter] = left
            else:
                del self.pending[waiter]
                ready.append(waiter)
        if keep:
            self.waiters[ident] = keep
        for waiter in ready:
            self._time(waiter)

    # -- waiting at a barrier --------------------------------------------------------------

    def _park(self, event: Event, refusal: Refusal) -> None:
        assert self.now is not None
        self._inexact(event)
        deadline = self.now + (event.patience or self.patience)
        self.parked[event.id] = (event, refusal, self.now, deadline, self.state, _watch(event))
        self._push(_stamp(deadline), _LAST, 0, event.id, deadline)
        slot = self._index().get(event.id) if self.base is not None else None
        if slot is not None:
            self._reaches(slot)

    def _wake(self) -> None:
        """Try the waiting events again, in the order they began to wait: those whose guards
        read a part of the state that changed since they were last tried (the others would
        meet the same refusal again)."""
        assert self.now is not None
        for ident in list(self.parked):
            parked = self.parked.get(ident)
            if parked is None:
                continue
            event, refusal, since, deadline, tried, watch = parked
            state = self.state
            if tried is state or (
                watch is not None
                and state.talks == tried.talks
                and state.talks_by == tried.talks_by
                and not _stirred(watch, tried, state)
            ):
                continue  # nothing its guards read changed since it was last tried
            # the guards never read an event's time: try it as it is, move it once it passes
            result = attempt(state, event, self._seen)
            if isinstance(result, Refusal) and result.barrier is not None:
                self.parked[ident] = (event, result, since, deadline, state, watch)
                continue
            now = moved_to(event, self.now)
            if not isinstance(result, Refusal):
                result = attempt(state, now, self._seen)
            del self.parked[ident]
            self.waits[ident] = Wait(
                id=ident,
                since=since,
                until=now.at,
                refusal=refusal,
                took_effect=not isinstance(result, Refusal),
            )
            before = self.state
            after = void(before, now, result) if isinstance(result, Refusal) else result
            self._append(now, after)
            self._settled(now, before, on_time=False)

    def _expire(self, ident: str) -> None:
        parked = self.parked.pop(ident, None)
        if parked is None:
            return
        assert self.now is not None
        event, refusal, since, *_rest = parked
        waited = self.now - since
        gave_up = Refusal(
            rule=refusal.rule,
            culprit=refusal.culprit,
            text=f"waited {format_span(waited)}: {refusal.never or 'the barrier never lifted'}",
            waited=waited,
        )
        now = moved_to(event, self.now)
        self.waits[ident] = Wait(
            id=ident, since=since, until=now.at, refusal=refusal, took_effect=False
        )
        before = self.state
        self._append(now, void(before, now, gave_up))
        self._settled(now, before, on_time=False)

    # -- the loop --------------------------------------------------------------------------

    def _disturbed(self, event: Event) -> bool:
        """Whether a link of ``event`` (on the stream) is late, not yet there, or held."""
        late, held, late_arrival = self.late, self.held, self.late_arrival
        for link in event.causes:
            if self._seen(link):
                if link in late:
                    return True
                if (link in held or link in late_arrival) and link in event.answers:
                    return True
            elif self._present(link):
                return True
        return False

    def run(
        self, rejoin: Callable[[int, NegotiationState], bool | None] | None = None
    ) -> int | None:
        """Release every event; return the base position after which the rest is the base's
        (if ``rejoin`` says so at a point where the run is quiet), else ``None``.  ``rejoin``
        says ``None`` where the base cannot be rejoined at all: that costs no comparison."""
        events, heap, skip = self.events, self.heap, self.skip
        size = len(events)
        stamps = self.base.stamps if self.base is not None else None
        added, known = self.added, self.known
        check, gap = -1, 1
        while True:
            position = self.position
            if position < size and position in skip:
                self.position += 1
                continue
            if heap:
                if position < size:
                    stamp = stamps[position] if stamps is not None else _stamp(events[position].at)
                    top = heap[0]
                    if (top[0], top[1]) < (stamp, position):
                        self._pop()
                        continue
                else:
                    self._pop()
                    continue
            elif position >= size:
                break
            event = events[position]
            self.position = position + 1
            causes = event.causes
            if (
                causes
                and (
                    self.late
                    or self.held
                    or self.late_arrival
                    or self.own
                    or self.parked
                    or self.pending
                    or not all(c in added or (known is not None and known(c)) for c in causes)
                )
                and self._disturbed(event)
            ):
                self._take(position)
                continue
            self.now, self.now_stamp = event.at, stamps[position] if stamps is not None else None
            self._release(event, on_time=True)
            if (
                rejoin is not None
                and position > self.reach
                and position >= check
                and not (self.queued or self.pending or self.parked)
                and self.ahead <= position
            ):
                verdict = rejoin(position, self.state)
                if verdict:
                    return position
                if verdict is not None:
                    check, gap = position + gap, gap * 2
        self._finish()
        return None

    def _pop(self) -> None:
        stamp, order, _seq, ident, moment = heapq.heappop(self.heap)
        self.now, self.now_stamp = moment, stamp
        if order == _LAST:
            self._expire(ident)
            return
        self.queued -= 1
        self._release(moved_to(self.own[ident], moment), on_time=False)

    def _finish(self) -> None:
        """What is left waits on a message that never arrives, or on a loop of links."""
        self.closed = len(self.out)
        while self.pending:
            stuck = [w for w in self.waiters if w in self.held]
            if not stuck:
                raise self._cycle()
            for ident in stuck:
                self.held.discard(ident)
                self._resolve(ident, arrival=True)
            while self.heap:
                self._pop()

    def _cycle(self) -> SimError:
        waiting = {
            w: [link for link, _via in _links(self.own[w]) if link in self.pending]
            for w in self.pending
        }
        first = min(waiting, key=lambda w: self.keys.get(w, (0, 0)))
        path = [first]
        while True:
            nxt = next((link for link in waiting.get(path[-1], ()) if link in waiting), None)
            if nxt is None or nxt in path:
                if nxt is not None:
                    path = [*path[path.index(nxt) :], nxt]
                break
            path.append(nxt)
        blamed = [self.edit.origins[e] for e in path if e in self.edit.origins]
        return SimError(
            what="a cycle of causes: " + " → ".join(path),
            expected="each event's links to be earlier events, never the event itself",
            hint=("made by " + "; ".join(dict.fromkeys(blamed)))
            if blamed
            else "check the links of the inserted or amended events",
            code="cause-cycle",
        )


_READS_CONDITIONS: Final[Mapping[str, Callable[[Any], tuple[str, ...]]]] = {
    "offer": lambda e: e.conditions,
    "condition": lambda e: (e.name,),
    "assurance": lambda e: e.meets,
    "talks_suspended": lambda e: e.until,
    "response": lambda _: (),
    "approval": lambda _: (),
    "announcement": lambda _: (),
}
"""For the kinds that can wait and whose guards read no more than the talks, the conditions
named here and (:data:`_READS_OFFERS`) the offers and the text on the table: those conditions
(see the guards of :data:`sim.rules.GUARDS`).  Any other kind is tried at every change."""
_READS_OFFERS: Final = frozenset({"response", "approval"})


def _watch(event: Event) -> _Watch:
    names = _READS_CONDITIONS.get(event.kind)
    return None if names is None else (names(event), event.kind in _READS_OFFERS)


def _stirred(
    watch: tuple[tuple[str, ...], bool], tried: NegotiationState, state: NegotiationState
) -> bool:
    """Whether a part of the state that ``watch`` names, other than the talks, changed from
    ``tried`` to ``state``."""
    names, offers = watch
    if offers and (
        state.offers is not tried.offers
        or state.current_offer_id != tried.current_offer_id
        or state.current_text != tried.current_text
    ):
        return True
    if not names or state.conditions is tried.conditions:
        return False
    now, then = state.conditions, tried.conditions
    return any(now.get(n) is not then.get(n) for n in names)


def _lifts(before: NegotiationState, after: NegotiationState) -> bool:
    """Whether a barrier can have lifted: the part of the state barriers watch changed."""
    return (
        after.talks != before.talks
        or after.conditions is not before.conditions
        or after.offers is not before.offers
    )


# ------------------------------------------------------------------------------------ entry


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
    engine = _Engine(
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

    engine = _Engine(
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
    engine: _Engine, anchored: Anchors, count: int, state: NegotiationState, now: datetime
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


def _result(engine: _Engine, *, offset: int, first_change: int) -> Run:
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

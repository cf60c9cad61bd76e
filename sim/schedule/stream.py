"""The scheduler's run, first half: what a run holds, what it knows of when each event happened
and arrived, and how it takes events off the stream and times them from their links.  The
second half, releasing and waiting, is :mod:`sim.schedule.engine`.  Pure."""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from sim.events import Event
from sim.log import Log
from sim.schedule.plan import _BLACKOUTS, Plan, plan
from sim.schedule.records import (
    _LAST,
    _MICRO,
    DEFAULT_PATIENCE,
    Edit,
    Hold,
    Timing,
    Via,
    Wait,
    _links,
    _stamp,
)
from sim.schedule.waiting import Waiting
from sim.state import NegotiationState

__all__ = ["Stream"]


class Stream:
    """One run of the scheduler over a log, or over an edited copy of a base log: what it
    holds, and how it takes events off the stream and times them (the engine releases them)."""

    def __init__(  # noqa: PLR0915 (a run's state, one field after another)
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
        self.waiting = Waiting()
        """The events waiting at a barrier."""
        self.held: set[str] = set(state.in_transit)
        # how the run differs from the record
        self.happened: dict[str, tuple[int, datetime]] = dict(moved or {})
        """When events released off the stream (or moved in the base) happened."""
        self.arrived: dict[str, tuple[int, datetime]] = dict(arrived or {})
        """When held messages arrived."""
        self.late_arrival: set[str] = set(late_arrival)
        """Ids that arrived at another time than the record's blackouts would deliver them."""
        self.skip: set[int] = set()
        self.own: dict[str, Event] = {}
        """The events taken off the stream (edited, inserted, or with links out of step)."""
        self.keys: dict[str, tuple[int, int]] = {}
        self.index: Mapping[str, int] | None = base.index if base is not None else None
        """Each id's first position in the log, once it is measured whole (:meth:`_index`)."""
        self._prefix: dict[str, int] = {}
        """The same, for the log's first :attr:`_indexed` positions (:meth:`_slot`)."""
        self._indexed = 0
        self.late: set[str] = self._late_remembered()
        """Ids that happened at another time than recorded."""
        self.now: datetime | None = None
        self.now_stamp: int | None = None
        self.exact = True
        """Whether the record's arrivals are this run's (no blackout event moved): in a replay,
        a held message's recorded arrival is then the one this run gives it."""
        self.reach = -1
        """The last base position an edit or a disturbance can still change (for rejoining)."""
        # the next base position to ask whether the run rejoins the base at, and how many
        # positions further the one after (doubled at each failure)
        self.check, self.gap = -1, 1
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

    def _late_remembered(self) -> set[str]:
        """Of the events remembered from the base's run as released off the stream, those that
        were not at the record's own time (one released at it disturbs nothing linked to it)."""
        base = self.base
        return {
            ident
            for ident, (stamp, _moment) in self.happened.items()
            if base is None or ident not in base.index or stamp != self._recorded(ident)[0]
        }

    def _index(self) -> Mapping[str, int]:
        if self.index is None:
            self._index_to(len(self.events))
            self.index = self._prefix
        return self.index

    def _index_to(self, end: int) -> None:
        found, events = self._prefix, self.events
        for i in range(self._indexed, end):
            found.setdefault(events[i].id, i)
        self._indexed = max(self._indexed, end)

    def _slot(self, ident: str) -> int | None:
        """``ident``'s first position in the log.  For an event released or taken off the
        stream already, only the log up to the stream's frontier is indexed: a replay with one
        late event early on need not index the whole log."""
        if self.index is not None:
            return self.index.get(ident)
        frontier = max(self.position, self.ahead + 1)
        if self._indexed < frontier:
            self._index_to(frontier)
        slot = self._prefix.get(ident)
        return slot if slot is not None else self._index().get(ident)

    def _measure(self) -> Plan:
        """The record measured on its own (a replay's, when it first needs it)."""
        self.base = plan(Log(events=tuple(self.events)))
        if self.index is None:
            self.index = self.base.index
        return self.base

    def _seen(self, ident: str) -> bool:
        """Whether ``ident`` was released (took effect or was voided) before now."""
        return ident in self.added or (self.known is not None and self.known(ident))

    def _present(self, ident: str) -> bool:
        """Whether ``ident`` is an event of the new log (released or still to come)."""
        if ident in self.own or ident in self.waiting:
            return True
        slot = self._index().get(ident)
        return slot is not None and ident not in self.edit.removed

    def _recorded(self, ident: str) -> tuple[int, datetime]:
        slot = self._slot(ident)
        if slot is None:
            event = self.own[ident]
            return _stamp(event.at), event.at
        moment = self.events[slot].at
        return (self.base.stamps[slot] if self.base is not None else _stamp(moment)), moment

    def _recorded_arrival(self, ident: str) -> tuple[int, datetime]:
        slot = self._slot(ident)
        if slot is not None:
            if self.base is None and ident not in self.late:
                # exact, and the message was sent when recorded: the record's arrival is this
                # run's (held and delivered, or through at once)
                return self.arrived.get(ident) or self._recorded(ident)
            base = self.base if self.base is not None else self._measure()
            if slot in base.arrivals:
                found = base.arrivals[slot]
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
                self._measure()

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
        if pinned is None and (ident in edit.removed or self._slot(ident) is None):
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

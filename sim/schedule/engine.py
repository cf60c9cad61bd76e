"""The scheduler's run, second half: releasing events (fold each, hold or deliver messages,
resolve what waits on it), waiting at barriers, and the loop over the stream and the heap.
Pure."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Final

from sim.errors import SimError
from sim.events import Event
from sim.graph import loop_from
from sim.rules import attempt, refused, void
from sim.schedule.plan import _BLACKOUTS
from sim.schedule.records import _LAST, Hold, Wait, _links, _stamp, moved_to
from sim.schedule.stream import Stream
from sim.schedule.waiting import lifts
from sim.state import NegotiationState, Refusal
from sim.times import format_span

__all__ = ["Engine"]

_NONE: Final[Mapping[int, object]] = {}


class Engine(Stream):
    """One run of the scheduler: :class:`~sim.schedule.stream.Stream`'s state and timing, with
    the release of each event, the waits, and the loop."""

    # -- releasing -------------------------------------------------------------------------

    def _release(self, event: Event, *, on_time: bool) -> None:
        """Fold ``event`` now: take effect, wait at a barrier, or be voided."""
        before = self.state
        result = attempt(before, event, self._seen)
        if isinstance(result, Refusal):
            self._refused(event, before, result, on_time=on_time)
            return
        self._append(event, result)
        self._settled(event, before, on_time=on_time)

    def _refused(
        self, event: Event, before: NegotiationState, refusal: Refusal, *, on_time: bool
    ) -> None:
        if refusal.barrier is not None:
            self._park(event, refusal)
            return
        self._append(event, void(before, event, refusal))
        self._settled(event, before, on_time=on_time)

    def _append(self, event: Event, state: NegotiationState) -> None:
        self.state = state
        self.out.append(event)
        self.states.append(state)
        self.added.add(event.id)
        if self.queued or self.pending or self.waiting.parked:
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
        if self.base is not None and ident not in self.held and ident not in after.voided:
            slot = self._index().get(ident)
            if slot is not None and slot in self.base.arrivals:
                self._arrived_early(ident, slot)  # held up in the record, not now
        if ident in self.waiters:
            self._resolve(ident, arrival=ident not in self.held)
        position, busy = len(self.out) - 1, self.busy
        if (self.queued or self.pending) and (not busy or busy[-1] != position):
            busy.append(position)  # settling it took events off the stream: not quiet after it
        if self.waiting.parked and lifts(before, after):
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
        self.waiting.park(event, refusal, self.now, deadline, self.state)
        self._push(_stamp(deadline), _LAST, 0, event.id, deadline)
        slot = self._index().get(event.id) if self.base is not None else None
        if slot is not None:
            self._reaches(slot)

    def _wake(self) -> None:
        """Try the waiting events again, in the order they began to wait: those whose guards
        read a part of the state that changed since they were last tried (the others would
        meet the same refusal again).

        A change made by an event let through starts a new pass over the waiting events, run
        before the rest of this one (:meth:`Waiting.begin`): a loop over a stack of passes, not
        a recursion, so any number of events can wait at once."""
        waiting = self.waiting
        if waiting.passing:
            waiting.begin(self.state)
            return
        waiting.begin(self.state)
        try:
            while (ident := waiting.next(self.state)) is not None:
                self._retry(ident)
        finally:
            waiting.end()

    def _retry(self, ident: str) -> None:
        assert self.now is not None
        state = self.state
        due = self.waiting.due(ident, state)
        if due is None:
            return
        event, refusal, since = due
        # the guards never read an event's time: ask them of it as it is, move it once it
        # passes, and compute its effect at its new time only then
        stopped = refused(state, event, self._seen)
        if stopped is not None and stopped.barrier is not None:
            self.waiting.keep(ident, stopped, state)
            return
        self.waiting.take(ident)
        now = moved_to(event, self.now)
        result = attempt(state, now, self._seen) if stopped is None else stopped
        self.waits[ident] = Wait(
            id=ident,
            since=since,
            until=now.at,
            refusal=refusal,
            took_effect=not isinstance(result, Refusal),
        )
        after = void(state, now, result) if isinstance(result, Refusal) else result
        self._append(now, after)
        self._settled(now, state, on_time=False)

    def _expire(self, ident: str) -> None:
        """``ident``'s patience ran out (it still waits: :meth:`_pop` skips stale deadlines)."""
        taken = self.waiting.take(ident)
        assert taken is not None
        assert self.now is not None
        event, refusal, since = taken
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
        says ``None`` where the base cannot be rejoined at all: that costs no comparison.

        The stream's events are released by :meth:`_stream`, which stops before one that an
        event timed on the heap comes before: this loop lets that one go, then goes on."""
        size, heap = len(self.events), self.heap
        while True:
            position = self.position
            if position < size:
                rejoined = self._stream(rejoin)
                if rejoined is not None:
                    return rejoined
                if self.position != position:
                    continue
                # it stopped at once: the heap's first comes before the stream's next event
            elif not heap:
                break
            self._pop()
        self._finish()
        return None

    def _rejoins(
        self, rejoin: Callable[[int, NegotiationState], bool | None], position: int
    ) -> bool:
        """Whether the run, quiet after releasing base ``position``, rejoins the base there.
        Asked less and less often while the base cannot be rejoined (a gap that doubles)."""
        if position <= self.reach or position < self.check or self.ahead > position:
            return False
        verdict = rejoin(position, self.state)
        if verdict is None:
            return False
        if not verdict:
            self.check, self.gap = position + self.gap, self.gap * 2
        return verdict

    def _stream(self, rejoin: Callable[[int, NegotiationState], bool | None] | None) -> int | None:
        """Release the stream's events from :attr:`position` on, each at its recorded time, in
        a tight loop: the plain fold, with the bookkeeping only where an event needs it (a
        barrier parks it; a blackout voided, a message held up or delivered, one held up in
        the record, an event something waits on, a barrier that may lift for a waiting event
        settle it; one whose links are out of step, see :meth:`_disturbed`, it takes off the
        stream to be timed).  It stops before an event the heap must let go
        first: :meth:`run` lets those go.  Returns the position rejoined at, if ``rejoin`` says
        so, else ``None``."""
        events, skip, added, known = self.events, self.skip, self.added, self.known
        present = added.__contains__ if known is None else self._seen
        out, states, busy, heap, size = self.out, self.states, self.busy, self.heap, len(events)
        parked, pending, waiters = self.waiting.parked, self.pending, self.waiters
        late, held, late_arrival, base = self.late, self.held, self.late_arrival, self.base
        arrivals, stamps = (base.arrivals, base.stamps) if base is not None else (_NONE, None)
        state, position, last, top = self.state, self.position, -1, heap[0] if heap else None
        while position < size and self.base is base:  # else read the record measured just now
            if position in skip:
                position += 1
                continue
            event = events[position]
            if top is not None and (  # the heap's first comes before it
                (top[0], top[1]) < (stamps[position], position)
                if stamps is not None
                else top[4] < event.at or (top[4] == event.at and top[1] < position)
            ):
                break
            causes = event.causes
            if (
                causes
                and (
                    late
                    or held
                    or late_arrival
                    or not (
                        added.issuperset(causes)
                        if known is None
                        else all(c in added or known(c) for c in causes)
                    )
                )
                and self._disturbed(event)
            ):
                position, top = position + 1, self._off(state, last, position)
                continue
            result = attempt(state, event, present)
            if isinstance(result, Refusal):
                if result.barrier is not None:
                    position, last, top = (
                        position + 1,
                        position,
                        self._wait(state, position, result),
                    )
                    continue
                settle = isinstance(event, _BLACKOUTS) or event.id in waiters
                result = void(state, event, result)
            else:
                settle = (
                    result.in_transit is not state.in_transit
                    or position in arrivals
                    or event.id in waiters
                    or bool(parked and lifts(state, result))
                )
            before, state = state, result
            out.append(event)
            states.append(state)
            added.add(event.id)
            position, last = position + 1, position
            if self.queued or pending or parked:
                busy.append(len(out) - 1)
            if settle:
                self._stand(state, last)
                self._settled(event, before, on_time=True)
                state, top = self.state, heap[0] if heap else None
            if (
                rejoin is not None
                and last > self.reach
                and last >= self.check
                and self.ahead <= last
                and not (self.queued or pending or parked)
            ):
                self._stand(state, last)
                if self._rejoins(rejoin, last):
                    return last
        if last >= 0:
            self._stand(state, last)
        self.position = position
        return None

    def _off(
        self, state: NegotiationState, last: int, position: int
    ) -> tuple[int, int, int, str, datetime] | None:
        """Take the stream's event at ``position`` off it (its links are out of step), the run
        standing after the stream's event at ``last`` (if any), in ``state``.  Returns the
        heap's first."""
        if last >= 0:
            self._stand(state, last)
        self.position = position + 1
        self._take(position)
        return self.heap[0] if self.heap else None

    def _wait(
        self, state: NegotiationState, position: int, refusal: Refusal
    ) -> tuple[int, int, int, str, datetime]:
        """The stream's event at ``position`` meets a barrier in ``state``: it waits.  Returns
        the heap's first (its deadline went on the heap)."""
        self._stand(state, position)
        self._park(self.events[position], refusal)
        return self.heap[0]

    def _stand(self, state: NegotiationState, position: int) -> None:
        """The run stands just after releasing (or parking) the stream's event at
        ``position``, in ``state``: what :meth:`_stream` keeps in locals, written back."""
        self.state, self.position, self.now = state, position + 1, self.events[position].at
        self.now_stamp = self.base.stamps[position] if self.base is not None else None

    def _pop(self) -> None:
        stamp, order, _seq, ident, moment = heapq.heappop(self.heap)
        if order == _LAST:
            if ident in self.waiting:
                self.now, self.now_stamp = moment, stamp
                self._expire(ident)
            # else it stopped waiting before its patience ran out: the deadline is stale, and
            # moves no clock (a run restarted after it, as a what-if is, never had it)
            return
        self.now, self.now_stamp = moment, stamp
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
        path = loop_from(min(waiting, key=lambda w: self.keys.get(w, (0, 0))), waiting)
        blamed = [self.edit.origins[e] for e in path if e in self.edit.origins]
        return SimError(
            what="a cycle of causes: " + " → ".join(path),
            expected="each event's links to be earlier events, never the event itself",
            hint=("made by " + "; ".join(dict.fromkeys(blamed)))
            if blamed
            else "check the links of the inserted or amended events",
            code="cause-cycle",
        )

"""A naive simulation of the scheduler's rules, the reference the property tests hold it to.

It has none of the scheduler's shortcuts: every event of the (edited) log is timed from its
links on one heap, from the first event on, every time; the state is folded from the start; every
waiting event is tried again after every change of state.  It shares the rules (``attempt``) and
the way a time is told (``moved_to``), and re-derives the rest from the module docstring of
:mod:`sim.schedule`.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sim.errors import SimError
from sim.events import BlackoutEnded, BlackoutStarted, Event
from sim.rules import attempt, void
from sim.schedule import DEFAULT_PATIENCE, Edit, moved_to
from sim.state import EMPTY, NegotiationState, Refusal
from sim.times import format_span

__all__ = ["Outcome", "simulate"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAST = 1 << 62

Outcome = tuple[tuple[Event, ...], tuple[NegotiationState, ...], dict[str, tuple[datetime, bool]]]
"""The events in the order they happened, the state after each, and for each event that
waited at a barrier: until when, and whether it took effect."""


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _record_arrivals(events: Sequence[Event]) -> dict[str, datetime | None]:
    """When each message the record's blackouts hold up arrives, by the recorded times alone."""
    dark: dict[str, list[str]] = {}
    held: dict[str, list[str]] = {}
    found: dict[str, datetime | None] = {}
    for event in events:
        if isinstance(event, BlackoutStarted):
            dark.setdefault(event.area, []).append(event.id)
        elif isinstance(event, BlackoutEnded):
            dark[event.area] = [b for b in dark.get(event.area, []) if b not in event.causes]
            if not dark[event.area]:
                for message in held.pop(event.area, []):
                    found[message] = event.at
        elif event.channel is not None:
            for area in event.channel.via:
                if dark.get(area):
                    held.setdefault(area, []).append(event.id)
                    found.setdefault(event.id, None)
                    break
    return found


def simulate(
    base: Sequence[Event], edit: Edit | None = None, *, patience: timedelta = DEFAULT_PATIENCE
) -> Outcome:
    """Run ``base`` with ``edit`` applied, naively (see the module docstring)."""
    edit = edit or Edit()
    index: dict[str, int] = {}
    for i, event in enumerate(base):
        index.setdefault(event.id, i)
    stamps = [_us(e.at) for e in base]
    arrivals = _record_arrivals(base)
    own: dict[str, Event] = {}
    keys: dict[str, tuple[int, int]] = {}
    for i, event in enumerate(base):
        if event.id not in edit.removed:
            own[event.id] = edit.replaced.get(event.id, event)
            keys[event.id] = (i, 0)
    for seq, event in enumerate(edit.inserted):
        own[event.id] = event
        keys[event.id] = (bisect_right(stamps, _us(event.at)) - 1, 1 + seq)

    def recorded(ident: str) -> datetime:
        return base[index[ident]].at if ident in index else own[ident].at

    def recorded_arrival(ident: str) -> datetime:
        found = arrivals.get(ident) if ident in index else None
        return found if found is not None else recorded(ident)

    links = {
        ident: [(r.id, False) for r in e.requires]
        + [(a, True) for a in e.answers]
        + [(a, False) for a in e.after]
        for ident, e in own.items()
    }
    state = EMPTY
    out: list[Event] = []
    states: list[NegotiationState] = []
    happened: dict[str, datetime] = {}
    arrived: dict[str, datetime] = {}
    held: set[str] = set()
    parked: dict[str, tuple[Event, Refusal, datetime]] = {}
    waited: dict[str, tuple[datetime, bool]] = {}
    heap: list[tuple[int, int, int, str, datetime]] = []
    sequence = 0
    now: datetime | None = None
    done: set[str] = set()

    def ready(ident: str) -> bool:
        for link, arrival in links[ident]:
            if link not in own:
                continue
            if link not in happened or (arrival and link in held):
                return False
        return True

    def push(stamp: int, order: int, extra: int, ident: str, moment: datetime) -> None:
        nonlocal sequence
        sequence += 1
        heapq.heappush(heap, (stamp, order, (extra << 32) + sequence, ident, moment))

    def time_of(ident: str) -> None:
        event = own[ident]
        present = [
            (link, arrival)
            for link, arrival in links[ident]
            if link in own and not (arrival and link in state.voided)
        ]
        pinned = edit.pinned.get(ident)
        if pinned is None and (ident in edit.removed or ident not in index):
            pinned = event.at
        offset = edit.offsets.get(ident, timedelta(0))
        newest: datetime | None = None
        old = 0
        if present:

            def reached(link: str, arrival: bool) -> datetime:
                return arrived.get(link, happened[link]) if arrival else happened[link]

            newest = max((reached(link, a) for link, a in present), key=_us)
            old = max(_us(recorded_arrival(link) if a else recorded(link)) for link, a in present)
        if pinned is not None:
            moment = pinned if newest is None or _us(newest) <= _us(pinned) else newest
        elif newest is None:
            moment = recorded(ident) + offset
        else:
            lag = max(0, _us(recorded(ident)) - old + offset // timedelta(microseconds=1))
            moment = newest + timedelta(microseconds=lag)
        if now is not None and _us(moment) < _us(now):
            moment = now
        order, extra = keys[ident]
        push(_us(moment), order, extra, ident, moment)

    def settle(event: Event, before: NegotiationState) -> None:
        happened[event.id] = event.at
        for ident in state.in_transit:
            if ident not in before.in_transit:
                held.add(ident)
        for ident in before.in_transit:
            if ident not in state.in_transit and ident in held:
                held.discard(ident)
                assert now is not None
                arrived[ident] = now
        for ident in own:
            if ident not in done and ident not in queued and ready(ident):
                queued.add(ident)
                time_of(ident)
        wake()

    def append(event: Event, after: NegotiationState) -> None:
        nonlocal state
        before = state
        state = after
        out.append(event)
        states.append(after)
        done.add(event.id)
        settle(event, before)

    def wake() -> None:
        assert now is not None
        for ident in list(parked):
            if ident not in parked:
                continue
            event, _refusal, since = parked[ident]
            moved = moved_to(event, now)
            result = attempt(state, moved, lambda i: i in done)
            if isinstance(result, Refusal) and result.barrier is not None:
                parked[ident] = (event, result, since)
                continue
            del parked[ident]
            waited[ident] = (moved.at, not isinstance(result, Refusal))
            append(moved, void(state, moved, result) if isinstance(result, Refusal) else result)

    queued: set[str] = set()
    for ident in own:
        if ready(ident):
            queued.add(ident)
            time_of(ident)
    while True:
        while heap:
            _stamp, order, _seq, ident, moment = heapq.heappop(heap)
            if order == _LAST:
                if ident not in parked:
                    continue  # it waits no more: its deadline moves no clock
                now = moment
                event, refusal, since = parked.pop(ident)
                moved = moved_to(event, moment)
                waited[ident] = (moved.at, False)
                never = refusal.never or "the barrier never lifted"
                gave_up = Refusal(
                    rule=refusal.rule,
                    culprit=refusal.culprit,
                    text=f"waited {format_span(moment - since)}: {never}",
                    waited=moment - since,
                )
                append(moved, void(state, moved, gave_up))
                continue
            now = moment
            event = moved_to(own[ident], moment)
            result = attempt(state, event, lambda i: i in done)
            if isinstance(result, Refusal):
                if result.barrier is not None:
                    parked[ident] = (event, result, moment)
                    deadline = moment + (event.patience or patience)
                    push(_us(deadline), _LAST, 0, ident, deadline)
                    continue
                append(event, void(state, event, result))
            else:
                append(event, result)
        stuck = [i for i in own if i not in done and i not in queued]
        if not stuck:
            break
        forever = [h for h in held if any(h == link for i in stuck for link, _ in links[i])]
        if not forever:
            raise SimError(what="a cycle of causes", code="cause-cycle")
        for message in forever:
            held.discard(message)
        for ident in stuck:
            if ready(ident):
                queued.add(ident)
                time_of(ident)
    return tuple(out), tuple(states), waited

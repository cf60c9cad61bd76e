"""The events waiting at a barrier, and which of them a change of state can let through.

A waiting event is tried again only when a part of the state its guards read has changed
since it was last tried (the guards never read an event's time, so a try is a pure function
of the state).  One held back by the talks alone is not tried at all while the talks stay
not active: its refusal then changes with the talks, without a try (see
:meth:`Waiting.candidates`).  Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from sim.events import Event
from sim.rules import GUARDS, talks_active
from sim.state import NegotiationState, Refusal

__all__ = ["Waiting", "lifts"]

Watch = tuple[tuple[str, ...], bool] | None
"""What a waiting event's guards read besides the talks: the conditions they name, and whether
the offers and the text on the table (``None``: anything, try it at every change)."""
Parked = tuple[Event, Refusal, datetime, datetime, NegotiationState, Watch]
"""A waiting event: itself, the refusal that holds it, since when, its deadline, the state it
was last tried in, and what its guards read."""

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


class _Cell:
    """Waiting events held back by the talks alone, and the state whose talks refuse them (their
    refusal is :func:`_held_by_talks` of it: it depends on the talks alone)."""

    __slots__ = ("key", "members", "state")

    def __init__(self, state: NegotiationState) -> None:
        self.state = state
        self.key = (state.talks, state.talks_by)
        self.members: set[str] = set()


_WAITING_TALKS: Final = frozenset({"not_started", "suspended"})
"""The talks' statuses in which :func:`sim.rules.talks_active` refuses with a barrier (the
event waits); in any other but ``active`` its refusal is permanent."""


def _held_by_talks(state: NegotiationState, event: Event) -> Refusal:
    refusal = talks_active(state, event)
    assert refusal is not None
    return refusal


_TALKS_FIRST: Final = frozenset(
    kind for kind, guards in GUARDS.items() if guards and guards[0] is talks_active
)
"""The kinds whose first guard is :func:`sim.rules.talks_active`, which reads the talks alone."""


def _watch(event: Event) -> Watch:
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


def lifts(before: NegotiationState, after: NegotiationState) -> bool:
    """Whether a barrier can have lifted: the part of the state barriers watch changed."""
    return (
        after.talks != before.talks
        or after.conditions is not before.conditions
        or after.offers is not before.offers
    )


class _Pass:
    """A pass over the waiting events: those it tries (ids of positions ``at`` on), the order of
    the last it gave, and how many had begun to wait when it began (later ones are not its)."""

    __slots__ = ("at", "ids", "last", "limit", "stale")

    def __init__(self, ids: list[str], limit: int) -> None:
        self.ids = ids
        self.at = 0
        self.last = -1
        self.limit = limit
        self.stale = False


class Waiting:
    """The waiting events of one run, in the order they began to wait, indexed by what can
    let each through: the *loose* ones are tried at each change their guards read; one held
    back by the talks alone (``talks_active``, its kind's first guard, refused it) sits in the
    *cell* of the talks it is refused in."""

    def __init__(self) -> None:
        self._passes: list[_Pass] = []
        self.parked: dict[str, Parked] = {}
        self._order: dict[str, int] = {}
        self._loose: set[str] = set()
        self._cells: dict[tuple[str, str | None], _Cell] = {}
        self._cell_of: dict[str, _Cell] = {}

    def __contains__(self, ident: str) -> bool:
        return ident in self.parked

    # -- passes ----------------------------------------------------------------------------

    @property
    def passing(self) -> bool:
        """Whether a pass over the waiting events is under way."""
        return bool(self._passes)

    def begin(self, state: NegotiationState) -> None:
        """Start a pass over the events that can pass in ``state`` (run before the rest of any
        pass under way: as a call from within that pass would)."""
        self._passes.append(_Pass(self.candidates(state), len(self._order)))

    def next(self, state: NegotiationState) -> str | None:
        """The next waiting event to try, or ``None`` once every pass is over.

        A pass resumed after one begun within it has ended looks again at what it has left (the
        events that began to wait before it did, after the last it gave), as the state is now:
        each it held then and no longer lists would meet its last refusal again (the inner pass
        tried every one that could pass in a state changed since), so this skips them without
        asking :meth:`due` of each, once per inner pass."""
        passes = self._passes
        while passes:
            top = passes[-1]
            if top.stale:
                order, last, limit = self._order, top.last, top.limit
                top.ids = [i for i in self.candidates(state) if last < order[i] < limit]
                top.at, top.stale = 0, False
            if top.at < len(top.ids):
                ident = top.ids[top.at]
                top.at += 1
                top.last = self._order[ident]
                return ident
            passes.pop()
            if passes:
                passes[-1].stale = True
        return None

    def end(self) -> None:
        self._passes.clear()

    # -- waiting events ----------------------------------------------------------------------

    def park(
        self,
        event: Event,
        refusal: Refusal,
        since: datetime,
        deadline: datetime,
        state: NegotiationState,
    ) -> None:
        """``event`` begins to wait, refused by ``refusal`` in ``state``."""
        self.parked[event.id] = (event, refusal, since, deadline, state, _watch(event))
        self._order[event.id] = len(self._order)
        self._file(event, refusal, state)

    def due(self, ident: str, state: NegotiationState) -> tuple[Event, Refusal, datetime] | None:
        """The waiting event ``ident``, the refusal that holds it and since when, if a try in
        ``state`` can end otherwise than its last (``None``: it would meet the same refusal)."""
        parked = self.parked.get(ident)
        if parked is None:
            return None
        event, refusal, since, _deadline, tried, watch = parked
        cell = self._cell_of.get(ident)
        if cell is not None:  # held back by the talks alone, as they are in cell.state
            tried = cell.state
            if state.talks == tried.talks and state.talks_by == tried.talks_by:
                return None
            return event, _held_by_talks(tried, event), since
        if tried is state or (
            watch is not None
            and state.talks == tried.talks
            and state.talks_by == tried.talks_by
            and not _stirred(watch, tried, state)
        ):
            return None  # nothing its guards read changed since it was last tried
        return event, refusal, since

    def keep(self, ident: str, refusal: Refusal, state: NegotiationState) -> None:
        """``ident`` was tried in ``state`` and still waits, refused by ``refusal``."""
        event, _refusal, since, deadline, _tried, watch = self.parked[ident]
        self._unfile(ident)
        self.parked[ident] = (event, refusal, since, deadline, state, watch)
        self._file(event, refusal, state)

    def take(self, ident: str) -> tuple[Event, Refusal, datetime] | None:
        """Stop ``ident`` waiting: it, the refusal that last held it and since when."""
        parked = self.parked.pop(ident, None)
        if parked is None:
            return None
        event, refusal, since, *_rest = parked
        cell = self._cell_of.get(ident)
        if cell is not None:
            refusal = _held_by_talks(cell.state, event)
        self._unfile(ident)
        return event, refusal, since

    def _file(self, event: Event, refusal: Refusal, tried: NegotiationState) -> None:
        ident = event.id
        if refusal.rule != "talks_active" or event.kind not in _TALKS_FIRST:
            self._loose.add(ident)
            return
        key = (tried.talks, tried.talks_by)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = _Cell(tried)
        cell.members.add(ident)
        self._cell_of[ident] = cell

    def _unfile(self, ident: str) -> None:
        self._loose.discard(ident)
        cell = self._cell_of.pop(ident, None)
        if cell is not None:
            cell.members.discard(ident)
            if not cell.members and self._cells.get(cell.key) is cell:
                del self._cells[cell.key]

    def candidates(self, state: NegotiationState) -> list[str]:
        """The waiting events a change to ``state`` can let through, in the order they began
        to wait (each still asked :meth:`due` when its turn comes).

        While the talks have not started or are suspended, an event held back by the talks
        alone meets the same guard again (the first, which reads the talks alone; the links
        before it, once passed, stay passed) and goes on waiting: its refusal changes with the
        talks, without a try.  So each cell of other talks is merged into the cell of the talks
        now, and only the loose events are tried.  Once the talks are active, or in a status
        that refuses for good (concluded: the refusal is permanent and voids the event), every
        cell's events are tried too."""
        found = list(self._loose)
        cells = self._cells
        if state.talks not in _WAITING_TALKS:  # active, or refusing for good: try them all
            for cell in cells.values():
                found.extend(cell.members)
        elif cells:
            now = (state.talks, state.talks_by)
            here = cells.get(now)
            for key in [key for key in cells if key != now]:
                cell = cells.pop(key)
                if here is None:
                    here = cells[now] = cell
                    cell.state, cell.key = state, now
                    continue
                if len(cell.members) > len(here.members):  # move the fewer members
                    cell.state, cell.key = here.state, now
                    cell, here = here, cell
                    cells[now] = here
                for member in cell.members:
                    self._cell_of[member] = here
                here.members |= cell.members
        found.sort(key=self._order.__getitem__)
        return found

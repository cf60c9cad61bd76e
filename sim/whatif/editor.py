"""The editor: what a list of interventions, applied in order, does to a base log.

:func:`edit` walks the interventions over the base's schedule plan (:mod:`sim.schedule`) and
returns an :class:`~sim.schedule.Edit`: the events removed, replaced, inserted, moved by an
offset or pinned to a time, the earliest time touched, and which intervention did what to each
event.  A selector that matches nothing, or several events without ``all``, an insert whose id
is taken, or an amend the codec rejects, is a :class:`SimError` naming the intervention.  Pure:
no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from sim.errors import SimError, did_you_mean
from sim.events import LINK_TYPES, Event
from sim.graph import link_fault
from sim.schedule import Edit, Plan, moved_to

# every intervention, as the facade (sim.whatif) and the scenario edge import them
from sim.whatif.interventions import (
    Amend,
    Insert,
    Intervention,
    Origin,
    Remove,
    Retime,
    Selector,
    located,
)
from sim.whatif.records import amended, plain

__all__ = ["edit", "out_of_calendar"]

_LINK_KEYS: Final = frozenset(LINK_TYPES)


class _Editor:
    """The log as the interventions so far have left it, and the edit that says how."""

    def __init__(self, base: Plan) -> None:
        self.base = base
        self.removed: set[str] = set()
        self.replaced: dict[str, Event] = {}
        self.inserted: dict[str, Event] = {}
        self.offsets: dict[str, timedelta] = {}
        self.pinned: dict[str, datetime] = {}
        self.touched: datetime | None = None
        self.origins: dict[str, str] = {}

    def current(self) -> Iterator[Event]:
        for event in self.base.log.events:
            if event.id not in self.removed:
                yield self.replaced.get(event.id, event)
        yield from self.inserted.values()

    def get(self, event_id: str) -> Event | None:
        if event_id in self.inserted:
            return self.inserted[event_id]
        if event_id in self.base.index and event_id not in self.removed:
            return self.replaced.get(event_id, self.base.log.events[self.base.index[event_id]])
        return None

    def touch(self, *moments: datetime) -> None:
        for moment in moments:
            if self.touched is None or moment < self.touched:
                self.touched = moment

    def select(self, selector: Selector, action: str) -> list[Event]:
        if selector.id is not None:
            found = self.get(selector.id)
            matched = [found] if found is not None and selector.matches(found) else []
        else:
            matched = [e for e in self.current() if selector.matches(e)]
        if not matched:
            raise SimError(
                what=f"the {action} selector {selector} matches no event",
                hint=self._nearby(selector),
            )
        if len(matched) > 1 and not selector.all:
            shown = ", ".join(e.id for e in matched[:12]) + (" …" if len(matched) > 12 else "")
            raise SimError(
                what=f"the {action} selector {selector} matches {len(matched)} events: {shown}",
                hint="add all = true to act on every one, or select one by id",
            )
        return matched

    def _nearby(self, selector: Selector) -> str:
        if selector.id is not None:
            if selector.id in self.removed:
                return f"{selector.id} was removed by an earlier intervention"
            ids = (e.id for e in self.current())
            return did_you_mean(selector.id, ids, cutoff=0.5) or "no event has that id"
        if selector.since is None and selector.until is None:
            return "no event of the log fits every criterion"
        if selector.kind is None and selector.actor is None:
            return "no event falls in that date range"
        loose = attrs.evolve(selector, since=None, until=None)
        outside = [e for e in self.current() if loose.matches(e)][:8]
        if not outside:
            return "no event fits the criteria other than the dates either"
        return "outside the dates: " + ", ".join(f"{e.id} ({e.at:%Y-%m-%d})" for e in outside)

    # -- actions ---------------------------------------------------------------------------

    def apply(self, intervention: Intervention, label: str) -> None:
        match intervention:
            case Remove():
                for event in self.select(intervention.target, "remove"):
                    self._remove(event, label)
            case Insert():
                self._insert(intervention.event, label)
            case Retime():
                for event in self.select(intervention.target, "retime"):
                    self._retime(event, intervention, label)
            case Amend():
                for event in self.select(intervention.target, "amend"):
                    self._amend(event, intervention.fields, label)

    def _remove(self, event: Event, label: str) -> None:
        self.touch(event.at, self._scheduled(event))
        if event.id in self.inserted:
            del self.inserted[event.id]
        else:
            self.removed.add(event.id)
            self.replaced.pop(event.id, None)
            self.offsets.pop(event.id, None)
            self.pinned.pop(event.id, None)
        self.origins[event.id] = f"removed by {label}"

    def _insert(self, event: Event, label: str) -> None:
        if self.get(event.id) is not None:
            raise SimError(
                what=f"cannot insert {event.id!r}: an event with that id is already in the log",
                hint="choose a new id, or amend the existing event",
            )
        self._check_causes(event)
        self.touch(event.at)
        slot = self.base.index.get(event.id)
        if slot is not None and self.base.log.events[slot] == event:
            self.removed.discard(event.id)  # put back exactly as recorded
            self.origins[event.id] = f"restored by {label}"
            return
        self.inserted[event.id] = event
        self.origins[event.id] = f"inserted by {label}"

    def _check_causes(self, event: Event) -> None:
        """A cause must name an event: of the base (even one removed), or inserted before.  (A
        link to the event itself, or a loop through events inserted later, is the scheduler's to
        refuse, as a cycle, once the edit is whole.)"""
        base, inserted = self.base.index, self.inserted
        fault = link_fault(
            event.id,
            (c for c in event.causes if c != event.id),
            _Known(base, inserted),
            known=lambda: [*base, *inserted],
            quote=True,
        )
        if fault is not None:
            raise SimError(
                what=f"{event.id!r} names a cause that is no event of the log: {fault.cause!r}",
                expected="causes that are events of the base log, or inserted before it",
                hint=fault.hint,
                code="unknown-cause",
            )

    def _scheduled(self, event: Event) -> datetime:
        """The time the edits so far give ``event`` before re-timing (recorded, moved, pinned)."""
        if event.id in self.pinned:
            return self.pinned[event.id]
        return event.at + self.offsets.get(event.id, timedelta(0))

    def _retime(self, event: Event, retime: Retime, label: str) -> None:
        was = self._scheduled(event)
        if event.id in self.inserted:
            moved = (
                retime.moment(event)
                if retime.to is not None
                else event.at + (retime.by or timedelta(0))
            )
            self.inserted[event.id] = moved_to(event, moved)
            new = moved
        elif retime.to is not None:
            self.pinned[event.id] = new = retime.moment(event)
            self.offsets.pop(event.id, None)
        elif event.id in self.pinned:
            assert retime.by is not None
            self.pinned[event.id] = new = self.pinned[event.id] + retime.by
        else:
            assert retime.by is not None
            offset = self.offsets.get(event.id, timedelta(0)) + retime.by
            self.offsets[event.id] = offset
            new = event.at + offset
        self.touch(event.at, was, new)
        self.origins[event.id] = f"moved by {label}"

    def _amend(self, event: Event, fields: Mapping[str, Any], label: str) -> None:
        if "id" in fields and fields["id"] != event.id:
            raise SimError(
                what=f"amend cannot change the id of {event.id!r}",
                hint="remove the event and insert one with the new id",
            )
        changes = plain(dict(fields))
        if "causes" in changes:  # a scenario written before record version 3: all links, untyped
            untyped = changes.pop("causes")
            changes = {**changes, "answers": untyped, "requires": [], "after": []}
        new = amended(event, changes)
        relinked = not _LINK_KEYS.isdisjoint(changes)
        if relinked:
            self._check_causes(new)
        self.touch(event.at, self._scheduled(event), new.at)
        if event.id in self.inserted:
            self.inserted[event.id] = new
        else:
            self.replaced[event.id] = new
            if "at" in fields or relinked:
                self.pinned[event.id] = new.at if "at" in fields else self._scheduled(event)
                self.offsets.pop(event.id, None)
        self.origins[event.id] = f"amended by {label}"

    def edit(self) -> Edit:
        return Edit(
            removed=frozenset(self.removed),
            replaced=dict(self.replaced),
            inserted=tuple(self.inserted.values()),
            offsets=dict(self.offsets),
            pinned=dict(self.pinned),
            touched=self.touched,
            origins=dict(self.origins),
        )


def edit(base: Plan, interventions: Iterable[Intervention]) -> Edit:
    """What ``interventions``, applied in order, do to the base log.

    Raises :class:`SimError` for a selector that matches nothing (or several events without
    ``all``), an insert whose id is taken, or an amend the codec rejects, naming the
    intervention's position (and file and line, where it came from one).
    """
    editor = _Editor(base)
    for position, intervention in enumerate(interventions, start=1):
        origin = intervention.origin or Origin(position=position)
        try:
            editor.apply(intervention, str(origin))
        except SimError as exc:
            raise located(exc, origin) from None
        except OverflowError:
            raise located(out_of_calendar(what="it would move an event"), origin) from None
    return editor.edit()


def out_of_calendar(*, what: str) -> SimError:
    return SimError(
        what=f"{what} outside the calendar",
        expected="times between the years 1 and 9999",
        hint="move it less far; the events that answer it move with it",
    )


class _Known:
    """The ids a cause may name while editing: the base's and those inserted so far (as one
    collection, without copying the base's index)."""

    def __init__(self, base: Mapping[str, int], inserted: Mapping[str, Event]) -> None:
        self.base, self.inserted = base, inserted

    def __contains__(self, ident: object) -> bool:
        return ident in self.base or ident in self.inserted

    def __iter__(self) -> Iterator[str]:
        yield from self.base
        yield from self.inserted

    def __len__(self) -> int:
        return len(self.base) + len(self.inserted)

"""What-if questions: typed interventions on a recorded log, and the consequences they have.

An intervention names its target with a :class:`Selector` (an ``id``, or any of ``kind``,
``actor``, ``since`` (inclusive) and ``until`` (exclusive), with ``all=True`` to act on several
events) and does one thing to it:

- :class:`Remove` takes events out of the record;
- :class:`Insert` adds an event (built and validated by the codec, like a log line);
- :class:`Retime` moves events by a signed duration (``"+3d"``, ``"-12h"``, ``"+1d6h"``) or to a
  time;
- :class:`Amend` sets fields of events (re-validated by the codec, so types are checked).

A selector that matches nothing, or several events without ``all``, is an error that lists what
it matched.  :func:`whatif` applies interventions to a base log, re-times the result
(:mod:`sim.schedule`), folds it (:mod:`sim.fold`) reusing the base's states before the first
change, and compares it with the base (:func:`sim.analysis.diff`)::

    from sim.whatif import whatif, remove, retime
    result = whatif(base_log, [remove(kind="assurance", since="2023-11-15", all=True),
                               retime(id="final-offer", by="+3d")])
    result.outcome, result.diff.milestones

A what-if of a what-if (``whatif(result, more)``, or a scenario file whose ``base`` is another
scenario) is the what-if of the base's interventions followed by the new ones, applied to the
recorded log: lags are those of the record, never of a derived history.

Scenario files are TOML data (see :mod:`sim.scenario` for reading them); :func:`parse_scenario`
turns their parsed content into interventions.  Everything here is pure: no I/O, no clock.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, Final, TypeAlias

import attrs
import orjson
from attrs import field, frozen

from sim._fast import cyclic_gc_paused
from sim.analysis import Diff, diff
from sim.codec import decode_event, encode_event
from sim.errors import SimError, did_you_mean
from sim.events import KINDS, LINK_TYPES, Event, Term
from sim.fold import Outcome, Trajectory, trajectory_of
from sim.log import Log
from sim.schedule import (
    DEFAULT_PATIENCE,
    Anchors,
    Edit,
    Plan,
    Run,
    based,
    moved_to,
    plan,
    rerun,
)
from sim.state import EMPTY
from sim.times import format_duration, parse_duration, parse_span, parse_time

__all__ = [
    "Amend",
    "Baseline",
    "Insert",
    "Intervention",
    "Origin",
    "Remove",
    "Retime",
    "ScenarioSpec",
    "Selector",
    "WhatIf",
    "amend",
    "apply_interventions",
    "edit",
    "format_duration",
    "insert",
    "intervention_from_record",
    "intervention_record",
    "parse_duration",
    "parse_scenario",
    "parse_time",
    "prepare",
    "remove",
    "retime",
    "whatif",
]

# ------------------------------------------------------------------------------------ values

# ------------------------------------------------------------------------------------ selectors


def _time_or_none(value: object) -> datetime | None:
    return None if value is None else parse_time(value, what="selector date")


@frozen(kw_only=True)
class Selector:
    """Which events an intervention acts on.

    ``id`` names one event.  Otherwise every given criterion must hold: ``kind``, ``actor``
    (one of the event's actors), ``since`` (at or after, inclusive) and ``until`` (before,
    exclusive); dates mean midnight UTC.  Several matches need ``all=True``.
    """

    id: str | None = None
    kind: str | None = None
    actor: str | None = None
    since: datetime | None = field(default=None, converter=_time_or_none)
    until: datetime | None = field(default=None, converter=_time_or_none)
    all: bool = False

    def __attrs_post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            near = difflib.get_close_matches(self.kind, KINDS, n=1)
            raise SimError(
                what=f"bad selector: unknown kind {self.kind!r}",
                expected="one of " + ", ".join(KINDS),
                hint=f"did you mean {near[0]!r}?" if near else None,
            )
        if (self.id, self.kind, self.actor, self.since, self.until) == (None,) * 5:
            raise SimError(
                what="bad selector: it names no event",
                expected="an id, or any of kind, actor, since, until",
            )

    def matches(self, event: Event) -> bool:
        """Whether ``event`` meets every criterion."""
        if self.id is not None and event.id != self.id:
            return False
        if self.kind is not None and event.kind != self.kind:
            return False
        if self.actor is not None and self.actor not in event.actors:
            return False
        if self.since is not None and event.at < self.since:
            return False
        return not (self.until is not None and event.at >= self.until)

    def record(self) -> dict[str, Any]:
        """The selector as a scenario file's table."""
        record: dict[str, Any] = {}
        for name in ("id", "kind", "actor"):
            value = getattr(self, name)
            if value is not None:
                record[name] = value
        for name in ("since", "until"):
            moment = getattr(self, name)
            if moment is not None:
                record[name] = moment.isoformat()
        if self.all:
            record["all"] = True
        return record

    def __str__(self) -> str:
        inner = ", ".join(f"{k} = {orjson.dumps(v).decode()}" for k, v in self.record().items())
        return "{ " + inner + " }"


# ------------------------------------------------------------------------------------ interventions


@frozen(kw_only=True)
class Origin:
    """Where an intervention was written: its scenario file, position and line."""

    position: int
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return f"[[intervention]] #{self.position}"


@frozen(kw_only=True)
class Remove:
    """Take the selected events out of the record."""

    target: Selector
    origin: Origin | None = field(default=None, eq=False)


@frozen(kw_only=True)
class Insert:
    """Add an event (its causes must be events of the log)."""

    event: Event
    origin: Origin | None = field(default=None, eq=False)


@frozen(kw_only=True)
class Retime:
    """Move the selected events by a signed duration, or to a time.

    ``to`` a date (no time of day) means the start of that day in each event's own zone: a
    Washington call moved to 20 Nov happens at 00:00-05:00, a Gaza message at 00:00+02:00.
    """

    target: Selector
    by: timedelta | None = None
    to: datetime | date | None = None
    origin: Origin | None = field(default=None, eq=False)

    def moment(self, event: Event) -> datetime:
        """Where ``to`` puts ``event``: the time, or the start of the day in its own zone."""
        assert self.to is not None
        if isinstance(self.to, datetime):
            return self.to
        return datetime.combine(self.to, time.min, tzinfo=event.at.tzinfo)

    def __attrs_post_init__(self) -> None:
        if (self.by is None) == (self.to is None):
            raise SimError(
                what="a retime needs exactly one of by and to",
                expected='by = "+3d" (a signed duration) or to = "2023-11-21T12:00:00+00:00"',
                found="both" if self.by is not None else "neither",
            )


@frozen(kw_only=True)
class Amend:
    """Set fields of the selected events (checked by the codec as a log line would be)."""

    target: Selector
    fields: Mapping[str, Any] = field(factory=dict)
    origin: Origin | None = field(default=None, eq=False)


Intervention: TypeAlias = Remove | Insert | Retime | Amend


def remove(
    *,
    id: str | None = None,
    kind: str | None = None,
    actor: str | None = None,
    since: object = None,
    until: object = None,
    all: bool = False,
) -> Remove:
    """Remove events: ``remove(kind="assurance", since="2023-11-15", all=True)``."""
    return Remove(target=Selector(id=id, kind=kind, actor=actor, since=since, until=until, all=all))


def retime(
    *,
    id: str | None = None,
    kind: str | None = None,
    actor: str | None = None,
    since: object = None,
    until: object = None,
    all: bool = False,
    by: str | timedelta | None = None,
    to: object = None,
) -> Retime:
    """Move events: ``retime(id="final-offer", by="+3d")`` or ``to="2023-11-21T12:00:00Z"``."""
    return Retime(
        target=Selector(id=id, kind=kind, actor=actor, since=since, until=until, all=all),
        by=None if by is None else parse_duration(by),
        to=None if to is None else _retime_to(to),
    )


def amend(
    *,
    id: str | None = None,
    kind: str | None = None,
    actor: str | None = None,
    since: object = None,
    until: object = None,
    all: bool = False,
    set: Mapping[str, Any],
) -> Amend:
    """Set fields: ``amend(id="hamas-answer", set={"decision": "rejected"})``."""
    return Amend(
        target=Selector(id=id, kind=kind, actor=actor, since=since, until=until, all=all),
        fields=dict(set),
    )


def insert(event: Event | Mapping[str, Any] | None = None, **record: Any) -> Insert:
    """Insert an event, given as an event or as its record (``id``, ``kind``, ``at``, fields).

    A record without ``source`` is cited as inserted by a script.
    """
    if isinstance(event, Mapping):
        record = {**event, **record}
    elif event is not None:
        return Insert(event=event)
    return Insert(event=_decode_insert(record, default_source={"document": "what-if script"}))


# ------------------------------------------------------------------------------------ records


def _plain(value: Any) -> Any:
    """TOML and Python values as the codec's JSON types: times as ISO 8601 text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Term):
        return _plain(attrs.asdict(value, retain_collection_types=False))
    return value


_REQUIRED: Final = ("id", "kind", "at")
_LINK_KEYS: Final = frozenset(LINK_TYPES)


def _decode_insert(record: Mapping[str, Any], *, default_source: Mapping[str, Any]) -> Event:
    missing = [name for name in _REQUIRED if name not in record]
    if missing:
        raise SimError(
            what="an inserted event is missing " + ", ".join(missing),
            expected="id, kind, at and the fields of its kind",
        )
    fields = _plain(dict(record))
    fields.setdefault("source", dict(default_source))
    return decode_event(fields)


_SELECTOR_KEYS: Final = frozenset({"id", "kind", "actor", "since", "until", "all"})
_ACTIONS: Final = ("remove", "insert", "retime", "amend")
_EXTRA: Final = {"remove": set(), "insert": set(), "retime": {"by", "to"}, "amend": {"set"}}


def _selector(value: object) -> Selector:
    if not isinstance(value, Mapping):
        raise SimError(
            what="bad selector",
            expected='a table such as { id = "..." } or { kind = "assurance", all = true }',
            found=f"{type(value).__name__} {value!r}",
        )
    unknown = sorted(set(value) - _SELECTOR_KEYS)
    if unknown:
        raise SimError(
            what="bad selector: unknown key(s) " + ", ".join(unknown),
            expected="keys among " + ", ".join(sorted(_SELECTOR_KEYS)),
        )
    for name in ("id", "kind", "actor"):
        if name in value and not isinstance(value[name], str):
            raise SimError(what=f"bad selector: {name} must be a string", found=repr(value[name]))
    if "all" in value and not isinstance(value["all"], bool):
        raise SimError(what="bad selector: all must be true or false", found=repr(value["all"]))
    return Selector(**value)


def intervention_from_record(
    record: Mapping[str, Any], *, origin: Origin | None = None, source: str = "scenario"
) -> Intervention:
    """An intervention from its scenario-file table (``remove = {...}``, ``retime = {...}`` ...).

    ``source`` is the document an inserted event without a ``source`` cites.  Errors are
    :class:`SimError` located at ``origin``.
    """
    try:
        return _from_record(record, origin=origin, source=source)
    except SimError as exc:
        raise _located(exc, origin) from None


def _located(exc: SimError, origin: Origin | None) -> SimError:
    if origin is None:
        return exc
    label = str(origin)
    what = exc.what if exc.what.startswith(label) else f"{label}: {exc.what}"
    return attrs.evolve(
        exc,
        what=what,
        path=exc.path if exc.path is not None else origin.path,
        line=exc.line if exc.line is not None else origin.line,
    )


def _from_record(record: Mapping[str, Any], *, origin: Origin | None, source: str) -> Intervention:
    actions = [a for a in _ACTIONS if a in record]
    if len(actions) != 1:
        raise SimError(
            what="an intervention does one thing" if actions else "an intervention needs an action",
            expected="exactly one of remove, insert, retime, amend",
            found=", ".join(actions) if actions else "keys " + ", ".join(sorted(record)),
        )
    action = actions[0]
    unknown = sorted(set(record) - {action} - _EXTRA[action])
    if unknown:
        raise SimError(
            what=f"unknown key(s) {', '.join(unknown)} in a {action}",
            expected=f"{action}" + "".join(f", {k}" for k in sorted(_EXTRA[action])),
        )
    if action == "remove":
        return Remove(target=_selector(record["remove"]), origin=origin)
    if action == "insert":
        body = record["insert"]
        if not isinstance(body, Mapping):
            raise SimError(what="insert must be a table (the event's record)", found=repr(body))
        note = "inserted by this what-if scenario"
        event = _decode_insert(body, default_source={"document": source, "note": note})
        return Insert(event=event, origin=origin)
    if action == "retime":
        by = record.get("by")
        to = record.get("to")
        if by is not None and not isinstance(by, str):
            raise SimError(what="bad duration", expected='text such as "+3d"', found=repr(by))
        return Retime(
            target=_selector(record["retime"]),
            by=None if by is None else parse_duration(by),
            to=None if to is None else _retime_to(to),
            origin=origin,
        )
    fields = record.get("set")
    if not isinstance(fields, Mapping) or not fields:
        raise SimError(
            what="an amend needs set = { field = value, ... }",
            found=repr(fields) if fields is not None else "no set",
        )
    return Amend(target=_selector(record["amend"]), fields=dict(fields), origin=origin)


def _retime_to(value: object) -> datetime | date:
    """A retime's ``to``: a time with its offset, or a date (the start of that day in each
    moved event's own zone)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass  # parse_time says what is wrong
    return parse_time(value, what="retime to")


def intervention_record(intervention: Intervention) -> dict[str, Any]:
    """The intervention as its scenario-file table (the inverse of intervention_from_record)."""
    match intervention:
        case Remove():
            return {"remove": intervention.target.record()}
        case Insert():
            record = encode_event(intervention.event)
            del record["schema"]
            return {"insert": record}
        case Retime():
            if intervention.by is not None:
                return {
                    "retime": intervention.target.record(),
                    "by": format_duration(intervention.by),
                }
            assert intervention.to is not None
            return {"retime": intervention.target.record(), "to": intervention.to.isoformat()}
        case Amend():
            return {"amend": intervention.target.record(), "set": _plain(intervention.fields)}


# ------------------------------------------------------------------------------------ applying


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
        """A cause must name an event: of the base (even one removed), or inserted before."""
        for cause in event.causes:
            if cause != event.id and cause not in self.base.index and cause not in self.inserted:
                near = difflib.get_close_matches(cause, [*self.base.index, *self.inserted], n=1)
                raise SimError(
                    what=f"{event.id!r} names a cause that is no event of the log: {cause!r}",
                    expected="causes that are events of the base log, or inserted before it",
                    hint=f"did you mean {near[0]!r}?" if near else None,
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
        changes = _plain(dict(fields))
        if "causes" in changes:  # a scenario written before record version 3: all links, untyped
            untyped = changes.pop("causes")
            changes = {**changes, "answers": untyped, "requires": [], "after": []}
        record = encode_event(event)
        record.update(changes)
        try:
            new = decode_event(record)
        except SimError as exc:
            raise attrs.evolve(exc, what=f"amending {event.id!r} gives an {exc.what}") from None
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
            raise _located(exc, origin) from None
        except OverflowError:
            raise _located(_out_of_calendar(what="it would move an event"), origin) from None
    return editor.edit()


def _out_of_calendar(*, what: str) -> SimError:
    return SimError(
        what=f"{what} outside the calendar",
        expected="times between the years 1 and 9999",
        hint="move it less far; the events that answer it move with it",
    )


def _rerun(ready: Baseline, changes: Edit, patience: timedelta) -> Run:
    """:func:`sim.schedule.rerun` of the base, with times pushed past the calendar's ends
    reported as bad input."""
    base = ready.trajectory
    try:
        return rerun(
            ready.plan,
            changes,
            released=base.events,
            states=base.states,
            initial=base.initial,
            busy=base.busy,
            aligned=len(base.events) if base.aligned < 0 else base.aligned,
            holds=base.holds,
            waits=base.waits,
            timings=base.timings,
            anchored=ready.anchors,
            patience=patience,
        )
    except OverflowError:
        raise _out_of_calendar(what="re-timing would move an event") from None


# ------------------------------------------------------------------------------------ what-if


@frozen(kw_only=True, repr=False)
class Baseline:
    """A base log made ready for many what-ifs: its trajectory and schedule plan, computed once."""

    log: Log
    plan: Plan
    trajectory: Trajectory
    anchors: Anchors
    """Where a what-if can restart from the base's run and rejoin it."""

    @property
    def name(self) -> str:
        """The base log's name."""
        return self.log.name

    def __repr__(self) -> str:
        return f"<Baseline {self.name!r}: {len(self.log.events)} events>"


def prepare(log: Log | Baseline, *, patience: timedelta = DEFAULT_PATIENCE) -> Baseline:
    """Replay ``log`` once and measure it for re-timing; pass the result to :func:`whatif`."""
    if isinstance(log, Baseline):
        return log
    measured = plan(log)
    with cyclic_gc_paused():  # a replay's values are acyclic (see sim.fold.replay)
        run, found = based(measured, patience=patience)
        trajectory = trajectory_of(
            run, initial=EMPTY, name=log.name, patience=patience, recorded=log.events
        )
    return Baseline(
        log=log,
        plan=measured,
        trajectory=trajectory,
        anchors=found,
    )


@frozen(kw_only=True, repr=False)
class WhatIf:
    """A what-if: its interventions, the re-timed log, its trajectory, its diff from the base."""

    name: str
    question: str
    base: Baseline
    interventions: tuple[Intervention, ...]
    log: Log
    trajectory: Trajectory
    diff: Diff
    origins: Mapping[str, str]
    """Event id to the intervention that removed, inserted, moved or amended it."""
    first_change: int
    """The index of the first event that differs from the base (states before it are reused)."""
    amended: Mapping[str, Event] = field(factory=dict)
    """The amended events, by id, as the interventions left them."""

    @property
    def base_trajectory(self) -> Trajectory:
        """The base's trajectory."""
        return self.base.trajectory

    @property
    def outcome(self) -> Outcome:
        """The what-if's outcome."""
        return self.trajectory.outcome

    def __repr__(self) -> str:
        """One line that names the size: the full view is :meth:`_repr_html_`."""
        diff = self.diff
        outcome = "concluded" if self.outcome.concluded else "not concluded"
        return (
            f"<WhatIf {self.name!r} of {self.base.name!r}: {len(self.interventions)} "
            f"intervention(s), {len(self.log.events)} events; {len(diff.milestones)} milestones "
            f"moved, {len(diff.voided)} voided, {len(diff.moved)} moved, {len(diff.removed)} "
            f"removed, {len(diff.inserted)} inserted; {outcome}>"
        )

    def _repr_html_(self) -> str:
        """Jupyter's view (built by the notebook edge, :mod:`sim.render.notebook`)."""
        from sim.render.notebook import whatif_html  # noqa: PLC0415 (an edge, loaded on use)

        return whatif_html(self)


def whatif(
    base: Log | Baseline | WhatIf,
    interventions: Sequence[Intervention],
    *,
    name: str | None = None,
    question: str = "",
    patience: timedelta | None = None,
) -> WhatIf:
    """Apply ``interventions`` to ``base`` and derive the consequences.

    ``base`` is a recorded log, a :class:`Baseline` (prepared once for many what-ifs), or another
    :class:`WhatIf` (then its interventions come first).  The result holds the re-timed log,
    its trajectory (the base's states reused up to the first change and after the point where
    it rejoins the base), and the diff from the base.  ``patience`` is how long an event waits
    at a barrier unless it says otherwise (the base's, by default).
    """
    if isinstance(base, WhatIf):
        return whatif(
            base.base,
            (*base.interventions, *interventions),
            name=name or f"{base.name} + {len(interventions)} more",
            question=question or base.question,
            patience=patience,
        )
    ready = prepare(base) if patience is None else prepare(base, patience=patience)
    if patience is not None and patience != ready.trajectory.patience:
        ready = prepare(ready.log, patience=patience)
    patience = ready.trajectory.patience
    # a what-if builds only acyclic values: the cyclic collector's passes would find nothing
    with cyclic_gc_paused():
        changes = edit(ready.plan, interventions)
        result = _rerun(ready, changes, patience)
        label = name or f"what-if of {ready.name}"
        trajectory = trajectory_of(
            result,
            initial=ready.trajectory.initial,
            name=label,
            patience=patience,
            manifest=ready.log.manifest,
        )
        return WhatIf(
            name=label,
            question=question,
            base=ready,
            interventions=tuple(interventions),
            log=Log(events=trajectory.events, name=label, manifest=ready.log.manifest),
            trajectory=trajectory,
            diff=diff(
                ready.trajectory,
                trajectory,
                same_before=result.first_change,
                same_after=result.same_tail,
                amended={k: v for k, v in changes.replaced.items() if k not in changes.removed},
                recorded=ready.plan,
                origins=changes.origins,
            ),
            origins=changes.origins,
            first_change=result.first_change,
            amended=dict(changes.replaced),
        )


def apply_interventions(log: Log | Baseline, interventions: Sequence[Intervention]) -> Log:
    """``log`` with ``interventions`` applied and re-timed: the log a what-if replays."""
    ready = prepare(log)
    result = _rerun(ready, edit(ready.plan, interventions), ready.trajectory.patience)
    return Log(events=result.events, name=f"what-if of {ready.name}", manifest=ready.log.manifest)


# ------------------------------------------------------------------------------------ scenarios


@frozen(kw_only=True)
class ScenarioSpec:
    """A scenario file's content: its name, base (as written), question and interventions."""

    name: str
    base: str
    question: str
    interventions: tuple[Intervention, ...]
    path: str
    patience: timedelta | None = None
    """How long events wait at a barrier unless they say otherwise (``None``: the default)."""


_SCENARIO_KEYS: Final = frozenset({"name", "base", "question", "patience"})
_HEADER: Final = re.compile(r"^\s*\[\[\s*intervention\s*\]\]")


def _intervention_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if _HEADER.match(line)]


def parse_scenario(data: Mapping[str, Any], *, path: str, text: str = "") -> ScenarioSpec:
    """The scenario a parsed TOML file describes; ``text`` (the file) locates errors by line."""
    unknown = sorted(set(data) - {"scenario", "intervention"})
    if unknown:
        raise SimError(
            what="unknown key(s) " + ", ".join(unknown),
            path=path,
            expected="a [scenario] table and [[intervention]] tables",
        )
    head = data.get("scenario")
    if not isinstance(head, Mapping):
        raise SimError(
            what="missing [scenario] table",
            path=path,
            expected='[scenario] with name, base and question, e.g. base = "../baseline"',
        )
    extra = sorted(set(head) - _SCENARIO_KEYS)
    if extra:
        raise SimError(
            what="unknown key(s) in [scenario]: " + ", ".join(extra),
            path=path,
            expected="name, base, question, patience",
        )
    for key in ("name", "base"):
        if not isinstance(head.get(key), str) or not head[key]:
            raise SimError(
                what=f"[scenario] needs {key} as text",
                path=path,
                found=repr(head.get(key)) if key in head else "nothing",
            )
    question = head.get("question", "")
    if not isinstance(question, str):
        raise SimError(what="[scenario] question must be text", path=path, found=repr(question))
    patience = None
    if "patience" in head:
        try:
            patience = parse_span(head["patience"])
        except ValueError as exc:
            raise SimError(
                what="[scenario] patience must be a positive duration",
                path=path,
                expected='text such as "14d", "36h" or "P7D"',
                found=repr(head["patience"]),
            ) from exc
    tables = data.get("intervention", [])
    if not isinstance(tables, list):
        raise SimError(
            what="intervention must be an array of tables", path=path, expected="[[intervention]]"
        )
    lines = _intervention_lines(text)
    interventions: list[Intervention] = []
    for position, table in enumerate(tables, start=1):
        origin = Origin(
            position=position,
            path=path,
            line=lines[position - 1] if position <= len(lines) else None,
        )
        if not isinstance(table, Mapping):
            raise _located(SimError(what="an intervention must be a table"), origin)
        interventions.append(intervention_from_record(table, origin=origin, source=path))
    return ScenarioSpec(
        name=head["name"],
        base=head["base"],
        question=question,
        interventions=tuple(interventions),
        path=path,
        patience=patience,
    )

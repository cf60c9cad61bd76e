"""Interventions: which events a what-if acts on (:class:`Selector`) and the four things it
does to them (:class:`Remove`, :class:`Insert`, :class:`Retime`, :class:`Amend`).

A selector names one event by ``id``, or any of ``kind``, ``actor``, ``since`` (inclusive) and
``until`` (exclusive), with ``all=True`` to act on several.  The builders :func:`remove`,
:func:`retime`, :func:`amend` and :func:`insert` are the Python way to write them.  Values only:
what they do to a log is :mod:`sim.whatif.editor`.  Pure: no I/O, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, TypeAlias, TypedDict, Unpack

import attrs
from attrs import field, frozen

from sim.errors import SimError, did_you_mean
from sim.events import KINDS, Event
from sim.whatif.records import decode_insert
from sim.whatif.times import parse_duration, retime_to, time_or_none

__all__ = [
    "Amend",
    "Insert",
    "Intervention",
    "Origin",
    "Remove",
    "Retime",
    "Selector",
    "SelectorKeys",
    "amend",
    "insert",
    "located",
    "remove",
    "retime",
]


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
    since: datetime | None = field(default=None, converter=time_or_none)
    until: datetime | None = field(default=None, converter=time_or_none)
    all: bool = False

    def __attrs_post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise SimError(
                what=f"bad selector: unknown kind {self.kind!r}",
                expected="one of " + ", ".join(KINDS),
                hint=did_you_mean(self.kind, KINDS, most=1, quote=True),
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
        said = (f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in self.record().items())
        inner = ", ".join(said)
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


class SelectorKeys(TypedDict, total=False):
    """A selector's keywords, as the builders take them (see :class:`Selector`)."""

    id: str | None
    kind: str | None
    actor: str | None
    since: object
    until: object
    all: bool


def remove(**target: Unpack[SelectorKeys]) -> Remove:
    """Remove events: ``remove(kind="assurance", since="2023-11-15", all=True)``."""
    return Remove(target=Selector(**target))


def retime(
    *, by: str | timedelta | None = None, to: object = None, **target: Unpack[SelectorKeys]
) -> Retime:
    """Move events: ``retime(id="final-offer", by="+3d")`` or ``to="2023-11-21T12:00:00Z"``."""
    return Retime(
        target=Selector(**target),
        by=None if by is None else parse_duration(by),
        to=None if to is None else retime_to(to),
    )


def amend(*, set: Mapping[str, Any], **target: Unpack[SelectorKeys]) -> Amend:
    """Set fields: ``amend(id="hamas-answer", set={"decision": "rejected"})``."""
    return Amend(target=Selector(**target), fields=dict(set))


def insert(event: Event | Mapping[str, Any] | None = None, **record: Any) -> Insert:
    """Insert an event, given as an event or as its record (``id``, ``kind``, ``at``, fields).

    A record without ``source`` is cited as inserted by a script.
    """
    if isinstance(event, Mapping):
        record = {**event, **record}
    elif event is not None:
        return Insert(event=event)
    return Insert(event=decode_insert(record, default_source={"document": "what-if script"}))


def located(exc: SimError, origin: Origin | None) -> SimError:
    """``exc`` said of the intervention at ``origin``: its position, and its file and line."""
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

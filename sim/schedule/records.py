"""What the scheduler gives and takes: the edit it runs, the waits, holds and timings it
explains, and the run it returns; the clock it keeps (whole microseconds since the epoch).
Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from attrs import field, frozen

from sim._fast import evolved
from sim.events import Event
from sim.state import NegotiationState, Refusal

__all__ = ["DEFAULT_PATIENCE", "Edit", "Hold", "Run", "Timing", "Via", "Wait", "moved_to"]

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


def moved_to(event: Event, at: datetime) -> Event:
    """``event`` at ``at`` (told in the event's own UTC offset), its bounds shifted with it."""
    at = at.astimezone(event.at.tzinfo)
    if at == event.at and at.utcoffset() == event.at.utcoffset():
        return event
    shift = at - event.at
    earliest = event.earliest + shift if event.earliest is not None else None
    latest = event.latest + shift if event.latest is not None else None
    return evolved(event, at=at, earliest=earliest, latest=latest)


Via = Literal["requires", "answers", "after"]


def _links(event: Event) -> list[tuple[str, Via]]:
    found: list[tuple[str, Via]] = [(r.id, "requires") for r in event.requires]
    found.extend((a, "answers") for a in event.answers)
    found.extend((a, "after") for a in event.after)
    return found

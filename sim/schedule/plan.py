"""The base of a what-if: its log measured once (:class:`Plan`: positions, clock stamps,
children, the record's arrivals) and the quiet points of its run (:class:`Anchors`) where a
what-if can restart and rejoin it.  Pure."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from datetime import datetime
from itertools import pairwise
from typing import Final

from attrs import frozen

from sim.events import BlackoutEnded, BlackoutStarted
from sim.log import Log
from sim.schedule.records import _NEAR, _stamp

__all__ = ["Anchors", "Plan", "plan"]

_BLACKOUTS: Final = (BlackoutStarted, BlackoutEnded)


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
    stamps = [_stamp(event.at) for event in events]
    index: dict[str, int] = {}
    kids: dict[int, list[int]] = {}  # the few events linked to, not a list for every event
    arrivals: dict[int, tuple[int, datetime] | None] = {}
    dark: dict[str, list[str]] = {}
    held: dict[str, list[int]] = {}
    for i, event in enumerate(events):
        causes = event.causes
        for cause in causes:
            j = index.get(cause)
            if j is not None:
                kids.setdefault(j, []).append(i)
        index.setdefault(event.id, i)
        if isinstance(event, BlackoutStarted):
            dark.setdefault(event.area, []).append(event.id)
        elif isinstance(event, BlackoutEnded):
            left = [b for b in dark.get(event.area, ()) if b not in causes]
            dark[event.area] = left
            if not left:
                for k in held.pop(event.area, ()):
                    arrivals[k] = (stamps[i], event.at)
        elif event.channel is not None and dark:
            for area in event.channel.via:
                if dark.get(area):
                    held.setdefault(area, []).append(i)
                    arrivals[i] = None
                    break
    children: list[tuple[int, ...]] = [()] * len(events)
    for j, found in kids.items():
        children[j] = tuple(found)
    return Plan(
        log=log,
        index=index,
        stamps=tuple(stamps),
        arrivals=arrivals,
        children=tuple(children),
        ordered=all(a <= b for a, b in pairwise(stamps)),
    )


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

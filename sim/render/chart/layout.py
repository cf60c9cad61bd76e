"""Where things go on the chart: pure arithmetic, no matplotlib.

- the x axis: :func:`days` turns a time into the axis' number, :func:`window` picks the range
  to draw and the events seen in it;
- the lanes: :func:`lanes_of` (which, in what order), :func:`event_lanes` (an event's), and
  :func:`stack` (its height in them, events close in time kept apart);
- the labels: :func:`place_labels` (milestone labels in rows, none overlapping, no leader line
  through another) and :func:`place_numbers` (each event's number beside its marker, clear of
  every marker and number).

Sizes are in the units the caller gives (axis days, pixels); the drawing is
:mod:`sim.render.chart.draw`'s.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

from attrs import frozen

from sim.errors import SimError
from sim.events import Event
from sim.fold import Trajectory
from sim.parties import party_of
from sim.render.chart.style import PAD_PX

__all__ = [
    "NumberLabel",
    "Placed",
    "days",
    "event_lanes",
    "extent",
    "lanes_of",
    "place_labels",
    "place_numbers",
    "stack",
    "window",
]

# ------------------------------------------------------------------------------------ time


_EPOCH: Final = datetime(1970, 1, 1)  # noqa: DTZ001 (naive UTC, as matplotlib counts)
_REFERENCE: Final = datetime(2000, 1, 1, tzinfo=UTC)
_DAY: Final = timedelta(days=1)
_NUM_MIN: Final = -719162.0 + 1
"""0001-01-02 in matplotlib's days since 1970 (its default epoch): the axis starts no earlier."""
_NUM_MAX: Final = 2932896.0 - 1
"""9999-12-30: the axis ends no later (matplotlib cannot name days outside those years)."""


def days(when: datetime) -> float:
    """``when`` on the x axis: days since 1970-01-01 UTC, kept within the years 1 to 9999.

    The very number ``matplotlib.dates.date2num`` gives with its default epoch (whole seconds,
    then the microseconds, then divided into days, in the same float steps), so the axis' dates
    name it.  A time that in UTC falls outside those years (``9999-12-31T23:59:59-14:00``) is
    converted as a difference of aware times, which never overflows, and drawn at the
    calendar's end.
    """
    try:
        utc = when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo is not None else when
    except (OverflowError, ValueError):  # in UTC it falls outside the years 1 to 9999
        value = days(_REFERENCE) + (when - _REFERENCE) / _DAY
    else:
        delta = utc - _EPOCH
        value = float(delta.days * 86400 + delta.seconds)
        value += float(delta.microseconds * 1000) / 1.0e9
        value /= 86400
    return min(max(value, _NUM_MIN), _NUM_MAX)


def extent(event: Event) -> tuple[datetime, datetime]:
    """The times an event covers: its bounds for an undated (``approx``) one, else its time."""
    if event.precision == "approx" and event.earliest is not None and event.latest is not None:
        return min(event.earliest, event.at), max(event.latest, event.at)
    return event.at, event.at


def _date_range(*trajectories: Trajectory) -> tuple[datetime, datetime]:
    """The time range to draw, with a margin (none past the calendar's ends)."""
    starts, ends = [], []
    for trajectory in trajectories:
        for event in trajectory.events:
            start, end = extent(event)
            starts.append(start)
            ends.append(end)
    if not starts:
        msg = "there is nothing to chart: the log has no events"
        raise SimError(what=msg, code="empty-log")
    lo, hi = min(starts), max(ends)
    margin = max((hi - lo) * 0.015, timedelta(hours=12))
    with contextlib.suppress(OverflowError):  # at the calendar's start: no margin below
        lo = lo - margin
    with contextlib.suppress(OverflowError):  # at the calendar's end: no margin above
        hi = hi + margin
    return lo, hi


def window(
    trajectories: Sequence[Trajectory], start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime, frozenset[str]]:
    """The time range to draw and the ids of the events seen in it (their extent meets it)."""
    lo, hi = _date_range(*trajectories)
    if start is None and end is None:
        return lo, hi, frozenset(e.id for t in trajectories for e in t.events)
    lo, hi = start or lo, end or hi
    seen = frozenset(
        e.id for t in trajectories for e in t.events if extent(e)[0] <= hi and extent(e)[1] >= lo
    )
    if hi <= lo or not seen:
        raise SimError(
            what="there is nothing to chart in that window",
            expected="--from before --to, and events between them",
            found=f"{lo.isoformat()} to {hi.isoformat()}",
            code="nothing-to-chart",
        )
    return lo, hi, seen


# ------------------------------------------------------------------------------------ lanes


def lanes_of(*trajectories: Trajectory) -> tuple[str, ...]:
    """The lanes to draw: the parties of the first trajectory's scenario (see
    :attr:`Trajectory.scenario`) that act in these trajectories, in its order, then ``other``
    if any event has no actor."""
    listed = trajectories[0].scenario.party_ids if trajectories else ()
    acting = {party_of(a) for t in trajectories for e in t.events for a in e.actors}
    parties = tuple(p for p in listed if p in acting)
    extra = any(
        not event.actors or any(party_of(a) not in parties for a in event.actors)
        for trajectory in trajectories
        for event in trajectory.events
    )
    return (*parties, "other") if extra else parties


def event_lanes(event: Event, lanes: Sequence[str]) -> list[str]:
    """The lanes ``event`` is drawn in: its actors' parties' (``other`` for one not drawn, or
    for an event with no actor), each once, in the order of its actors."""
    found = []
    for actor in event.actors:
        party = party_of(actor)
        lane = party if party in lanes else "other"
        if lane not in found:
            found.append(lane)
    return found or ["other"]


_SLOTS: Final = (0.5, 0.27, 0.73, 0.16, 0.84)
"""Vertical positions within a lane, in the order events close in time take them."""


def stack(
    events: Sequence[Event],
    lanes: Sequence[str],
    gap: float,
    *,
    beneath: Sequence[Event] = (),
) -> dict[tuple[str, str], float]:
    """``(event id, lane)`` to the event's y within the lanes (lane ``i`` spans ``i..i+1``).

    Events close in time (``gap``, in axis days) take different slots in a lane.  ``beneath``
    are a what-if's base events: an event in both gets one place, spanning both its times, so
    that its faint base marker sits level with it (and a move reads as a horizontal arrow).
    """
    places: dict[str, tuple[float, float, list[str]]] = {}
    for event in (*events, *beneath):
        start, end = (days(t) for t in extent(event))
        own = event_lanes(event, lanes)
        if event.id in places:
            was_start, was_end, was_lanes = places[event.id]
            start, end = min(start, was_start), max(end, was_end)
            own = was_lanes + [lane for lane in own if lane not in was_lanes]
        places[event.id] = (start, end, own)
    y: dict[tuple[str, str], float] = {}
    for index, lane in enumerate(lanes):
        ends: list[float | None] = [None] * len(_SLOTS)
        members = sorted(
            ((start, end, ident) for ident, (start, end, own) in places.items() if lane in own)
        )
        for start, end, ident in members:
            free = [k for k, last in enumerate(ends) if last is None or last + gap <= start]
            slot = free[0] if free else min(range(len(_SLOTS)), key=lambda k: _or(ends[k], start))
            ends[slot] = max(end, _or(ends[slot], end))
            y[(ident, lane)] = index + _SLOTS[slot]
    return y


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


# ------------------------------------------------------------------------------------ labels


@frozen(kw_only=True)
class Placed:
    """A label's place in the label band: its row (0 nearest the lanes) and its horizontal box.

    ``anchor`` is where its leader line drops to the lanes; it lies within ``left..right``.
    """

    row: int
    left: float
    right: float
    anchor: float


def place_labels(
    anchors: Sequence[float], widths: Sequence[float], *, lo: float, pad: float = PAD_PX
) -> list[Placed]:
    """Place labels of ``widths`` at ``anchors`` in rows so that none overlap or hide a leader.

    Each label hangs to the left of its anchor (its right edge at the anchor; shifted right
    where it would start before ``lo``).  Labels are placed in time order, each in the lowest
    row where (1) it overlaps no label of that row, (2) its leader line, which drops through
    every row below, passes through no label there, and (3) no leader of a label above passes
    through it.  Labels whose anchors lie within ``pad`` of each other share a leader.  A label
    that cannot meet (2) in any row (only possible when it was shifted right of its anchor) goes
    on a new top row.  Returns one :class:`Placed` per label, in the order given.
    """
    order = sorted(range(len(anchors)), key=lambda i: (anchors[i], i))
    placed: dict[int, Placed] = {}
    for i in order:
        anchor, width = anchors[i], widths[i]
        left = max(anchor - width, lo)
        right = anchor if left == anchor - width else left + width
        top = max((p.row for p in placed.values()), default=-1) + 1
        row = 0
        while True:
            box = Placed(row=row, left=left, right=right, anchor=anchor)
            if _fits(box, placed.values(), pad) or row >= top:
                break
            row += 1
        placed[i] = box
    return [placed[i] for i in range(len(anchors))]


def _fits(box: Placed, others: Iterable[Placed], pad: float) -> bool:
    for other in others:
        if other.row == box.row:
            if box.left < other.right + pad and other.left < box.right + pad:
                return False
        elif abs(other.anchor - box.anchor) > pad:
            below, above = (other, box) if other.row < box.row else (box, other)
            if below.left - pad < above.anchor < below.right + pad:
                return False
    return True


# ------------------------------------------------------------------------------------ numbers


@frozen(kw_only=True)
class NumberLabel:
    """An event's number to place beside its marker (pixels, y growing upwards)."""

    key: str
    text: str
    x: float
    y: float
    radius: float
    width: float
    height: float
    band: tuple[float, float]
    """The lane's extent in y: the number stays inside its own lane."""


Box = tuple[float, float, float, float]
"""A box in pixels: ``(x0, y0, x1, y1)``."""

_DIRECTIONS: Final = (
    *((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)),
    *((1, 0.5), (-1, 0.5), (1, -0.5), (-1, -0.5), (0.5, 1), (-0.5, 1), (0.5, -1), (-0.5, -1)),
)
_FURTHER: Final = (1.0, 3.0, 6.0, 9.0, 12.0, 16.0, 20.0, 26.0)


def place_numbers(
    labels: Sequence[NumberLabel],
    marks: Sequence[Box],
    *,
    x_range: tuple[float, float],
) -> dict[NumberLabel, tuple[float, float]]:
    """Where each number goes (its centre), beside its marker, inside its lane and the axes,
    overlapping no mark (a marker's or a bounds bar's box ``(x0, y0, x1, y1)``) and no number
    placed before it.

    Each label tries sixteen directions around its marker, nearest first, then a little
    further out; one that fits nowhere is left out of the result (only in logs far too dense to
    read event by event).
    """
    boxes: list[Box] = []
    marked = list(marks)
    out: dict[NumberLabel, tuple[float, float]] = {}
    for label in labels:
        half_w, half_h = label.width / 2, label.height / 2
        for extra in _FURTHER:
            spot = next(
                (
                    (cx, cy)
                    for dx, dy in _DIRECTIONS
                    for cx, cy in [
                        (
                            label.x + dx * (label.radius + extra + half_w),
                            label.y + dy * (label.radius + extra + half_h),
                        )
                    ]
                    if label.band[0] <= cy - half_h
                    and cy + half_h <= label.band[1]
                    and x_range[0] <= cx - half_w
                    and cx + half_w <= x_range[1]
                    and not _hits((cx - half_w, cy - half_h, cx + half_w, cy + half_h), boxes)
                    and not _hits((cx - half_w, cy - half_h, cx + half_w, cy + half_h), marked)
                ),
                None,
            )
            if spot is not None:
                out[label] = spot
                cx, cy = spot
                boxes.append((cx - half_w, cy - half_h, cx + half_w, cy + half_h))
                break
    return out


def _hits(box: Box, others: Sequence[Box]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in others)

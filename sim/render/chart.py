"""Timeline charts: one swimlane per party, a marker per event, spans, milestones, what-if overlays.

The chart reads a trajectory (and, for a what-if, its base) and decides nothing about the
negotiation: where an event goes, what is dark or suspended, which milestone was reached, all
come from the trajectory's events and states.

Layout, top to bottom:

- a band of milestone labels, placed by :func:`place_labels` so that no two overlap and no
  leader line runs through another label;
- one lane per party of the scenario's manifest, in its order, named and coloured as it says
  (a log without one: its parties as their actors' ids first name them, palette colours), and
  "other" for events with no actor; each event a marker shaped and coloured by its kind at
  its time; an undated event (``approx``) also gets a bar across its ``earliest``..``latest``
  bounds;
  events close in time within a lane are stacked so that their markers stay apart;
- a strip of status rows: each area's communications blackouts, the talks' suspension, and each
  military operation in force, drawn as solid bars (blackouts and the suspension also shade the
  lanes above);
- the date axis (UTC, or the zone asked for, and named under it) and a legend.

For a what-if the base is drawn faintly beneath: its events as pale markers and its spans as
hatched outlines, an arrow from each moved event's old time to its new one, a red cross on each
voided event, a grey cross on each event the what-if removed.

The output is deterministic: the same inputs give byte-identical PNG and SVG files (fixed
fonts, an SVG hash salt, no timestamps in the metadata).
"""

from __future__ import annotations

import contextlib
import io
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Final, Literal

from attrs import frozen

from sim.analysis import diff, milestone_names
from sim.errors import SimError
from sim.events import Event
from sim.fold import Trajectory
from sim.manifest import OTHER, Manifest
from sim.parties import party_of
from sim.state import NegotiationState
from sim.times import Zone, in_zone, show_time, zone_name

__all__ = [
    "CHART_FORMATS",
    "KIND_STYLE",
    "SPAN_COLOURS",
    "NumberLabel",
    "Placed",
    "Span",
    "chart_bytes",
    "chart_figure",
    "lane_colours",
    "lanes_of",
    "operation_name",
    "place_labels",
    "place_numbers",
    "spans",
]

CHART_FORMATS: Final = ("png", "svg")
DPI: Final = 110
WIDTH_IN: Final = 16.0
LEFT_IN: Final = 1.45
RIGHT_IN: Final = 0.35
LANE_IN: Final = 0.62
STRIP_ROW_IN: Final = 0.24
LABEL_ROW_IN: Final = 0.2
LABEL_FONT: Final = 7.5
PAD_PX: Final = 5.0

BOUNDS_WIDTH: Final = 1.6
"""Line width of the bar across an undated event's earliest..latest bounds."""

SpanKind = Literal["blackout", "suspended", "ended", "operation"]


@frozen(kw_only=True)
class KindStyle:
    """How a kind of event is drawn: a matplotlib marker, a colour, a size and a legend label."""

    marker: str
    colour: str
    label: str
    size: float = 8.0


KIND_STYLE: Final[Mapping[str, KindStyle]] = {
    "contact": KindStyle(marker="o", colour="#17becf", label="contact"),
    "channel_opened": KindStyle(marker="h", colour="#17becf", label="channel opened"),
    "call": KindStyle(marker="^", colour="#1f77b4", label="call"),
    "meeting": KindStyle(marker="s", colour="#1f77b4", label="meeting", size=7.0),
    "information": KindStyle(marker="d", colour="#9467bd", label="information"),
    "release": KindStyle(marker="P", colour="#e377c2", label="release", size=9.0),
    "offer": KindStyle(marker=">", colour="#2ca02c", label="offer"),
    "response": KindStyle(marker="<", colour="#2ca02c", label="response"),
    "condition": KindStyle(marker="D", colour="#ff7f0e", label="condition", size=6.5),
    "assurance": KindStyle(marker="p", colour="#ff7f0e", label="assurance"),
    "military_operation": KindStyle(marker="8", colour="#8c564b", label="military operation"),
    "blackout_started": KindStyle(marker="v", colour="#555555", label="blackout starts"),
    "blackout_ended": KindStyle(marker="^", colour="#b0b0b0", label="blackout ends"),
    "talks_suspended": KindStyle(marker="H", colour="#d62728", label="talks suspended"),
    "talks_resumed": KindStyle(marker="H", colour="#98df8a", label="talks resumed"),
    "approval": KindStyle(marker="*", colour="#e6b800", label="approval", size=12.0),
    "announcement": KindStyle(marker="*", colour="#7f3fbf", label="announcement", size=12.0),
}
"""Marker and colour of each kind (every kind has a distinct pair)."""

SPAN_COLOURS: Final[Mapping[SpanKind, str]] = {
    "blackout": "#4d4d4d",
    "suspended": "#d62728",
    "ended": "#6e0b0b",
    "operation": "#e08a1e",
}
"""The solid colour of each kind of span in the status strip."""

SHADE_ALPHA: Final[Mapping[SpanKind, float]] = {"blackout": 0.10, "suspended": 0.09}


def operation_name(operation: str, manifest: Manifest | None = None) -> str:
    """An operation's name: the manifest's ``[[operation]]`` name for it (where a proper name
    needs more than its words capitalized), else the slug's words, first capitalized."""
    named = manifest.operation_name(operation) if manifest is not None else None
    return named or operation.replace("_", " ").capitalize()


# ------------------------------------------------------------------------------------ spans


@frozen(kw_only=True)
class Span:
    """A stretch of time in which something was in force, read from the trajectory's states."""

    kind: SpanKind
    row: str
    """The status row it is drawn in (one per area, one for the talks, one per operation)."""
    label: str
    start: datetime
    end: datetime | None
    """``None``: still in force after the last event."""


def _in_force(state: NegotiationState, manifest: Manifest) -> dict[str, tuple[SpanKind, str]]:
    now: dict[str, tuple[SpanKind, str]] = {}
    for area, ids in state.blackouts.items():
        if ids:
            now[f"blackout-{area}"] = ("blackout", f"{area.title()} comms cut")
    if state.talks == "suspended":
        now["suspended"] = ("suspended", "Talks suspended")
    if state.talks == "ended":
        now["ended"] = ("ended", "Talks ended")
    for operation, posture in state.posture.items():
        if posture.phase != "ended":
            now[f"operation-{operation}"] = ("operation", operation_name(operation, manifest))
    return now


def spans(trajectory: Trajectory) -> tuple[Span, ...]:
    """Every blackout, suspension and military operation in force, with when it began and ended.

    A span opens at the event after which its condition holds and closes at the event after
    which it no longer does; one still open at the end of the log has ``end=None``.
    """
    opened: dict[str, tuple[SpanKind, str, datetime]] = {}
    out: list[Span] = []
    manifest = trajectory.scenario
    for event, state in zip(trajectory.events, trajectory.states, strict=True):
        now = _in_force(state, manifest)
        for row in [r for r in opened if r not in now]:
            kind, label, start = opened.pop(row)
            out.append(Span(kind=kind, row=row, label=label, start=start, end=event.at))
        for row, (kind, label) in now.items():
            if row not in opened:
                opened[row] = (kind, label, event.at)
    out.extend(
        Span(kind=kind, row=row, label=label, start=start, end=None)
        for row, (kind, label, start) in opened.items()
    )
    return tuple(sorted(out, key=lambda s: (s.start, s.row)))


def _strip_rows(*groups: Sequence[Span]) -> list[tuple[str, str, SpanKind]]:
    rank = {"blackout": 0, "suspended": 1, "ended": 2, "operation": 3}
    rows: dict[str, tuple[str, SpanKind]] = {}
    for group in groups:
        for span in group:
            rows.setdefault(span.row, (span.label, span.kind))
    ordered = sorted(rows.items(), key=lambda item: rank[item[1][1]])
    return [(row, label, kind) for row, (label, kind) in ordered]


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


def _inside(x: float, box: Placed, pad: float) -> bool:
    return box.left - pad < x < box.right + pad


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
            if _inside(above.anchor, below, pad):
                return False
    return True


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


def lane_colours(manifest: Manifest, lane: str) -> tuple[str, str]:
    """A lane's label colour and background tint: its party's, or grey for ``other``."""
    party = manifest.party(lane)
    return (party.colour, party.tint) if party is not None else OTHER


def _event_lanes(event: Event, lanes: Sequence[str]) -> list[str]:
    found = []
    for actor in event.actors:
        party = party_of(actor)
        lane = party if party in lanes else "other"
        if lane not in found:
            found.append(lane)
    return found or ["other"]


_SLOTS: Final = (0.5, 0.27, 0.73, 0.16, 0.84)
"""Vertical positions within a lane, in the order events close in time take them."""


def _stack(
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
        start, end = (_num(t) for t in _extent(event))
        own = _event_lanes(event, lanes)
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


def _extent(event: Event) -> tuple[datetime, datetime]:
    if event.precision == "approx" and event.earliest is not None and event.latest is not None:
        return min(event.earliest, event.at), max(event.latest, event.at)
    return event.at, event.at


# ------------------------------------------------------------------------------------ figure


def _overlay(trajectory: Trajectory, base: Trajectory) -> _Overlay:
    changes = diff(base, trajectory)
    return _Overlay(
        moved={m.id: (m.before, m.after) for m in changes.moved},
        voided={k: v.text for k, v in trajectory.final.voided.items()},
        removed=changes.removed,
        inserted=changes.inserted,
    )


@frozen(kw_only=True)
class _Overlay:
    """What a what-if changed against its base, by event id."""

    moved: Mapping[str, tuple[datetime, datetime]]
    voided: Mapping[str, str]
    removed: tuple[str, ...]
    inserted: tuple[str, ...] = ()


def _label_text(name: str, at: datetime, zone: Zone) -> str:
    shown = in_zone(at, zone)
    return f"{name.replace('_', ' ')} · {shown.day} {shown:%b}"


def _date_range(*trajectories: Trajectory) -> tuple[datetime, datetime]:
    """The time range to draw, with a margin (none past the calendar's ends)."""
    starts, ends = [], []
    for trajectory in trajectories:
        for event in trajectory.events:
            start, end = _extent(event)
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


def _window(
    trajectories: Sequence[Trajectory], start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime, frozenset[str]]:
    """The time range to draw and the ids of the events seen in it (their extent meets it)."""
    lo, hi = _date_range(*trajectories)
    if start is None and end is None:
        return lo, hi, frozenset(e.id for t in trajectories for e in t.events)
    lo, hi = start or lo, end or hi
    seen = frozenset(
        e.id for t in trajectories for e in t.events if _extent(e)[0] <= hi and _extent(e)[1] >= lo
    )
    if hi <= lo or not seen:
        raise SimError(
            what="there is nothing to chart in that window",
            expected="--from before --to, and events between them",
            found=f"{lo.isoformat()} to {hi.isoformat()}",
            code="nothing-to-chart",
        )
    return lo, hi, seen


KEY_MAX: Final = 150
"""Events are numbered (beside their markers and in a key below) in charts of at most this many
events in view; a larger chart is not readable event by event anyway."""
KEY_COLUMNS: Final = 4
KEY_ROW_IN: Final = 0.135
NUMBER_FONT: Final = 6.5


def chart_figure(  # noqa: PLR0915 (one figure, laid out top to bottom)
    trajectory: Trajectory,
    *,
    base: Trajectory | None = None,
    title: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    zone: Zone = UTC,
) -> Any:
    """The chart of ``trajectory`` (over ``base`` for a what-if) as a matplotlib Figure.

    ``start`` and ``end`` zoom to a window of time: only the events whose time (or bounds)
    meet it are drawn, numbered as in the whole chart.  The date axis, the milestone labels and
    the times in the subtitle are in ``zone``, named under the axis (one axis has one zone:
    for ``None``, each time in its recorded offset, the axis is in UTC and the subtitle's times
    carry their own offsets).
    """
    axis_zone = zone or UTC
    import matplotlib as mpl  # noqa: PLC0415 (matplotlib is the optional `charts` extra)
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    with mpl.rc_context(_RC):
        both = (trajectory, base) if base else (trajectory,)
        lanes = lanes_of(*both)
        lo, hi, seen = _window(both, start, end)
        x_lo, x_hi = _num(lo), _num(hi)
        axes_px = (WIDTH_IN - LEFT_IN - RIGHT_IN) * DPI
        per_px = (x_hi - x_lo) / axes_px

        names, texts, placed = _milestone_labels(
            trajectory, x_lo, per_px, start=lo, stop=hi, zone=axis_zone
        )
        label_rows = max((p.row for p in placed), default=-1) + 1

        own_spans = _meeting(spans(trajectory), lo, hi)
        base_spans = _meeting(spans(base), lo, hi) if base else ()
        strip = _strip_rows(own_spans, base_spans)

        numbered = [e for e in trajectory.events if e.id in seen]
        if len(numbered) > KEY_MAX:
            numbered = []
        numbers = {e.id: trajectory.events.index(e) + 1 for e in numbered}
        key_rows = -(-len(numbered) // KEY_COLUMNS)

        heading, subtitle = _titles(
            trajectory, base, title, window=(start, end), lo=lo, hi=hi, zone=zone
        )
        title_in = 0.3 + 0.26 * len(heading) + 0.17 * len(subtitle)
        label_in = max(label_rows, 1) * LABEL_ROW_IN + 0.1
        lanes_in = len(lanes) * LANE_IN
        strip_in = max(len(strip), 1) * STRIP_ROW_IN + 0.05
        axis_in, legend_in = 0.45, 0.95
        key_in = key_rows * KEY_ROW_IN + 0.4 if key_rows else 0.0
        height = title_in + label_in + lanes_in + strip_in + axis_in + legend_in + key_in
        fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
        FigureCanvasAgg(fig)
        grid = fig.add_gridspec(
            3,
            1,
            height_ratios=[label_in, lanes_in, strip_in],
            left=LEFT_IN / WIDTH_IN,
            right=1 - RIGHT_IN / WIDTH_IN,
            top=1 - title_in / height,
            bottom=(axis_in + legend_in + key_in) / height,
            hspace=0,
        )
        ax_labels = fig.add_subplot(grid[0])
        ax = fig.add_subplot(grid[1], sharex=ax_labels)
        ax_strip = fig.add_subplot(grid[2], sharex=ax_labels)
        for axis in (ax_labels, ax, ax_strip):
            axis.set_xlim(x_lo, x_hi)
        _draw_lanes(ax, lanes, trajectory.scenario)
        gap = 12 * per_px
        shown = [e for e in trajectory.events if e.id in seen]
        beneath = [e for e in base.events if e.id in seen] if base else []
        positions = _stack(shown, lanes, gap, beneath=beneath)
        if base is not None:
            _draw_events(ax, base, lanes, positions, ghost=True, seen=seen)
        _draw_events(ax, trajectory, lanes, positions, ghost=False, seen=seen)
        if base is not None:
            _draw_overlay(ax, trajectory, base, lanes=lanes, positions=positions, seen=seen)
        _draw_spans(ax, ax_strip, rows=strip, own=own_spans, base=base_spans, x_hi=x_hi)
        _draw_milestones(
            (ax_labels, ax, ax_strip), names=names, texts=texts, placed=placed, rows=label_rows
        )
        _draw_axis(ax_strip, x_hi - x_lo, axis_zone)
        _draw_title(fig, heading, subtitle, height)
        _draw_legend(
            fig,
            trajectory,
            base,
            own=own_spans,
            base_spans=base_spans,
            height=height,
            bottom_in=key_in,
            numbered=bool(numbers),
            seen=seen,
        )
        if numbers:
            _draw_numbers(ax, trajectory, base, lanes, positions, numbers, seen=seen)
            _draw_key(fig, numbered, numbers, rows=key_rows, height=height)
    return fig


def _meeting(found: Sequence[Span], lo: datetime, hi: datetime) -> tuple[Span, ...]:
    """The spans that meet the window ``lo``..``hi``."""
    return tuple(s for s in found if s.start <= hi and (s.end is None or s.end >= lo))


def _milestone_labels(
    trajectory: Trajectory,
    x_lo: float,
    per_px: float,
    *,
    start: datetime,
    stop: datetime,
    zone: Zone,
) -> tuple[list[str], list[str], list[Placed]]:
    """The milestones reached in the window, their label texts, and where the labels go (in
    date units)."""
    from matplotlib.backends.backend_agg import RendererAgg  # noqa: PLC0415
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415

    reached = trajectory.milestones
    names = [n for n in milestone_names(trajectory) if n in reached and start <= reached[n] <= stop]
    texts = [_label_text(n, reached[n], zone) for n in names]
    renderer = RendererAgg(10, 10, DPI)
    font = FontProperties(family="DejaVu Sans", size=LABEL_FONT)
    widths = [
        (renderer.get_text_width_height_descent(t, font, ismath=False)[0] + 2 * PAD_PX) * per_px
        for t in texts
    ]
    anchors = [_num(reached[n]) for n in names]
    # Labels may reach into the left margin (beside the label band there is nothing to hit).
    lo = x_lo - LEFT_IN * DPI * per_px * 0.95
    return names, texts, place_labels(anchors, widths, lo=lo, pad=PAD_PX * per_px)


_RC: Final[Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.hashsalt": "sim-chart",
    "svg.fonttype": "path",
    "path.simplify": True,
    "axes.linewidth": 0.6,
}


def _draw_lanes(ax: Any, lanes: Sequence[str], manifest: Manifest) -> None:
    ax.set_ylim(len(lanes), 0)
    ax.set_yticks([])
    ax.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    for index, lane in enumerate(lanes):
        ink, tint = lane_colours(manifest, lane)
        ax.axhspan(index, index + 1, facecolor=tint, edgecolor="none", zorder=0, gid=f"lane-{lane}")
        ax.axhline(index, color="#d0d0d0", linewidth=0.6, zorder=1)
        party = manifest.party(lane)
        name = _lane_name(party.name) if party is not None else "Other / none"
        _row_label(ax, index, name, size=10, colour=ink, bold=True, gid=f"lane-label-{lane}")


LANE_NAME_WIDTH: Final = 14
"""Characters of a lane's name on one line of the left margin; a longer name wraps."""


def _lane_name(name: str) -> str:
    """A party's name as the margin holds it: wrapped at spaces to :data:`LANE_NAME_WIDTH`."""
    if len(name) <= LANE_NAME_WIDTH:
        return name
    import textwrap  # noqa: PLC0415 (only for long names)

    return "\n".join(textwrap.wrap(name, LANE_NAME_WIDTH, break_long_words=True)[:3])


def _row_label(
    ax: Any, row: int, text: str, *, size: float, colour: str, bold: bool = False, gid: str = ""
) -> None:
    """A row's name in the left margin, centred on the row."""
    ax.text(
        -0.008,
        row + 0.5,
        text,
        transform=ax.get_yaxis_transform(),
        ha="right",
        va="center",
        fontsize=size,
        fontweight="bold" if bold else "normal",
        color=colour,
        gid=gid or None,
    )


_REFERENCE: Final = datetime(2000, 1, 1, tzinfo=UTC)
_DAY: Final = timedelta(days=1)


def _num(when: datetime) -> float:
    """``when`` on the x axis (matplotlib's days), kept within the years 1 to 9999.

    A time that in UTC falls outside those years (``9999-12-31T23:59:59-14:00``) is converted
    as a difference of aware times, which never overflows, and drawn at the calendar's end.
    """
    from matplotlib.dates import date2num  # noqa: PLC0415

    try:
        days = float(date2num(when))
    except (OverflowError, ValueError):  # in UTC it falls outside the years 1 to 9999
        days = float(date2num(_REFERENCE)) + (when - _REFERENCE) / _DAY
    return min(max(days, _NUM_MIN), _NUM_MAX)


_NUM_MIN: Final = -719162.0 + 1
"""0001-01-02 in matplotlib's days since 1970 (its default epoch): the axis starts no earlier."""
_NUM_MAX: Final = 2932896.0 - 1
"""9999-12-30: the axis ends no later (matplotlib cannot name days outside those years)."""


def _draw_events(
    ax: Any,
    trajectory: Trajectory,
    lanes: Sequence[str],
    positions: Mapping[tuple[str, str], float],
    *,
    ghost: bool,
    seen: frozenset[str],
) -> None:
    """Draw the events, one artist per kind (and per faded group), so large logs stay fast.

    An event of several parties is drawn in each of their lanes (with the same number), and
    nothing is drawn across lanes: an undated event's bounds run along its own row only.
    """
    from matplotlib.collections import LineCollection  # noqa: PLC0415

    voided = trajectory.final.voided
    points: dict[tuple[str, bool], tuple[list[float], list[float]]] = {}
    bounds: dict[str, list[list[tuple[float, float]]]] = {}
    for event in trajectory.events:
        if event.id not in seen:
            continue
        x = _num(event.at)
        ys = [positions[(event.id, lane)] for lane in _event_lanes(event, lanes)]
        xs_ys = points.setdefault((event.kind, event.id in voided and not ghost), ([], []))
        for y in ys:
            xs_ys[0].append(x)
            xs_ys[1].append(y)
            if event.precision == "approx" and event.earliest and event.latest:
                bar = [(_num(event.earliest), y), (_num(event.latest), y)]
                bounds.setdefault(event.kind, []).append(bar)
    prefix = "base-" if ghost else ""
    for kind, bars in bounds.items():
        colour, alpha = KIND_STYLE[kind].colour, 0.18 if ghost else 0.5
        ax.add_collection(
            LineCollection(
                bars,
                colors=colour,
                alpha=alpha,
                linewidths=BOUNDS_WIDTH,
                capstyle="butt",
                zorder=2,
                gid=f"{prefix}bounds-{kind}",
            )
        )
        ends = [point for bar in bars for point in bar]
        ax.plot(
            [x for x, _ in ends],
            [y for _, y in ends],
            linestyle="none",
            marker="|",
            markersize=CAP_PT,
            markeredgewidth=1.2,
            color=colour,
            alpha=alpha,
            zorder=2,
            gid=f"{prefix}bounds-ends-{kind}",
        )
    for (kind, faded), (xs, ys) in points.items():
        style = KIND_STYLE[kind]
        ax.plot(
            xs,
            ys,
            linestyle="none",
            marker=style.marker,
            markersize=style.size,
            markerfacecolor="#e4e4e4" if ghost else style.colour,
            markeredgecolor="#c8c8c8" if ghost else "#222222",
            markeredgewidth=0.5,
            alpha=0.4 if faded else 1.0,
            zorder=2.5 if ghost else 4,
            gid=f"{prefix}events-{kind}{'-voided' if faded else ''}",
        )


CAP_PT: Final = 6.0
"""Height in points of the ticks that end an undated event's bounds."""


def _draw_overlay(
    ax: Any,
    trajectory: Trajectory,
    base: Trajectory,
    *,
    lanes: Sequence[str],
    positions: Mapping[tuple[str, str], float],
    seen: frozenset[str],
) -> None:
    overlay = _overlay(trajectory, base)
    by_id = {e.id: e for e in base.events}
    arrows = [
        ((_num(old), positions[(event_id, lane)]), (_num(new), positions[(event_id, lane)]))
        for event_id, (old, new) in overlay.moved.items()
        if event_id in seen
        for lane in _event_lanes(by_id[event_id], lanes)
    ]
    if len(arrows) > MAX_ARROWS:
        from matplotlib.collections import LineCollection  # noqa: PLC0415

        ax.add_collection(
            LineCollection(arrows, colors=MOVED_COLOUR, linewidths=1.0, zorder=5, gid="moved")
        )
    for start, end in arrows if len(arrows) <= MAX_ARROWS else ():
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={
                "arrowstyle": "-|>",
                "color": MOVED_COLOUR,
                "linewidth": 1.3,
                "shrinkA": 2,
                "shrinkB": 6,
            },
            zorder=5,
            gid="moved",
        )
    crosses = {
        "voided": (
            VOIDED_COLOUR,
            positions,
            [e for e in trajectory.events if e.id in overlay.voided and e.id in seen],
        ),
        "removed": (
            REMOVED_COLOUR,
            positions,
            [by_id[i] for i in overlay.removed if i in seen],
        ),
    }
    for tag, (colour, where, events) in crosses.items():
        xs = [_num(e.at) for e in events for _lane in _event_lanes(e, lanes)]
        ys = [where[(e.id, lane)] for e in events for lane in _event_lanes(e, lanes)]
        if xs:
            ax.plot(
                xs,
                ys,
                linestyle="none",
                marker="x",
                markersize=11,
                markeredgewidth=2.4 if tag == "voided" else 2.0,
                color=colour,
                zorder=6,
                gid=tag,
            )
    inserted = [e for e in trajectory.events if e.id in overlay.inserted and e.id in seen]
    if inserted:
        ax.plot(
            [_num(e.at) for e in inserted for _lane in _event_lanes(e, lanes)],
            [positions[(e.id, lane)] for e in inserted for lane in _event_lanes(e, lanes)],
            linestyle="none",
            marker="o",
            markersize=15,
            markerfacecolor="none",
            markeredgecolor=INSERTED_COLOUR,
            markeredgewidth=1.6,
            zorder=5.5,
            gid="inserted",
        )


INSERTED_COLOUR: Final = "#1a9e3f"
MAX_ARROWS: Final = 300
"""Beyond this many moved events, moves are drawn as plain segments (arrows are slow)."""
MOVED_COLOUR: Final = "#1f4e9c"
VOIDED_COLOUR: Final = "#d00000"
REMOVED_COLOUR: Final = "#6b6b6b"


def _draw_spans(
    ax: Any,
    ax_strip: Any,
    *,
    rows: Sequence[tuple[str, str, SpanKind]],
    own: Sequence[Span],
    base: Sequence[Span],
    x_hi: float,
) -> None:
    index = {row: i for i, (row, _label, _kind) in enumerate(rows)}
    ax_strip.set_ylim(max(len(rows), 1), 0)
    ax_strip.set_yticks([])
    for i, (_row, label, kind) in enumerate(rows):
        _row_label(ax_strip, i, label, size=8, colour=SPAN_COLOURS[kind])
        ax_strip.axhline(i, color="#e3e3e3", linewidth=0.5, zorder=0)
    for span in base:
        end = _num(span.end) if span.end else x_hi
        ax_strip.add_patch(
            _rect(
                _num(span.start),
                index[span.row] + 0.12,
                end - _num(span.start),
                0.76,
                facecolor="none",
                edgecolor=SPAN_COLOURS[span.kind],
                hatch="////",
                linewidth=0.6,
                alpha=0.5,
                zorder=1,
                gid=f"base-span-{span.row}",
            )
        )
    for span in own:
        start = _num(span.start)
        end = _num(span.end) if span.end else x_hi
        ax_strip.add_patch(
            _rect(
                start,
                index[span.row] + 0.2,
                max(end - start, 0.0),
                0.6,
                facecolor=SPAN_COLOURS[span.kind],
                edgecolor="none",
                zorder=2,
                gid=f"span-{span.row}",
            )
        )
        alpha = SHADE_ALPHA.get(span.kind)
        if alpha:
            ax.axvspan(
                start,
                end,
                facecolor=SPAN_COLOURS[span.kind],
                alpha=alpha,
                edgecolor="none",
                zorder=1,
                gid=f"shade-{span.row}",
            )


def _rect(x: float, y: float, w: float, h: float, **style: Any) -> Any:
    from matplotlib.patches import Rectangle  # noqa: PLC0415

    return Rectangle((x, y), w, h, **style)


def _draw_milestones(
    axes: tuple[Any, Any, Any],
    *,
    names: Sequence[str],
    texts: Sequence[str],
    placed: Sequence[Placed],
    rows: int,
) -> None:
    ax_labels, ax, ax_strip = axes
    ax_labels.set_ylim(0, max(rows, 1))
    ax_labels.axis("off")
    for name, text, box in zip(names, texts, placed, strict=True):
        ax_labels.plot(
            [box.anchor, box.anchor],
            [0, box.row + 0.5],
            color="#7a7a7a",
            linewidth=0.7,
            zorder=1,
            gid=f"milestone-leader-{name}",
        )
        ax_labels.text(
            (box.left + box.right) / 2,
            box.row + 0.5,
            text,
            ha="center",
            va="center",
            fontsize=LABEL_FONT,
            color="#1a1a1a",
            bbox={
                "boxstyle": "round,pad=0.2",
                "facecolor": "white",
                "edgecolor": "#9a9a9a",
                "linewidth": 0.6,
            },
            zorder=3,
            clip_on=False,
            gid=f"milestone-label-{name}",
        )
        for axis in (ax, ax_strip):
            axis.axvline(
                box.anchor,
                color="#7a7a7a",
                linewidth=0.7,
                linestyle=(0, (2, 2)),
                zorder=1.5,
                gid=f"milestone-line-{name}",
            )


def _draw_axis(ax_strip: Any, span_days: float, zone: tzinfo) -> None:
    from matplotlib.dates import (  # noqa: PLC0415
        AutoDateLocator,
        ConciseDateFormatter,
        DateFormatter,
        DayLocator,
    )

    days = max(int(span_days), 1)
    if days <= 400:
        step = 1 if days <= 20 else 2 if days <= 50 else 7 if days <= 200 else 30
        ax_strip.xaxis.set_major_locator(DayLocator(interval=step, tz=zone))
        ax_strip.xaxis.set_minor_locator(DayLocator(tz=zone))
        ax_strip.xaxis.set_major_formatter(DateFormatter("%d %b", tz=zone))
    else:  # months or years apart: let matplotlib choose months or years, and name them so
        locator = AutoDateLocator(maxticks=10, tz=zone)
        ax_strip.xaxis.set_major_locator(locator)
        ax_strip.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=zone))
    ax_strip.tick_params(axis="x", labelsize=8, labelrotation=0)
    ax_strip.set_xlabel(f"date ({zone_name(zone)})", fontsize=8, color="#555555")


def _titles(
    trajectory: Trajectory,
    base: Trajectory | None,
    title: str | None,
    *,
    window: tuple[datetime | None, datetime | None] = (None, None),
    lo: datetime | None = None,
    hi: datetime | None = None,
    zone: Zone = UTC,
) -> tuple[list[str], list[str]]:
    """The heading and the subtitle, wrapped to the figure's width."""
    heading = title or (f"What if: {trajectory.name}" if base else f"Timeline of {trajectory.name}")
    said = [f"Outcome: {_outcome(trajectory, zone)}"]
    zoom = ""
    if window != (None, None) and lo is not None and hi is not None:
        shown = zone or UTC
        zoom = f"  ·  showing {show_time(lo, shown, _SHOWN)} to {show_time(hi, shown, _SHOWN)}"
    if base is None:
        said[0] += f"  ·  {len(trajectory.events)} events{zoom}"
    else:
        said[0] += zoom
        said[0] += f"  (base: {_outcome(base, zone)})"
        missed = [
            n.replace("_", " ")
            for n in milestone_names(base)
            if n in base.milestones and n not in trajectory.milestones
        ]
        if missed:
            said.append("Not reached in the what-if: " + ", ".join(missed))
    lines = [line for part in said for line in textwrap.wrap(part, SUBTITLE_CHARS)]
    return textwrap.wrap(heading, HEADING_CHARS), lines


HEADING_CHARS: Final = 120
SUBTITLE_CHARS: Final = 200


def _draw_title(fig: Any, heading: Sequence[str], subtitle: Sequence[str], height: float) -> None:
    fig.text(
        LEFT_IN / WIDTH_IN,
        1 - 0.18 / height,
        "\n".join(heading),
        fontsize=13,
        fontweight="bold",
        va="top",
        linespacing=1.25,
        gid="chart-title",
    )
    fig.text(
        LEFT_IN / WIDTH_IN,
        1 - (0.22 + 0.26 * len(heading)) / height,
        "\n".join(subtitle),
        fontsize=9,
        va="top",
        color="#333333",
        linespacing=1.35,
        gid="chart-outcome",
    )


_SHOWN: Final = "%d %b %Y %H:%M"


def _outcome(trajectory: Trajectory, zone: Zone) -> str:
    outcome = trajectory.outcome
    if outcome.concluded and outcome.concluded_at is not None:
        return f"concluded {show_time(outcome.concluded_at, zone, _SHOWN)}"
    return "not concluded"


def _draw_legend(
    fig: Any,
    trajectory: Trajectory,
    base: Trajectory | None,
    *,
    own: Sequence[Span],
    base_spans: Sequence[Span],
    height: float,
    bottom_in: float = 0.0,
    numbered: bool = False,
    seen: frozenset[str] | None = None,
) -> None:
    from matplotlib.lines import Line2D  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    kinds = {e.kind for e in trajectory.events if seen is None or e.id in seen} | (
        {e.kind for e in base.events if seen is None or e.id in seen} if base else set()
    )
    handles: list[Any] = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=style.marker,
            markersize=style.size * 0.85,
            markerfacecolor=style.colour,
            markeredgecolor="#222222",
            markeredgewidth=0.5,
            label=style.label,
        )
        for kind, style in KIND_STYLE.items()
        if kind in kinds
    ]
    handles.append(
        Line2D(
            [0, 1],
            [0, 0],
            color="#777777",
            alpha=0.6,
            linewidth=BOUNDS_WIDTH,
            marker="|",
            markevery=[0, 1],
            label="undated: its bounds",
        )
    )
    for kind in ("blackout", "suspended", "ended", "operation"):
        if any(s.kind == kind for s in (*own, *base_spans)):
            label = {
                "blackout": "comms blackout",
                "suspended": "talks suspended",
                "ended": "talks ended",
                "operation": "military operation",
            }[kind]
            handles.append(Patch(facecolor=SPAN_COLOURS[kind], label=label))
    handles.append(
        Line2D([], [], color="#7a7a7a", linewidth=0.7, linestyle=(0, (2, 2)), label="milestone")
    )
    if base is not None:
        overlay = _overlay(trajectory, base)
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markerfacecolor="#e4e4e4",
                markeredgecolor="#c8c8c8",
                label="base (as recorded)",
            )
        )
        if overlay.moved:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=MOVED_COLOUR,
                    marker=">",
                    markersize=5,
                    linewidth=1.3,
                    label="moved (base → what-if)",
                )
            )
        if overlay.inserted:
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=10,
                    markerfacecolor="none",
                    markeredgecolor=INSERTED_COLOUR,
                    markeredgewidth=1.6,
                    label="inserted by the what-if",
                )
            )
        for tag, colour, present in (
            ("voided", VOIDED_COLOUR, overlay.voided),
            ("removed", REMOVED_COLOUR, overlay.removed),
        ):
            if present:
                handles.append(
                    Line2D(
                        [],
                        [],
                        linestyle="none",
                        marker="x",
                        color=colour,
                        markeredgewidth=2.2,
                        label=tag,
                    )
                )
        if base_spans:
            handles.append(
                Patch(facecolor="none", edgecolor="#777777", hatch="////", label="base span")
            )
    if numbered:
        handles.append(Line2D([], [], linestyle="none", marker="$7$", color="#333333",
                              label="event number (key below)"))  # fmt: skip
    fig.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(LEFT_IN / WIDTH_IN, (0.08 + bottom_in) / height),
        ncol=min(len(handles), 9),
        fontsize=8,
        frameon=False,
        handletextpad=0.4,
        columnspacing=1.2,
        borderaxespad=0,
    )


def _draw_numbers(  # noqa: PLR0917 (the figure's parts the numbers must clear)
    ax: Any,
    trajectory: Trajectory,
    base: Trajectory | None,
    lanes: Sequence[str],
    positions: Mapping[tuple[str, str], float],
    numbers: Mapping[str, int],
    *,
    seen: frozenset[str],
) -> None:
    """Each event's number beside its marker, in each of its lanes, clear of every marker and
    every other number (:func:`place_numbers`)."""
    from matplotlib.backends.backend_agg import RendererAgg  # noqa: PLC0415
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415

    to_px = ax.transData.transform
    marks: list[tuple[float, float, float, float]] = []  # boxes to keep clear, in pixels
    cap = CAP_PT * DPI / 72 / 2
    overlay = _overlay(trajectory, base) if base is not None else None
    crossed = {*overlay.voided, *overlay.removed} if overlay else set()
    ringed = set(overlay.inserted) if overlay else set()

    def drawn_radius(event: Event) -> float:
        """Half the size, in pixels, of what is drawn at the event: marker, cross or ring."""
        size = KIND_STYLE[event.kind].size
        size = max(size, 11.0) if event.id in crossed else size
        size = max(size, 15.0) if event.id in ringed else size
        return size * DPI / 72 / 2

    for source in (trajectory, base) if base else (trajectory,):
        for event in source.events:
            if event.id not in seen:
                continue
            radius = drawn_radius(event)
            for lane in _event_lanes(event, lanes):
                x, y = (float(v) for v in to_px((_num(event.at), positions[(event.id, lane)])))
                marks.append((x - radius, y - radius, x + radius, y + radius))
                if event.precision == "approx" and event.earliest and event.latest:
                    left = float(to_px((_num(event.earliest), 0))[0])
                    right = float(to_px((_num(event.latest), 0))[0])
                    marks.append((left, y - 1.5, right, y + 1.5))  # its bounds bar
                    marks.extend((end - 1.5, y - cap, end + 1.5, y + cap) for end in (left, right))
    renderer = RendererAgg(10, 10, DPI)
    font = FontProperties(family="DejaVu Sans", size=NUMBER_FONT)
    bands = {
        lane: sorted(float(v) for _, v in (to_px((0, i)), to_px((0, i + 1))))
        for i, lane in enumerate(lanes)
    }
    x0, x1 = (float(v) for v, _ in (to_px((ax.get_xlim()[0], 0)), to_px((ax.get_xlim()[1], 0))))
    wanted = []
    for event in trajectory.events:
        if event.id not in numbers:
            continue
        text = str(numbers[event.id])
        width, height, _ = renderer.get_text_width_height_descent(text, font, ismath=False)
        radius = drawn_radius(event)
        for lane in _event_lanes(event, lanes):
            x, y = to_px((_num(event.at), positions[(event.id, lane)]))
            wanted.append(
                NumberLabel(
                    key=f"{event.id}@{lane}",
                    text=text,
                    x=float(x),
                    y=float(y),
                    radius=radius,
                    width=float(width) + 3,
                    height=float(height) + 4,
                    band=(bands[lane][0] + 1, bands[lane][1] - 1),
                )
            )
    inverse = ax.transData.inverted().transform
    for label, (cx, cy) in place_numbers(wanted, marks, x_range=(x0, x1)).items():
        dx, dy = inverse((cx, cy))
        ax.text(
            dx,
            dy,
            label.text,
            ha="center",
            va="center",
            fontsize=NUMBER_FONT,
            color="#222222",
            zorder=7,
            gid=f"event-number-{label.key}",
        )


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


_DIRECTIONS: Final = (
    *((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)),
    *((1, 0.5), (-1, 0.5), (1, -0.5), (-1, -0.5), (0.5, 1), (-0.5, 1), (0.5, -1), (-0.5, -1)),
)
_FURTHER: Final = (1.0, 3.0, 6.0, 9.0, 12.0, 16.0, 20.0, 26.0)


def place_numbers(
    labels: Sequence[NumberLabel],
    marks: Sequence[tuple[float, float, float, float]],
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
    boxes: list[tuple[float, float, float, float]] = []
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


def _hits(box: tuple[float, float, float, float], others: Sequence[tuple[float, ...]]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in others)


def _draw_key(
    fig: Any, events: Sequence[Event], numbers: Mapping[str, int], *, rows: int, height: float
) -> None:
    """The numbered key below the legend: each event's number, date and id, column by column."""
    entries = [f"{numbers[e.id]:>3}  {e.at:%d %b}  {e.id}" for e in events]
    width = (1 - (LEFT_IN + RIGHT_IN) / WIDTH_IN) / KEY_COLUMNS
    top = (0.1 + rows * KEY_ROW_IN + 0.16) / height
    fig.text(
        LEFT_IN / WIDTH_IN,
        top,
        "Events by number (in log order; the same number in each lane of a shared event):",
        fontsize=8,
        va="bottom",
        color="#333333",
        gid="event-key-title",
    )
    for column in range(KEY_COLUMNS):
        chunk = entries[column * rows : (column + 1) * rows]
        if not chunk:
            continue
        fig.text(
            LEFT_IN / WIDTH_IN + column * width,
            top - 0.04 / height,
            "\n".join(chunk),
            fontsize=7,
            family="DejaVu Sans Mono",
            va="top",
            linespacing=1.3,
            color="#222222",
            gid=f"event-key-{column}",
        )


def chart_bytes(figure: Any, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes, deterministic (no dates, fixed hash salt)."""
    import matplotlib as mpl  # noqa: PLC0415

    if fmt not in CHART_FORMATS:
        raise SimError(
            what=f"unknown chart format {fmt!r}",
            expected="an output file ending in .png or .svg",
            found=fmt,
            code="unknown-format",
        )
    out = io.BytesIO()
    metadata: dict[str, Any] = (
        {"Date": None, "Creator": "sim"} if fmt == "svg" else {"Software": "sim"}
    )
    with mpl.rc_context(_RC):
        figure.savefig(out, format=fmt, dpi=DPI, metadata=metadata)
    return out.getvalue()


def save_chart(figure: Any, path: Path) -> bytes:
    """The bytes of ``figure`` in the format ``path``'s extension names (png or svg)."""
    return chart_bytes(figure, path.suffix.lower().lstrip("."))

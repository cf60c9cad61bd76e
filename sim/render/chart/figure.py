"""The whole chart: its figure laid out top to bottom, its date axis, and its PNG or SVG bytes.

:func:`chart_figure` sizes the figure from what it holds (title lines, label rows, lanes, strip
rows, key rows), computes everything once (lanes, window, spans, label places, the what-if
overlay, event positions) and hands it to the drawers of :mod:`~sim.render.chart.draw`,
:mod:`~sim.render.chart.overlay` and :mod:`~sim.render.chart.numbers`, in a fixed order.
:func:`chart_bytes` saves it deterministically.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, tzinfo
from typing import Any

from sim.analysis import milestone_names
from sim.errors import SimError
from sim.fold import Trajectory
from sim.render.chart.draw import (
    draw_events,
    draw_lanes,
    draw_legend,
    draw_milestones,
    draw_spans,
    draw_title,
    measure,
)
from sim.render.chart.layout import Placed, days, lanes_of, place_labels, stack, window
from sim.render.chart.numbers import draw_key, draw_numbers
from sim.render.chart.overlay import draw_overlay, overlay_of
from sim.render.chart.spans import meeting, spans, strip_rows
from sim.render.chart.style import (
    CHART_FORMATS,
    DPI,
    KEY_COLUMNS,
    KEY_MAX,
    KEY_ROW_IN,
    LABEL_FONT,
    LABEL_ROW_IN,
    LANE_IN,
    LEFT_IN,
    PAD_PX,
    RC,
    RIGHT_IN,
    STRIP_ROW_IN,
    WIDTH_IN,
)
from sim.render.chart.titles import label_text, titles
from sim.times import Zone, zone_name

__all__ = ["chart_bytes", "chart_figure"]


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

    with mpl.rc_context(RC):
        both = (trajectory, base) if base else (trajectory,)
        lanes = lanes_of(*both)
        lo, hi, seen = window(both, start, end)
        x_lo, x_hi = days(lo), days(hi)
        axes_px = (WIDTH_IN - LEFT_IN - RIGHT_IN) * DPI
        per_px = (x_hi - x_lo) / axes_px

        names, texts, placed = _milestone_labels(
            trajectory, x_lo, per_px, start=lo, stop=hi, zone=axis_zone
        )
        label_rows = max((p.row for p in placed), default=-1) + 1

        own_spans = meeting(spans(trajectory), lo, hi)
        base_spans = meeting(spans(base), lo, hi) if base else ()
        strip = strip_rows(own_spans, base_spans)
        overlay = overlay_of(trajectory, base) if base is not None else None

        numbered = [e for e in trajectory.events if e.id in seen]
        if len(numbered) > KEY_MAX:
            numbered = []
        numbers = {e.id: trajectory.events.index(e) + 1 for e in numbered}
        key_rows = -(-len(numbered) // KEY_COLUMNS)

        heading, subtitle = titles(
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
        draw_lanes(ax, lanes, trajectory.scenario)
        gap = 12 * per_px
        shown = [e for e in trajectory.events if e.id in seen]
        beneath = [e for e in base.events if e.id in seen] if base else []
        positions = stack(shown, lanes, gap, beneath=beneath)
        if base is not None:
            draw_events(ax, base, lanes, positions, ghost=True, seen=seen)
        draw_events(ax, trajectory, lanes, positions, ghost=False, seen=seen)
        if base is not None and overlay is not None:
            draw_overlay(ax, trajectory, base, overlay, lanes=lanes, positions=positions, seen=seen)
        draw_spans(ax, ax_strip, rows=strip, own=own_spans, base=base_spans, x_hi=x_hi)
        draw_milestones(
            (ax_labels, ax, ax_strip), names=names, texts=texts, placed=placed, rows=label_rows
        )
        _draw_axis(ax_strip, x_hi - x_lo, axis_zone)
        draw_title(fig, heading, subtitle, height)
        draw_legend(  # keywords alike in shape only to other long calls (StudySpec's)
            fig,
            trajectory,
            base,
            overlay,
            own=own_spans,
            base_spans=base_spans,
            height=height,
            bottom_in=key_in,
            numbered=bool(numbers),
            seen=seen,
        )
        if numbers:
            draw_numbers(ax, trajectory, base, overlay, lanes, positions, numbers, seen=seen)
            draw_key(fig, numbered, numbers, rows=key_rows, height=height)
    return fig


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
    reached = trajectory.milestones
    names = [n for n in milestone_names(trajectory) if n in reached and start <= reached[n] <= stop]
    texts = [label_text(n, reached[n], zone) for n in names]
    widths = [(width + 2 * PAD_PX) * per_px for width, _ in measure(texts, LABEL_FONT)]
    anchors = [days(reached[n]) for n in names]
    # Labels may reach into the left margin (beside the label band there is nothing to hit).
    lo = x_lo - LEFT_IN * DPI * per_px * 0.95
    return names, texts, place_labels(anchors, widths, lo=lo, pad=PAD_PX * per_px)


def _draw_axis(ax_strip: Any, span_days: float, zone: tzinfo) -> None:
    """The date axis under the strip, ticked and named in ``zone``: days, or for a long
    record months or years."""
    from matplotlib.dates import (  # noqa: PLC0415
        AutoDateLocator,
        ConciseDateFormatter,
        DateFormatter,
        DayLocator,
    )

    span = max(int(span_days), 1)
    if span <= 400:
        step = 1 if span <= 20 else 2 if span <= 50 else 7 if span <= 200 else 30
        ax_strip.xaxis.set_major_locator(DayLocator(interval=step, tz=zone))
        ax_strip.xaxis.set_minor_locator(DayLocator(tz=zone))
        ax_strip.xaxis.set_major_formatter(DateFormatter("%d %b", tz=zone))
    else:  # months or years apart: let matplotlib choose months or years, and name them so
        locator = AutoDateLocator(maxticks=10, tz=zone)
        ax_strip.xaxis.set_major_locator(locator)
        ax_strip.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=zone))
    ax_strip.tick_params(axis="x", labelsize=8, labelrotation=0)
    ax_strip.set_xlabel(f"date ({zone_name(zone)})", fontsize=8, color="#555555")


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
    with mpl.rc_context(RC):
        figure.savefig(out, format=fmt, dpi=DPI, metadata=metadata)
    return out.getvalue()

"""The chart's matplotlib drawing: lanes, event markers, spans, milestones, title and legend.

Each function draws one part onto axes (or the figure) that :mod:`sim.render.chart.figure`
laid out, at the places :mod:`sim.render.chart.layout` computed, in the look of
:mod:`sim.render.chart.style`.  matplotlib (the optional ``charts`` extra) is imported in the
functions that draw, so importing this module does not load it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sim.fold import Trajectory
from sim.manifest import Manifest
from sim.render.chart.layout import Placed, days, event_lanes
from sim.render.chart.overlay import Overlay, overlay_handles
from sim.render.chart.spans import Span, SpanKind
from sim.render.chart.style import (
    BASE_EDGE,
    BASE_FACE,
    BOUNDS_WIDTH,
    CAP_PT,
    DPI,
    KIND_STYLE,
    LABEL_FONT,
    LEFT_IN,
    SHADE_ALPHA,
    SPAN_COLOURS,
    SPAN_LABELS,
    WIDTH_IN,
    lane_colours,
)
from sim.render.chart.titles import lane_name

__all__ = [
    "draw_events",
    "draw_lanes",
    "draw_legend",
    "draw_milestones",
    "draw_spans",
    "draw_title",
    "measure",
    "row_label",
]


def measure(texts: Iterable[str], size: float) -> list[tuple[float, float]]:
    """Each text's width and height in pixels, as the chart draws it (DejaVu Sans of ``size``
    points, at :data:`DPI`)."""
    from matplotlib.backends.backend_agg import RendererAgg  # noqa: PLC0415
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415

    renderer = RendererAgg(10, 10, DPI)
    font = FontProperties(family="DejaVu Sans", size=size)
    sizes = (renderer.get_text_width_height_descent(t, font, ismath=False) for t in texts)
    return [(float(width), float(height)) for width, height, _ in sizes]


def draw_lanes(ax: Any, lanes: Sequence[str], manifest: Manifest) -> None:
    """One tinted band per lane, top to bottom, named in the left margin in its party's ink."""
    ax.set_ylim(len(lanes), 0)
    ax.set_yticks([])
    ax.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    for index, lane in enumerate(lanes):
        ink, tint = lane_colours(manifest, lane)
        ax.axhspan(index, index + 1, facecolor=tint, edgecolor="none", zorder=0, gid=f"lane-{lane}")
        ax.axhline(index, color="#d0d0d0", linewidth=0.6, zorder=1)
        party = manifest.party(lane)
        name = lane_name(party.name) if party is not None else "Other / none"
        row_label(ax, index, name, size=10, colour=ink, bold=True, gid=f"lane-label-{lane}")


def row_label(
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


def draw_events(
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
        x = days(event.at)
        ys = [positions[(event.id, lane)] for lane in event_lanes(event, lanes)]
        xs_ys = points.setdefault((event.kind, event.id in voided and not ghost), ([], []))
        for y in ys:
            xs_ys[0].append(x)
            xs_ys[1].append(y)
            if event.precision == "approx" and event.earliest and event.latest:
                bar = [(days(event.earliest), y), (days(event.latest), y)]
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
            markerfacecolor=BASE_FACE if ghost else style.colour,
            markeredgecolor=BASE_EDGE if ghost else "#222222",
            markeredgewidth=0.5,
            alpha=0.4 if faded else 1.0,
            zorder=2.5 if ghost else 4,
            gid=f"{prefix}events-{kind}{'-voided' if faded else ''}",
        )


def draw_spans(
    ax: Any,
    ax_strip: Any,
    *,
    rows: Sequence[tuple[str, str, SpanKind]],
    own: Sequence[Span],
    base: Sequence[Span],
    x_hi: float,
) -> None:
    """The status strip: a solid bar per span (the base's hatched beneath), blackouts and the
    suspension also shading the lanes above."""
    index = {row: i for i, (row, _label, _kind) in enumerate(rows)}
    ax_strip.set_ylim(max(len(rows), 1), 0)
    ax_strip.set_yticks([])
    for i, (_row, label, kind) in enumerate(rows):
        row_label(ax_strip, i, label, size=8, colour=SPAN_COLOURS[kind])
        ax_strip.axhline(i, color="#e3e3e3", linewidth=0.5, zorder=0)
    for span in base:
        end = days(span.end) if span.end else x_hi
        ax_strip.add_patch(
            _rect(
                days(span.start),
                index[span.row] + 0.12,
                end - days(span.start),
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
        start = days(span.start)
        end = days(span.end) if span.end else x_hi
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


def draw_milestones(
    axes: tuple[Any, Any, Any],
    *,
    names: Sequence[str],
    texts: Sequence[str],
    placed: Sequence[Placed],
    rows: int,
) -> None:
    """Each milestone's label in the band above the lanes, its leader line down to them, and
    a dashed line on down through the lanes and the strip."""
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


def draw_title(fig: Any, heading: Sequence[str], subtitle: Sequence[str], height: float) -> None:
    """The heading (bold) and the subtitle beneath it, at the top left."""
    # Two texts, and the key's columns (numbers.draw_key), are alike in shape only: fig.text
    # with each one's own place, size and spacing.
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


def draw_legend(
    fig: Any,
    trajectory: Trajectory,
    base: Trajectory | None,
    overlay: Overlay | None,
    *,
    own: Sequence[Span],
    base_spans: Sequence[Span],
    height: float,
    bottom_in: float = 0.0,
    numbered: bool = False,
    seen: frozenset[str] | None = None,
) -> None:
    """The legend below the axis: the kinds of event and span drawn, the what-if's marks."""
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
    for kind, label in SPAN_LABELS.items():
        if any(s.kind == kind for s in (*own, *base_spans)):
            handles.append(Patch(facecolor=SPAN_COLOURS[kind], label=label))
    handles.append(
        Line2D([], [], color="#7a7a7a", linewidth=0.7, linestyle=(0, (2, 2)), label="milestone")
    )
    if overlay is not None:
        handles.extend(overlay_handles(overlay, base_spans=bool(base_spans)))
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

"""The what-if overlay: what a what-if changed against its base, and how the chart marks it.

:func:`overlay_of` compares the two trajectories once per chart (pure); the figure hands the
result to :func:`draw_overlay` (an arrow from each moved event's old time to its new one, a red
cross on each voided event, a grey cross on each removed one, a ring round each inserted one),
to the legend (:func:`overlay_handles`) and to the event numbers, which keep clear of the marks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from attrs import frozen

from sim.analysis.diff import diff as compare
from sim.fold import Trajectory
from sim.render.chart.layout import days, event_lanes
from sim.render.chart.style import (
    BASE_EDGE,
    BASE_FACE,
    INSERTED_COLOUR,
    MAX_ARROWS,
    MOVED_COLOUR,
    REMOVED_COLOUR,
    VOIDED_COLOUR,
)

__all__ = ["Overlay", "draw_overlay", "overlay_handles", "overlay_of"]


@frozen(kw_only=True)
class Overlay:
    """What a what-if changed against its base, by event id."""

    moved: Mapping[str, tuple[datetime, datetime]]
    voided: Mapping[str, str]
    removed: tuple[str, ...]
    inserted: tuple[str, ...] = ()


def overlay_of(trajectory: Trajectory, base: Trajectory) -> Overlay:
    """What ``trajectory`` changed against ``base`` (:func:`sim.analysis.diff`)."""
    changes = compare(base, trajectory)
    return Overlay(
        moved={m.id: (m.before, m.after) for m in changes.moved},
        voided={k: v.text for k, v in trajectory.final.voided.items()},
        removed=changes.removed,
        inserted=changes.inserted,
    )


def draw_overlay(
    ax: Any,
    trajectory: Trajectory,
    base: Trajectory,
    overlay: Overlay,
    *,
    lanes: Sequence[str],
    positions: Mapping[tuple[str, str], float],
    seen: frozenset[str],
) -> None:
    """Mark on the lanes what the what-if moved, voided, removed and inserted."""
    by_id = {e.id: e for e in base.events}
    arrows = [
        ((days(old), positions[(event_id, lane)]), (days(new), positions[(event_id, lane)]))
        for event_id, (old, new) in overlay.moved.items()
        if event_id in seen
        for lane in event_lanes(by_id[event_id], lanes)
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
            [e for e in trajectory.events if e.id in overlay.voided and e.id in seen],
        ),
        "removed": (REMOVED_COLOUR, [by_id[i] for i in overlay.removed if i in seen]),
    }
    for tag, (colour, events) in crosses.items():
        xs = [days(e.at) for e in events for _lane in event_lanes(e, lanes)]
        ys = [positions[(e.id, lane)] for e in events for lane in event_lanes(e, lanes)]
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
            [days(e.at) for e in inserted for _lane in event_lanes(e, lanes)],
            [positions[(e.id, lane)] for e in inserted for lane in event_lanes(e, lanes)],
            linestyle="none",
            marker="o",
            markersize=15,
            markerfacecolor="none",
            markeredgecolor=INSERTED_COLOUR,
            markeredgewidth=1.6,
            zorder=5.5,
            gid="inserted",
        )


def overlay_handles(overlay: Overlay, *, base_spans: bool) -> list[Any]:
    """The legend's entries for a what-if: the base, then each kind of mark the chart holds
    (and the base's hatched spans, where ``base_spans``)."""
    from matplotlib.lines import Line2D  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    # Each entry is a Line2D of its mark's own style (like the rings draw_overlay draws): alike
    # in shape only.
    handles: list[Any] = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markerfacecolor=BASE_FACE,
            markeredgecolor=BASE_EDGE,
            label="base (as recorded)",
        )
    ]
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
    return handles

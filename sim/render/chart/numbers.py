"""The event numbers: each event's number beside its marker, and the key below that lists them.

The numbers go where :func:`sim.render.chart.layout.place_numbers` finds room, in pixels of the
laid-out lanes: clear of every marker, cross, ring and bounds bar drawn, and of each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sim.events import Event
from sim.fold import Trajectory
from sim.render.chart.draw import measure
from sim.render.chart.layout import Box, NumberLabel, days, event_lanes, place_numbers
from sim.render.chart.overlay import Overlay
from sim.render.chart.style import (
    CAP_PT,
    DPI,
    KEY_COLUMNS,
    KEY_ROW_IN,
    KIND_STYLE,
    LEFT_IN,
    NUMBER_FONT,
    RIGHT_IN,
    WIDTH_IN,
)

__all__ = ["draw_key", "draw_numbers"]


def draw_numbers(  # noqa: PLR0917 (the figure's parts the numbers must clear)
    ax: Any,
    trajectory: Trajectory,
    base: Trajectory | None,
    overlay: Overlay | None,
    lanes: Sequence[str],
    positions: Mapping[tuple[str, str], float],
    numbers: Mapping[str, int],
    *,
    seen: frozenset[str],
) -> None:
    """Each event's number beside its marker, in each of its lanes, clear of every marker and
    every other number (:func:`place_numbers`)."""
    to_px = ax.transData.transform
    marks: list[Box] = []  # boxes to keep clear, in pixels
    cap = CAP_PT * DPI / 72 / 2
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
            for lane in event_lanes(event, lanes):
                x, y = (float(v) for v in to_px((days(event.at), positions[(event.id, lane)])))
                marks.append((x - radius, y - radius, x + radius, y + radius))
                if event.precision == "approx" and event.earliest and event.latest:
                    left = float(to_px((days(event.earliest), 0))[0])
                    right = float(to_px((days(event.latest), 0))[0])
                    marks.append((left, y - 1.5, right, y + 1.5))  # its bounds bar
                    marks.extend((end - 1.5, y - cap, end + 1.5, y + cap) for end in (left, right))
    bands = {
        lane: sorted(float(v) for _, v in (to_px((0, i)), to_px((0, i + 1))))
        for i, lane in enumerate(lanes)
    }
    x0, x1 = (float(v) for v in (to_px((ax.get_xlim()[0], 0))[0], to_px((ax.get_xlim()[1], 0))[0]))
    numbered = [e for e in trajectory.events if e.id in numbers]
    sizes = measure((str(numbers[e.id]) for e in numbered), NUMBER_FONT)
    wanted = [
        NumberLabel(
            key=f"{event.id}@{lane}",
            text=str(numbers[event.id]),
            x=float(x),
            y=float(y),
            radius=drawn_radius(event),
            width=width + 3,
            height=height + 4,
            band=(bands[lane][0] + 1, bands[lane][1] - 1),
        )
        for event, (width, height) in zip(numbered, sizes, strict=True)
        for lane in event_lanes(event, lanes)
        for x, y in [to_px((days(event.at), positions[(event.id, lane)]))]
    ]
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


def draw_key(
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
        fig.text(  # alike in shape only to the title's texts (draw.draw_title)
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

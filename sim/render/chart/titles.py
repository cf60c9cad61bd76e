"""The chart's words: its heading and subtitle, the milestone labels and the lanes' names.

Pure text (wrapped to the figure's width in characters); where it goes is the figure's job.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from typing import Final

from sim.analysis import milestone_names
from sim.fold import Trajectory
from sim.render.chart.style import HEADING_CHARS, LANE_NAME_WIDTH, SUBTITLE_CHARS
from sim.times import Zone, in_zone, show_time

__all__ = ["label_text", "lane_name", "titles"]

_SHOWN: Final = "%d %b %Y %H:%M"


def titles(
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


def _outcome(trajectory: Trajectory, zone: Zone) -> str:
    outcome = trajectory.outcome
    if outcome.concluded and outcome.concluded_at is not None:
        return f"concluded {show_time(outcome.concluded_at, zone, _SHOWN)}"
    return "not concluded"


def label_text(name: str, at: datetime, zone: Zone) -> str:
    """A milestone's label: its name's words and the day it was reached, in ``zone``."""
    shown = in_zone(at, zone)
    return f"{name.replace('_', ' ')} · {shown.day} {shown:%b}"


def lane_name(name: str) -> str:
    """A party's name as the margin holds it: wrapped at spaces to :data:`LANE_NAME_WIDTH`."""
    if len(name) <= LANE_NAME_WIDTH:
        return name
    return "\n".join(textwrap.wrap(name, LANE_NAME_WIDTH, break_long_words=True)[:3])

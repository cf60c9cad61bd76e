"""The chart's look: sizes (inches, points, pixels), colours, markers and matplotlib settings.

Constants only, and the one rule that picks a lane's colours; nothing here imports matplotlib.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from attrs import frozen

from sim.manifest import OTHER, Manifest
from sim.render.chart.spans import SpanKind

__all__ = [
    "BASE_EDGE",
    "BASE_FACE",
    "BOUNDS_WIDTH",
    "CAP_PT",
    "CHART_FORMATS",
    "DPI",
    "HEADING_CHARS",
    "INSERTED_COLOUR",
    "KEY_COLUMNS",
    "KEY_MAX",
    "KEY_ROW_IN",
    "KIND_STYLE",
    "LABEL_FONT",
    "LABEL_ROW_IN",
    "LANE_IN",
    "LANE_NAME_WIDTH",
    "LEFT_IN",
    "MAX_ARROWS",
    "MOVED_COLOUR",
    "NUMBER_FONT",
    "PAD_PX",
    "RC",
    "REMOVED_COLOUR",
    "RIGHT_IN",
    "SHADE_ALPHA",
    "SPAN_COLOURS",
    "SPAN_LABELS",
    "STRIP_ROW_IN",
    "SUBTITLE_CHARS",
    "VOIDED_COLOUR",
    "WIDTH_IN",
    "KindStyle",
    "lane_colours",
]

# The blocks of sizes below are alike in shape only (a name, a number): each names one size.
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
CAP_PT: Final = 6.0
"""Height in points of the ticks that end an undated event's bounds."""

KEY_MAX: Final = 150
"""Events are numbered (beside their markers and in a key below) in charts of at most this many
events in view; a larger chart is not readable event by event anyway."""
KEY_COLUMNS: Final = 4
KEY_ROW_IN: Final = 0.135
NUMBER_FONT: Final = 6.5

HEADING_CHARS: Final = 120
SUBTITLE_CHARS: Final = 200
LANE_NAME_WIDTH: Final = 14
"""Characters of a lane's name on one line of the left margin; a longer name wraps."""


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

SPAN_LABELS: Final[Mapping[SpanKind, str]] = {
    "blackout": "comms blackout",
    "suspended": "talks suspended",
    "ended": "talks ended",
    "operation": "military operation",
}
"""Each kind of span as the legend names it (in the legend's order)."""

SHADE_ALPHA: Final[Mapping[SpanKind, float]] = {"blackout": 0.10, "suspended": 0.09}
"""The kinds of span that also shade the lanes above, and how strongly."""

BASE_FACE: Final = "#e4e4e4"
BASE_EDGE: Final = "#c8c8c8"
"""A what-if's base events: pale markers with a pale edge."""
INSERTED_COLOUR: Final = "#1a9e3f"
MOVED_COLOUR: Final = "#1f4e9c"
VOIDED_COLOUR: Final = "#d00000"
REMOVED_COLOUR: Final = "#6b6b6b"
MAX_ARROWS: Final = 300
"""Beyond this many moved events, moves are drawn as plain segments (arrows are slow)."""

RC: Final[Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.hashsalt": "sim-chart",
    "svg.fonttype": "path",
    "path.simplify": True,
    "axes.linewidth": 0.6,
}
"""matplotlib's settings while drawing and saving: fixed fonts and SVG ids, so the bytes repeat."""


def lane_colours(manifest: Manifest, lane: str) -> tuple[str, str]:
    """A lane's label colour and background tint: its party's, or grey for ``other``."""
    party = manifest.party(lane)
    return (party.colour, party.tint) if party is not None else OTHER

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

The package, by job (this module re-exports the names callers use):

- :mod:`~sim.render.chart.layout`: where things go, pure arithmetic (no matplotlib);
- :mod:`~sim.render.chart.spans`: what was in force when, read from the states;
- :mod:`~sim.render.chart.style`: sizes, colours, markers, matplotlib settings;
- :mod:`~sim.render.chart.titles`: the heading, subtitle, labels and lane names;
- :mod:`~sim.render.chart.draw`: lanes, markers, spans, milestones, title, legend (matplotlib);
- :mod:`~sim.render.chart.overlay`: a what-if's changes, computed once, and their marks;
- :mod:`~sim.render.chart.numbers`: the event numbers and their key;
- :mod:`~sim.render.chart.figure`: the figure laid out top to bottom, its axis, its bytes.
"""

from __future__ import annotations

from sim.render.chart.figure import chart_bytes, chart_figure
from sim.render.chart.layout import NumberLabel, Placed, lanes_of, place_labels, place_numbers
from sim.render.chart.layout import event_lanes as _event_lanes
from sim.render.chart.spans import Span, operation_name, spans
from sim.render.chart.style import (
    CAP_PT,
    CHART_FORMATS,
    DPI,
    KIND_STYLE,
    MOVED_COLOUR,
    REMOVED_COLOUR,
    SPAN_COLOURS,
    VOIDED_COLOUR,
    WIDTH_IN,
    lane_colours,
)

__all__ = [
    "CAP_PT",
    "CHART_FORMATS",
    "DPI",
    "KIND_STYLE",
    "MOVED_COLOUR",
    "REMOVED_COLOUR",
    "SPAN_COLOURS",
    "VOIDED_COLOUR",
    "WIDTH_IN",
    "NumberLabel",
    "Placed",
    "Span",
    "_event_lanes",
    "chart_bytes",
    "chart_figure",
    "lane_colours",
    "lanes_of",
    "operation_name",
    "place_labels",
    "place_numbers",
    "spans",
]

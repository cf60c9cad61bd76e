"""A study's results: a tidy frame (one row per sample or event) with its summary, the JSON
the commands print, sensitivity indices, and charts (:mod:`sim.render.study`).

The frame's columns: ``sample`` (or ``id``), each varied parameter (``by:LABEL`` a duration,
``at:EVENT`` a time, ``decide:LABEL`` a decision, ``drop:LABEL`` true or false, ``prefer`` a
record), then each measure (``concluded``, ``concluded_at``, ``milestone:NAME``, ``voided``).
Times are UTC (pandas ``datetime64[us, UTC]``), durations ``timedelta64[us]``, a time not
reached ``NaT``.  The summaries (:mod:`sim.studies.summary`) and sensitivity indices
(:mod:`sim.studies.sensitivity`) are re-exported here, where they were first written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from attrs import field, frozen

from sim.studies.columns import Column, Columns
from sim.studies.sensitivity import (
    LEVELS,
    MORRIS_EDGE,
    Method,
    evaluated_points,
    sensitivity_design,
    sensitivity_indices,
    sensitivity_outputs,
)
from sim.studies.summary import (
    QUANTILES,
    iso_duration,
    iso_time,
    measure_summary,
    time_summary,
    wilson,
)

# the summaries and sensitivity indices, re-exported: code imports them from here, as it did
# before they moved
__all__ = [
    "LEVELS",
    "MORRIS_EDGE",
    "QUANTILES",
    "Method",
    "NecessityResult",
    "SlackResult",
    "StudyResult",
    "UncertaintyResult",
    "evaluated_points",
    "iso_duration",
    "iso_time",
    "measure_summary",
    "sensitivity_design",
    "sensitivity_indices",
    "sensitivity_outputs",
    "time_summary",
    "to_frame",
    "wilson",
]


def to_frame(columns: Columns, types: Sequence[Column]) -> Any:
    """``columns`` as a pandas DataFrame, each column in its type."""
    import pandas as pd

    data: dict[str, Any] = {}
    kinds = {c.name: c.type for c in types}
    for name, values in columns.items():
        kind = kinds.get(name)
        if kind == "time":
            data[name] = pd.Series(
                pd.DatetimeIndex(values.astype(np.int64, copy=False).view("M8[us]"), tz="UTC"),
                copy=False,
            )
        elif kind == "span":
            data[name] = pd.Series(values.astype(np.int64, copy=False).view("m8[us]"), copy=False)
        elif kind == "text":
            data[name] = pd.Series(values, dtype="str")
        else:
            data[name] = pd.Series(values, copy=False)
    return pd.DataFrame(data, copy=False)


@frozen(kw_only=True, repr=False)
class StudyResult:
    """A study's rows, their summary and sensitivity indices.

    ``frame``: one row per sample (its parameters and measures); ``summary``: one row per
    measure; ``sensitivity``: SALib's indices (empty when not computed); ``data``: the JSON
    ``sim study --json`` prints.  ``plot()`` draws the ECDF of ``concluded_at`` (or
    ``plot("tornado")``, the sensitivities).
    """

    name: str
    question: str
    scenario: str
    frame: Any
    summary: Any
    sensitivity: Any
    data: Mapping[str, Any]
    recorded: datetime | None = None
    """The base's own conclusion, drawn on the charts."""
    kind: str = "study"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} of {self.scenario!r}: {len(self.frame)} rows>"

    def plot(self, kind: str | None = None) -> Any:
        """A matplotlib figure: ``ecdf`` (the default) or ``tornado``."""
        from sim.render.study import ecdf_figure, tornado_figure

        if kind in (None, "ecdf"):
            return ecdf_figure(self.frame, recorded=self.recorded, title=self.question or self.name)
        if kind == "tornado":
            return tornado_figure(self.sensitivity, title=self.question or self.name)
        msg = f"plot kind must be 'ecdf' or 'tornado', got {kind!r}"
        raise ValueError(msg)

    def figures(self) -> list[Any]:
        """The charts of its outputs: the ECDF (``--chart``) and the tornado (the report)."""
        return [self.plot(), self.plot("tornado")]

    def _repr_html_(self) -> str:
        html: str = self.summary.to_html()
        return f"<p><strong>{self.name}</strong>: {len(self.frame)} rows</p>{html}"


@frozen(kw_only=True, repr=False)
class UncertaintyResult(StudyResult):
    """The uncertainty of a history: every uncertain event drawn within its bounds."""

    kind: str = "uncertainty"


@frozen(kw_only=True, repr=False)
class _PerEvent:
    """A study's result with a row per event of its base: the base's name, the frame, its
    summary, the JSON, the base's events and its own conclusion (drawn on the charts)."""

    scenario: str
    frame: Any
    summary: Any
    data: Mapping[str, Any]
    events: tuple[Any, ...] = field(default=(), eq=False)
    recorded: datetime | None = None

    def _repr_html_(self) -> str:
        html: str = self.summary.to_html()
        return html


@frozen(kw_only=True, repr=False)
class NecessityResult(_PerEvent):
    """Each event removed alone: ``frame`` (one row per event), ``summary`` (the events the
    outcome or a milestone needs), ``data`` (the JSON), ``plot()`` (on the timeline)."""

    kind: str = "necessity"

    def __repr__(self) -> str:
        necessary = len(self.data["outcome_necessary"])
        size = len(self.frame)
        return f"<NecessityResult of {self.scenario!r}: {size} events, {necessary} necessary>"

    def plot(self, kind: str | None = None, *, slack: SlackResult | None = None) -> Any:
        """The events on the timeline, the necessary ones marked (with ``slack``'s bars)."""
        from sim.render.study import timeline_figure

        del kind
        return timeline_figure(
            self.events,
            necessity=self.frame,
            slack=slack.frame if slack is not None else None,
            recorded=self.recorded,
            title=f"What the outcome of {self.scenario} needed",
        )

    def figures(self) -> list[Any]:
        """The chart of its outputs (``--chart`` and the report): :meth:`plot`."""
        return [self.plot()]


@frozen(kw_only=True, repr=False)
class SlackResult(_PerEvent):
    """Each event delayed: ``frame`` (``id``, ``slack_to_shift``, ``slack_to_failure``, NaT
    where there is no limit within the maximum), ``summary`` (the critical ones first),
    ``data`` (the JSON), ``plot()`` (the slack on the timeline)."""

    limit: timedelta = timedelta(days=30)
    kind: str = "slack"

    def __repr__(self) -> str:
        return f"<SlackResult of {self.scenario!r}: {len(self.frame)} events>"

    def plot(self, kind: str | None = None, *, necessity: NecessityResult | None = None) -> Any:
        """The slack of each event on the timeline (with ``necessity``'s marks)."""
        from sim.render.study import timeline_figure

        del kind
        return timeline_figure(
            self.events,
            necessity=necessity.frame if necessity is not None else None,
            slack=self.frame,
            recorded=self.recorded,
            limit=self.limit,
            title=f"How long each event of {self.scenario} could slip",
        )

    def figures(self) -> list[Any]:
        """The chart of its outputs (``--chart`` and the report): :meth:`plot`."""
        return [self.plot()]

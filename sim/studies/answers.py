"""What each study answers, built from its rows and its base's own outcome (pure): the JSON its
command prints (``.data``), its frame and summary frame, for ``study``, ``uncertainty``,
``necessity`` and ``slack``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

import numpy as np

from sim.analysis import milestone_events
from sim.studies.columns import NAT, Column, Columns
from sim.studies.model import StudySpec, Within
from sim.studies.results import to_frame
from sim.studies.sampling import Study
from sim.studies.sensitivity import records
from sim.studies.summary import iso_duration, measure_summary, time_summary, wilson

__all__ = [
    "empty_frame",
    "necessity_answer",
    "recorded_order",
    "recorded_times",
    "slack_answer",
    "study_data",
    "study_frame",
    "summaries",
    "summary_frame",
    "uncertainty_data",
    "zones_of",
]

Zones = Mapping[str, tzinfo | None]


def recorded_times(final: Any, measures: Sequence[str]) -> dict[str, datetime | None]:
    """The base's own time of each time measure (``concluded_at``, ``milestone:NAME``), or
    ``None`` where the base does not reach it."""
    found: dict[str, datetime | None] = {}
    for name in measures:
        if name == "concluded_at":
            found[name] = final.concluded_at
        elif name.startswith("milestone:"):
            found[name] = final.milestones.get(name.removeprefix("milestone:"))
    return found


def zones_of(final: Any, measures: Sequence[str]) -> dict[str, tzinfo | None]:
    """The zone each time measure is told in: that of the base's own time for it."""
    times = recorded_times(final, measures)
    return {name: when.tzinfo if when is not None else None for name, when in times.items()}


def summaries(study: Study, rows: Columns, zones: Zones) -> dict[str, Any]:
    """Each measure's summary (:func:`~sim.studies.summary.measure_summary`)."""
    return {m: measure_summary(m, rows[m], zones.get(m)) for m in study.measures}


def summary_frame(summary: Mapping[str, Mapping[str, Any]]) -> Any:
    """The summaries as a frame, a row per measure (``ci`` as ``ci_low`` and ``ci_high``)."""
    import pandas as pd

    rows = []
    for name, values in summary.items():
        row: dict[str, Any] = {"measure": name}
        for key, value in values.items():
            if key == "ci":
                row["ci_low"], row["ci_high"] = value
            else:
                row[key] = value
        rows.append(row)
    return pd.DataFrame(rows).set_index("measure")


def empty_frame() -> Any:
    """An empty frame (sensitivity indices not computed)."""
    import pandas as pd

    return pd.DataFrame()


def study_frame(study: Study, rows: Columns) -> Any:
    """The frame of a study's rows: ``sample``, its parameters, its measures."""
    types = (Column(name="sample", type="count"), *study.parameter_columns)
    return to_frame(rows, (*types, *study.measure_columns))


# ------------------------------------------------------------------------------------ study


def study_data(
    study: Study,
    *,
    scenario: str,
    rows: Columns,
    zones: Zones,
    summary: Mapping[str, Any],
    indices: Any,
) -> dict[str, Any]:
    """The JSON of ``sim study``."""
    return {
        "study": study.name,
        "scenario": scenario,
        "question": study.question,
        "samples": study.size,
        "seed": study.seed,
        "sampling": study.sampling,
        "parameters": [c.name for c in study.parameter_columns],
        "measures": summary,
        "cells": _cells(study, rows, zones),
        "sensitivity": records(indices),
    }


def _cells(study: Study, rows: Columns, zones: Zones) -> list[Any]:
    """For a grid, each cell's values and the summary of its samples."""
    grid = [f for f in study.factors if f.grid is not None]
    if not grid:
        return []
    cells = []
    for cell in range(study.cells):
        pick = slice(cell * study.samples, (cell + 1) * study.samples)
        values: dict[str, Any] = {}
        for factor in grid:
            name = factor.columns[0].name
            value = rows[name][pick][0]
            values[name] = iso_duration(int(value)) if factor.kind == "by" else _plain(value)
        summary = {m: measure_summary(m, rows[m][pick], zones.get(m)) for m in study.measures}
        cells.append({**values, "samples": study.samples, "measures": summary})
    return cells


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


# ------------------------------------------------------------------------------------ uncertainty


def uncertainty_data(
    study: Study,
    *,
    spec: StudySpec,
    scenario: str,
    trajectory: Any,
    rows: Columns,
    zones: Zones,
    indices: Any,
) -> dict[str, Any]:
    """The JSON of ``sim uncertainty``: ``spec`` varies one ``within`` entry."""
    concluded = rows["concluded"]
    k, n = int(np.count_nonzero(concluded)), len(concluded)
    at = time_summary(rows["concluded_at"], zones.get("concluded_at"))
    names = [m for m in study.measures if m.startswith("milestone:")]
    milestones = {m.removeprefix("milestone:"): time_summary(rows[m], zones.get(m)) for m in names}
    within = study.factors[0]
    assert isinstance(spec.vary[0], Within)
    return {
        "scenario": scenario,
        "samples": n,
        "seed": study.seed,
        "draw": spec.vary[0].draw,
        "sampling": study.sampling,
        "events_sampled": list(within.ids),
        "p_concluded": k / n if n else 0.0,
        "p_concluded_ci": wilson(k, n),
        "concluded_at": {key: at[key] for key in ("p05", "p50", "p95")},
        "milestones": milestones,
        "p_recorded_order": recorded_order(trajectory, rows, names),
        "sensitivity": records(indices),
    }


def recorded_order(trajectory: Any, rows: Columns, names: Sequence[str]) -> float:
    """How often every milestone the base (its ``trajectory``) reaches is reached, in the base's
    order (ties allowed)."""
    events = milestone_events(trajectory)
    order = sorted(
        (m for m in names if m.removeprefix("milestone:") in events),
        key=lambda m: trajectory.final.milestones[m.removeprefix("milestone:")],
    )
    if not order:
        return 1.0
    times = np.stack([rows[m] for m in order], axis=1)
    reached = np.all(times != NAT, axis=1)
    ordered = np.all(np.diff(times, axis=1) >= 0, axis=1) if len(order) > 1 else reached
    return float(np.count_nonzero(reached & ordered) / len(times)) if len(times) else 0.0


# ------------------------------------------------------------------------------------ necessity


def necessity_answer(scenario: str, final: Any, rows: Columns) -> tuple[Any, Any, dict[str, Any]]:
    """The frame, summary (the events the outcome or a milestone needs) and JSON of ``sim
    necessity``, from its rows and the base's ``final`` state."""
    frame = to_frame(
        rows,
        (
            Column(name="id", type="text"),
            Column(name="milestones_lost", type="text"),
            Column(name="concluded_at", type="time"),
        ),
    )
    events = []
    reached = final.milestones
    milestones: dict[str, list[str]] = {
        m: []
        for m in sorted(reached, key=lambda m: (reached[m], m))  # in time, not hash, order
    }
    for ident, needed, lost in zip(
        rows["id"], rows["necessary_for_outcome"], rows["milestones_lost"], strict=True
    ):
        names = str(lost).split()
        events.append(
            {"id": str(ident), "necessary_for_outcome": bool(needed), "milestones_lost": names}
        )
        for name in names:
            milestones[name].append(str(ident))
    data = {
        "scenario": scenario,
        "events": events,
        "outcome_necessary": [e["id"] for e in events if e["necessary_for_outcome"]],
        "milestones": milestones,
    }
    summary = frame[frame["necessary_for_outcome"] | (frame["milestones_lost"] != "")]
    return frame, summary[["id", "necessary_for_outcome", "milestones_lost"]], data


# ------------------------------------------------------------------------------------ slack


def slack_answer(
    scenario: str, rows: Columns, *, limit: timedelta, step: timedelta
) -> tuple[Any, Any, dict[str, Any]]:
    """The frame, summary (the critical events first) and JSON of ``sim slack``."""
    frame = to_frame(
        rows,
        (
            Column(name="id", type="text"),
            Column(name="slack_to_shift", type="span"),
            Column(name="slack_to_failure", type="span"),
        ),
    )
    data = {
        "scenario": scenario,
        "max": iso_duration(limit // timedelta(microseconds=1)),
        "resolution": iso_duration(step // timedelta(microseconds=1)),
        "events": [
            {
                "id": str(ident),
                "slack_to_shift": iso_duration(int(s)),
                "slack_to_failure": iso_duration(int(f)),
            }
            for ident, s, f in zip(
                rows["id"], rows["slack_to_shift"], rows["slack_to_failure"], strict=True
            )
        ],
    }
    summary = frame.sort_values(["slack_to_shift", "slack_to_failure"], na_position="last")
    return frame, summary, data

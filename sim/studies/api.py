"""The study commands as library calls: :func:`study`, :func:`uncertainty`, :func:`necessity`
and :func:`slack`.

Each loads its base (a scenario folder, a log, a what-if scenario file, or a log, prepared
base or what-if already in memory), makes the study ready (:mod:`sim.studies.design`), runs its
tasks in process or on a Dask cluster (:mod:`sim.studies.execute`) and returns a result with
``.frame``, ``.summary``, ``.data`` (the JSON) and ``.plot()`` (:mod:`sim.studies.results`).
This module is the edge that reads files; the rest of the study is a loop over the what-if
engine.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import timedelta, tzinfo
from pathlib import Path
from typing import Any, Final, Literal, Protocol

import attrs
import numpy as np
from attrs import frozen

from sim import scenario, store
from sim.analysis import milestone_events
from sim.errors import SimError
from sim.files import stat_path
from sim.fold import Log
from sim.sources import alternative_sources, prefer
from sim.studies.design import (
    NAT,
    Column,
    Columns,
    Key,
    Study,
    compile_study,
    micros,
)
from sim.studies.execute import CHUNK, CONNECT_TIMEOUT, Runner
from sim.studies.results import (
    Method,
    NecessityResult,
    SlackResult,
    StudyResult,
    UncertaintyResult,
    evaluated_points,
    iso_duration,
    measure_summary,
    sensitivity_design,
    sensitivity_indices,
    sensitivity_outputs,
    time_summary,
    to_frame,
    wilson,
)
from sim.studies.spec import RECORD, StudySpec, Within, parse_study
from sim.studies.tasks import NecessityJob, PointsJob, SampleJob, SlackJob, Work
from sim.times import parse_span
from sim.whatif import Amend, Baseline, Insert, Intervention, Retime, WhatIf, prepare

__all__ = ["Reporter", "necessity", "read_study", "slack", "study", "uncertainty"]

MAX_STUDY: Final = 1 << 20
"""The largest study file sim reads (1 MiB)."""
MORRIS_TRAJECTORIES: Final = 10
SOBOL_BASE: Final = 64
Sampling = Literal["random", "lhs", "qmc"]
Base = str | os.PathLike[str] | Log | Baseline | WhatIf


class Reporter(Protocol):
    """Told how many rows there are, then how many are done (a progress bar)."""

    def total(self, total: float) -> None: ...

    def advance(self, amount: float = 1) -> None: ...


@frozen(kw_only=True)
class _Options:
    workers: int | None = None
    scheduler: str | None = None
    connect_timeout: float = CONNECT_TIMEOUT
    chunk: int = CHUNK
    reporter: Reporter | None = None

    def runner(self) -> Runner:
        return Runner(
            workers=self.workers, scheduler=self.scheduler, connect_timeout=self.connect_timeout
        )

    def rows_of(self, work: Work) -> Columns:
        """``work``'s rows, one per event it names, the reporter told of each."""
        reporter = self.reporter
        if reporter is not None:
            reporter.total(work.job.size)
        with self.runner() as runner:
            return runner.run(
                work,
                chunk=self.chunk,
                progress=reporter.advance if reporter is not None else None,
            )


# ------------------------------------------------------------------------------------ bases


@frozen(kw_only=True)
class _Base:
    """A study's base: the prepared log, the what-if's interventions (none for a log), the ids
    they touch, and the base's own trajectory (the what-if's, for a what-if)."""

    ready: Baseline
    pre: tuple[Intervention, ...]
    fixed: frozenset[str]
    name: str
    result: WhatIf | None = None

    @property
    def trajectory(self) -> Any:
        return self.result.trajectory if self.result is not None else self.ready.trajectory


_TIMING: Final = frozenset({"at", "precision", "earliest", "latest"})


def _timed(result: WhatIf) -> frozenset[str]:
    """The events a what-if dates itself: inserted, re-timed, or amended in their time (an
    amend of links or of a decision leaves the time as uncertain as the record has it)."""
    events = result.base.log.events
    found: set[str] = set()
    for intervention in result.interventions:
        if isinstance(intervention, Insert):
            found.add(intervention.event.id)
        elif isinstance(intervention, Retime) or (
            isinstance(intervention, Amend) and _TIMING & set(intervention.fields)
        ):
            found.update(e.id for e in events if intervention.target.matches(e))
    return frozenset(found)


def _load(base: Base) -> _Base:
    if isinstance(base, WhatIf):
        return _Base(
            ready=base.base,
            pre=base.interventions,
            fixed=_timed(base),
            name=base.name,
            result=base,
        )
    if isinstance(base, Baseline):
        return _Base(ready=base, pre=(), fixed=frozenset(), name=base.name)
    if isinstance(base, Log):
        return _load(prepare(base))
    if scenario.is_scenario(base):
        return _load(scenario.load_scenario(base))
    return _load(prepare(store.load_log(base)))


def _bases(base: _Base, study: Study) -> dict[Key, Baseline]:
    """A prepared base per combination of preferred records (one, without ``prefer``)."""
    found: dict[Key, Baseline] = {}
    for key in study.keys:
        log = base.ready.log
        for source in key:
            if source != RECORD:
                log = prefer(log, source)
        found[key] = base.ready if log is base.ready.log else prepare(log)
    return found


# ------------------------------------------------------------------------------------ files


def read_study(path: str | os.PathLike[str]) -> StudySpec:
    """Read and check a study file (not its base)."""
    file = Path(path)
    parsed, text = scenario.read_toml(
        file,
        noun="study file",
        hint="a study is a .toml file, e.g. scenarios/studies/fuel-blackout-longer.toml",
        limit=MAX_STUDY,
        too_deep=_too_deep,
    )
    return parse_study(parsed, path=str(file), text=text)


def _too_deep(where: str) -> SimError:
    return SimError(
        what="the study file nests tables or arrays too deeply",
        path=where,
        expected=f"at most {scenario.MAX_DEPTH} levels",
        found="more",
        hint="check the file's brackets: a study is a [study] table and [[vary]] tables",
        code="nested-too-deep",
    )


def _study_base(spec: StudySpec) -> Path:
    given = Path(spec.base)
    return (
        given if given.is_absolute() or spec.path == "<study>" else Path(spec.path).parent / given
    )


def _load_study_base(spec: StudySpec) -> _Base:
    where = _study_base(spec)
    if stat_path(where, doing="read the study's base") is None:
        raise SimError(
            what=f"the base {spec.base!r} does not exist",
            path=spec.path,
            expected="a scenario folder with events.jsonl, a .jsonl log, or a .toml scenario,"
            " relative to this file",
            found=str(where),
            code="base-missing",
        )
    return _load(where)


# ------------------------------------------------------------------------------------ running


def _run_study(
    study_: Study,
    base: _Base,
    options: _Options,
    *,
    method: Method | None,
    sensitivity_n: int | None,
) -> tuple[Columns, Any]:
    """The study's rows and, with ``method``, SALib's indices of its measures."""
    bases = _bases(base, study_)
    design = None
    if method is not None and study_.width:
        n = sensitivity_n or (MORRIS_TRAJECTORIES if method == "morris" else SOBOL_BASE)
        design = sensitivity_design(method, study_.width, n, study_.seed)
    reporter = options.reporter
    if reporter is not None:
        reporter.total(study_.size + (len(design) if design is not None else 0))
    advance = reporter.advance if reporter is not None else None
    with options.runner() as runner:
        rows = runner.run(
            Work(job=SampleJob(study=study_), bases=bases), chunk=options.chunk, progress=advance
        )
        indices = None
        if design is not None and method is not None:
            points = evaluated_points(method, design)
            found = runner.run(
                Work(job=PointsJob(study=study_, points=points), bases=bases),
                chunk=options.chunk,
                progress=advance,
            )
            recorded = _recorded_measures(base, study_.measures)
            outputs = sensitivity_outputs(found, study_.measures, recorded)
            indices = sensitivity_indices(
                method, study_.parameter_names(), design, outputs, study_.seed
            )
    return rows, indices


def _recorded_measures(base: _Base, measures: Sequence[str]) -> dict[str, int]:
    final = base.trajectory.final
    found: dict[str, int] = {}
    for name in measures:
        if name == "concluded_at" and final.concluded_at is not None:
            found[name] = micros(final.concluded_at)
        elif name.startswith("milestone:"):
            reached = final.milestones.get(name.removeprefix("milestone:"))
            if reached is not None:
                found[name] = micros(reached)
    return found


def _zones(base: _Base, measures: Sequence[str]) -> dict[str, tzinfo | None]:
    """The zone each time measure is told in: that of the base's own time for it."""
    final = base.trajectory.final
    zones: dict[str, tzinfo | None] = {}
    for name in measures:
        if name == "concluded_at":
            zones[name] = final.concluded_at.tzinfo if final.concluded_at else None
        elif name.startswith("milestone:"):
            reached = final.milestones.get(name.removeprefix("milestone:"))
            zones[name] = reached.tzinfo if reached is not None else None
    return zones


def _empty_frame() -> Any:
    import pandas as pd

    return pd.DataFrame()


def _frame_of(study_: Study, rows: Columns) -> Any:
    types = (Column(name="sample", type="count"), *study_.parameter_columns)
    return to_frame(rows, (*types, *study_.measure_columns))


def _summary(study_: Study, rows: Columns, zones: Mapping[str, tzinfo | None]) -> dict[str, Any]:
    return {m: measure_summary(m, rows[m], zones.get(m)) for m in study_.measures}


def _summary_frame(summary: Mapping[str, Mapping[str, Any]]) -> Any:
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


# ------------------------------------------------------------------------------------ study


def study(
    spec: str | os.PathLike[str] | StudySpec,
    *,
    samples: int | None = None,
    seed: int | None = None,
    sampling: Sampling = "random",
    sensitivity: Method | None = "morris",
    sensitivity_n: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    chunk: int = CHUNK,
    reporter: Reporter | None = None,
) -> StudyResult:
    """Run the study a file describes (or a :class:`~sim.studies.spec.StudySpec`).

    ``samples`` and ``seed`` override the file's; ``sampling`` draws the samples from their own
    streams (``random``), a Latin hypercube (``lhs``) or a scrambled Sobol sequence (``qmc``);
    ``sensitivity`` is SALib's method for the indices (``morris``, ``sobol``, or ``None``), with
    ``sensitivity_n`` trajectories (Morris, default 10) or base points (Sobol, default 64).
    """
    if not isinstance(spec, StudySpec):
        spec = read_study(spec)
    if samples is not None:
        spec = attrs.evolve(spec, samples=samples)
    if seed is not None:
        spec = attrs.evolve(spec, seed=seed)
    base = _load_study_base(spec) if spec.path != "<study>" else _load(spec.base)
    options = _Options(
        workers=workers,
        scheduler=scheduler,
        connect_timeout=connect_timeout,
        chunk=chunk,
        reporter=reporter,
    )
    result: StudyResult = _study(
        spec,
        base,
        options,
        sampling=sampling,
        method=sensitivity,
        sensitivity_n=sensitivity_n,
        kind="study",
    )
    return result


def _study(
    spec: StudySpec,
    base: _Base,
    options: _Options,
    *,
    sampling: Sampling,
    method: Method | None,
    sensitivity_n: int | None,
    kind: Literal["study", "uncertainty"],
) -> Any:
    compiled = compile_study(
        spec,
        base.ready,
        pre=base.pre,
        fixed=base.fixed,
        sampling=sampling,
        sources=alternative_sources(base.ready.log),
    )
    rows, indices = _run_study(compiled, base, options, method=method, sensitivity_n=sensitivity_n)
    zones = _zones(base, compiled.measures)
    summary = _summary(compiled, rows, zones)
    frame = _frame_of(compiled, rows)
    indices = indices if indices is not None else _empty_frame()
    recorded = base.trajectory.final.concluded_at
    if kind == "uncertainty":
        data = _uncertainty_data(
            compiled, base=base, rows=rows, zones=zones, indices=indices, spec=spec
        )
        return UncertaintyResult(
            name=compiled.name,
            question=compiled.question,
            scenario=base.name,
            frame=frame,
            summary=_summary_frame(summary),
            sensitivity=indices,
            data=data,
            recorded=recorded,
        )
    data = {
        "study": compiled.name,
        "scenario": base.name,
        "question": compiled.question,
        "samples": compiled.size,
        "seed": compiled.seed,
        "sampling": compiled.sampling,
        "parameters": [c.name for c in compiled.parameter_columns],
        "measures": summary,
        "cells": _cells(compiled, rows, zones),
        "sensitivity": _records(indices),
    }
    return StudyResult(
        name=compiled.name,
        question=compiled.question,
        scenario=base.name,
        frame=frame,
        summary=_summary_frame(summary),
        sensitivity=indices,
        data=data,
        recorded=recorded,
    )


def _records(frame: Any) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    found: list[dict[str, Any]] = frame.to_dict(orient="records")
    return found


def _cells(study_: Study, rows: Columns, zones: Mapping[str, tzinfo | None]) -> list[Any]:
    """For a grid, each cell's values and the summary of its samples."""
    grid = [f for f in study_.factors if f.grid is not None]
    if not grid:
        return []
    cells = []
    for cell in range(study_.cells):
        pick = slice(cell * study_.samples, (cell + 1) * study_.samples)
        values: dict[str, Any] = {}
        for factor in grid:
            name = factor.columns[0].name
            value = rows[name][pick][0]
            values[name] = iso_duration(int(value)) if factor.kind == "by" else _plain(value)
        summary = {m: measure_summary(m, rows[m][pick], zones.get(m)) for m in study_.measures}
        cells.append({**values, "samples": study_.samples, "measures": summary})
    return cells


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


# ------------------------------------------------------------------------------------ uncertainty


def uncertainty(
    base: Base,
    *,
    samples: int = 1000,
    seed: int = 0,
    draw: Literal["triangular", "uniform"] = "triangular",
    sampling: Sampling = "random",
    sensitivity: Method | None = "morris",
    sensitivity_n: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    chunk: int = CHUNK,
    reporter: Reporter | None = None,
) -> UncertaintyResult:
    """The outcome's distribution over what the record leaves open: every ``approx`` event
    with bounds, and every ``day`` event, drawn within its bounds (triangular with the recorded
    time as its mode, or ``uniform``), in log order and never before a linked event's draw."""
    if samples < 1:
        raise SimError(what="--samples must be at least 1", found=str(samples), code="bad-option")
    loaded = _load(base)
    milestones = [
        e.milestone
        for e in loaded.trajectory.events
        if e.milestone is not None and e.milestone in loaded.trajectory.final.milestones
    ]
    measures = (
        "concluded",
        "concluded_at",
        *dict.fromkeys(f"milestone:{m}" for m in milestones),
        "voided",
    )
    spec = StudySpec(
        name=f"uncertainty of {loaded.name}",
        base=loaded.name,
        question=f"What does the record of {loaded.name} leave open?",
        samples=samples,
        seed=seed,
        measures=measures,
        vary=(Within(target=None, draw=draw),),
    )
    options = _Options(
        workers=workers,
        scheduler=scheduler,
        connect_timeout=connect_timeout,
        chunk=chunk,
        reporter=reporter,
    )
    result: UncertaintyResult = _study(
        spec,
        loaded,
        options,
        sampling=sampling,
        method=sensitivity,
        sensitivity_n=sensitivity_n,
        kind="uncertainty",
    )
    return result


def _uncertainty_data(
    compiled: Study,
    *,
    base: _Base,
    rows: Columns,
    zones: Mapping[str, tzinfo | None],
    indices: Any,
    spec: StudySpec,
) -> dict[str, Any]:
    concluded = rows["concluded"]
    k, n = int(np.count_nonzero(concluded)), len(concluded)
    at = time_summary(rows["concluded_at"], zones.get("concluded_at"))
    names = [m for m in compiled.measures if m.startswith("milestone:")]
    milestones = {m.removeprefix("milestone:"): time_summary(rows[m], zones.get(m)) for m in names}
    within = compiled.factors[0]
    assert isinstance(spec.vary[0], Within)
    return {
        "scenario": base.name,
        "samples": n,
        "seed": compiled.seed,
        "draw": spec.vary[0].draw,
        "sampling": compiled.sampling,
        "events_sampled": list(within.ids),
        "p_concluded": k / n if n else 0.0,
        "p_concluded_ci": wilson(k, n),
        "concluded_at": {key: at[key] for key in ("p05", "p50", "p95")},
        "milestones": milestones,
        "p_recorded_order": _recorded_order(base, rows, names),
        "sensitivity": _records(indices),
    }


def _recorded_order(base: _Base, rows: Columns, names: Sequence[str]) -> float:
    """How often every milestone the base reaches is reached, in the base's order (ties
    allowed)."""
    events = milestone_events(base.trajectory)
    order = sorted(
        (m for m in names if m.removeprefix("milestone:") in events),
        key=lambda m: base.trajectory.final.milestones[m.removeprefix("milestone:")],
    )
    if not order:
        return 1.0
    times = np.stack([rows[m] for m in order], axis=1)
    reached = np.all(times != NAT, axis=1)
    ordered = np.all(np.diff(times, axis=1) >= 0, axis=1) if len(order) > 1 else reached
    return float(np.count_nonzero(reached & ordered) / len(times)) if len(times) else 0.0


# ------------------------------------------------------------------------------------ necessity


def _event_ids(base: _Base) -> tuple[str, ...]:
    return tuple(e.id for e in base.trajectory.events)


def necessity(
    base: Base,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    chunk: int = 8,
    reporter: Reporter | None = None,
) -> NecessityResult:
    """Each event removed alone: whether the outcome (a deal concluded, on which text) needs
    it, and which milestones are lost without it."""
    loaded = _load(base)
    ids = _event_ids(loaded)
    options = _Options(
        workers=workers,
        scheduler=scheduler,
        connect_timeout=connect_timeout,
        chunk=chunk,
        reporter=reporter,
    )
    rows = options.rows_of(
        Work(job=NecessityJob(ids=ids, pre=loaded.pre), bases={(): loaded.ready})
    )
    frame = to_frame(
        rows,
        (
            Column(name="id", type="text"),
            Column(name="milestones_lost", type="text"),
            Column(name="concluded_at", type="time"),
        ),
    )
    events = []
    reached = loaded.trajectory.final.milestones
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
        "scenario": loaded.name,
        "events": events,
        "outcome_necessary": [e["id"] for e in events if e["necessary_for_outcome"]],
        "milestones": milestones,
    }
    summary = frame[frame["necessary_for_outcome"] | (frame["milestones_lost"] != "")]
    return NecessityResult(
        scenario=loaded.name,
        frame=frame,
        summary=summary[["id", "necessary_for_outcome", "milestones_lost"]],
        data=data,
        events=loaded.trajectory.events,
        recorded=loaded.trajectory.final.concluded_at,
    )


# ------------------------------------------------------------------------------------ slack


def _span(value: str | timedelta, what: str) -> timedelta:
    if isinstance(value, timedelta):
        if value <= timedelta(0):
            raise SimError(what=f"{what} must be a positive duration", found=str(value))
        return value
    try:
        return parse_span(value)
    except ValueError:
        raise SimError(
            what=f"bad {what}",
            expected='a positive duration such as "30d", "12h" or "P30D"',
            found=repr(value),
            code="bad-option",
        ) from None


def slack(
    base: Base,
    *,
    max: str | timedelta = "30d",  # noqa: A002 (the option's name, --max)
    resolution: str | timedelta = "1m",
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    chunk: int = 4,
    reporter: Reporter | None = None,
) -> SlackResult:
    """For each event, the largest delay (to ``resolution``, up to ``max``) before the deal's
    time moves (``slack_to_shift``) and before the deal fails (``slack_to_failure``), found by
    bisection: the critical path of the negotiation, as in CPM."""
    limit, step = _span(max, "--max"), _span(resolution, "--resolution")
    if step > limit:
        raise SimError(
            what="--resolution is longer than --max",
            found=f"{resolution} > {max}",
            code="bad-option",
        )
    loaded = _load(base)
    ids = _event_ids(loaded)
    options = _Options(
        workers=workers,
        scheduler=scheduler,
        connect_timeout=connect_timeout,
        chunk=chunk,
        reporter=reporter,
    )
    job = SlackJob(
        ids=ids,
        limit=limit // timedelta(microseconds=1),
        step=step // timedelta(microseconds=1),
        pre=loaded.pre,
    )
    rows = options.rows_of(Work(job=job, bases={(): loaded.ready}))
    frame = to_frame(
        rows,
        (
            Column(name="id", type="text"),
            Column(name="slack_to_shift", type="span"),
            Column(name="slack_to_failure", type="span"),
        ),
    )
    data = {
        "scenario": loaded.name,
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
    return SlackResult(
        scenario=loaded.name,
        frame=frame,
        summary=summary,
        data=data,
        events=loaded.trajectory.events,
        recorded=loaded.trajectory.final.concluded_at,
        limit=limit,
    )

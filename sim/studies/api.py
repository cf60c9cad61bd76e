"""The study commands as library calls: :func:`study`, :func:`uncertainty`, :func:`necessity`
and :func:`slack`, and :func:`read_study` for a study file.

Each loads its base (:mod:`sim.studies.bases`: a scenario folder, a log, a what-if scenario
file, or a log, prepared base or what-if already in memory), makes the study ready
(:mod:`sim.studies.design`), runs its tasks in process or on a Dask cluster
(:mod:`sim.studies.running`) and returns a result with ``.frame``, ``.summary``, ``.data``
(the JSON, :mod:`sim.studies.answers`) and ``.plot()`` (:mod:`sim.studies.results`).  The
study is a loop over the what-if engine; this module and the ones it runs it with are the
edge that reads files.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Final, Literal, TypeVar

import attrs

from sim import scenario
from sim.errors import SimError
from sim.sources import alternative_sources
from sim.studies.answers import (
    empty_frame,
    necessity_answer,
    slack_answer,
    study_data,
    study_frame,
    summaries,
    summary_frame,
    uncertainty_data,
    zones_of,
)
from sim.studies.bases import (
    Base,
    StudyBase,
    base_path,
    open_base,
    open_study_base,
    prepared_bases,
)
from sim.studies.compiling import compile_study
from sim.studies.execute import CHUNK, CONNECT_TIMEOUT
from sim.studies.model import StudySpec, Within
from sim.studies.results import (
    Method,
    NecessityResult,
    SlackResult,
    StudyResult,
    UncertaintyResult,
)
from sim.studies.running import Options, Reporter, run_study
from sim.studies.spec import parse_study
from sim.studies.tasks import NecessityJob, SlackJob, Work
from sim.times import parse_span

__all__ = ["Reporter", "necessity", "read_study", "slack", "study", "uncertainty"]

MAX_STUDY: Final = 1 << 20
"""The largest study file sim reads (1 MiB)."""
Sampling = Literal["random", "lhs", "qmc"]
R = TypeVar("R", bound=StudyResult)
# names imported from this module before its parts moved out (kept for code that still does)
_load = open_base
_bases = prepared_bases
_study_base = base_path


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


# sim.scenario's _too_deep, said of a study file: its hint names a study's tables
def _too_deep(where: str) -> SimError:
    return SimError(
        what="the study file nests tables or arrays too deeply",
        path=where,
        expected=f"at most {scenario.MAX_DEPTH} levels",
        found="more",
        hint="check the file's brackets: a study is a [study] table and [[vary]] tables",
        code="nested-too-deep",
    )


# ------------------------------------------------------------------------------------ studies
# Each call below spells out the same execution keywords (workers, scheduler, connect_timeout,
# chunk, reporter) in its own signature, so that help() and an editor show them; they are
# gathered into one Options at once.


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
    options = Options(
        workers=workers,
        scheduler=scheduler,
        connect_timeout=connect_timeout,
        chunk=chunk,
        reporter=reporter,
    )
    base = open_study_base(spec)
    return _study(
        spec,
        base,
        options,
        sampling=sampling,
        method=sensitivity,
        sensitivity_n=sensitivity_n,
        result=StudyResult,
    )


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
    options = Options(
        workers=workers,
        scheduler=scheduler,
        connect_timeout=connect_timeout,
        chunk=chunk,
        reporter=reporter,
    )
    loaded = open_base(base)
    final = loaded.trajectory.final
    milestones = [
        e.milestone
        for e in loaded.trajectory.events
        if e.milestone is not None and e.milestone in final.milestones
    ]
    spec = StudySpec(
        name=f"uncertainty of {loaded.name}",
        base=loaded.name,
        question=f"What does the record of {loaded.name} leave open?",
        samples=samples,
        seed=seed,
        measures=(
            "concluded",
            "concluded_at",
            *dict.fromkeys(f"milestone:{m}" for m in milestones),
            "voided",
        ),
        vary=(Within(target=None, draw=draw),),
    )
    return _study(
        spec,
        loaded,
        options,
        sampling=sampling,
        method=sensitivity,
        sensitivity_n=sensitivity_n,
        result=UncertaintyResult,
    )


def _study(
    spec: StudySpec,
    base: StudyBase,
    options: Options,
    *,
    sampling: Sampling,
    method: Method | None,
    sensitivity_n: int | None,
    result: type[R],
) -> R:
    """``spec`` run on ``base``, its answer as ``result`` (a study's or an uncertainty's)."""
    compiled = compile_study(
        spec,
        base.ready,
        pre=base.pre,
        fixed=base.fixed,
        sampling=sampling,
        sources=alternative_sources(base.ready.log),
    )
    rows, indices = run_study(compiled, base, options, method=method, sensitivity_n=sensitivity_n)
    zones = zones_of(base.trajectory.final, compiled.measures)
    summary = summaries(compiled, rows, zones)
    indices = indices if indices is not None else empty_frame()
    if result is UncertaintyResult:
        data = uncertainty_data(
            compiled,
            spec=spec,
            scenario=base.name,
            trajectory=base.trajectory,
            rows=rows,
            zones=zones,
            indices=indices,
        )
    else:
        data = study_data(
            compiled, scenario=base.name, rows=rows, zones=zones, summary=summary, indices=indices
        )
    return result(
        name=compiled.name,
        question=compiled.question,
        scenario=base.name,
        frame=study_frame(compiled, rows),
        summary=summary_frame(summary),
        sensitivity=indices,
        data=data,
        recorded=base.trajectory.final.concluded_at,
    )


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
    loaded = open_base(base)
    options = Options(
        workers=workers,
        scheduler=scheduler,
        connect_timeout=connect_timeout,
        chunk=chunk,
        reporter=reporter,
    )
    job = NecessityJob(ids=loaded.event_ids, pre=loaded.pre)
    rows = options.rows_of(Work(job=job, bases={(): loaded.ready}))
    final = loaded.trajectory.final
    frame, summary, data = necessity_answer(loaded.name, final, rows)
    return NecessityResult(
        scenario=loaded.name,
        frame=frame,
        summary=summary,
        data=data,
        events=loaded.trajectory.events,
        recorded=final.concluded_at,
    )


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
    loaded = open_base(base)
    options = Options(
        workers=workers,
        scheduler=scheduler,
        connect_timeout=connect_timeout,
        chunk=chunk,
        reporter=reporter,
    )
    job = SlackJob(
        ids=loaded.event_ids,
        limit=limit // timedelta(microseconds=1),
        step=step // timedelta(microseconds=1),
        pre=loaded.pre,
    )
    rows = options.rows_of(Work(job=job, bases={(): loaded.ready}))
    frame, summary, data = slack_answer(loaded.name, rows, limit=limit, step=step)
    return SlackResult(
        scenario=loaded.name,
        frame=frame,
        summary=summary,
        data=data,
        events=loaded.trajectory.events,
        recorded=loaded.trajectory.final.concluded_at,
        limit=limit,
    )


def _span(value: str | timedelta, what: str) -> timedelta:
    if isinstance(value, timedelta):
        if value <= timedelta(0):
            raise SimError(what=f"{what} must be a positive duration", found=str(value))
        return value
    try:
        return parse_span(value)
    except ValueError:
        raise SimError(  # shaped like every SimError: the words are this fault's own
            what=f"bad {what}",
            expected='a positive duration such as "30d", "12h" or "P30D"',
            found=repr(value),
            code="bad-option",
        ) from None

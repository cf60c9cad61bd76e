"""How a study's work is run (an edge: Dask and progress): the execution options every study
call takes, the progress reporter they tell, and a study's two passes, its samples and then,
for sensitivity indices, the points of SALib's design.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Protocol

from attrs import frozen

from sim.studies.answers import recorded_times
from sim.studies.bases import StudyBase, prepared_bases
from sim.studies.columns import Columns, micros
from sim.studies.execute import CHUNK, CONNECT_TIMEOUT, Runner
from sim.studies.sampling import Study
from sim.studies.sensitivity import (
    Method,
    evaluated_points,
    sensitivity_design,
    sensitivity_indices,
    sensitivity_outputs,
)
from sim.studies.tasks import PointsJob, SampleJob, Work

__all__ = ["MORRIS_TRAJECTORIES", "SOBOL_BASE", "Options", "Reporter", "run_study"]

MORRIS_TRAJECTORIES: Final = 10
SOBOL_BASE: Final = 64


class Reporter(Protocol):
    """Told how many rows there are, then how many are done (a progress bar)."""

    def total(self, total: float) -> None: ...

    def advance(self, amount: float = 1) -> None: ...


@frozen(kw_only=True)
class Options:
    """Where and how a study's tasks run, and whom to tell of their progress."""

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


def run_study(
    study: Study,
    base: StudyBase,
    options: Options,
    *,
    method: Method | None,
    sensitivity_n: int | None,
) -> tuple[Columns, Any]:
    """The study's rows and, with ``method``, SALib's indices of its measures."""
    bases = prepared_bases(base, study)
    design = None
    if method is not None and study.width:
        n = sensitivity_n or (MORRIS_TRAJECTORIES if method == "morris" else SOBOL_BASE)
        design = sensitivity_design(method, study.width, n, study.seed)
    reporter = options.reporter
    if reporter is not None:
        reporter.total(study.size + (len(design) if design is not None else 0))
    advance = reporter.advance if reporter is not None else None
    with options.runner() as runner:
        rows = runner.run(
            Work(job=SampleJob(study=study), bases=bases), chunk=options.chunk, progress=advance
        )
        indices = None
        if design is not None and method is not None:
            points = evaluated_points(method, design)
            found = runner.run(
                Work(job=PointsJob(study=study, points=points), bases=bases),
                chunk=options.chunk,
                progress=advance,
            )
            outputs = sensitivity_outputs(found, study.measures, _recorded(base, study.measures))
            indices = sensitivity_indices(
                method, study.parameter_names(), design, outputs, study.seed
            )
    return rows, indices


def _recorded(base: StudyBase, measures: Sequence[str]) -> dict[str, int]:
    """The base's own time of each time measure it reaches (µs)."""
    times = recorded_times(base.trajectory.final, measures)
    return {name: micros(when) for name, when in times.items() if when is not None}

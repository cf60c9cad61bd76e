"""The work of a study, cut into tasks: each a pure function of the prepared bases and a range
of rows (samples, or events), returning only those rows.

A :class:`Job` knows how many rows it has and computes any range of them; the executor
(:mod:`sim.studies.execute`) decides where.  The same range gives the same rows wherever and
however often it runs, so a chunk lost with a worker is simply run again.

- :class:`SampleJob`: the study's samples (see :mod:`sim.studies.design`).
- :class:`PointsJob`: given unit-cube points (SALib's Morris or Sobol designs).
- :class:`NecessityJob`: each event removed alone.
- :class:`SlackJob`: each event delayed, by bisection, up to a limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, Protocol

import numpy as np
from attrs import field, frozen

from sim.studies.design import (
    NAT,
    Columns,
    Floats,
    Key,
    Study,
    evaluate,
    micros,
    unit_rows,
)
from sim.whatif import Baseline, Intervention, Remove, Retime, Selector, whatif

__all__ = ["Job", "NecessityJob", "PointsJob", "SampleJob", "SlackJob", "Work", "bisect"]


class Job(Protocol):
    """A study's rows, computed a range at a time."""

    @property
    def size(self) -> int:
        """How many rows it has."""
        ...

    def run(self, bases: Mapping[Key, Baseline], start: int, stop: int) -> Columns:
        """Rows ``start`` to ``stop`` (exclusive), column by column."""
        ...


@frozen(kw_only=True)
class Work:
    """A job with the prepared bases it runs on: what is sent to the workers once."""

    job: Job
    bases: Mapping[Key, Baseline]

    def run(self, start: int, stop: int) -> Columns:
        """Rows ``start`` to ``stop`` of the job."""
        return self.job.run(self.bases, start, stop)


@frozen(kw_only=True)
class SampleJob:
    """The study's samples: row ``i`` is sample ``i``."""

    study: Study

    @property
    def size(self) -> int:
        return self.study.size

    def run(self, bases: Mapping[Key, Baseline], start: int, stop: int) -> Columns:
        return evaluate(self.study, bases, unit_rows(self.study, start, stop), first=start)


@frozen(kw_only=True)
class PointsJob:
    """Rows at given points of the unit cube (a sensitivity design)."""

    study: Study
    points: Floats = field(eq=False)

    @property
    def size(self) -> int:
        return len(self.points)

    def run(self, bases: Mapping[Key, Baseline], start: int, stop: int) -> Columns:
        return evaluate(self.study, bases, self.points[start:stop], first=start)


def _outcome(bases: Mapping[Key, Baseline], interventions: Sequence[Intervention]) -> Any:
    return whatif(bases[()], interventions).trajectory.final


@frozen(kw_only=True)
class _EachEvent:
    """A job of a row per event: event ``ids[i]`` is acted on alone in row ``i``, after the base
    scenario's ``pre``."""

    ids: tuple[str, ...]
    pre: tuple[Intervention, ...] = ()

    @property
    def size(self) -> int:
        return len(self.ids)


@frozen(kw_only=True)
class NecessityJob(_EachEvent):
    """Row ``i`` removes event ``ids[i]`` alone (after the base scenario's ``pre``)."""

    def run(self, bases: Mapping[Key, Baseline], start: int, stop: int) -> Columns:
        base = _outcome(bases, self.pre)
        base_key = (base.concluded_at is not None, base.concluded_text)
        reached = sorted(base.milestones, key=lambda m: (base.milestones[m], m))  # not hash order
        necessary: list[bool] = []
        lost: list[str] = []
        concluded: list[bool] = []
        concluded_at: list[int] = []
        for ident in self.ids[start:stop]:
            final = _outcome(bases, [*self.pre, Remove(target=Selector(id=ident))])
            necessary.append((final.concluded_at is not None, final.concluded_text) != base_key)
            lost.append(" ".join(m for m in reached if m not in final.milestones))
            concluded.append(final.concluded_at is not None)
            concluded_at.append(NAT if final.concluded_at is None else micros(final.concluded_at))
        return {
            "id": np.asarray(self.ids[start:stop], dtype=object),
            "necessary_for_outcome": np.asarray(necessary, dtype=bool),
            "milestones_lost": np.asarray(lost, dtype=object),
            "concluded": np.asarray(concluded, dtype=bool),
            "concluded_at": np.asarray(concluded_at, dtype=np.int64),
        }


def bisect(holds: Any, top: int) -> int:
    """The largest ``k`` in ``0..top-1`` with ``holds(k)`` where ``holds(0)`` is true and
    ``holds(top)`` false, by bisection (it assumes one change from true to false)."""
    lo, hi = 0, top
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if holds(mid):
            lo = mid
        else:
            hi = mid
    return lo


@frozen(kw_only=True)
class SlackJob(_EachEvent):
    """Row ``i`` delays event ``ids[i]``: the largest delay (in steps of ``step`` µs, up to
    ``limit`` µs) before the deal's time moves, and before the deal fails (:data:`NAT`: none
    within the limit)."""

    limit: int
    step: int

    def run(self, bases: Mapping[Key, Baseline], start: int, stop: int) -> Columns:
        base = _outcome(bases, self.pre)
        shift: list[int] = []
        failure: list[int] = []
        for ident in self.ids[start:stop]:
            found = self._slack(bases, ident, base.concluded_at)
            shift.append(found[0])
            failure.append(found[1])
        return {
            "id": np.asarray(self.ids[start:stop], dtype=object),
            "slack_to_shift": np.asarray(shift, dtype=np.int64),
            "slack_to_failure": np.asarray(failure, dtype=np.int64),
        }

    def _slack(self, bases: Mapping[Key, Baseline], ident: str, recorded: Any) -> tuple[int, int]:
        steps = max(1, self.limit // self.step)
        cache: dict[int, Any] = {0: recorded}

        def concluded_at(k: int) -> Any:
            if k not in cache:
                by = timedelta(microseconds=k * self.step)
                retime = Retime(target=Selector(id=ident), by=by)
                cache[k] = _outcome(bases, [*self.pre, retime]).concluded_at
            return cache[k]

        top = steps
        failure = NAT
        if recorded is not None and concluded_at(steps) is None:
            k = bisect(lambda k: concluded_at(k) is not None, steps)
            failure = k * self.step
            top = k + 1  # the deal fails there: its time has moved
        if top == steps and concluded_at(steps) == recorded:
            return NAT, failure
        k = bisect(lambda k: concluded_at(k) == recorded, top)
        return k * self.step, failure

"""A study's rows (pure): each a what-if of the base with its factors' interventions,
measured; and the names of the study's design, re-exported from the modules that hold them.

Every varied thing is a *factor* (:mod:`sim.studies.factors`) with one or more dimensions of
the unit cube: a sample is a point ``u`` of the cube (:mod:`sim.studies.sampling`), and each
factor maps its coordinates to its values.  The same map serves every design: sample ``i``'s
own random stream, a Latin hypercube or a scrambled Sobol sequence, and SALib's Morris and
Sobol designs for sensitivity indices.  :func:`compile_study` (:mod:`sim.studies.compiling`)
makes a study file ready against its base.

A row is a what-if of the base with the factors' interventions (``retime``, ``amend``,
``remove``), measured: :func:`evaluate`.  Nothing here does I/O, reads a clock or draws a
random number from anywhere but a generator seeded with the study's seed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import attrs
import numpy as np

from sim.errors import SimError
from sim.studies.columns import (
    EPOCH,
    MICRO,
    NAT,
    Column,
    Columns,
    ColumnType,
    Floats,
    Ints,
    Key,
    micros,
    moment,
)
from sim.studies.compiling import compile_study, uncertain_bounds
from sim.studies.factors import Factor
from sim.studies.sampling import Study, design_matrix, unit_rows
from sim.whatif import Baseline, Intervention, WhatIf, whatif

# the design's names, re-exported from the modules that now hold them: code imports them from
# here, as it did before they moved (so this list repeats theirs)
__all__ = [
    "EPOCH",
    "MICRO",
    "NAT",
    "Column",
    "ColumnType",
    "Columns",
    "Factor",
    "Floats",
    "Ints",
    "Key",
    "Study",
    "compile_study",
    "design_matrix",
    "evaluate",
    "measure",
    "micros",
    "moment",
    "uncertain_bounds",
    "unit_rows",
]


def evaluate(study: Study, bases: Mapping[Key, Baseline], u: Floats, first: int = 0) -> Columns:
    """The rows of the points ``u`` (numbered from ``first``): each factor's values, the
    what-if they make of the base, and its measures."""
    n = len(u)
    params: Columns = {}
    offset = 0
    for factor in study.factors:
        for column, values in zip(
            factor.columns, factor.values(u[:, offset : offset + factor.width]), strict=True
        ):
            params[column.name] = values
        offset += factor.width
    measures = study.measures
    found: dict[str, list[Any]] = {m: [] for m in measures}
    for r in range(n):
        interventions: list[Intervention] = list(study.pre)
        for factor in study.factors:
            row = [params[c.name][r] for c in factor.columns]
            interventions.extend(factor.interventions(row))
        try:
            result = whatif(bases[study.key(params, r)], interventions)
        except SimError as exc:
            raise _in_sample(exc, first + r, study, params, r) from None
        for name, value in measure(result, measures).items():
            found[name].append(value)
    out: Columns = {"sample": np.arange(first, first + n, dtype=np.int64), **params}
    for column in study.measure_columns:
        dtype = {"flag": bool, "count": np.int64}.get(column.type, np.int64)
        out[column.name] = np.asarray(found[column.name], dtype=dtype)
    return out


def _in_sample(exc: SimError, i: int, study: Study, params: Columns, r: int) -> SimError:
    """``exc`` said of sample ``i``, with the values it drew."""
    drawn = ", ".join(
        f"{c.name} = {_shown(params[c.name][r], c.type)}" for c in study.parameter_columns
    )
    what = exc.what.removeprefix("[[intervention]] #1: ")
    return attrs.evolve(
        exc,
        what=f"sample {i} of the study ({_cut(drawn)}): {what}",
        code=exc.code or "intervention-failed",
    )


def _shown(value: Any, kind: ColumnType) -> str:
    if kind == "span":
        return str(timedelta(microseconds=int(value)))
    if kind == "time":
        return moment(int(value)).isoformat()
    return str(value)


def _cut(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def measure(result: WhatIf, measures: Sequence[str]) -> dict[str, Any]:
    """The measures of one what-if: ``concluded`` (bool), ``concluded_at`` and
    ``milestone:NAME`` (µs, or :data:`NAT` when not reached), ``voided`` (a count)."""
    final = result.trajectory.final
    out: dict[str, Any] = {}
    for name in measures:
        if name == "concluded":
            out[name] = final.concluded_at is not None
        elif name == "concluded_at":
            out[name] = NAT if final.concluded_at is None else micros(final.concluded_at)
        elif name == "voided":
            out[name] = len(final.voided)
        else:
            reached = final.milestones.get(name.removeprefix("milestone:"))
            out[name] = NAT if reached is None else micros(reached)
    return out

"""A study compiled against its base, and the points of the unit cube its samples are (pure).

A sample is a point ``u`` of the unit cube, one dimension per factor's coordinate: grid
factors at their cells' middles, drawn dimensions from sample ``i``'s own random stream
(``numpy.random.default_rng([seed, i])``), a Latin hypercube or a scrambled Sobol sequence
(``scipy.stats.qmc``).  So a sample's point is a function of the seed and its index alone,
whoever computes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from attrs import field, frozen

from sim.studies.columns import Column, ColumnType, Floats, Key
from sim.studies.factors import Factor
from sim.whatif import Intervention

__all__ = ["Study", "design_matrix", "unit_rows"]


@frozen(kw_only=True, repr=False)
class Study:
    """A study compiled against its base: ready to give the rows of any samples."""

    name: str
    question: str
    scenario: str
    """The base's name."""
    factors: tuple[Factor, ...]
    measures: tuple[str, ...]
    samples: int
    """Samples per grid cell (1 when nothing is drawn)."""
    seed: int
    pre: tuple[Intervention, ...] = ()
    """The base scenario's own interventions (a study of a what-if), applied first."""
    keys: tuple[Key, ...] = ((),)
    """The prepared bases a row may run on (one per combination of preferred records)."""
    sampling: Literal["random", "lhs", "qmc"] = "random"
    matrix: Floats | None = field(default=None, eq=False)
    """For ``lhs`` and ``qmc``: the design's points for the drawn dimensions, one row each."""

    def __repr__(self) -> str:
        return f"<Study {self.name!r} of {self.scenario!r}: {self.size} rows>"

    @property
    def width(self) -> int:
        """The dimensions of the unit cube: every factor's."""
        return sum(f.width for f in self.factors)

    @property
    def drawn(self) -> int:
        """The dimensions drawn (not grid factors)."""
        return sum(f.width for f in self.factors if f.grid is None)

    @property
    def cells(self) -> int:
        """The grid's cells (1 without grid factors)."""
        return math.prod(len(f.grid) for f in self.factors if f.grid is not None)

    @property
    def size(self) -> int:
        """The rows of the study: each grid cell times its samples."""
        return self.cells * self.samples

    @property
    def parameter_columns(self) -> tuple[Column, ...]:
        """The columns of the factors' values, in order."""
        return tuple(c for f in self.factors for c in f.columns)

    @property
    def measure_columns(self) -> tuple[Column, ...]:
        """The columns of the measures."""
        kinds: dict[str, ColumnType] = {"concluded": "flag", "voided": "count"}
        return tuple(Column(name=m, type=kinds.get(m, "time")) for m in self.measures)

    def parameter_names(self) -> list[str]:
        """One name per dimension of the unit cube (for SALib)."""
        names: list[str] = []
        for factor in self.factors:
            if factor.kind == "within":
                names.extend(c.name for c in factor.columns)
            else:
                names.append(factor.columns[0].name)
        return names

    def key(self, row: Mapping[str, Any], r: int) -> Key:
        """The prepared base row ``r`` runs on."""
        return tuple(row[f.columns[0].name][r] for f in self.factors if f.kind == "prefer")


def unit_rows(study: Study, start: int, stop: int) -> Floats:
    """The unit-cube points of samples ``start`` to ``stop``: grid factors at their cells'
    middles, drawn dimensions from sample ``i``'s own stream (``default_rng([seed, i])``) or
    row ``i`` of the Latin hypercube or Sobol design."""
    n = stop - start
    u = np.empty((n, study.width), dtype=np.float64)
    grid = [f for f in study.factors if f.grid is not None]
    sizes = [len(f.grid) for f in grid if f.grid is not None]
    drawn = study.drawn
    for r, i in enumerate(range(start, stop)):
        cell, _rep = divmod(i, study.samples)
        point: Floats = np.empty(0, dtype=np.float64)
        if drawn:
            if study.matrix is not None:
                point = study.matrix[i]
            else:
                point = np.random.default_rng([study.seed, i]).random(drawn)
        offset = taken = 0
        digits = _digits(cell, sizes)
        g = 0
        for factor in study.factors:
            if factor.grid is not None:
                u[r, offset] = (digits[g] + 0.5) / sizes[g]
                g += 1
            else:
                u[r, offset : offset + factor.width] = point[taken : taken + factor.width]
                taken += factor.width
            offset += factor.width
    return u


def _digits(cell: int, sizes: Sequence[int]) -> list[int]:
    """``cell`` in the mixed radix of ``sizes`` (the first factor varies slowest)."""
    digits = [0] * len(sizes)
    for k in range(len(sizes) - 1, -1, -1):
        cell, digits[k] = divmod(cell, sizes[k])
    return digits


def design_matrix(sampling: Literal["lhs", "qmc"], n: int, dimensions: int, seed: int) -> Floats:
    """``n`` points of a Latin hypercube or a scrambled Sobol sequence (``scipy.stats.qmc``)."""
    from scipy.stats import qmc

    if dimensions == 0:
        return np.empty((n, 0), dtype=np.float64)
    if sampling == "lhs":
        return np.asarray(qmc.LatinHypercube(d=dimensions, seed=seed).random(n), np.float64)
    m = max(0, math.ceil(math.log2(n)))
    points = qmc.Sobol(d=dimensions, scramble=True, seed=seed).random_base2(m)
    return np.asarray(points[:n], dtype=np.float64)

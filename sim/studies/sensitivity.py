"""Sensitivity indices of a study's measures (SALib, pure): the design's points over the unit
cube, where they are evaluated, each measure as a number per row, and Morris's or Sobol's
indices of each measure to each parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from sim.studies.columns import NAT, Columns

__all__ = [
    "LEVELS",
    "MORRIS_EDGE",
    "Method",
    "evaluated_points",
    "records",
    "sensitivity_design",
    "sensitivity_indices",
    "sensitivity_outputs",
]

Method = Literal["morris", "sobol"]
LEVELS: Final = 4
"""Levels of the Morris design's grid."""
MORRIS_EDGE: Final = 0.005
_INDICES: Final[Mapping[Method, tuple[str, ...]]] = {
    "morris": ("mu_star", "mu_star_conf", "sigma"),
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
}
"""The indices each method gives, as the frame's columns."""


def sensitivity_outputs(
    columns: Columns, measures: Sequence[str], recorded: Mapping[str, int]
) -> dict[str, npt.NDArray[np.float64]]:
    """Each measure as a number per row, for SALib: ``concluded`` 0 or 1; a time in hours after
    the base's (one never reached counts as the latest reached: censored); ``voided`` as is.
    Measures that never vary, or are never reached, are left out (their indices are 0)."""
    outputs: dict[str, npt.NDArray[np.float64]] = {}
    for name in measures:
        values = columns[name]
        if name in {"concluded", "voided"}:
            y = values.astype(np.float64)
        else:
            times = values.astype(np.int64)
            reached = times[times != NAT]
            if not len(reached):
                continue
            origin = recorded.get(name, int(reached.min()))
            latest = int(reached.max())
            y = (np.where(times == NAT, latest, times) - origin) / 3.6e9
        if np.ptp(y) == 0:
            continue
        outputs[name] = y
    return outputs


def _problem(names: Sequence[str]) -> dict[str, Any]:
    """SALib's problem: the named parameters, each over [0, 1]."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sensitivity_indices(
    method: Method,
    names: Sequence[str],
    points: npt.NDArray[np.float64],
    outputs: Mapping[str, npt.NDArray[np.float64]],
    seed: int,
) -> Any:
    """SALib's indices of each output: Morris (``mu_star``, its 95% interval, ``sigma``) or
    Sobol (``S1``, ``ST`` and their intervals), as a frame with a row per parameter and
    measure."""
    import pandas as pd

    problem = _problem(names)
    rows: list[dict[str, Any]] = []
    for measure, y in outputs.items():
        found = _analyze(method, problem, points, y, seed)
        rows.extend(
            {
                "parameter": name,
                "measure": measure,
                "method": method,
                **{index: float(found[index][k]) for index in _INDICES[method]},
            }
            for k, name in enumerate(names)
        )
    return pd.DataFrame(rows)


def _analyze(
    method: Method,
    problem: Mapping[str, Any],
    points: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    seed: int,
) -> Any:
    if method == "morris":
        from SALib.analyze import morris

        return morris.analyze(
            problem, points, y, num_levels=LEVELS, seed=seed, print_to_console=False
        )
    from SALib.analyze import sobol

    return sobol.analyze(problem, y, calc_second_order=False, seed=seed, print_to_console=False)


def sensitivity_design(method: Method, dimensions: int, n: int, seed: int) -> Any:
    """SALib's design: ``n`` Morris trajectories, or a Sobol (Saltelli) design of ``n`` base
    points (rounded up to a power of two), over the unit cube."""
    problem = _problem([f"x{k}" for k in range(dimensions)])
    if method == "morris":
        from SALib.sample import morris

        return np.asarray(morris.sample(problem, n, num_levels=LEVELS, seed=seed), np.float64)
    from SALib.sample import sobol

    base = 1 << max(1, (n - 1).bit_length())
    return np.asarray(
        sobol.sample(problem, base, calc_second_order=False, scramble=True, seed=seed),
        np.float64,
    )


def evaluated_points(method: Method, design: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Where a design's points are evaluated: Morris levels (0, 1/3, 2/3, 1) drawn in by
    half a percent at each end, ``0.005 + 0.99 u`` (so an unbounded distribution is met at
    2.6 standard deviations, not at infinity, and a drop of probability 0.005 or more still
    happens at the lowest level); Sobol points as they are."""
    if method == "morris":
        return MORRIS_EDGE + (1 - 2 * MORRIS_EDGE) * design
    return design


def records(frame: Any) -> list[dict[str, Any]]:
    """The indices as the JSON gives them: a record per row (none when not computed)."""
    if frame is None or frame.empty:
        return []
    found: list[dict[str, Any]] = frame.to_dict(orient="records")
    return found

"""A study's results: a tidy frame (one row per sample or event), a summary, the JSON the
commands print, sensitivity indices (SALib), and charts.

The frame's columns: ``sample`` (or ``id``), each varied parameter (``by:LABEL`` a duration,
``at:EVENT`` a time, ``decide:LABEL`` a decision, ``drop:LABEL`` true or false, ``prefer`` a
record), then each measure (``concluded``, ``concluded_at``, ``milestone:NAME``, ``voided``).
Times are UTC (pandas ``datetime64[us, UTC]``), durations ``timedelta64[us]``, a time not
reached ``NaT``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
from attrs import field, frozen

from sim.studies.design import NAT, Column, Columns, moment

__all__ = [
    "NecessityResult",
    "SlackResult",
    "StudyResult",
    "UncertaintyResult",
    "iso_duration",
    "iso_time",
    "sensitivity_indices",
    "to_frame",
    "wilson",
]

QUANTILES: Final = (("p05", 0.05), ("p50", 0.5), ("p95", 0.95))


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


def iso_time(us: int, zone: tzinfo | None = None) -> str | None:
    """A time (µs since the epoch) in ISO 8601, told in ``zone``; ``None`` for :data:`NAT`."""
    if us == NAT:
        return None
    when = moment(int(us))
    return (when.astimezone(zone) if zone is not None else when).isoformat()


def iso_duration(us: int) -> str | None:
    """A duration (µs) in ISO 8601 (``P1DT2H30M``, ``PT0S``); ``None`` for :data:`NAT`."""
    if us == NAT:
        return None
    sign = "-" if us < 0 else ""
    seconds, micro = divmod(abs(int(us)), 1_000_000)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{days}D" if days else ""
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or micro:
        clock += f"{seconds}.{micro:06d}".rstrip("0").rstrip(".") + "S"
    if not text and not clock:
        return "PT0S"
    return sign + "P" + text + (f"T{clock}" if clock else "")


def wilson(k: int, n: int) -> list[float]:
    """The Wilson 95% interval of a proportion ``k`` of ``n`` (``scipy.stats.binomtest``)."""
    from scipy import stats

    if n == 0:
        return [0.0, 1.0]
    interval = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return [float(interval.low), float(interval.high)]


def _quantiles(values: npt.NDArray[np.int64], zone: tzinfo | None) -> dict[str, str | None]:
    """p05, p50 and p95 of times (µs), each a value observed (``inverted_cdf``)."""
    reached = values[values != NAT]
    if not len(reached):
        return {name: None for name, _ in QUANTILES}
    return {
        name: iso_time(int(np.quantile(reached, q, method="inverted_cdf")), zone)
        for name, q in QUANTILES
    }


def time_summary(values: npt.NDArray[np.int64], zone: tzinfo | None) -> dict[str, Any]:
    """``{p_reached, p05, p50, p95}`` of a time measure."""
    n = len(values)
    p = float(np.count_nonzero(values != NAT) / n) if n else 0.0
    return {"p_reached": p, **_quantiles(values, zone)}


def _count_summary(values: npt.NDArray[np.int64]) -> dict[str, Any]:
    if not len(values):
        return {"mean": None, "p05": None, "p50": None, "p95": None}
    return {
        "mean": float(np.mean(values)),
        **{name: int(np.quantile(values, q, method="inverted_cdf")) for name, q in QUANTILES},
    }


def measure_summary(name: str, values: npt.NDArray[Any], zone: tzinfo | None) -> dict[str, Any]:
    """The summary of one measure's column."""
    if name == "concluded":
        k, n = int(np.count_nonzero(values)), len(values)
        return {"p": k / n if n else 0.0, "ci": wilson(k, n)}
    if name == "voided":
        return _count_summary(values.astype(np.int64))
    return time_summary(values.astype(np.int64), zone)


# ------------------------------------------------------------------------------------ sensitivity

Method = Literal["morris", "sobol"]
LEVELS: Final = 4
"""Levels of the Morris design's grid."""


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

    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    rows: list[dict[str, Any]] = []
    for measure, y in outputs.items():
        if method == "morris":
            from SALib.analyze import morris

            found = morris.analyze(
                problem, points, y, num_levels=LEVELS, seed=seed, print_to_console=False
            )
            for k, name in enumerate(names):
                rows.append(
                    {
                        "parameter": name,
                        "measure": measure,
                        "method": method,
                        "mu_star": float(found["mu_star"][k]),
                        "mu_star_conf": float(found["mu_star_conf"][k]),
                        "sigma": float(found["sigma"][k]),
                    }
                )
        else:
            from SALib.analyze import sobol

            found = sobol.analyze(
                problem, y, calc_second_order=False, seed=seed, print_to_console=False
            )
            for k, name in enumerate(names):
                rows.append(
                    {
                        "parameter": name,
                        "measure": measure,
                        "method": method,
                        "S1": float(found["S1"][k]),
                        "S1_conf": float(found["S1_conf"][k]),
                        "ST": float(found["ST"][k]),
                        "ST_conf": float(found["ST_conf"][k]),
                    }
                )
    return pd.DataFrame(rows)


def sensitivity_design(method: Method, dimensions: int, n: int, seed: int) -> Any:
    """SALib's design: ``n`` Morris trajectories, or a Sobol (Saltelli) design of ``n`` base
    points (rounded up to a power of two), over the unit cube."""
    problem = {
        "num_vars": dimensions,
        "names": [f"x{k}" for k in range(dimensions)],
        "bounds": [[0.0, 1.0]] * dimensions,
    }
    if method == "morris":
        from SALib.sample import morris

        return np.asarray(morris.sample(problem, n, num_levels=LEVELS, seed=seed), np.float64)
    from SALib.sample import sobol

    base = 1 << max(1, (n - 1).bit_length())
    return np.asarray(
        sobol.sample(problem, base, calc_second_order=False, scramble=True, seed=seed),
        np.float64,
    )


MORRIS_EDGE: Final = 0.005


def evaluated_points(method: Method, design: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Where a design's points are evaluated: Morris levels (0, 1/3, 2/3, 1) drawn in by
    half a percent at each end, ``0.005 + 0.99 u`` (so an unbounded distribution is met at
    2.6 standard deviations, not at infinity, and a drop of probability 0.005 or more still
    happens at the lowest level); Sobol points as they are."""
    if method == "morris":
        return MORRIS_EDGE + (1 - 2 * MORRIS_EDGE) * design
    return design


# ------------------------------------------------------------------------------------ results


def _sensitivity_json(frame: Any) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    records: list[dict[str, Any]] = frame.to_dict(orient="records")
    return records


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

    def _repr_html_(self) -> str:
        html: str = self.summary.to_html()
        return f"<p><strong>{self.name}</strong>: {len(self.frame)} rows</p>{html}"


@frozen(kw_only=True, repr=False)
class UncertaintyResult(StudyResult):
    """The uncertainty of a history: every uncertain event drawn within its bounds."""

    kind: str = "uncertainty"


@frozen(kw_only=True, repr=False)
class NecessityResult:
    """Each event removed alone: ``frame`` (one row per event), ``summary`` (the events the
    outcome or a milestone needs), ``data`` (the JSON), ``plot()`` (on the timeline)."""

    scenario: str
    frame: Any
    summary: Any
    data: Mapping[str, Any]
    events: tuple[Any, ...] = field(default=(), eq=False)
    recorded: datetime | None = None
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

    def _repr_html_(self) -> str:
        html: str = self.summary.to_html()
        return html


@frozen(kw_only=True, repr=False)
class SlackResult:
    """Each event delayed: ``frame`` (``id``, ``slack_to_shift``, ``slack_to_failure``, NaT
    where there is no limit within the maximum), ``summary`` (the critical ones first),
    ``data`` (the JSON), ``plot()`` (the slack on the timeline)."""

    scenario: str
    frame: Any
    summary: Any
    data: Mapping[str, Any]
    events: tuple[Any, ...] = field(default=(), eq=False)
    recorded: datetime | None = None
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

    def _repr_html_(self) -> str:
        html: str = self.summary.to_html()
        return html

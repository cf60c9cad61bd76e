"""Summaries of a measure's column (pure): a proportion with its Wilson interval, the p05, p50
and p95 of a time or a count, and times and durations in ISO 8601 as the JSON gives them.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from sim.studies.columns import NAT, moment

__all__ = [
    "QUANTILES",
    "iso_duration",
    "iso_time",
    "measure_summary",
    "time_summary",
    "wilson",
]

QUANTILES: Final = (("p05", 0.05), ("p50", 0.5), ("p95", 0.95))


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

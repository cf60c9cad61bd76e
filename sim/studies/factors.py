"""A study's factors (pure): each varied thing, compiled against the base, as a map from
coordinates of the unit cube to its values, and from its values to interventions.

A factor takes one or more dimensions of the unit cube and maps its coordinates to its values
by the inverse of its distribution (``scipy.stats``), to a choice by cumulative probability, or
to one of its grid values; each value then means ``retime``, ``amend`` or ``remove``
interventions.  Nothing here does I/O or draws a random number.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
from attrs import frozen

from sim.studies.columns import NAT, Column, Floats, Ints, moment
from sim.studies.model import Dist
from sim.whatif import Amend, Intervention, Remove, Retime, Selector

__all__ = ["Factor"]


@frozen(kw_only=True)
class Factor:
    """One varied thing, compiled against the base: its dimensions and columns, how it maps
    unit-cube coordinates to its values, and the interventions each value means."""

    kind: Literal["by", "within", "decide", "drop", "prefer"]
    label: str
    columns: tuple[Column, ...]
    ids: tuple[str, ...] = ()
    """The events it acts on (for ``within``: one per dimension, in log order)."""
    dist: Dist | None = None
    grid: tuple[Any, ...] | None = None
    """The values of a grid factor (µs for a ``by``)."""
    choices: tuple[str, ...] = ()
    cumulative: tuple[float, ...] = ()
    p: float | None = None
    recorded: tuple[str | None, ...] = ()
    """For ``decide``: each response's recorded decision."""
    draw: str = "triangular"
    bounds: tuple[tuple[int, int, int], ...] = ()
    """For ``within``: each event's earliest, recorded and latest time (µs)."""
    links: tuple[tuple[tuple[int, ...], int], ...] = ()
    """For ``within``: each event's linked events drawn by this factor (their dimensions) and
    the latest recorded time of the others (µs, or NAT)."""

    @property
    def width(self) -> int:
        """How many dimensions of the unit cube it takes."""
        return len(self.ids) if self.kind == "within" else 1

    def values(self, u: Floats) -> list[npt.NDArray[Any]]:
        """Its columns' values for the rows of ``u`` (one row per sample, :attr:`width` columns)."""
        if self.kind == "within":
            return list(self._within(u))
        x = u[:, 0]
        if self.grid is not None:
            pick = np.minimum((x * len(self.grid)).astype(np.int64), len(self.grid) - 1)
            chosen = [self.grid[k] for k in pick]
            if self.kind == "by":
                return [np.asarray(chosen, dtype=np.int64)]
            if self.kind == "drop":
                return [np.asarray(chosen, dtype=bool)]
            return [np.asarray(chosen, dtype=object)]
        if self.kind == "by":
            assert self.dist is not None
            seconds = np.clip(_ppf(self.dist, x), -_SPAN, _SPAN)  # no int64 overflow
            return [np.round(seconds * 1e6).astype(np.int64)]
        if self.kind == "drop":
            assert self.p is not None
            return [x < self.p]
        index = np.searchsorted(np.asarray(self.cumulative), x, side="right")
        index = np.minimum(index, len(self.choices) - 1)
        return [np.asarray(self.choices, dtype=object)[index]]

    def _within(self, u: Floats) -> list[Ints]:
        drawn: list[Ints] = []
        for d, ((lo, at, hi), (inside, outside)) in enumerate(
            zip(self.bounds, self.links, strict=True)
        ):
            low = np.full(len(u), lo, dtype=np.int64)
            if outside != NAT:
                low = np.maximum(low, outside)
            for k in inside:
                low = np.maximum(low, drawn[k])
            span = np.maximum(hi - low, 0).astype(np.float64)
            if self.draw == "uniform":
                fraction = u[:, d]
            else:
                mode = np.clip(at, low, hi)
                c = np.where(span > 0, (mode - low) / np.where(span > 0, span, 1.0), 0.0)
                fraction = _triangular(u[:, d], c)
            drawn.append(low + np.round(fraction * span).astype(np.int64))
        return drawn

    def interventions(self, row: Sequence[Any]) -> list[Intervention]:
        """The interventions this factor's values in one row (``row``, one per column) mean."""
        if self.kind == "by":
            by = timedelta(microseconds=int(row[0]))
            return [Retime(target=Selector(id=ident), by=by) for ident in self.ids]
        if self.kind == "within":
            return [
                Retime(target=Selector(id=ident), to=moment(int(us)))
                for ident, us in zip(self.ids, row, strict=True)
            ]
        if self.kind == "drop":
            return [Remove(target=Selector(id=ident)) for ident in self.ids] if row[0] else []
        if self.kind == "decide":
            return [
                Amend(target=Selector(id=ident), fields={"decision": row[0]})
                for ident, was in zip(self.ids, self.recorded, strict=True)
                if was != row[0]
            ]
        return []


def _ppf(dist: Dist, u: Floats) -> Floats:
    """The inverse of ``dist``'s distribution function at ``u`` (seconds)."""
    from scipy import stats

    p = dist.params
    if dist.kind == "uniform":
        found = stats.uniform.ppf(u, loc=p["low"], scale=p["high"] - p["low"])
    elif dist.kind == "triangular":
        scale = p["high"] - p["low"]
        found = stats.triang.ppf(u, (p["mode"] - p["low"]) / scale, loc=p["low"], scale=scale)
    elif dist.kind == "normal":
        found = stats.norm.ppf(_inside(u), loc=p["mean"], scale=p["sd"])
    else:
        found = stats.lognorm.ppf(_inside(u), p["sigma"], scale=p["median"])
    return np.asarray(found, dtype=np.float64)


def _triangular(u: Floats, c: Floats) -> Floats:
    """The standard triangular distribution's inverse at ``u``, mode at ``c`` of [0, 1]."""
    from scipy import stats

    return np.asarray(stats.triang.ppf(u, c), dtype=np.float64)


_EDGE: Final = 1e-9
_SPAN: Final = 10_000 * 366 * 86400.0
"""Seconds beyond which a drawn delay is cut (longer than the calendar: the what-if refuses
it as it would a shorter one that leaves the calendar)."""


def _inside(u: Floats) -> Floats:
    """``u`` kept off 0 and 1, where an unbounded distribution's inverse is infinite."""
    return np.clip(u, _EDGE, 1 - _EDGE)

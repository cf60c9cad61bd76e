"""A study made ready to run: its factors, its unit-cube draws, and the rows they give (pure).

Every varied thing is a *factor* with one or more dimensions of the unit cube: a sample is a
point ``u`` of the cube, and each factor maps its coordinates to its values by the inverse of
its distribution (``scipy.stats``), to a choice by cumulative probability, or to one of its
grid values.  The same map serves every design: sample ``i``'s own random stream
(``numpy.random.default_rng([seed, i])``), a Latin hypercube or a scrambled Sobol sequence
(``scipy.stats.qmc``), and SALib's Morris and Sobol designs for sensitivity indices.  So a
sample's row is a function of the seed and its index alone, whoever computes it.

A row is what-if of the base with the factors' interventions (``retime``, ``amend``,
``remove``), measured: :func:`evaluate`.  Nothing here does I/O, reads a clock or draws a
random number from anywhere but a generator seeded with the study's seed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
from attrs import field, frozen

from sim.errors import SimError, did_you_mean
from sim.events import Event, Response
from sim.studies.spec import (
    RECORD,
    Decide,
    Dist,
    Drop,
    Prefer,
    RetimeBy,
    StudySpec,
    Vary,
    Within,
)
from sim.whatif import Amend, Baseline, Intervention, Remove, Retime, Selector, WhatIf, whatif

__all__ = [
    "NAT",
    "Column",
    "Columns",
    "Factor",
    "Study",
    "compile_study",
    "evaluate",
    "measure",
    "micros",
    "moment",
    "unit_rows",
]

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
MICRO: Final = timedelta(microseconds=1)
NAT: Final = np.iinfo(np.int64).min
"""The int64 that stands for no time (numpy's and pandas' NaT)."""

Floats: TypeAlias = npt.NDArray[np.float64]
Ints: TypeAlias = npt.NDArray[np.int64]
Columns: TypeAlias = dict[str, npt.NDArray[Any]]
"""A block of rows, column by column: what a task returns (a few arrays, never trajectories)."""
ColumnType: TypeAlias = Literal["time", "span", "text", "flag", "count"]
Key: TypeAlias = tuple[str, ...]
"""Which record each ``prefer`` factor chose: the key of the prepared base a row runs on."""


def micros(moment: datetime) -> int:
    """``moment`` as whole microseconds since the epoch."""
    return (moment - EPOCH) // MICRO


def moment(us: int) -> datetime:
    """The UTC time ``us`` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=us)


@frozen(kw_only=True)
class Column:
    """A column of a study's frame: ``time`` (UTC, microseconds), ``span`` (a duration in
    microseconds), ``text``, ``flag`` (true or false) or ``count``."""

    name: str
    type: ColumnType


# ------------------------------------------------------------------------------------ factors


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


# ------------------------------------------------------------------------------------ the study


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


# ------------------------------------------------------------------------------------ rows


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


# ------------------------------------------------------------------------------------ compiling


def compile_study(
    spec: StudySpec,
    base: Baseline,
    *,
    pre: Sequence[Intervention] = (),
    fixed: frozenset[str] = frozenset(),
    sampling: Literal["random", "lhs", "qmc"] = "random",
    sources: Sequence[str] = (),
) -> Study:
    """``spec`` made ready against ``base``: each selector resolved to the events it names
    (one that names none is an error), each milestone measured checked.

    ``pre`` are the base scenario's interventions (a study of a what-if) and ``fixed`` the
    events they touch, which ``within = "bounds"`` leaves where the what-if put them.
    ``sources`` are the documents the log's alternative dates come from.
    """
    events = base.log.events
    factors: list[Factor] = []
    labels: set[str] = set()
    for position, entry in enumerate(spec.vary, start=1):
        try:
            factor = _factor(entry, events, fixed=fixed, sources=sources, position=position)
        except SimError as exc:
            raise SimError(
                what=f"[[vary]] #{position}: {exc.what}",
                path=spec.path,
                line=entry.line,
                expected=exc.expected,
                found=exc.found,
                hint=exc.hint,
                code=exc.code,
            ) from None
        for column in factor.columns:
            if column.name in labels:
                raise SimError(
                    what=f"[[vary]] #{position}: two entries vary {column.name!r}",
                    path=spec.path,
                    line=entry.line,
                    hint='give one of them a name = "..."',
                    code="bad-study",
                )
            labels.add(column.name)
        factors.append(factor)
    reached = {e.milestone for e in events if e.milestone is not None}
    for name in spec.measures:
        if name.startswith("milestone:") and name.removeprefix("milestone:") not in reached:
            wanted = name.removeprefix("milestone:")
            raise SimError(
                what=f"no event of the base reaches the milestone {wanted!r}",
                path=spec.path,
                expected="one of " + ", ".join(sorted(reached)),
                hint=did_you_mean(wanted, reached),
                code="unknown-milestone",
            )
    keys: list[Key] = [()]
    for factor in factors:
        if factor.kind == "prefer":
            keys = [(*k, c) for k in keys for c in factor.choices]
    drawn = sum(f.width for f in factors if f.grid is None)
    grid_only = not drawn and any(f.grid is not None for f in factors)
    samples = 1 if grid_only else spec.samples
    study = Study(
        name=spec.name,
        question=spec.question,
        scenario=base.name,
        factors=tuple(factors),
        measures=spec.measures,
        samples=samples,
        seed=spec.seed,
        pre=tuple(pre),
        keys=tuple(keys),
        sampling=sampling,
    )
    if sampling != "random" and drawn:
        matrix = design_matrix(sampling, study.size, drawn, spec.seed)
        study = attrs.evolve(study, matrix=matrix)
    return study


def _select(target: Selector | None, events: Sequence[Event], *, several: bool) -> list[Event]:
    if target is None:
        return list(events)
    found = [e for e in events if target.matches(e)]
    if not found:
        hint = did_you_mean(target.id, [e.id for e in events]) if target.id else None
        raise SimError(
            what=f"the selector {target} matches no event of the base",
            expected="a selector naming events of the base",
            hint=hint,
            code="intervention-failed",
        )
    if len(found) > 1 and not several and not target.all:
        raise SimError(
            what=f"the selector {target} matches {len(found)} events",
            expected="one event, or all = true to act on every one",
            found=", ".join(e.id for e in found[:8]) + (" ..." if len(found) > 8 else ""),
            code="intervention-failed",
        )
    return found


def _label(entry: Vary, target: Selector | None, position: int) -> str:
    if entry.name is not None:
        return entry.name
    if isinstance(entry, Prefer):
        return "prefer"
    if target is None:
        return "all"
    return target.id if target.id is not None else f"#{position}"


def _factor(
    entry: Vary,
    events: Sequence[Event],
    *,
    fixed: frozenset[str],
    sources: Sequence[str],
    position: int,
) -> Factor:
    match entry:
        case RetimeBy():
            chosen = _select(entry.target, events, several=False)
            label = _label(entry, entry.target, position)
            grid = None
            if entry.values is not None:
                grid = tuple(v // MICRO for v in entry.values)
            return Factor(
                kind="by",
                label=label,
                columns=(Column(name=f"by:{label}", type="span"),),
                ids=tuple(e.id for e in chosen),
                dist=entry.by,
                grid=grid,
            )
        case Within():
            return _within(entry, events, fixed=fixed, position=position)
        case Decide():
            chosen = _select(entry.target, events, several=False)
            odd = [e.id for e in chosen if not isinstance(e, Response)]
            if odd:
                raise SimError(
                    what="decide acts on responses, but the selector names "
                    + ", ".join(f"{e.id} ({e.kind})" for e in chosen if e.id in odd),
                    expected="responses (kind = response)",
                    code="intervention-failed",
                )
            label = _label(entry, entry.target, position)
            return Factor(
                kind="decide",
                label=label,
                columns=(Column(name=f"decide:{label}", type="text"),),
                ids=tuple(e.id for e in chosen),
                recorded=tuple(e.decision if isinstance(e, Response) else None for e in chosen),
                grid=entry.values,
                **_choices(entry.p),
            )
        case Drop():
            chosen = _select(entry.target, events, several=False)
            label = _label(entry, entry.target, position)
            return Factor(
                kind="drop",
                label=label,
                columns=(Column(name=f"drop:{label}", type="flag"),),
                ids=tuple(e.id for e in chosen),
                p=entry.p,
                grid=entry.values,
            )
        case Prefer():
            for source in entry.sources:
                if not any(source.casefold() in s.casefold() for s in sources):
                    raise SimError(
                        what=f"no event of the base has an alternative date from {source!r}",
                        expected="one of: " + ("; ".join(sources) or "(the base has none)"),
                        code="unknown-source",
                    )
            label = _label(entry, None, position)
            return Factor(
                kind="prefer",
                label=label,
                columns=(Column(name=label, type="text"),),
                grid=entry.values,
                **(
                    _choices(entry.p)
                    if entry.p is not None
                    else {"choices": (RECORD, *entry.sources)}
                ),
            )


def _choices(p: tuple[tuple[str, float], ...] | None) -> dict[str, Any]:
    if p is None:
        return {}
    kept = [(c, q) for c, q in p if q > 0]
    running = np.cumsum([q for _, q in kept]).tolist()
    running[-1] = 1.0
    return {"choices": tuple(c for c, _ in kept), "cumulative": tuple(running)}


def uncertain_bounds(event: Event) -> tuple[datetime, datetime] | None:
    """Where the record allows ``event`` to be: its bounds if it is ``approx`` with both, its
    day in its own zone if it is ``day`` (its bounds, where it gives them); else ``None``."""
    if event.precision == "approx" and event.earliest is not None and event.latest is not None:
        return event.earliest, event.latest
    if event.precision == "day":
        if event.earliest is not None and event.latest is not None:
            return event.earliest, event.latest
        start = datetime.combine(event.at.date(), time.min, tzinfo=event.at.tzinfo)
        return start, start + timedelta(days=1) - MICRO
    return None


def _within(
    entry: Within, events: Sequence[Event], *, fixed: frozenset[str], position: int
) -> Factor:
    chosen = _select(entry.target, events, several=True)
    picked = [(e, b) for e in chosen if e.id not in fixed and (b := uncertain_bounds(e))]
    if not picked and entry.target is not None:  # every event: a log with none left open
        raise SimError(
            what='within = "bounds": the selector names no event the record leaves uncertain',
            expected="events that are approx with earliest and latest, or day",
            found=", ".join(f"{e.id} ({e.precision})" for e in chosen[:8]),
            code="intervention-failed",
        )
    recorded = {e.id: micros(e.at) for e in events}
    dimension = {e.id: d for d, (e, _) in enumerate(picked)}
    bounds: list[tuple[int, int, int]] = []
    links: list[tuple[tuple[int, ...], int]] = []
    for event, (lo, hi) in picked:
        low, at, high = micros(lo), micros(event.at), micros(hi)
        at = min(max(at, low), high)
        bounds.append((low, at, max(high, low)))
        inside = tuple(
            dimension[c] for c in event.causes if c in dimension and dimension[c] < len(links)
        )
        others = [recorded[c] for c in event.causes if c not in dimension and c in recorded]
        links.append((inside, max(others) if others else NAT))
    return Factor(
        kind="within",
        label=_label(entry, entry.target, position),
        columns=tuple(Column(name=f"at:{e.id}", type="time") for e, _ in picked),
        ids=tuple(e.id for e, _ in picked),
        draw=entry.draw,
        bounds=tuple(bounds),
        links=tuple(links),
    )

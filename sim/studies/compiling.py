"""A study file's content made ready against its base (pure): :func:`compile_study` resolves
each ``[[vary]]`` entry's selector to the events it names and builds its factor, and checks
the milestones measured.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any, Final, Literal

import attrs
import numpy as np

from sim.errors import SimError, did_you_mean
from sim.events import Event, Response
from sim.studies.columns import MICRO, NAT, Column, ColumnType, Key, micros
from sim.studies.factors import Factor
from sim.studies.model import RECORD, Decide, Drop, Prefer, RetimeBy, StudySpec, Vary, Within
from sim.studies.sampling import Study, design_matrix
from sim.whatif import Baseline, Intervention, Selector

__all__ = ["compile_study", "uncertain_bounds"]


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
            raise attrs.evolve(
                exc, what=f"[[vary]] #{position}: {exc.what}", path=spec.path, line=entry.line
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
    if isinstance(entry, Within):
        return _within(entry, events, fixed=fixed, position=position)
    if isinstance(entry, Prefer):
        return _prefer(entry, sources, position)
    chosen = _select(entry.target, events, several=False)
    label = _label(entry, entry.target, position)
    kind, column = _KINDS[type(entry)]
    named: dict[str, Any] = {
        "kind": kind,
        "label": label,
        "columns": (Column(name=f"{kind}:{label}", type=column),),
        "ids": tuple(e.id for e in chosen),
    }
    match entry:
        case RetimeBy():
            grid = None if entry.values is None else tuple(v // MICRO for v in entry.values)
            return Factor(**named, dist=entry.by, grid=grid)
        case Decide():
            odd = [e.id for e in chosen if not isinstance(e, Response)]
            if odd:
                raise SimError(
                    what="decide acts on responses, but the selector names "
                    + ", ".join(f"{e.id} ({e.kind})" for e in chosen if e.id in odd),
                    expected="responses (kind = response)",
                    code="intervention-failed",
                )
            recorded = tuple(e.decision if isinstance(e, Response) else None for e in chosen)
            return Factor(**named, recorded=recorded, grid=entry.values, **_choices(entry.p))
        case Drop():
            return Factor(**named, p=entry.p, grid=entry.values)


_KINDS: Final[Mapping[type, tuple[str, ColumnType]]] = {
    RetimeBy: ("by", "span"),
    Decide: ("decide", "text"),
    Drop: ("drop", "flag"),
}
"""Each entry that acts on selected events: its factor's kind (its column's prefix) and the
type of its column."""


def _prefer(entry: Prefer, sources: Sequence[str], position: int) -> Factor:
    for source in entry.sources:
        if not any(source.casefold() in s.casefold() for s in sources):
            raise SimError(
                what=f"no event of the base has an alternative date from {source!r}",
                expected="one of: " + ("; ".join(sources) or "(the base has none)"),
                code="unknown-source",
            )
    label = _label(entry, None, position)
    choices = _choices(entry.p) if entry.p is not None else {"choices": (RECORD, *entry.sources)}
    return Factor(
        kind="prefer",
        label=label,
        columns=(Column(name=label, type="text"),),
        grid=entry.values,
        **choices,
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

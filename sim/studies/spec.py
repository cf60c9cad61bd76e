"""Reading a study file's content (pure, no I/O): its parsed TOML checked and turned into a
:class:`~sim.studies.model.StudySpec`.

A study file (TOML, data only) names a base and a question, then lists what varies::

    [study]
    name = "fuel-blackout-longer"
    base = "../baseline"          # a scenario folder, a log, or a what-if scenario (.toml)
    question = "How much later is the deal if the 16-17 Nov blackout lasts 0 to 5 days longer?"
    samples = 1000
    seed = 7
    measures = ["concluded", "concluded_at", "milestone:final_text_review", "voided"]

    [[vary]]
    retime = { id = "blackout-fuel-ended" }
    by = { dist = "uniform", low = "0d", high = "5d" }

Each ``[[vary]]`` entry does one thing (see :class:`Vary`): ``retime`` selected events ``by`` a
duration drawn from a distribution, or ``within = "bounds"``; ``decide`` a response's decision
with probabilities; ``drop`` events with a probability; ``prefer`` one of the records where
sources disagree.  ``values = [...]`` on an entry makes it a factor of a full-factorial grid
instead of a draw.  :func:`parse_study` turns the parsed TOML into a :class:`StudySpec`; every
fault is a :class:`~sim.errors.SimError` naming the file, the entry and its line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from sim.errors import SimError
from sim.events import DECISIONS
from sim.studies.model import (
    DISTRIBUTIONS,
    MEASURES,
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
from sim.times import parse_duration
from sim.whatif import Selector, intervention_from_record

# the study's values (sim.studies.model), re-exported: code imports them from here, as it did
# before they moved (so this list repeats that module's)
__all__ = [
    "DISTRIBUTIONS",
    "MEASURES",
    "RECORD",
    "Decide",
    "Dist",
    "Drop",
    "Prefer",
    "RetimeBy",
    "StudySpec",
    "Vary",
    "Within",
    "parse_dist",
    "parse_study",
    "vary_from_record",
]

_STUDY_KEYS: Final = frozenset({"name", "base", "question", "samples", "seed", "measures"})
_ACTIONS: Final = ("retime", "decide", "drop", "prefer")
_ENTRY_KEYS: Final[Mapping[str, frozenset[str]]] = {
    "retime": frozenset({"by", "within", "draw", "values", "name"}),
    "decide": frozenset({"p", "values", "name"}),
    "drop": frozenset({"p", "values", "name"}),
    "prefer": frozenset({"p", "values", "name"}),
}
_HEADER: Final = re.compile(r"^\s*\[\[\s*vary\s*\]\]")
_TOLERANCE: Final = 1e-9


def _bad(what: str, **more: Any) -> SimError:
    return SimError(what=what, code="bad-study", **more)


def parse_study(data: Mapping[str, Any], *, path: str, text: str = "") -> StudySpec:
    """The study a parsed TOML file describes; ``text`` (the file) locates errors by line."""
    try:
        return _parse(data, path=path, text=text)
    except SimError as exc:
        raise attrs.evolve(exc, path=exc.path or path, code=exc.code or "bad-study") from None


def _parse(data: Mapping[str, Any], *, path: str, text: str) -> StudySpec:
    unknown = sorted(set(data) - {"study", "vary"})
    if unknown:
        raise _bad(
            what="unknown key(s) " + ", ".join(unknown),
            expected="a [study] table and [[vary]] tables",
        )
    head = data.get("study")
    if not isinstance(head, Mapping):
        raise _bad(
            what="missing [study] table",
            expected='[study] with name, base and question, e.g. base = "../baseline"',
        )
    extra = sorted(set(head) - _STUDY_KEYS)
    if extra:
        raise _bad(
            what="unknown key(s) in [study]: " + ", ".join(extra),
            expected=", ".join(sorted(_STUDY_KEYS)),
        )
    for key in ("name", "base"):
        if not isinstance(head.get(key), str) or not head[key]:
            raise _bad(
                what=f"[study] needs {key} as text",
                found=repr(head.get(key)) if key in head else None,
            )
    question = head.get("question", "")
    if not isinstance(question, str):
        raise _bad(what="[study] question must be text", found=repr(question))
    samples = _count(head.get("samples", 1000), "samples", least=1)
    seed = _count(head.get("seed", 0), "seed", least=0)
    measures = _measures(head.get("measures", ["concluded", "concluded_at"]))
    tables = data.get("vary", [])
    if not isinstance(tables, list) or not tables:
        raise _bad(what="a study needs at least one [[vary]] table", found=repr(tables))
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if _HEADER.match(line)]
    entries: list[Vary] = []
    for position, table in enumerate(tables, start=1):
        line = lines[position - 1] if position <= len(lines) else None
        try:
            entries.append(vary_from_record(table, line=line))
        except SimError as exc:
            raise attrs.evolve(
                exc, what=f"[[vary]] #{position}: {exc.what}", line=exc.line or line
            ) from None
    # keyword arguments, alike in shape only to other calls (the chart's figure, for one)
    return StudySpec(
        name=head["name"],
        base=head["base"],
        question=question,
        samples=samples,
        seed=seed,
        measures=measures,
        vary=tuple(entries),
        path=path,
    )


def _count(value: object, key: str, *, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise _bad(
            what=f"[study] {key} must be a whole number of at least {least}", found=repr(value)
        )
    return value


def _measures(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _bad(what="[study] measures must be a list", expected=", ".join(MEASURES))
    found: list[str] = []
    for item in value:
        if not isinstance(item, str) or not (
            item in ("concluded", "concluded_at", "voided")
            or (item.startswith("milestone:") and len(item) > len("milestone:"))
        ):
            raise _bad(
                what="[study] unknown measure", expected=", ".join(MEASURES), found=repr(item)
            )
        if item not in found:
            found.append(item)
    return tuple(found)


def vary_from_record(table: object, *, line: int | None = None) -> Vary:
    """One ``[[vary]]`` entry from its table."""
    if not isinstance(table, Mapping):
        raise _bad(what="a [[vary]] entry must be a table", found=repr(table))
    actions = [a for a in _ACTIONS if a in table]
    if len(actions) != 1:
        raise _bad(
            what="a [[vary]] entry does one thing"
            if actions
            else "a [[vary]] entry needs an action",
            expected="exactly one of retime, decide, drop, prefer",
            found=", ".join(actions) if actions else "keys " + ", ".join(sorted(table)),
        )
    action = actions[0]
    unknown = sorted(set(table) - {action} - _ENTRY_KEYS[action])
    if unknown:
        raise _bad(
            what=f"unknown key(s) {', '.join(unknown)} in a {action}",
            expected=f"{action}" + "".join(f", {k}" for k in sorted(_ENTRY_KEYS[action])),
        )
    name = table.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise _bad(what="name must be text", found=repr(name))
    if action == "prefer":
        return _prefer(table, name=name, line=line)
    target = _target(table[action])
    if action == "retime":
        return _retime(table, target, name=name, line=line)
    if action == "decide":
        return _decide(table, target, name=name, line=line)
    return _drop(table, target, name=name, line=line)


def _target(value: object) -> Selector | None:
    """A selector table; ``{ all = true }`` alone selects every event of the base."""
    if isinstance(value, Mapping) and dict(value) == {"all": True}:
        return None
    # the scenario file's own selector reading, with its checks and messages
    intervention = intervention_from_record({"remove": value})
    target = getattr(intervention, "target", None)
    assert isinstance(target, Selector)
    return target


def _one_of_values_or(table: Mapping[str, Any], draws: tuple[str, ...]) -> None:
    given = [k for k in (*draws, "values") if k in table]
    if len(given) != 1:
        raise _bad(
            what="give exactly one of " + " and ".join((*draws, "values")),
            found=", ".join(given) if given else "neither",
        )


def _values(table: Mapping[str, Any]) -> list[object]:
    values = table["values"]
    if not isinstance(values, list) or not values:
        raise _bad(what="values must be a non-empty list", found=repr(values))
    return values


def _retime(
    table: Mapping[str, Any], target: Selector | None, *, name: str | None, line: int | None
) -> Vary:
    _one_of_values_or(table, ("by", "within"))
    if "within" in table:
        if table["within"] != "bounds":
            raise _bad(what='within must be "bounds"', found=repr(table["within"]))
        draw = table.get("draw", "triangular")
        if draw not in ("triangular", "uniform"):
            raise _bad(what='draw must be "triangular" or "uniform"', found=repr(draw))
        return Within(target=target, draw=draw, name=name, line=line)
    if "draw" in table:
        raise _bad(
            what='draw goes with within = "bounds"', hint="a by distribution has its own shape"
        )
    if "values" in table:
        durations = tuple(parse_duration(v) for v in _values(table))
        return RetimeBy(target=target, values=durations, name=name, line=line)
    return RetimeBy(target=target, by=parse_dist(table["by"]), name=name, line=line)


def parse_dist(value: object) -> Dist:
    """A ``by`` table: ``{ dist = "uniform", low = "0d", high = "5d" }``."""
    if not isinstance(value, Mapping) or "dist" not in value:
        raise _bad(
            what="by must be a distribution",
            expected='{ dist = "uniform", low = "0d", high = "5d" } (or triangular, normal, '
            "lognormal)",
            found=repr(value),
        )
    kind = value["dist"]
    if kind not in DISTRIBUTIONS:
        raise _bad(
            what="unknown distribution", expected=" or ".join(DISTRIBUTIONS), found=repr(kind)
        )
    wanted = DISTRIBUTIONS[kind]
    given = sorted(set(value) - {"dist"})
    if sorted(wanted) != given:
        raise _bad(
            what=f"a {kind} distribution takes " + ", ".join(wanted),
            found=", ".join(given) or "no parameters",
        )
    params: dict[str, float] = {}
    for key in wanted:
        raw = value[key]
        if key == "sigma":
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise _bad(what=f"bad {kind} distribution: sigma must be a number", found=repr(raw))
            params[key] = float(raw)
        else:
            params[key] = parse_duration(raw).total_seconds()
    return Dist(kind=kind, params=params)


def _probabilities(
    value: object, choices: Sequence[str], what: str
) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, Mapping) or not value:
        raise _bad(
            what="p must be a table of probabilities",
            expected=f"{{ {choices[0]} = 0.7, ... }} over " + ", ".join(choices),
            found=repr(value),
        )
    pairs: list[tuple[str, float]] = []
    for key, p in value.items():
        if key not in choices:
            raise _bad(
                what=f"p names an unknown {what}", expected=", ".join(choices), found=repr(key)
            )
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
            raise _bad(what=f"p of {key} must be a number from 0 to 1", found=repr(p))
        pairs.append((key, float(p)))
    total = sum(p for _, p in pairs)
    if abs(total - 1) > _TOLERANCE:
        raise _bad(
            what="probabilities do not sum to 1",
            expected="p values that add up to 1",
            found=f"{' + '.join(f'{p:g}' for _, p in pairs)} = {total:g}",
        )
    return tuple(pairs)


def _decide(
    table: Mapping[str, Any], target: Selector | None, *, name: str | None, line: int | None
) -> Decide:
    return Decide(target=target, name=name, line=line, **_chosen(table, DECISIONS, "decision"))


def _chosen(table: Mapping[str, Any], choices: Sequence[str], what: str) -> dict[str, Any]:
    """A choice among ``choices`` (a ``decision``, a ``record``): one of ``values`` (a grid), or
    drawn with probabilities ``p``."""
    _one_of_values_or(table, ("p",))
    if "values" in table:
        values = _values(table)
        for item in values:
            if item not in choices:
                raise _bad(what=f"unknown {what}", expected=", ".join(choices), found=repr(item))
        return {"values": tuple(str(v) for v in values)}
    return {"p": _probabilities(table["p"], choices, what)}


def _drop(
    table: Mapping[str, Any], target: Selector | None, *, name: str | None, line: int | None
) -> Drop:
    _one_of_values_or(table, ("p",))
    if "values" in table:
        values = _values(table)
        if not all(isinstance(v, bool) for v in values):
            raise _bad(what="a drop's values are true or false", found=repr(values))
        return Drop(target=target, values=tuple(bool(v) for v in values), name=name, line=line)
    p = table["p"]
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
        raise _bad(what="a drop's p must be a number from 0 to 1", found=repr(p))
    return Drop(target=target, p=float(p), name=name, line=line)


def _prefer(table: Mapping[str, Any], *, name: str | None, line: int | None) -> Prefer:
    sources = table["prefer"]
    if (
        not isinstance(sources, list)
        or not sources
        or not all(isinstance(s, str) and s.strip() for s in sources)
    ):
        raise _bad(
            what="prefer must list the sources to choose among",
            expected='prefer = ["NPR"] (the log\'s own dates are "record")',
            found=repr(sources),
        )
    named = tuple(s for s in sources if s != RECORD)
    chosen = _chosen(table, (RECORD, *named), "record")
    return Prefer(sources=named, name=name, line=line, **chosen)

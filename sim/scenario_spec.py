"""A scenario file's content as interventions: TOML records to typed values, and back.

:func:`parse_scenario` turns a parsed scenario file (a ``[scenario]`` table and
``[[intervention]]`` tables) into a :class:`ScenarioSpec`, each intervention located by its
position, file and line; :func:`intervention_from_record` reads one table and
:func:`intervention_record` writes one.  This is an edge of the what-if engine
(:mod:`sim.whatif`): it knows the file's format and the codec's records, which the engine does
not.  :mod:`sim.scenario` reads the files and resolves their bases.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final

from attrs import frozen

from sim.codec import encode_event
from sim.errors import SimError
from sim.times import format_duration, parse_duration, parse_span

# the interventions' names, imported as the editor and the facade sim.whatif import them
from sim.whatif.interventions import (
    Amend,
    Insert,
    Intervention,
    Origin,
    Remove,
    Retime,
    Selector,
    located,
)
from sim.whatif.records import decode_insert, plain
from sim.whatif.times import retime_to

__all__ = ["ScenarioSpec", "intervention_from_record", "intervention_record", "parse_scenario"]

_SELECTOR_KEYS: Final = frozenset({"id", "kind", "actor", "since", "until", "all"})
_ACTIONS: Final = ("remove", "insert", "retime", "amend")
_EXTRA: Final = {"remove": set(), "insert": set(), "retime": {"by", "to"}, "amend": {"set"}}


def _selector(value: object) -> Selector:
    if not isinstance(value, Mapping):
        raise SimError(
            what="bad selector",
            expected='a table such as { id = "..." } or { kind = "assurance", all = true }',
            found=f"{type(value).__name__} {value!r}",
        )
    unknown = sorted(set(value) - _SELECTOR_KEYS)
    if unknown:
        raise SimError(
            what="bad selector: unknown key(s) " + ", ".join(unknown),
            expected="keys among " + ", ".join(sorted(_SELECTOR_KEYS)),
        )
    for name in ("id", "kind", "actor"):
        if name in value and not isinstance(value[name], str):
            raise SimError(what=f"bad selector: {name} must be a string", found=repr(value[name]))
    if "all" in value and not isinstance(value["all"], bool):
        raise SimError(what="bad selector: all must be true or false", found=repr(value["all"]))
    return Selector(**value)


def intervention_from_record(
    record: Mapping[str, Any], *, origin: Origin | None = None, source: str = "scenario"
) -> Intervention:
    """An intervention from its scenario-file table (``remove = {...}``, ``retime = {...}`` ...).

    ``source`` is the document an inserted event without a ``source`` cites.  Errors are
    :class:`SimError` located at ``origin``.
    """
    try:
        return _from_record(record, origin=origin, source=source)
    except SimError as exc:
        raise located(exc, origin) from None


def _from_record(record: Mapping[str, Any], *, origin: Origin | None, source: str) -> Intervention:
    # The one-action check below has a twin for a study's [[vary]] entries
    # (sim/studies/spec.py); a shared helper is for the studies' branch to take up.
    actions = [a for a in _ACTIONS if a in record]
    if len(actions) != 1:
        raise SimError(
            what="an intervention does one thing" if actions else "an intervention needs an action",
            expected="exactly one of remove, insert, retime, amend",
            found=", ".join(actions) if actions else "keys " + ", ".join(sorted(record)),
        )
    action = actions[0]
    unknown = sorted(set(record) - {action} - _EXTRA[action])
    if unknown:
        raise SimError(
            what=f"unknown key(s) {', '.join(unknown)} in a {action}",
            expected=f"{action}" + "".join(f", {k}" for k in sorted(_EXTRA[action])),
        )
    if action == "remove":
        return Remove(target=_selector(record["remove"]), origin=origin)
    if action == "insert":
        body = record["insert"]
        if not isinstance(body, Mapping):
            raise SimError(what="insert must be a table (the event's record)", found=repr(body))
        note = "inserted by this what-if scenario"
        event = decode_insert(body, default_source={"document": source, "note": note})
        return Insert(event=event, origin=origin)
    if action == "retime":
        by = record.get("by")
        to = record.get("to")
        if by is not None and not isinstance(by, str):
            raise SimError(what="bad duration", expected='text such as "+3d"', found=repr(by))
        return Retime(
            target=_selector(record["retime"]),
            by=None if by is None else parse_duration(by),
            to=None if to is None else retime_to(to),
            origin=origin,
        )
    fields = record.get("set")
    if not isinstance(fields, Mapping) or not fields:
        raise SimError(
            what="an amend needs set = { field = value, ... }",
            found=repr(fields) if fields is not None else "no set",
        )
    return Amend(target=_selector(record["amend"]), fields=dict(fields), origin=origin)


def intervention_record(intervention: Intervention) -> dict[str, Any]:
    """The intervention as its scenario-file table (the inverse of intervention_from_record)."""
    match intervention:
        case Remove():
            return {"remove": intervention.target.record()}
        case Insert():
            record = encode_event(intervention.event)
            del record["schema"]
            return {"insert": record}
        case Retime():
            if intervention.by is not None:
                return {
                    "retime": intervention.target.record(),
                    "by": format_duration(intervention.by),
                }
            assert intervention.to is not None
            return {"retime": intervention.target.record(), "to": intervention.to.isoformat()}
        case Amend():
            return {"amend": intervention.target.record(), "set": plain(intervention.fields)}


@frozen(kw_only=True)
class ScenarioSpec:
    """A scenario file's content: its name, base (as written), question and interventions."""

    name: str
    base: str
    question: str
    interventions: tuple[Intervention, ...]
    path: str
    patience: timedelta | None = None
    """How long events wait at a barrier unless they say otherwise (``None``: the default)."""


_SCENARIO_KEYS: Final = frozenset({"name", "base", "question", "patience"})
_HEADER: Final = re.compile(r"^\s*\[\[\s*intervention\s*\]\]")


def _intervention_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if _HEADER.match(line)]


def parse_scenario(data: Mapping[str, Any], *, path: str, text: str = "") -> ScenarioSpec:
    """The scenario a parsed TOML file describes; ``text`` (the file) locates errors by line."""
    unknown = sorted(set(data) - {"scenario", "intervention"})
    if unknown:
        raise SimError(
            what="unknown key(s) " + ", ".join(unknown),
            path=path,
            expected="a [scenario] table and [[intervention]] tables",
        )
    head = data.get("scenario")
    if not isinstance(head, Mapping):
        raise SimError(
            what="missing [scenario] table",
            path=path,
            expected='[scenario] with name, base and question, e.g. base = "../baseline"',
        )
    extra = sorted(set(head) - _SCENARIO_KEYS)
    if extra:
        raise SimError(
            what="unknown key(s) in [scenario]: " + ", ".join(extra),
            path=path,
            expected="name, base, question, patience",
        )
    for key in ("name", "base"):
        if not isinstance(head.get(key), str) or not head[key]:
            raise SimError(
                what=f"[scenario] needs {key} as text",
                path=path,
                found=repr(head.get(key)) if key in head else "nothing",
            )
    question = head.get("question", "")
    if not isinstance(question, str):
        raise SimError(what="[scenario] question must be text", path=path, found=repr(question))
    patience = None
    if "patience" in head:
        try:
            patience = parse_span(head["patience"])
        except ValueError as exc:
            raise SimError(
                what="[scenario] patience must be a positive duration",
                path=path,
                expected='text such as "14d", "36h" or "P7D"',
                found=repr(head["patience"]),
            ) from exc
    tables = data.get("intervention", [])
    if not isinstance(tables, list):
        raise SimError(
            what="intervention must be an array of tables", path=path, expected="[[intervention]]"
        )
    lines = _intervention_lines(text)
    interventions: list[Intervention] = []
    for position, table in enumerate(tables, start=1):
        origin = Origin(
            position=position,
            path=path,
            line=lines[position - 1] if position <= len(lines) else None,
        )
        if not isinstance(table, Mapping):
            raise located(SimError(what="an intervention must be a table"), origin)
        interventions.append(intervention_from_record(table, origin=origin, source=path))
    return ScenarioSpec(
        name=head["name"],
        base=head["base"],
        question=question,
        interventions=tuple(interventions),
        path=path,
        patience=patience,
    )

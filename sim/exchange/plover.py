"""PLOVER records (the manual's draft 2.0): one JSON object per event that took effect.

The fields are the ones the manual names (``id``, ``date``, ``actor``, ``recipient``, ``event``,
``mode``, ``context``, ``event_text``, ``cite_info``, ...; ``event``, ``mode``, ``context`` and
``event_text`` are lists).  ``context`` holds the topical context of the event's CAMEO code and
``historical`` for the record or ``hypothetical`` for a what-if.  Event types, modes, contexts
and actor codes come from :mod:`sim.codes`; :func:`uncodable` says why an event cannot be coded,
and :func:`plover_problems` checks a record against the manual's rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from sim.codes import (
    CODEBOOK,
    PLOVER_CONTEXTS,
    PLOVER_MODES,
    PLOVER_NEEDS_RECIPIENT,
    PLOVER_QUAD,
    actor_code,
    code_of,
    entities,
)
from sim.events import Event
from sim.exchange.base import Context, citation, taken
from sim.fold import Trajectory
from sim.manifest import Manifest
from sim.parties import party_of

__all__ = ["plover_problems", "plover_record", "plover_records", "uncodable"]


def _entities(actors: Iterable[str], manifest: Manifest) -> list[dict[str, str]]:
    return [entity for actor in actors for entity in entities(actor, manifest)]


def plover_record(event: Event, *, context: Context, manifest: Manifest) -> dict[str, Any]:
    """One event as a PLOVER 2.0 record (the event must be codable: see :func:`uncodable`),
    its actors coded as the scenario's manifest says."""
    code = code_of(event, manifest)
    assert code.plover is not None, event.id
    record: dict[str, Any] = {
        "id": event.id,
        "date": event.at.date().isoformat(),
    }
    if event.precision == "exact":
        record["time"] = event.at.timetz().isoformat()
    record["actor"] = _entities(event.actors, manifest)
    if event.recipients:
        record["recipient"] = _entities(event.recipients, manifest)
    record["event"] = [code.plover]
    if code.mode is not None:
        record["mode"] = [code.mode]
    record["context"] = [*([code.context] if code.context else []), context]
    record["quad_code"] = PLOVER_QUAD[code.plover]
    record["event_text"] = [event.summary or event.kind.replace("_", " ")]
    cite: dict[str, Any] = {"codebook": CODEBOOK, "citation": citation(event.source)}
    if event.source.quote:
        cite["quote"] = event.source.quote
    record["cite_info"] = cite
    record["cameo"] = code.cameo
    comments = [f"sim kind {event.kind}"]
    if event.precision == "approx":
        if event.earliest is not None and event.latest is not None:
            comments.append(
                f"undated in the record: between {event.earliest.isoformat()} "
                f"and {event.latest.isoformat()}"
            )
        else:
            comments.append("undated in the record: the date is an estimate")
    record["comment"] = "; ".join(comments)
    return record


def plover_records(trajectory: Trajectory, *, context: Context) -> list[dict[str, Any]]:
    """The PLOVER records of every event that took effect and that PLOVER can code.

    A voided event did not happen; an event :func:`uncodable` gives a reason for is left out
    (PLOVER codes no event without an actor, for instance).
    """
    manifest = trajectory.scenario
    return [
        plover_record(e, context=context, manifest=manifest)
        for e in taken(trajectory)
        if not uncodable(e, manifest)
    ]


def uncodable(event: Event, manifest: Manifest) -> str | None:
    """Why PLOVER cannot code ``event`` (``None`` if it can): no actor, an actor of a party
    the scenario's manifest gives no PLOVER code (or a log with no manifest), a CAMEO code
    PLOVER drops, or a needed recipient missing."""
    if not event.actors:
        return "no actor: PLOVER codes no event without an actor"
    unknown = [a for a in (*event.actors, *event.recipients) if actor_code(a, manifest) is None]
    if unknown:
        parties = ", ".join(dict.fromkeys(party_of(a) for a in unknown))
        where = "no manifest" if manifest.derived else "not in the manifest's [[party]] plover"
        return f"no PLOVER code for the party of {', '.join(unknown)}: {parties} ({where})"
    code = code_of(event, manifest)
    if code.plover is None:
        return f"CAMEO {code.cameo} ({code.text}) has no PLOVER category"
    if code.plover in PLOVER_NEEDS_RECIPIENT and not event.recipients:
        return f"no recipient: a PLOVER {code.plover} event needs one"
    return None


_REQUIRED: Final = ("id", "date", "actor", "event")
_LISTS: Final = ("event", "mode", "context", "event_text")


def plover_problems(record: Mapping[str, Any]) -> list[str]:
    """What is wrong with a PLOVER record, by the manual's field rules (empty: nothing).

    Required ``id``, ``date`` (YYYY-MM-DD), ``actor`` (a non-empty list of entity objects with
    a ``code``) and ``event`` (a list of PLOVER event types); ``event``, ``mode``, ``context``
    and ``event_text`` are lists; ``mode`` only as the event types allow; ``context`` among the
    manual's values; a ``recipient`` where a type needs one; ``quad_code`` the types' quad.
    The JSON Schema in ``tests/plover/`` states the same rules for a validator.
    """
    problems = [f"missing required field {name}" for name in _REQUIRED if name not in record]
    if problems:
        return problems
    if not isinstance(record["id"], str) or not record["id"]:
        problems.append("id must be a non-empty string")
    try:
        datetime.strptime(record["date"], "%Y-%m-%d")  # noqa: DTZ007 (a date, not a time)
    except (TypeError, ValueError):
        problems.append(f"date must be YYYY-MM-DD, found {record['date']!r}")
    for role in ("actor", "recipient"):
        actors = record.get(role)
        if actors is None and role == "recipient":
            continue
        if not isinstance(actors, list) or not actors:
            problems.append(f"{role} must be a non-empty list of entity objects")
        elif not all(isinstance(a, dict) and isinstance(a.get("code"), str) for a in actors):
            problems.append(f"every {role} entity needs a code")
    for name in _LISTS:
        value = record.get(name)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            problems.append(f"{name} must be a list of strings, found {value!r}")
    types_ = record["event"] if isinstance(record["event"], list) else []
    if not types_ or any(t not in PLOVER_MODES for t in types_):
        problems.append(f"event must list PLOVER event types, found {record['event']!r}")
        types_ = []
    modes = record.get("mode")
    if isinstance(modes, list):
        allowed = set().union(*(PLOVER_MODES[t] for t in types_)) if types_ else set()
        wrong = [m for m in modes if m not in allowed]
        if wrong:
            problems.append(f"mode {wrong[0]!r} is not a mode of {'/'.join(types_)}")
    contexts = record.get("context")
    if isinstance(contexts, list):
        wrong = [c for c in contexts if c not in PLOVER_CONTEXTS]
        if wrong:
            problems.append(f"context {wrong[0]!r} is not a PLOVER context")
    if any(t in PLOVER_NEEDS_RECIPIENT for t in types_) and not record.get("recipient"):
        problems.append(f"a {'/'.join(types_)} event needs a recipient")
    quads = {PLOVER_QUAD[t] for t in types_}
    if "quad_code" in record and len(quads) == 1 and record["quad_code"] not in quads:
        problems.append(f"quad_code of {'/'.join(types_)} is {quads.pop()}")
    return problems

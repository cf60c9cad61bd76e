"""Events to and from records: an event's record is its fields in plain JSON types, defaults
left out, with ``kind`` and ``schema`` (the record version).

Decoding lifts an older record to the current version (:mod:`sim.codec.versions`), checks its
kind, and structures it with the converter (:mod:`sim.codec.hooks`); a record the converter
refuses is explained field by field (:mod:`sim.codec.faults`).
"""

from __future__ import annotations

from typing import Any

from sim.codec.faults import invalid_event, json_type
from sim.codec.hooks import Hook, converter, json_hook, structure_hook
from sim.codec.versions import SCHEMA, lift
from sim.errors import SimError, did_you_mean
from sim.events import EVENT_TYPES, Event

__all__ = ["decode_event", "decode_parsed", "encode_event"]


def encode_event(event: Event) -> dict[str, Any]:
    """The event's record: plain JSON types, defaults left out, with its ``schema``."""
    record: dict[str, Any] = converter.unstructure(event)
    record["kind"] = event.kind
    record["schema"] = SCHEMA
    return record


def decode_event(record: object) -> Event:
    """The event a record describes; :class:`SimError` says what is wrong with a bad one."""
    if not isinstance(record, dict):  # (a SimError's keywords: alike in shape only)
        raise SimError(
            what="a log line must be a JSON object",
            expected="an object with kind, id, at, source",
            found=json_type(record),
            code="not-an-object",
        )
    record = lift(record)
    kind = record.get("kind")
    if not isinstance(kind, str) or kind not in EVENT_TYPES:
        raise SimError(
            what="unknown event kind" if "kind" in record else "missing event kind",
            expected="one of " + ", ".join(EVENT_TYPES),
            found=repr(kind) if "kind" in record else "no kind key",
            hint=did_you_mean(kind, EVENT_TYPES) if isinstance(kind, str) else None,
            code="unknown-kind",
        )
    fields = {k: v for k, v in record.items() if k not in ("schema", "hash")}
    return _structure(fields, kind, structure_hook(kind))


def decode_parsed(record: object) -> Event:
    """:func:`decode_event` for a record just parsed from a log line: the same checks, faster.

    The record is given away: its ``schema`` and ``hash`` keys are removed in place.  Repeated
    nested records (sources, channels) decode to shared instances, which is safe because they
    are frozen and, coming from JSON, equal text means equal types.
    """
    if type(record) is not dict:
        return decode_event(record)
    kind = record.get("kind")
    schema = record.get("schema")
    current = type(schema) is int and schema == SCHEMA
    if not current or not isinstance(kind, str) or kind not in EVENT_TYPES:
        return decode_event(record)  # an older or missing version, or a record to refuse
    record.pop("schema", None)
    record.pop("hash", None)
    structure, keys = json_hook(kind)
    if not keys.issuperset(record):
        structure = structure_hook(kind)  # a closed hook, to say which keys are unknown
    return _structure(record, kind, structure)


def _structure(fields: dict[str, Any], kind: str, structure: Hook) -> Event:
    """The event ``fields`` describe, or a :class:`SimError` explaining what is wrong."""
    try:
        event: Event = structure(fields, EVENT_TYPES[kind])
    except Exception:  # noqa: BLE001  (any failure of the fast path is explained)
        raise invalid_event(fields, kind) from None
    return event

"""Interventions' values as log records: the one place the what-if engine reaches the codec.

An inserted event given as a record, and an amended event, are built and checked by the codec
exactly as a log line would be (:func:`sim.codec.decode_event`), so that a what-if accepts and
refuses what a log does, with the codec's messages.  The codec (and orjson with it) is loaded
on the first such call, not when :mod:`sim.whatif` is imported: interventions written as typed
values (removes, retimes, inserts of :class:`~sim.events.Event` values) never load it.
Scenario files themselves are read by the edge, :mod:`sim.scenario_spec`.  Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final

import attrs

from sim.errors import SimError
from sim.events import Event, Term

__all__ = ["amended", "decode_insert", "plain"]

_REQUIRED: Final = ("id", "kind", "at")


def plain(value: Any) -> Any:
    """TOML and Python values as the codec's JSON types: times as ISO 8601 text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Term):
        return plain(attrs.asdict(value, retain_collection_types=False))
    return value


def decode_insert(record: Mapping[str, Any], *, default_source: Mapping[str, Any]) -> Event:
    """The event an insert's record describes; one without ``source`` cites ``default_source``."""
    from sim.codec import decode_event  # noqa: PLC0415 (loaded on first use: see above)

    missing = [name for name in _REQUIRED if name not in record]
    if missing:
        raise SimError(
            what="an inserted event is missing " + ", ".join(missing),
            expected="id, kind, at and the fields of its kind",
        )
    fields = plain(dict(record))
    fields.setdefault("source", dict(default_source))
    return decode_event(fields)


def amended(event: Event, changes: Mapping[str, Any]) -> Event:
    """``event`` with the fields ``changes`` (plain values) set, checked as its log line."""
    from sim.codec import decode_event, encode_event  # noqa: PLC0415 (loaded on first use)

    record = encode_event(event)
    record.update(changes)
    try:
        return decode_event(record)
    except SimError as exc:
        raise attrs.evolve(exc, what=f"amending {event.id!r} gives an {exc.what}") from None

"""The codec: events to and from JSON records, one cattrs converter, and the hash chain.

A stored line is the event's canonical record (sorted keys, compact, UTF-8, fields at their
default left out, ``schema`` giving the record version) with one key appended last::

    {"actors":["qatar"],"at":"2023-10-07T18:00:00+00:00",...,"schema":2,"hash":"<64 hex>"}

``hash`` is SHA-256 over the previous line's hash (64 zeros for the first line), a newline, and
the line's canonical record (the line without its ``hash`` key).  So any change, deletion,
insertion or reordering of lines breaks the chain, and the last hash (the *head*) pins the whole
log.  Older record versions are brought up to date by the upcaster chain in ``UPCASTERS``.

This module reads a line's bytes (:func:`parse_json`, :func:`decode_line`) and is the one name
to import from; the work is done by one module per job:

- :mod:`sim.codec.versions`: the record version, the upcasters that lift older records;
- :mod:`sim.codec.hooks`: the converter and its hooks;
- :mod:`sim.codec.records`: events to and from records;
- :mod:`sim.codec.faults`: the messages for bad bytes, bad JSON and bad records;
- :mod:`sim.codec.chain`: the hash chain of stored lines;
- :mod:`sim.codec.oneline`: the one-pass decoder of current lines (msgspec mirrors);
- :mod:`sim.codec.manifest`: the reader of ``scenario.toml``.
"""

from __future__ import annotations

from typing import Any

import attrs
import msgspec
import orjson

from sim.codec.chain import (
    GENESIS,
    chain_hashes,
    line_hash,
    linked_hash,
    record_bytes,
    split_line,
    stored_line,
)
from sim.codec.faults import duplicate_fault, json_fault, refused_field, text_fault
from sim.codec.hooks import converter
from sim.codec.manifest import decode_manifest
from sim.codec.oneline import _WARM as _WARM
from sim.codec.oneline import _as_written
from sim.codec.oneline import _line_decoder as _line_decoder
from sim.codec.oneline import _Mirrors as _Mirrors
from sim.codec.records import decode_event, decode_parsed, encode_event
from sim.codec.versions import SCHEMA, UPCASTERS, record_links
from sim.events import Event
from sim.times import format_span, parse_span

__all__ = [
    "GENESIS",
    "SCHEMA",
    "UPCASTERS",
    "chain_hashes",
    "converter",
    "decode_event",
    "decode_line",
    "decode_manifest",
    "decode_parsed",
    "duplicate_fault",
    "encode_event",
    "format_span",
    "line_hash",
    "linked_hash",
    "parse_json",
    "parse_span",
    "record_bytes",
    "record_links",
    "refused_field",
    "split_line",
    "stored_line",
    "text_fault",
]


def parse_json(raw: bytes, *, line: int | None = None) -> Any:
    """The JSON value in ``raw``; :class:`SimError` locates bad bytes or bad JSON in it.

    ``line`` is the number of ``raw`` in its file when ``raw`` is one line of a log; for a
    whole file (``None``) the line of the fault inside ``raw`` is given instead.
    """
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        error = json_fault(raw, exc)
    else:
        repeated = duplicate_fault(raw) if isinstance(value, (dict, list)) else None
        if repeated is None:
            return value
        error = repeated
    raise error if line is None else attrs.evolve(error, line=line)


def decode_line(raw: bytes, *, line: int | None = None) -> Event:
    """The event a stored log line holds: what ``decode_parsed(parse_json(raw, line=line))``
    gives, in one pass where it can.

    msgspec parses the line straight into a typed mirror of its kind's record (every field's
    JSON type checked in C, unknown keys refused), and the event is made from that
    (:mod:`sim.codec.oneline`).  Anything the mirror does not take as it stands (another record
    version, a wrong type, a naive time, a value a validator refuses, bad JSON) goes the plain
    way instead, which accepts, refuses and explains exactly as before: the one-pass path only
    ever accepts what the plain one accepts, and makes the same event of it.
    """
    decoder, builders = _line_decoder()
    try:
        mirror = decoder.decode(raw)
        event: Event = builders[type(mirror)](mirror)
    except (msgspec.DecodeError, TypeError, ValueError):
        return decode_parsed(parse_json(raw, line=line))
    if _as_written(raw):
        return event
    return decode_parsed(parse_json(raw, line=line))  # msgspec keeps the last of a repeated key

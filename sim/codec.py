"""The codec: events to and from JSON records, one cattrs converter, and the hash chain.

A stored line is the event's canonical record (sorted keys, compact, UTF-8, fields at their
default left out, ``schema`` giving the record version) with one key appended last::

    {"actors":["qatar"],"at":"2023-10-07T18:00:00+00:00",...,"schema":2,"hash":"<64 hex>"}

``hash`` is SHA-256 over the previous line's hash (64 zeros for the first line), a newline, and
the line's canonical record (the line without its ``hash`` key).  So any change, deletion,
insertion or reordering of lines breaks the chain, and the last hash (the *head*) pins the whole
log.  Older record versions are brought up to date by the upcaster chain in ``UPCASTERS``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import NoneType, UnionType
from typing import Any, Final, Literal, Union, get_args, get_origin

import attrs
import cattrs
import orjson
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from cattrs.v import format_exception

from sim.errors import SimError, did_you_mean
from sim.events import EVENT_TYPES, Alternative, Channel, Event, Source, Terms

__all__ = [
    "GENESIS",
    "SCHEMA",
    "UPCASTERS",
    "chain_hashes",
    "converter",
    "decode_event",
    "decode_parsed",
    "encode_event",
    "line_hash",
    "linked_hash",
    "parse_json",
    "record_bytes",
    "split_line",
    "stored_line",
    "text_fault",
]

SCHEMA: Final = 2
"""The record version this code writes."""

GENESIS: Final = "0" * 64
"""The hash before the first line."""

Hook = Callable[[Any, Any], Any]
"""A cattrs structure function: ``(value, type) -> structured value``."""

_HASH_TAIL: Final = len(b',"hash":"') + 64 + len(b'"}')
_HEX: Final = re.compile(rb"[0-9a-f]{64}")


def _upcast_1(record: dict[str, Any]) -> dict[str, Any]:
    """Version 1 named the time ``time`` and the citation ``cite``."""
    record = dict(record)
    if "time" in record:
        record["at"] = record.pop("time")
    if "cite" in record:
        record["source"] = record.pop("cite")
    record["schema"] = 2
    return record


UPCASTERS: Final[Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]]] = {1: _upcast_1}
"""Record version to the function that lifts a record of that version one version up."""


# ------------------------------------------------------------------------------------ converter


def _structure_datetime(value: object, _type: object) -> datetime:
    if not isinstance(value, str):
        msg = f"expected an ISO 8601 time as a string, found {type(value).__name__} {value!r}"
        raise TypeError(msg)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        msg = f"expected an ISO 8601 time, found {value!r}"
        raise ValueError(msg) from None
    if parsed.utcoffset() is None:
        msg = f"expected a timezone-aware time (with an offset such as +00:00), found {value!r}"
        raise ValueError(msg)
    return parsed


def _strict(kind: type[Any]) -> Callable[[object, object], Any]:
    def structure(value: object, _type: object) -> Any:
        if type(value) is not kind:
            found = "null" if value is None else f"{type(value).__name__} {value!r}"
            msg = f"expected {kind.__name__}, found {found}"
            raise TypeError(msg)
        return value

    return structure


def _structure_strings(value: object, _type: object) -> tuple[str, ...]:
    if type(value) is list:
        for item in value:
            if type(item) is not str:
                break
        else:
            return tuple(value)
    msg = f"expected an array of strings, found {value!r}"
    raise TypeError(msg)


def _is_optional(type_: object) -> bool:
    args = get_args(type_)
    return get_origin(type_) in (Union, UnionType) and len(args) == 2 and NoneType in args


def _optional(conv: cattrs.Converter) -> Callable[[Any], Hook]:
    """``X | None`` structured by ``X``'s own hook, bound once (cattrs looks it up per value)."""

    def factory(type_: Any) -> Hook:
        inner_type = next(arg for arg in get_args(type_) if arg is not NoneType)
        inner = conv.get_structure_hook(inner_type)

        def structure(value: object, _type: object) -> Any:
            return None if value is None else inner(value, inner_type)

        return structure

    return factory


def _shared(structure: Hook) -> Hook:
    """``structure`` behind a cache keyed by the value's JSON text: identical records (the same
    source or channel on many lines) decode to one shared frozen instance.

    Only for values parsed from JSON: their JSON text fixes their types exactly (``1``,
    ``1.0`` and ``true`` stay apart), so a cached instance is what ``structure`` would build.
    """
    made: dict[bytes, Any] = {}

    def cached(value: object, type_: object) -> Any:
        if type(value) is not dict:
            return structure(value, type_)
        key = orjson.dumps(value)
        found = made.get(key)
        if found is None:
            found = structure(value, type_)
            if len(made) < _SHARED_MAX:
                made[key] = found
        return found

    return cached


_SHARED_MAX: Final = 4096
"""How many distinct nested records each cache keeps (later ones are decoded, not kept)."""


def _is_text_literal(type_: object) -> bool:
    return get_origin(type_) is Literal and all(type(arg) is str for arg in get_args(type_))


def _text_literal(type_: Any) -> Hook:
    """A text literal checked by one dict lookup that returns the literal's own string object,
    so that a decoded ``kind`` is the very object the fold's tables are keyed by."""
    canonical = {arg: arg for arg in get_args(type_)}

    def structure(value: object, _type: object) -> Any:
        found = canonical.get(value) if type(value) is str else None
        if found is None:
            msg = f"expected one of {', '.join(canonical)}, found {value!r}"
            raise ValueError(msg)
        return found

    return structure


def _make_converter(*, detailed: bool, json_only: bool = False) -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
    conv.register_structure_hook_func(lambda t: t == tuple[str, ...], _structure_strings)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    for kind in (str, int, bool):
        conv.register_structure_hook(kind, _strict(kind))
    if not detailed:
        conv.register_structure_hook_factory(_is_optional, _optional(conv))
    if json_only:
        conv.register_structure_hook_factory(_is_text_literal, _text_literal)
    for cls in (*_nested_types(), *EVENT_TYPES.values()):
        conv.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True)
        )
        # The JSON converter's event hooks leave unknown keys to decode_parsed, which checks
        # them against a frozenset instead of building a set of every record's keys.
        closed = not (json_only and cls in EVENT_TYPES.values())
        structure: Hook = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=closed)
        if json_only and cls in (Channel, Source):
            structure = _shared(structure)
        conv.register_structure_hook(cls, structure)
    return conv


def _nested_types() -> tuple[type[Any], ...]:
    return (Alternative, Channel, Source, Terms)


converter: Final = _make_converter(detailed=False)
"""The converter between events and plain records: fast, for records that are right."""

_explainer: Final = _make_converter(detailed=True)
"""The same converter with cattrs' detailed validation, run only to explain a bad record."""

_from_json: Final = _make_converter(detailed=False, json_only=True)
"""The fast converter for records just parsed from JSON, sharing repeated sources and channels."""

_STRUCTURE: Final[Mapping[str, Hook]] = {
    kind: converter.get_structure_hook(cls) for kind, cls in EVENT_TYPES.items()
}
_STRUCTURE_JSON: Final[Mapping[str, tuple[Hook, frozenset[str]]]] = {
    kind: (_from_json.get_structure_hook(cls), frozenset(attrs.fields_dict(cls)))
    for kind, cls in EVENT_TYPES.items()
}
"""Each kind's structure function, looked up once (``converter.structure`` dispatches per call),
and for the JSON converter the keys its records may have."""


# ------------------------------------------------------------------------------------ records


def encode_event(event: Event) -> dict[str, Any]:
    """The event's record: plain JSON types, defaults left out, with its ``schema``."""
    record: dict[str, Any] = converter.unstructure(event)
    record["kind"] = event.kind
    record["schema"] = SCHEMA
    return record


def decode_event(record: object) -> Event:
    """The event a record describes; :class:`SimError` says what is wrong with a bad one."""
    if not isinstance(record, dict):
        raise SimError(
            what="a log line must be a JSON object",
            expected="an object with kind, id, at, source",
            found=_json_type(record),
            code="not-an-object",
        )
    schema = record.get("schema", SCHEMA)
    if type(schema) is not int or not 1 <= schema <= SCHEMA:
        raise SimError(
            what="unknown record version",
            expected=f"schema between 1 and {SCHEMA}",
            found=repr(schema),
            hint="a newer version of sim may have written it; upgrade sim to read it",
            code="unknown-schema",
        )
    while schema < SCHEMA:
        record = UPCASTERS[schema](record)
        schema += 1
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
    return _structure(fields, kind, _STRUCTURE[kind])


def decode_parsed(record: object) -> Event:
    """:func:`decode_event` for a record just parsed from a log line: the same checks, faster.

    The record is given away: its ``schema`` and ``hash`` keys are removed in place.  Repeated
    nested records (sources, channels) decode to shared instances, which is safe because they
    are frozen and, coming from JSON, equal text means equal types.
    """
    if type(record) is not dict:
        return decode_event(record)
    kind = record.get("kind")
    schema = record.get("schema", SCHEMA)
    current = type(schema) is int and schema == SCHEMA
    if not current or not isinstance(kind, str) or kind not in _STRUCTURE_JSON:
        return decode_event(record)  # an older version to upcast, or a record to refuse
    record.pop("schema", None)
    record.pop("hash", None)
    structure, keys = _STRUCTURE_JSON[kind]
    if not keys.issuperset(record):
        structure = _STRUCTURE[kind]  # a closed hook, to say which keys are unknown
    return _structure(record, kind, structure)


def _structure(fields: dict[str, Any], kind: str, structure: Hook) -> Event:
    """The event ``fields`` describe, or a :class:`SimError` explaining what is wrong."""
    cls = EVENT_TYPES[kind]
    try:
        event: Event = structure(fields, cls)
    except Exception:  # noqa: BLE001  (any failure of the fast path is explained below)
        label = f"event {fields['id']!r}" if isinstance(fields.get("id"), str) else "event"
        raise SimError(
            what=f"invalid {kind} {label}: {_explain(fields, cls)}",
            hint=_near_fields(fields, cls) + f"{kind} takes {_field_list(cls)}",
            code="invalid-event",
        ) from None
    return event


def _near_fields(fields: dict[str, Any], cls: type[Event]) -> str:
    """``did you mean decision? `` for unknown keys spelled like a field of ``cls``."""
    names = [f.name for f in attrs.fields(cls)]
    near = [hint for key in fields if key not in names and (hint := did_you_mean(key, names))]
    return "".join(f"{hint} " for hint in near)


def _field_list(cls: type[Event]) -> str:
    fields = [f for f in attrs.fields(cls) if f.name != "kind"]
    required = [f.name for f in fields if f.default is attrs.NOTHING]
    optional = [f.name for f in fields if f.default is not attrs.NOTHING]
    return f"the fields {', '.join(required)} and optionally {', '.join(optional)}"


_BOM: Final = b"\xef\xbb\xbf"


def parse_json(raw: bytes, *, line: int | None = None) -> Any:
    """The JSON value in ``raw``; :class:`SimError` locates bad bytes or bad JSON in it.

    ``line`` is the number of ``raw`` in its file when ``raw`` is one line of a log; for a
    whole file (``None``) the line of the fault inside ``raw`` is given instead.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        error = _json_fault(raw, exc)
    raise error if line is None else attrs.evolve(error, line=line)


def text_fault(raw: bytes) -> SimError | None:
    """What keeps ``raw`` from being plain UTF-8 text (a byte-order mark, bad bytes), if any."""
    if raw.startswith(_BOM):
        return SimError(
            what="the file starts with a byte-order mark",
            line=1,
            column=1,
            expected="plain UTF-8 without BOM",
            found="a UTF-8 BOM (EF BB BF)",
            hint="save the file as UTF-8 without BOM",
            code="byte-order-mark",
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        before = raw[: bad.start]
        return SimError(
            what="the bytes are not UTF-8",
            line=before.count(b"\n") + 1,
            column=bad.start - (before.rfind(b"\n") + 1) + 1,
            expected="UTF-8 text",
            found=f"byte 0x{raw[bad.start]:02x}",
            hint="save the file as UTF-8",
            code="invalid-utf8",
        )
    return None


def _json_fault(raw: bytes, exc: orjson.JSONDecodeError) -> SimError:
    fault = text_fault(raw)
    if fault is not None:
        return fault
    if not raw.strip():
        return SimError(
            what="no JSON value",
            expected="one JSON object",
            found="nothing but white space",
            code="invalid-json",
        )
    return SimError(
        what="invalid JSON",
        line=exc.lineno,
        column=exc.colno,
        found=exc.msg,
        hint="one event is one JSON object; check quotes, commas and braces near the column",
        code="invalid-json",
    )


def _explain(fields: dict[str, Any], cls: type[Event]) -> str:
    try:
        _explainer.structure(fields, cls)
    except Exception as exc:  # noqa: BLE001  (cattrs raises several types; all are explained)
        return _describe(exc)
    return "it does not fit its kind"  # pragma: no cover (the fast path agreed with this one)


def _json_type(value: object) -> str:
    names = {list: "an array", str: "a string", int: "a number", float: "a number"}
    if value is None:
        return "null"
    return names.get(type(value), type(value).__name__)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, cattrs.BaseValidationError):
        messages = cattrs.transform_error(exc, path="", format_exception=_format)
        return "; ".join(_tidy(m) for m in messages)
    return str(exc)


def _format(exc: BaseException, type_: type[Any] | None) -> str:
    """Our own hooks' messages say what was expected and found: keep them."""
    if isinstance(exc, (TypeError, ValueError)) and str(exc).startswith("expected"):
        return str(exc)
    if isinstance(exc, ValueError) and "must be" in str(exc):
        return str(exc)
    if type_ is not None and get_origin(type_) is Literal and " not in literal " in str(exc):
        options = ", ".join(repr(option) for option in get_args(type_))
        return f"expected one of {options}, found {str(exc).split(' not in literal ')[0]!r}"
    return format_exception(exc, type_)


def _tidy(message: str) -> str:
    """Turn cattrs' ``... @ .field`` into ``field: ...``, and its extra-key notes into words."""
    text, _, path = message.rpartition(" @ ")
    path = path.lstrip(".").replace("[", "[")
    if text.startswith("extra fields found"):
        return f"unknown field(s) {text.split('(', 1)[-1].rstrip(')')}"
    if text == "required field missing":
        return f"missing required field {path}"
    return f"{path}: {text}" if path else text


# ------------------------------------------------------------------------------------ lines


def record_bytes(event: Event) -> bytes:
    """The canonical bytes of an event's record, the content its line hash covers."""
    return orjson.dumps(encode_event(event), option=orjson.OPT_SORT_KEYS)


def line_hash(previous: str, content: bytes) -> str:
    """The chain hash of a line whose canonical record is ``content``."""
    return hashlib.sha256(previous.encode("ascii") + b"\n" + content).hexdigest()


def stored_line(content: bytes, digest: str) -> bytes:
    """A complete line (without its newline): the record with ``hash`` appended."""
    return content[:-1] + b',"hash":"' + digest.encode("ascii") + b'"}'


def split_line(line: bytes) -> tuple[bytes, str] | None:
    """``(canonical record, stored hash)`` of a line, or ``None`` when it has no hash key."""
    if len(line) <= _HASH_TAIL or not line.endswith(b'"}'):
        return None
    tail = line[-_HASH_TAIL:]
    if not tail.startswith(b',"hash":"'):
        return None
    digest = tail[9:-2]
    if _HEX.fullmatch(digest) is None:
        return None
    return line[:-_HASH_TAIL] + b"}", digest.decode("ascii")


def linked_hash(line: bytes, previous: str) -> str | None:
    """The stored hash of ``line`` if it is a whole line that continues the chain at
    ``previous``, else ``None`` (:func:`split_line` and :func:`line_hash` then say why).

    The same check as splitting the line and comparing hashes, without the regular expression
    and the copies: a line is accepted only if it ends with exactly the hash key and the
    expected digest, so a malformed tail never passes.
    """
    if len(line) <= _HASH_TAIL:
        return None
    digest = hashlib.sha256(
        previous.encode("ascii") + b"\n" + line[:-_HASH_TAIL] + b"}"
    ).hexdigest()
    if line.endswith(b',"hash":"' + digest.encode("ascii") + b'"}'):
        return digest
    return None


def chain_hashes(events: Iterable[Event], previous: str = GENESIS) -> tuple[str, ...]:
    """The chain hash after each event, as a store would write them."""
    hashes: list[str] = []
    for event in events:
        previous = line_hash(previous, record_bytes(event))
        hashes.append(previous)
    return tuple(hashes)

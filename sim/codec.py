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

import functools
import hashlib
import inspect
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from types import NoneType, UnionType
from typing import Annotated, Any, Final, Literal, Union, get_args, get_origin

import attrs
import cattrs
import msgspec
import orjson
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from cattrs.v import format_exception

from sim.errors import SimError, did_you_mean
from sim.events import (
    EVENT_TYPES,
    Alternative,
    Channel,
    Event,
    EventBase,
    RequiredDecision,
    Requirement,
    Source,
    Term,
    TermValue,
)
from sim.manifest import PALETTE, Actor, Manifest, Milestone, Party, SourceDoc, tint_of
from sim.times import format_span, parse_span, parse_zone

__all__ = [
    "GENESIS",
    "SCHEMA",
    "UPCASTERS",
    "chain_hashes",
    "converter",
    "decode_event",
    "decode_line",
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
    "split_line",
    "stored_line",
    "text_fault",
]

SCHEMA: Final = 4
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


def _upcast_2(record: dict[str, Any]) -> dict[str, Any]:
    """Version 2 had one untyped link, ``causes``; version 3 types each link.

    A version-2 cause meant: wait for it to arrive (a message held up by a blackout arrives when
    the blackout ends), keep the recorded lag behind it, and be voided if it is voided, missing
    or never arrives.  That is exactly an ``answers`` link, so each cause becomes one and an
    older log keeps its meaning.  An offer's approving bodies, ``requires`` in version 2, are
    ``approvers`` (``requires`` is now a link on every event).
    """
    record = dict(record)
    causes = record.pop("causes", None)
    if causes is not None:
        record["answers"] = causes
    if record.get("kind") == "offer" and "requires" in record:
        record["approvers"] = record.pop("requires")
    record["schema"] = 3
    return record


_LEGACY_TERMS: Final = ("pause_days", "extendable", "first_phase", "hostages", "further_releases")
"""The fields of version 3's fixed term sheet, in the order its words were shown."""


def _legacy_term(name: str, value: Any) -> dict[str, Any]:
    """One field of version 3's term sheet as a named term, in the words sim showed it in."""
    match name, value:
        case "pause_days", int():
            text = f"a {value}-day pause"
        case "extendable", bool():
            text = "extendable" if value else "not extendable"
        case "first_phase", str():
            text = f"first phase: {value}"
        case "hostages", int():
            text = f"{value} hostages"
        case "further_releases", bool():
            text = "further releases expected" if value else "no further releases"
        case _:  # a mistyped value: kept, so that the codec says what is wrong with it
            return {"name": name, "value": value}
    return {"name": name, "value": value, "text": text}


def _upcast_3(record: dict[str, Any]) -> dict[str, Any]:
    """Version 3 gave an offer a fixed term sheet, ``terms``: ``pause_days``, ``extendable``,
    ``first_phase``, ``hostages``, ``further_releases`` and ``notes``; version 4 gives it named
    terms, each a ``name``, a ``value``, the words to show it in (``text``) and, optionally, its
    own ``source``.  Each field set becomes the term of that name, in the words sim showed it in
    (``a 4-day pause``, ``50 hostages``); each note becomes a term ``note`` whose value and
    words are the note's."""
    record = dict(record)
    terms = record.get("terms")
    if isinstance(terms, dict):
        lifted = [
            _legacy_term(name, terms[name])
            for name in _LEGACY_TERMS
            if name in terms and terms[name] is not None
        ]
        notes = terms.get("notes", [])
        if isinstance(notes, list):
            lifted += [{"name": "note", "value": note, "text": note} for note in notes]
        else:
            lifted.append({"name": "note", "value": notes})
        unknown = [name for name in terms if name not in (*_LEGACY_TERMS, "notes")]
        lifted += [{"name": name, "value": terms[name]} for name in unknown]
        record["terms"] = lifted
    record["schema"] = 4
    return record


UPCASTERS: Final[Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    1: _upcast_1,
    2: _upcast_2,
    3: _upcast_3,
}
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


def _structure_span(value: object, _type: object) -> timedelta:
    return parse_span(value)


def _structure_requirements(value: object, _type: object) -> tuple[Requirement, ...]:
    """``requires`` items: an id (the default decision) or ``{"id": ..., "decision": ...}``."""
    if type(value) is not list:
        msg = f'expected an array of ids or {{"id": ..., "decision": ...}} objects, found {value!r}'
        raise TypeError(msg)
    links: list[Requirement] = []
    for item in value:
        if type(item) is str:
            links.append(Requirement(id=item))
        elif type(item) is dict:
            links.append(_requirement_hook(item, Requirement))
        else:
            msg = f'expected an id or {{"id": ..., "decision": ...}}, found {item!r}'
            raise TypeError(msg)
    return tuple(links)


_DECISIONS_ASKED: Final = frozenset(get_args(RequiredDecision))


def _requirement_hook(item: dict[str, Any], _type: object) -> Requirement:
    extra = sorted(set(item) - {"id", "decision"})
    if extra:
        msg = f"expected a link with id and decision only, found the key(s) {', '.join(extra)}"
        raise ValueError(msg)
    ident, decision = item.get("id"), item.get("decision", "acceptance")
    if type(ident) is not str:
        msg = f"expected a link's id as a string, found {ident!r}"
        raise TypeError(msg)
    if decision not in _DECISIONS_ASKED:
        options = ", ".join(sorted(_DECISIONS_ASKED))
        msg = f"expected a link's decision among {options}, found {decision!r}"
        raise ValueError(msg)
    return Requirement(id=ident, decision=decision)


def record_links(record: Mapping[str, Any]) -> list[str]:
    """The ids a raw record links to, of any version (``causes`` before version 3; ``requires``,
    ``answers`` and ``after`` since), skipping what is not an id: for messages about records
    that have not been decoded yet."""
    named: list[str] = []
    keys = ("causes",) if "causes" in record else ("requires", "answers", "after")
    for key in keys:
        items = record.get(key)
        for item in items if isinstance(items, list) else ():
            ident = item.get("id") if isinstance(item, dict) else item
            if isinstance(ident, str):
                named.append(ident)
    return named


_SCALARS: Final = (bool, int, float, str)


def _structure_term_value(value: object, _type: object) -> TermValue:
    """A term's value: a JSON scalar taken as it is (``true`` stays a bool, ``4`` an int)."""
    if type(value) not in _SCALARS:
        found = "null" if value is None else f"{type(value).__name__} {value!r}"
        msg = f"expected true, false, a number or text, found {found}"
        raise TypeError(msg)
    return value  # type: ignore[return-value]


def _unstructure_requirement(link: Requirement) -> str | dict[str, str]:
    if link.decision == "acceptance":
        return link.id
    return {"id": link.id, "decision": link.decision}


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
    """A converter for the codec's types whose per-class hooks are generated on first use.

    Generating a class's structure and unstructure functions (cattrs compiles them) costs a few
    milliseconds each; a command that reads a dozen kinds should not pay for all of them at
    import.  The factories below are what was registered eagerly before, per class, so each hook
    is the same function, only made when a record of its class is first met.
    """
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
    conv.register_structure_hook_func(lambda t: t == tuple[str, ...], _structure_strings)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_structure_hook(timedelta, _structure_span)
    conv.register_unstructure_hook(timedelta, format_span)
    conv.register_structure_hook_func(
        lambda t: t == tuple[Requirement, ...], _structure_requirements
    )
    conv.register_unstructure_hook(Requirement, _unstructure_requirement)
    conv.register_structure_hook_func(lambda t: t == TermValue, _structure_term_value)
    for kind in (str, int, bool):
        conv.register_structure_hook(kind, _strict(kind))
    if not detailed:
        conv.register_structure_hook_factory(_is_optional, _optional(conv))
    if json_only:
        conv.register_structure_hook_factory(_is_text_literal, _text_literal)

    # Each class's hooks are kept here: cattrs forgets what its factories made whenever it
    # registers a hook of its own (it does for each new tuple type), and would make them again.
    unstructure_hooks: dict[type[Any], Callable[[Any], Any]] = {}
    structure_hooks: dict[type[Any], Hook] = {}

    def unstructure_factory(cls: type[Any]) -> Callable[[Any], Any]:
        hook = unstructure_hooks.get(cls)
        if hook is None:
            _resolve(cls)
            hook = make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True)
            unstructure_hooks[cls] = hook
        return hook

    def structure_factory(cls: type[Any]) -> Hook:
        hook = structure_hooks.get(cls)
        if hook is None:
            _resolve(cls)
            # The JSON converter's event hooks leave unknown keys to decode_parsed, which
            # checks them against a frozenset instead of building a set of every record's keys.
            closed = not (json_only and cls in _EVENT_CLASSES)
            hook = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=closed)
            if json_only and cls in (Channel, Source):
                hook = _shared(hook)
            structure_hooks[cls] = hook
        return hook

    conv.register_unstructure_hook_factory(_is_record_class, unstructure_factory)
    conv.register_structure_hook_factory(_is_record_class, structure_factory)
    return conv


_EVENT_CLASSES: Final = frozenset(EVENT_TYPES.values())
_RECORD_CLASSES: Final = _EVENT_CLASSES | {Alternative, Channel, Source, Term}
"""The classes whose records the codec writes and reads (:class:`Requirement` has its own
hooks: a link is an id or an object)."""


def _is_record_class(type_: object) -> bool:
    return isinstance(type_, type) and type_ in _RECORD_CLASSES


converter: Final = _make_converter(detailed=False)
"""The converter between events and plain records: fast, for records that are right."""


@functools.cache
def _explainer() -> cattrs.Converter:
    """The same converter with cattrs' detailed validation, run only to explain a bad record."""
    return _make_converter(detailed=True)


@functools.cache
def _from_json() -> cattrs.Converter:
    """The fast converter for records just parsed from JSON, sharing repeated sources and
    channels."""
    return _make_converter(detailed=False, json_only=True)


@functools.cache
def _structure_hook(kind: str) -> Hook:
    """Kind ``kind``'s structure function, looked up once (``converter.structure`` dispatches
    per call)."""
    return converter.get_structure_hook(EVENT_TYPES[kind])


@functools.cache
def _json_hook(kind: str) -> tuple[Hook, frozenset[str]]:
    """For the JSON converter: kind ``kind``'s structure function and the keys its records may
    have."""
    cls = EVENT_TYPES[kind]
    keys = frozenset(field.name for field in attrs.fields(cls) if field.init)
    return _from_json().get_structure_hook(cls), keys


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
    schema = record.get("schema", _unversioned(record))
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
    return _structure(fields, kind, _structure_hook(kind))


def _unversioned(record: dict[str, Any]) -> int:
    """The version of a record that names none (an event in a scenario file or a CSV row): one
    that still names ``causes`` was written for version 2, one whose ``terms`` is a table for
    version 3; either is lifted, and keeps its meaning."""
    if "causes" in record:
        return 2
    if isinstance(record.get("terms"), dict):
        return 3
    return SCHEMA


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
    structure, keys = _json_hook(kind)
    if not keys.issuperset(record):
        structure = _structure_hook(kind)  # a closed hook, to say which keys are unknown
    return _structure(record, kind, structure)


def _structure(fields: dict[str, Any], kind: str, structure: Hook) -> Event:
    """The event ``fields`` describe, or a :class:`SimError` explaining what is wrong."""
    cls = EVENT_TYPES[kind]
    try:
        event: Event = structure(fields, cls)
    except Exception:  # noqa: BLE001  (any failure of the fast path is explained below)
        label = f"event {fields['id']!r}" if isinstance(fields.get("id"), str) else "event"
        hint = f"{kind} takes {_field_list(cls)}"
        if "causes" in fields:
            hint = (
                "since record version 3 a link is typed: requires, answers or after"
                " (a version-2 cause is an answers link); " + hint
            )
        raise SimError(
            what=f"invalid {kind} {label}: {_explain(fields, cls)}",
            hint=_near_fields(fields, cls) + hint,
            code="invalid-event",
        ) from None
    return event


def _near_fields(fields: dict[str, Any], cls: type[Event]) -> str:
    """``did you mean decision? `` for unknown keys spelled like a field of ``cls``."""
    names = [f.name for f in attrs.fields(cls)]
    near = [hint for key in fields if key not in names and (hint := did_you_mean(key, names))]
    return "".join(f"{hint} " for hint in near)


def _field_list(cls: type[Event]) -> str:
    fields = [f for f in attrs.fields(cls) if f.name != "kind" and f.init]
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
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        error = _json_fault(raw, exc)
    else:
        repeated = duplicate_fault(raw) if isinstance(value, (dict, list)) else None
        if repeated is None:
            return value
        error = repeated
    raise error if line is None else attrs.evolve(error, line=line)


_TOKENS: Final = re.compile(rb'"(?:[^"\\]|\\.)*"\s*:?|[{}]')


def duplicate_fault(raw: bytes) -> SimError | None:
    """The fault of a JSON text (valid by orjson, which keeps the last of a repeated key
    silently) that names a key twice in one object, located at the repeat; or ``None``."""
    objects: list[set[str]] = []
    for token in _TOKENS.finditer(raw):
        text = token.group()
        if text == b"{":
            objects.append(set())
        elif text == b"}":
            if objects:
                objects.pop()
        elif text.endswith(b":") and objects:
            quoted = text[:-1].rstrip()
            key = (
                orjson.loads(quoted) if b"\\" in quoted else quoted[1:-1].decode("utf-8", "replace")
            )
            if key in objects[-1]:
                return _repeated(raw, key, token.start())
            objects[-1].add(key)
    return None


def _repeated(raw: bytes, name: str, at: int) -> SimError:
    before = raw[:at]
    return SimError(
        what=f"the key {name!r} appears twice in one object",
        line=before.count(b"\n") + 1,
        column=at - (before.rfind(b"\n") + 1) + 1,
        expected="each key once (JSON readers disagree on which of two values counts)",
        found=f"{name!r} again",
        hint="keep the one value you mean and delete the other",
        code="duplicate-key",
    )


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
    nul = raw.find(b"\x00")
    if nul >= 0:
        before = raw[:nul]
        return SimError(
            what="the file holds NUL bytes, which text never does",
            line=before.count(b"\n") + 1,
            column=nul - (before.rfind(b"\n") + 1) + 1,
            expected="UTF-8 text",
            found="a NUL byte (0x00)",
            hint="NUL bytes where text was written mean the disk lost data (a power cut?) or "
            "this is not a text file: compare it with a backup",
            code="invalid-utf8",
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
        _explainer().structure(fields, cls)
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


# ------------------------------------------------------------------------ lines in one pass

_INT: Final = Annotated[int, msgspec.Meta(ge=-(1 << 63), le=(1 << 63) - 1)]
"""An integer within 64 bits: beyond them orjson reads a float, which an integer field refuses;
msgspec would read the integer, so the mirror leaves those to the plain path (which also takes
the few unsigned 64-bit integers above this range)."""

_SIMPLE_DEFAULT: Final = (str, int, bool, tuple, NoneType)


def decode_line(raw: bytes, *, line: int | None = None) -> Event:
    """The event a stored log line holds: what ``decode_parsed(parse_json(raw, line=line))``
    gives, in one pass where it can.

    msgspec parses the line straight into a typed mirror of its kind's record (every field's
    JSON type checked in C, unknown keys refused), and the event is made from that.  Anything
    the mirror does not take as it stands (another record version, a wrong type, a naive time,
    a value a validator refuses, bad JSON) goes the plain way instead, which accepts, refuses
    and explains exactly as before: the one-pass path only ever accepts what the plain one
    accepts, and makes the same event of it.
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


def _as_written(raw: bytes) -> bool:
    """Whether ``raw`` is exactly the line sim writes for what it holds (sorted keys, compact,
    the hash last): then no key is repeated, since a repeated key would be missing from what
    it holds.  One ``orjson`` parse and dump (about a microsecond)."""
    record = orjson.loads(raw)
    if type(record) is not dict:
        return False
    digest = record.pop("hash", None)
    content = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    if type(digest) is str:
        return stored_line(content, digest) == raw
    return content == raw


@functools.cache
def _line_decoder() -> tuple[msgspec.json.Decoder[Any], Mapping[type[Any], Callable[[Any], Any]]]:
    """The decoder of a current record of any kind, and each mirror's event builder (made on
    first use, in a few milliseconds)."""
    mirrors = _Mirrors()
    union: Any = Union.__getitem__(  # the union of every kind's mirror, told apart by ``kind``
        tuple(mirrors.struct(cls, tag=kind) for kind, cls in EVENT_TYPES.items())
    )
    builders: dict[type[Any], Callable[[Any], Any]] = {}
    for cls in EVENT_TYPES.values():
        mirror = mirrors.struct(cls)
        whole = functools.partial(mirrors.builder, cls, whole=True)
        builders[mirror] = _warming(mirrors.builder(cls), whole, builders, mirror)
    return msgspec.json.Decoder(union), builders


_WARM: Final = 400
"""Records of one kind decoded by its quick-to-make builder before the faster one is made."""


def _warming(
    quick: Callable[[Any], Any],
    make_whole: Callable[[], Callable[[Any], Any]],
    builders: dict[type[Any], Callable[[Any], Any]],
    mirror: type[Any],
) -> Callable[[Any], Any]:
    """``quick``, until it has made :data:`_WARM` events: then the whole builder (0.3 ms to
    make, about what 400 records cost in ``quick``'s extra call) takes its place."""
    made = 0

    def build(record: Any) -> Any:
        nonlocal made
        made += 1
        if made == _WARM:
            builders[mirror] = make_whole()
        return quick(record)

    return build


def _fields(cls: type[Any]) -> tuple[tuple[attrs.Attribute[Any], Any], ...]:
    """The fields a record of ``cls`` may hold (not ``kind``), each with its resolved type."""
    _resolve(cls)
    return tuple((f, f.type) for f in attrs.fields(cls) if f.init and f.name != "kind")


def _resolve(cls: type[Any]) -> None:
    """Resolve the annotations of a record class's fields in place, as ``attrs.resolve_types``
    does, evaluating each distinct text once.

    Under ``from __future__ import annotations`` a field's type is text; cattrs resolves it with
    ``typing.get_type_hints``, which compiles every field of every class anew: that was most of
    the time the encoder's hooks took to make (once they are resolved, cattrs leaves them be).
    """
    texts = [field for field in attrs.fields(cls) if isinstance(field.type, str)]
    if not texts:
        return
    module = {}  # the module each field was annotated in (a base class's may be another)
    for base in reversed(cls.__mro__):
        module.update(dict.fromkeys(inspect.get_annotations(base), base.__module__))
    for field in texts:
        object.__setattr__(field, "type", _annotation(field.type, module[field.name]))


@functools.cache
def _annotation(text: str, module: str) -> Any:
    """The type an annotation's text names in ``module`` (evaluated once per text)."""
    return eval(text, vars(sys.modules[module]))  # noqa: S307  (annotations of sim's own classes)


def _record_default(field: attrs.Attribute[Any]) -> bool:
    """Whether ``field`` defaults to a record (an offer's terms), which a mirror leaves unset."""
    return field.default is not attrs.NOTHING and not isinstance(field.default, _SIMPLE_DEFAULT)


class _Mirrors:
    """Each record class's mirror struct and builder, made once."""

    def __init__(self) -> None:
        self._structs: dict[type[Any], type[msgspec.Struct]] = {}
        self._builders: dict[tuple[type[Any], bool], Callable[[Any], Any]] = {}
        self._types: dict[Any, Any] = {}
        self._fixes: dict[Any, Callable[[Any], Any] | None] = {}
        self._envelope: Callable[[Any], dict[str, Any]] | None = None

    def struct(self, cls: type[Any], *, tag: str | None = None) -> type[msgspec.Struct]:
        """A msgspec struct that reads exactly the JSON records of ``cls`` that the converter
        reads (times and spans as text, parsed later by the same functions), refusing unknown
        keys; an event's also carries ``schema`` (the current version only) and ``hash``."""
        made = self._structs.get(cls)
        if made is not None:
            return made
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        for field, type_ in _fields(cls):
            mirrored = self._type(type_)
            if field.default is attrs.NOTHING:
                fields.append((field.name, mirrored))
            elif _record_default(field):
                fields.append((field.name, mirrored | msgspec.UnsetType, msgspec.UNSET))
            else:
                fields.append((field.name, mirrored, field.default))
        if tag is not None:
            fields += [("schema", Literal[SCHEMA]), ("hash", str, "")]
        made = msgspec.defstruct(
            f"{cls.__name__}Record",
            fields,
            kw_only=True,
            forbid_unknown_fields=True,
            tag_field="kind" if tag is not None else None,
            tag=tag,
            frozen=tag is None,  # nested records are the keys of the shared-instance caches
            gc=False,
        )
        self._structs[cls] = made
        return made

    def _type(self, type_: Any) -> Any:
        if type_ not in self._types:
            self._types[type_] = self._mirror_type(type_)
        return self._types[type_]

    def _mirror_type(self, type_: Any) -> Any:
        if type_ in (str, bool) or get_origin(type_) is Literal:
            return type_
        if type_ == TermValue:
            return bool | _INT | float | str
        if type_ is int:
            return _INT
        if type_ in (datetime, timedelta):
            return str
        if _is_optional(type_):
            return self._type(_inner(type_)) | None
        if get_origin(type_) is tuple and get_args(type_)[1:] == (...,):
            item = get_args(type_)[0]
            if item is Requirement:  # an id, or an object with id and decision
                return tuple[str | self.struct(Requirement), ...]  # type: ignore[misc]
            return tuple[self._type(item), ...]  # type: ignore[misc]
        if attrs.has(type_):
            return self.struct(type_)
        msg = f"sim.codec reads no field of type {type_!r} in one pass: add it to _Mirrors"
        raise NotImplementedError(msg)

    def builder(self, cls: type[Any], *, whole: bool = False) -> Callable[[Any], Any]:
        """The function that makes a ``cls`` from its mirror.

        Each value the mirror keeps in another form (a time as text, a nested record as its
        mirror) goes through the same function as on the plain path, and the class's own
        ``__init__`` (validators and all) makes the event.  Like cattrs and attrs, it is
        generated: straight-line code that passes only the values that are not the field's
        default (a call with a few keywords costs much less than one with all of them).

        An event's builder comes in two forms that make the same event: by default the
        envelope's values are gathered by one function that every kind's builder calls (each
        kind compiles only its own few fields: a command that reads a short log starts
        sooner); ``whole`` compiles the envelope into the kind's builder (about 0.8 us less a
        record, which a long log repays: see :func:`_warming`).
        """
        key = (cls, whole)
        made = self._builders.get(key)
        if made is not None:
            return made
        fields = _fields(cls)
        scope: dict[str, Any] = {"cls": cls}
        if cls in _EVENT_CLASSES and not whole:
            envelope = {field.name for field, _ in _fields(EventBase)}
            fields = tuple((field, type_) for field, type_ in fields if field.name not in envelope)
            if self._envelope is None:
                self._envelope = self._gather(_fields(EventBase), "envelope")
            scope["envelope"] = self._envelope
            lines = ["    v = envelope(m)", *self._lines(fields, scope, start="v.update")]
        else:
            lines = self._lines(fields, scope, start="v = ")
        source = "\n".join(["def build(m):", *lines, "    return cls(**v)"])
        build: Callable[[Any], Any] = _compiled(source, scope, f"build {cls.__qualname__}")
        made = _shared_by_key(build) if cls in (Channel, Source) else build
        self._builders[key] = made
        return made

    def _gather(self, fields: Any, name: str) -> Callable[[Any], dict[str, Any]]:
        """A function of a mirror that returns the values of ``fields`` as :meth:`builder`
        passes them."""
        scope: dict[str, Any] = {}
        lines = self._lines(fields, scope, start="v = ")
        source = "\n".join(["def gather(m):", *lines, "    return v"])
        gather: Callable[[Any], dict[str, Any]] = _compiled(source, scope, name)
        return gather

    def _lines(self, fields: Any, scope: dict[str, Any], *, start: str) -> list[str]:
        """The code that puts the values of ``fields`` (those not at their default) in ``v``:
        the required ones by ``start`` (an assignment or an update), then the others."""
        scope["UNSET"] = msgspec.UNSET
        required: list[str] = []
        optional: list[str] = []
        for field, type_ in fields:
            name = field.name
            fix = self._fix(type_)
            scope[f"fix_{name}"] = fix
            if field.default is attrs.NOTHING:
                required.append(f"{name!r}: " + (f"fix_{name}(m.{name})" if fix else f"m.{name}"))
                continue
            scope[f"default_{name}"] = field.default
            if _record_default(field):
                given = "x is not UNSET"
            elif field.default is None:
                given = "x is not None"
            elif field.default == ():
                given = "x"
            else:
                given = f"x != default_{name}"
            value = f"fix_{name}(x)" if fix else "x"
            optional += [f"    x = m.{name}", f"    if {given}:", f"        v[{name!r}] = {value}"]
        if start == "v = ":
            head = ["    v = {" + ", ".join(required) + "}"]
        else:
            head = ["    v.update({" + ", ".join(required) + "})"] if required else []
        return head + optional

    def _fix(self, type_: Any) -> Callable[[Any], Any] | None:
        """How a mirror's value of ``type_`` becomes the field's value (``None``: as it is)."""
        if type_ not in self._fixes:
            self._fixes[type_] = self._make_fix(type_)
        return self._fixes[type_]

    def _make_fix(self, type_: Any) -> Callable[[Any], Any] | None:
        if type_ is datetime:
            return _time
        if type_ is timedelta:
            return parse_span
        if _is_optional(type_):
            return self._fix(_inner(type_))
        if get_origin(type_) is tuple:
            item = get_args(type_)[0]
            if item is Requirement:
                return _links
            each = self._fix(item)
            return None if each is None else functools.partial(_each, each)
        if attrs.has(type_):
            return self.builder(type_)
        return None


def _compiled(source: str, scope: dict[str, Any], name: str) -> Any:
    """The function ``source`` defines, made in ``scope`` (code generated by :class:`_Mirrors`
    from the fields of sim's own record classes)."""
    exec(compile(source, f"<sim.codec: {name}>", "exec"), scope)  # noqa: S102
    return scope[source[4 : source.index("(")]]


def _inner(optional: Any) -> Any:
    return next(arg for arg in get_args(optional) if arg is not NoneType)


def _each(fix: Callable[[Any], Any], values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(map(fix, values))


def _time(text: str) -> datetime:
    return _structure_datetime(text, datetime)


def _links(items: tuple[Any, ...]) -> tuple[Requirement, ...]:
    return tuple(
        Requirement(id=item)
        if type(item) is str
        else Requirement(id=item.id, decision=item.decision)
        for item in items
    )


def _shared_by_key(build: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``build`` behind a cache keyed by the (frozen, hashable) mirror: equal nested records
    decode to one shared frozen instance, as on the plain path."""
    made: dict[Any, Any] = {}

    def cached(mirror: Any) -> Any:
        found = made.get(mirror)
        if found is None:
            found = build(mirror)
            if len(made) < _SHARED_MAX:
                made[mirror] = found
        return found

    return cached


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


# ------------------------------------------------------------------------------------ manifests

_MANIFEST_TABLES: Final[Mapping[str, tuple[str, bool]]] = {
    "scenario": ("a table [scenario]", False),
    "party": ("an array of tables [[party]]", True),
    "actor": ("an array of tables [[actor]]", True),
    "milestone": ("an array of tables [[milestone]]", True),
    "source": ("an array of tables [[source]]", True),
    "operation": ("an array of tables [[operation]]", True),
}
"""A manifest's tables: what each must be, and whether it is an array of tables."""

_TEXT: Final = "text"
_TEXTS: Final = "a list of text"
_BOOL: Final = "true or false"
_MANIFEST_KEYS: Final[Mapping[str, Mapping[str, tuple[str, bool]]]] = {
    "scenario": {
        "title": (_TEXT, True),
        "summary": (_TEXT, False),
        "languages": (_TEXTS, False),
        "timezone": (_TEXT, False),
    },
    "party": {
        "id": (_TEXT, True),
        "name": (_TEXT, True),
        "colour": (_TEXT, False),
        "tint": (_TEXT, False),
        "plover": (_TEXT, True),
        "sector": (_TEXT, False),
        "identifier": (_TEXT, False),
        "belligerent": (_BOOL, False),
    },
    "actor": {
        "id": (_TEXT, True),
        "parties": (_TEXTS, False),
        "plover": (_TEXT, False),
        "sector": (_TEXT, False),
        "belligerent": (_BOOL, False),
    },
    "milestone": {
        "name": (_TEXT, True),
        "description": (_TEXT, False),
        "reached": (_BOOL, False),
    },
    "source": {
        "document": (_TEXT, True),
        "file": (_TEXT, True),
        "title": (_TEXT, False),
        "publisher": (_TEXT, False),
        "date": (_TEXT, False),
        "language": (_TEXT, False),
        "citation": (_TEXT, False),
    },
    "operation": {
        "id": (_TEXT, True),
        "name": (_TEXT, True),
    },
}
"""Each table's keys: the type each holds, and whether it is required."""

_SLUG: Final = re.compile(r"[a-z0-9][a-z0-9_.-]*\Z")
_COLOUR: Final = re.compile(r"#[0-9a-fA-F]{6}\Z")


def _toml_type(value: object) -> str:
    names = {bool: "true or false", int: "a number", float: "a number", str: "text"}
    if type(value) in names:
        return f"{names[type(value)]} {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _manifest_fault(  # noqa: PLR0917 (where, what was expected and found, as a message reads)
    path: str, key: str, expected: str, found: str, what: str, hint: str | None = None
) -> SimError:
    return SimError(
        what=f"{what}: {key}",
        path=path,
        expected=expected,
        found=found,
        hint=hint or "see the README, 'Bring your own negotiation', for the manifest's tables",
        code="bad-manifest",
    )


def _manifest_rows(path: str, data: dict[str, Any], table: str) -> list[tuple[str, dict[str, Any]]]:
    """The rows of one table, each with where it is (``party[2]``), checked key by key."""
    value = data.get(table, [])
    expected, many = _MANIFEST_TABLES[table]
    if many:
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            raise _manifest_fault(path, table, expected, _toml_type(value), "wrong type")
        found = [(f"{table}[{i + 1}]", row) for i, row in enumerate(value)]
    elif not isinstance(value, dict):
        raise _manifest_fault(path, table, expected, _toml_type(value), "wrong type")
    else:
        found = [(table, value)]
    for where, row in found:
        _manifest_keys(path, table, where, row)
    return found


def _manifest_keys(path: str, table: str, where: str, row: dict[str, Any]) -> None:
    keys = _MANIFEST_KEYS[table]
    for key in row:
        if key not in keys:
            near = did_you_mean(key, keys)
            raise _manifest_fault(
                path, f"{where}.{key}", "one of " + ", ".join(keys), f"key {key!r}",
                "unknown key", near,
            )  # fmt: skip
    for key, (kind, required) in keys.items():
        if key not in row:
            if required:
                raise _manifest_fault(path, f"{where}.{key}", kind, "none", "missing key")
            continue
        value = row[key]
        good = (
            (kind == _TEXT and isinstance(value, str))
            or (kind == _BOOL and isinstance(value, bool))
            or (
                kind == _TEXTS
                and isinstance(value, list)
                and all(isinstance(v, str) for v in value)
            )
        )
        if not good:
            raise _manifest_fault(path, f"{where}.{key}", kind, _toml_type(value), "wrong type")
    slug = (
        "id"
        if table in ("party", "actor", "operation")
        else "name"
        if table == "milestone"
        else None
    )
    if slug is not None and not _SLUG.match(row[slug]):
        raise _manifest_fault(
            path, f"{where}.{slug}", "a slug: lowercase letters, digits, '_', '.' or '-'",
            repr(row[slug]), "bad value",
        )  # fmt: skip
    for key in ("colour", "tint"):
        if key in row and not _COLOUR.match(row[key]):
            raise _manifest_fault(
                path, f"{where}.{key}", "a colour '#rrggbb'", repr(row[key]), "bad value"
            )
    if table == "scenario" and "timezone" in row:
        try:
            parse_zone(row["timezone"])
        except SimError:
            raise _manifest_fault(
                path, f"{where}.timezone", '"UTC", "own", an offset such as "-05:00" or an IANA '
                'zone such as "America/Bogota"', repr(row["timezone"]), "bad value",
            ) from None  # fmt: skip
    if table == "source" and (
        not row["file"]
        or row["file"].startswith((".", "/"))
        or "/" in row["file"]
        or "\\" in row["file"]
    ):
        raise _manifest_fault(
            path, f"{where}.file", "a file name in the history's sources/ folder",
            repr(row["file"]), "bad value",
        )  # fmt: skip
    if table == "party" and "_" in row["id"]:
        raise _manifest_fault(
            path, f"{where}.id", "a party id without '_' (the party is the part of an actor id "
            "before its first underscore)", repr(row["id"]), "bad value",
        )  # fmt: skip


def _manifest_unique(
    path: str, table: str, key: str, found: list[tuple[str, dict[str, Any]]]
) -> None:
    seen: dict[str, str] = {}
    for where, row in found:
        if row[key] in seen:
            raise _manifest_fault(
                path, f"{where}.{key}", f"each {table} once",
                f"{row[key]!r} again (first at {seen[row[key]]})", f"duplicate {table}",
            )  # fmt: skip
        seen[row[key]] = where


def decode_manifest(data: object, *, path: str = "scenario.toml") -> Manifest:
    """A :class:`sim.manifest.Manifest` from a parsed ``scenario.toml``, every table and key
    checked: a missing key, a key of the wrong type, an unknown table or key, a duplicate
    party, actor, milestone or source, a party a compound actor names that is not listed, or
    a colour that is not ``#rrggbb`` is a :class:`SimError` naming the file, the key
    (``party[2].name``), what was expected and what was found (exit 2, ``bad-manifest``)."""
    if not isinstance(data, dict):
        raise _manifest_fault(path, "(the file)", "TOML tables", _toml_type(data), "bad manifest")
    for table in data:
        if table not in _MANIFEST_TABLES:
            raise _manifest_fault(
                path, table, "one of " + ", ".join(_MANIFEST_TABLES), f"table {table!r}",
                "unknown table", did_you_mean(table, _MANIFEST_TABLES),
            )  # fmt: skip
    if "scenario" not in data:
        raise _manifest_fault(
            path, "scenario", "a table [scenario] with a title", "none", "missing key"
        )
    scenario = _manifest_rows(path, data, "scenario")[0][1]
    tables = {
        t: _manifest_rows(path, data, t)
        for t in ("party", "actor", "milestone", "source", "operation")
    }
    for table, key in (
        ("party", "id"),
        ("actor", "id"),
        ("milestone", "name"),
        ("operation", "id"),
    ):
        _manifest_unique(path, table, key, tables[table])
    _manifest_unique(path, "source", "document", tables["source"])
    ids = [row["id"] for _, row in tables["party"]]
    for where, row in tables["actor"]:
        for i, party in enumerate(row.get("parties", [])):
            if party not in ids:
                raise _manifest_fault(
                    path, f"{where}.parties[{i + 1}]", "a party of [[party]]", repr(party),
                    "unknown party", did_you_mean(party, ids),
                )  # fmt: skip
    return _manifest_of(scenario, tables, path)


def _manifest_of(
    scenario: dict[str, Any], tables: dict[str, list[tuple[str, dict[str, Any]]]], path: str
) -> Manifest:
    parties = []
    for i, (_, row) in enumerate(tables["party"]):
        colour = row.get("colour", PALETTE[i % len(PALETTE)])
        parties.append(
            Party(
                id=row["id"],
                name=row["name"],
                colour=colour,
                tint=row.get("tint", tint_of(colour)),
                plover=row["plover"] or None,
                sector=row.get("sector") or None,
                identifier=row.get("identifier"),
                belligerent=row.get("belligerent", False),
            )
        )
    return Manifest(
        title=scenario["title"],
        summary=scenario.get("summary", ""),
        languages=tuple(scenario.get("languages", ())),
        timezone=scenario.get("timezone"),
        parties=tuple(parties),
        actors=tuple(
            Actor(
                id=row["id"],
                parties=tuple(row.get("parties", ())),
                plover=row.get("plover"),
                sector=row.get("sector"),
                belligerent=row.get("belligerent"),
            )
            for _, row in tables["actor"]
        ),
        milestones=tuple(
            Milestone(
                name=row["name"],
                description=row.get("description", ""),
                reached=row.get("reached", True),
            )
            for _, row in tables["milestone"]
        ),
        sources=tuple(
            SourceDoc(**{k: row[k] for k in _MANIFEST_KEYS["source"] if k in row})
            for _, row in tables["source"]
        ),
        operations=tuple((row["id"], row["name"]) for _, row in tables["operation"]),
        path=path,
    )

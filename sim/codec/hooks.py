"""The converter: one cattrs converter between events and plain JSON records, and its hooks.

Each hook says what it expected and what it found, in words :mod:`sim.codec.faults` passes on.
Three converters share the hooks: :data:`converter` (fast, for records that are right),
:func:`explainer` (cattrs' detailed validation, run only to explain a bad record) and
:func:`from_json` (for records just parsed from JSON, sharing repeated sources and channels).
Per-class hooks are generated on first use, from the fields' types as :func:`record_fields`
resolves them.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from types import NoneType, UnionType
from typing import Any, Final, Literal, Union, get_args, get_origin

import attrs
import cattrs
import orjson
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from sim.events import (
    EVENT_TYPES,
    Alternative,
    Channel,
    RequiredDecision,
    Requirement,
    Source,
    Term,
    TermValue,
)
from sim.times import format_span, parse_span

__all__ = [
    "EVENT_CLASSES",
    "SHARED_MAX",
    "Hook",
    "converter",
    "explainer",
    "from_json",
    "inner",
    "is_optional",
    "json_hook",
    "record_fields",
    "structure_datetime",
    "structure_hook",
]

Hook = Callable[[Any, Any], Any]
"""A cattrs structure function: ``(value, type) -> structured value``."""


def structure_datetime(value: object, _type: object) -> datetime:
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


def is_optional(type_: object) -> bool:
    """Whether ``type_`` is ``X | None``."""
    args = get_args(type_)
    return get_origin(type_) in (Union, UnionType) and len(args) == 2 and NoneType in args


def _optional(conv: cattrs.Converter) -> Callable[[Any], Hook]:
    """``X | None`` structured by ``X``'s own hook, bound once (cattrs looks it up per value)."""

    def factory(type_: Any) -> Hook:
        inner_type = inner(type_)
        hook = conv.get_structure_hook(inner_type)

        def structure(value: object, _type: object) -> Any:
            return None if value is None else hook(value, inner_type)

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
            if len(made) < SHARED_MAX:
                made[key] = found
        return found

    return cached


SHARED_MAX: Final = 4096
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
    conv.register_structure_hook(datetime, structure_datetime)
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
        conv.register_structure_hook_factory(is_optional, _optional(conv))
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
            closed = not (json_only and cls in EVENT_CLASSES)
            hook = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=closed)
            if json_only and cls in (Channel, Source):
                hook = _shared(hook)
            structure_hooks[cls] = hook
        return hook

    conv.register_unstructure_hook_factory(_is_record_class, unstructure_factory)
    conv.register_structure_hook_factory(_is_record_class, structure_factory)
    return conv


EVENT_CLASSES: Final = frozenset(EVENT_TYPES.values())
_RECORD_CLASSES: Final = EVENT_CLASSES | {Alternative, Channel, Source, Term}
"""The classes whose records the codec writes and reads (:class:`Requirement` has its own
hooks: a link is an id or an object)."""


def _is_record_class(type_: object) -> bool:
    return isinstance(type_, type) and type_ in _RECORD_CLASSES


converter: Final = _make_converter(detailed=False)
"""The converter between events and plain records: fast, for records that are right."""


@functools.cache
def explainer() -> cattrs.Converter:
    """The same converter with cattrs' detailed validation, run only to explain a bad record."""
    return _make_converter(detailed=True)


@functools.cache
def from_json() -> cattrs.Converter:
    """The fast converter for records just parsed from JSON, sharing repeated sources and
    channels."""
    return _make_converter(detailed=False, json_only=True)


@functools.cache
def structure_hook(kind: str) -> Hook:
    """Kind ``kind``'s structure function, looked up once (``converter.structure`` dispatches
    per call)."""
    return converter.get_structure_hook(EVENT_TYPES[kind])


@functools.cache
def json_hook(kind: str) -> tuple[Hook, frozenset[str]]:
    """For the JSON converter: kind ``kind``'s structure function and the keys its records may
    have."""
    cls = EVENT_TYPES[kind]
    keys = frozenset(field.name for field in attrs.fields(cls) if field.init)
    return from_json().get_structure_hook(cls), keys


def record_fields(cls: type[Any]) -> tuple[tuple[attrs.Attribute[Any], Any], ...]:
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


def inner(optional: Any) -> Any:
    """``X`` of ``X | None``."""
    return next(arg for arg in get_args(optional) if arg is not NoneType)

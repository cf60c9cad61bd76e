"""The one-pass line decoder: msgspec parses a current log line straight into a typed mirror of
its kind's record, and generated code makes the event from the mirror.

:func:`sim.codec.decode_line` uses it where it can; anything a mirror does not take as it stands
goes the plain way (:func:`sim.codec.decode_parsed`), so this path only ever accepts what the
plain one accepts, and makes the same event of it.  Each value a mirror keeps in another form (a
time as text, a nested record as its mirror) is made by the same function as on the plain path.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from types import NoneType
from typing import Annotated, Any, Final, Literal, Union, get_args, get_origin

import attrs
import msgspec
import orjson

from sim.codec.chain import stored_line
from sim.codec.hooks import (
    EVENT_CLASSES,
    SHARED_MAX,
    inner,
    is_optional,
    record_fields,
    structure_datetime,
)
from sim.codec.versions import SCHEMA
from sim.events import EVENT_TYPES, Channel, EventBase, Requirement, Source, TermValue
from sim.times import parse_span

__all__ = ["_WARM", "_Mirrors", "_as_written", "_line_decoder"]

_INT: Final = Annotated[int, msgspec.Meta(ge=-(1 << 63), le=(1 << 63) - 1)]
"""An integer within 64 bits: beyond them orjson reads a float, which an integer field refuses;
msgspec would read the integer, so the mirror leaves those to the plain path (which also takes
the few unsigned 64-bit integers above this range)."""

_SIMPLE_DEFAULT: Final = (str, int, bool, tuple, NoneType)


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
        for field, type_ in record_fields(cls):
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
        if is_optional(type_):
            return self._type(inner(type_)) | None
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
        fields = record_fields(cls)
        scope: dict[str, Any] = {"cls": cls}
        if cls in EVENT_CLASSES and not whole:
            envelope = {field.name for field, _ in record_fields(EventBase)}
            fields = tuple((field, type_) for field, type_ in fields if field.name not in envelope)
            if self._envelope is None:
                self._envelope = self._gather(record_fields(EventBase), "envelope")
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
        if is_optional(type_):
            return self._fix(inner(type_))
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


def _each(fix: Callable[[Any], Any], values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(map(fix, values))


def _time(text: str) -> datetime:
    return structure_datetime(text, datetime)


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
            if len(made) < SHARED_MAX:
                made[mirror] = found
        return found

    return cached

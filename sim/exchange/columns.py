"""The CSV's columns: which field of which kind each column holds, and how a cell holds a
field's value.

One column per field (nested fields as ``source.quote``, ``channel.via``), found from the
fields' types as the codec resolves them (:func:`sim.codec.hooks.record_fields`).  A cell holds
the JSON value its field takes: text, ``true`` or ``false``, a whole number, a list (a JSON
array, or ``a; b``), a list of records (a JSON array of objects); an empty cell is the field's
default.  A text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is written with a leading ``'``, taken off again on
the way in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final, Literal, get_args, get_origin

import attrs
import orjson

from sim.codec import duplicate_fault
from sim.codec.hooks import inner, is_optional, record_fields
from sim.codec.versions import TERM_SHEET
from sim.events import EVENT_TYPES, Channel, EventBase, Requirement, Source

__all__ = [
    "ABSENT",
    "CSV_COLUMNS",
    "KIND_FIELDS",
    "REQUIRED_COLUMNS",
    "TERM_COLUMNS",
    "CellError",
    "Field",
    "cell",
    "flatten",
    "put",
    "value_of",
]

_NESTED: Final[frozenset[type[Any]]] = frozenset({Source, Channel})
"""The records whose fields have a column each (``source.quote``)."""


@attrs.frozen
class Field:
    """One CSV column as one kind reads it: the record path, the field's type (``X`` for
    ``X | None``), and whether a row needs it."""

    path: tuple[str, ...]
    type: Any
    required: bool


def _fields_of(cls: type[Any], prefix: tuple[str, ...] = ()) -> list[Field]:
    out: list[Field] = []
    for attribute, type_ in record_fields(cls):
        kind = inner(type_) if is_optional(type_) else type_
        path = (*prefix, attribute.name)
        if kind in _NESTED:
            out.extend(_fields_of(kind, path))
            continue
        required = attribute.default is attrs.NOTHING and not prefix
        if prefix == ("source",) and attribute.name == "document":
            required = True
        out.append(Field(path, kind, required))
    return out


def _layout() -> tuple[tuple[str, ...], dict[str, dict[str, Field]]]:
    columns: dict[str, None] = {"kind": None}
    for field in _fields_of(EventBase):
        columns[".".join(field.path)] = None
    by_kind: dict[str, dict[str, Field]] = {}
    for kind, cls in EVENT_TYPES.items():
        fields = {".".join(f.path): f for f in _fields_of(cls)}
        by_kind[kind] = {**fields, **_legacy_columns(fields)}
        for name in fields:
            columns[name] = None
    return tuple(columns), by_kind


def _legacy_columns(fields: Mapping[str, Field]) -> dict[str, Field]:
    """Columns of exports written before record version 3 or 4, read with their old meaning: a
    ``causes`` cell is what ``answers`` is now (the row is lifted as a version-2 record); an
    offer's ``terms.pause_days`` and the other cells of version 3's term sheet are lifted to
    named terms (the row is lifted as a version-3 record)."""
    answers = fields["answers"]
    legacy = {"causes": attrs.evolve(answers, path=("causes",))}
    if "terms" in fields:
        legacy |= {
            f"terms.{name}": Field(("terms", name), type_, required=False)
            for name, type_ in TERM_SHEET.items()
        }
    return legacy


CSV_COLUMNS, KIND_FIELDS = _layout()
"""The CSV's columns in order: ``kind``, the envelope, then each kind's own fields; and for
each kind, its columns by name (with the columns of older exports)."""
TERM_COLUMNS: Final = frozenset(f"terms.{name}" for name in TERM_SHEET)
REQUIRED_COLUMNS: Final = ("kind", "id", "at", "source.document")
FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")

# ------------------------------------------------------------------------------------ cells


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A record's values by column name (``source.quote``)."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def cell(value: Any) -> str:
    """A record's value as its cell's text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    text = str(value)
    if text.startswith((*FORMULA, "'")):
        return "'" + text
    return text


ABSENT: Final = object()
"""What :func:`value_of` gives for an empty cell: the field keeps its default."""


class CellError(ValueError):
    """A cell that cannot be read as its field's value (the caller adds row and column)."""


def value_of(field: Field, text: str) -> Any:
    """The JSON value a cell holds for ``field`` (:data:`ABSENT`: the field's default): the
    codec checks it as it checks a log line's."""
    kind = field.type
    if text == "" and kind is not str:
        return ABSENT
    if kind is str or get_origin(kind) is Literal:
        if text == "":
            return "" if field.required else ABSENT
        if text.startswith("'") and text[1:2] in (*FORMULA, "'"):
            return text[1:]
        return text
    stripped = text.strip()
    if kind is bool:
        lowered = stripped.lower()
        if lowered not in ("true", "false"):
            msg = f"expected true or false, found {text!r}"
            raise CellError(msg)
        return lowered == "true"
    if kind is int:
        try:
            return int(stripped)
        except ValueError:
            msg = f"expected a whole number, found {text!r}"
            raise CellError(msg) from None
    if kind in (datetime, timedelta):
        return stripped  # the codec reads it (and says what is wrong with it)
    if get_origin(kind) is tuple:
        return _list(stripped, get_args(kind)[0])
    msg = f"cannot read a value of type {kind!r}"
    raise CellError(msg)  # pragma: no cover (no such field)


def _list(text: str, item: Any) -> list[Any]:
    """A list cell: a JSON array (of records, for a list of records), or ``a; b``."""
    records = item is not str and item is not Requirement
    if text.startswith("["):
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            msg = f"expected a JSON array, found {text!r}"
            raise CellError(msg) from None
        repeated = duplicate_fault(text.encode()) if item is not str else None
        if repeated is not None:
            raise CellError(repeated.what)
        if item is str and not all(isinstance(v, str) for v in value):
            msg = f"expected an array of strings, found {text!r}"
            raise CellError(msg)
        if records and not all(isinstance(v, dict) for v in value):
            msg = f"expected an array of objects, found {text!r}"
            raise CellError(msg)
        return list(value)
    if records:
        msg = f"expected a JSON array of records, found {text!r}"
        raise CellError(msg)
    return [part.strip() for part in text.split(";") if part.strip()]


def put(record: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set ``value`` at ``path`` in ``record``, making the nested records on the way."""
    target = record
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value

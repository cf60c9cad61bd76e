"""The codec's messages: what is wrong with a file's bytes, its JSON, or a record.

Each fault is one :class:`SimError` saying where (the line and column of bad bytes, bad JSON or
a repeated key; the field of a bad record), what was expected and what was found.  A bad record
is explained by the detailed converter (:func:`sim.codec.hooks.explainer`), in the words of the
hooks; :func:`refused_field` names the one field to blame, for readers that point at it (a CSV
row's column).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final, Literal, get_args, get_origin

import attrs
import cattrs
import orjson
from cattrs.v import format_exception

from sim.codec.hooks import converter, explainer, inner, is_optional, record_fields
from sim.codec.versions import lift
from sim.errors import SimError, did_you_mean
from sim.events import EVENT_TYPES, Event

__all__ = [
    "duplicate_fault",
    "invalid_event",
    "json_fault",
    "json_type",
    "refused_field",
    "text_fault",
]

_BOM: Final = b"\xef\xbb\xbf"
_TOKENS: Final = re.compile(rb'"(?:[^"\\]|\\.)*"\s*:?|[{}]')

# ------------------------------------------------------------------------------------ bytes, JSON


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


def json_fault(raw: bytes, exc: orjson.JSONDecodeError) -> SimError:
    """The fault of ``raw``, which orjson refused with ``exc``: bad bytes, no value, or bad
    JSON at a line and column."""
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


def json_type(value: object) -> str:
    """What a JSON value is, in words (``an array``, ``null``)."""
    names = {list: "an array", str: "a string", int: "a number", float: "a number"}
    if value is None:
        return "null"
    return names.get(type(value), type(value).__name__)


# ------------------------------------------------------------------------------------ records


def invalid_event(fields: dict[str, Any], kind: str) -> SimError:
    """The fault of a record of kind ``kind`` (current version, without ``schema`` and
    ``hash``) that its class refuses: every problem, with a hint listing the kind's fields."""
    cls = EVENT_TYPES[kind]
    label = f"event {fields['id']!r}" if isinstance(fields.get("id"), str) else "event"
    hint = f"{kind} takes {_field_list(cls)}"
    if "causes" in fields:
        hint = (
            "since record version 3 a link is typed: requires, answers or after"
            " (a version-2 cause is an answers link); " + hint
        )
    return SimError(
        what=f"invalid {kind} {label}: {_explain(fields, cls)}",
        hint=_near_fields(fields, cls) + hint,
        code="invalid-event",
    )


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


def _explain(fields: dict[str, Any], cls: type[Event]) -> str:
    """Every problem the detailed converter finds in ``fields``, in its hooks' words."""
    try:
        explainer().structure(fields, cls)
    except Exception as exc:  # noqa: BLE001  (cattrs raises several types; all are explained)
        return _describe(exc)
    return "it does not fit its kind"  # pragma: no cover (the fast path agreed with this one)


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


def refused_field(record: object) -> tuple[str, ...]:
    """Where :func:`sim.codec.decode_event` refuses ``record``: the path of the first field, in
    its class's order, that is missing or whose value the field's type or validator refuses
    (``("source", "paragraph")``: nested records are looked into, lists are not), else of the
    first unknown key; ``("kind",)`` for a missing or unknown kind; ``()`` when no field is to
    blame (not an object, a record version this code cannot read).

    The record is lifted to the current version first, so a path names a current field (an
    older record's ``causes`` is blamed as ``answers``).
    """
    if not isinstance(record, dict):
        return ()
    try:
        record = lift(record)
    except SimError:
        return ()
    kind = record.get("kind")
    if not isinstance(kind, str) or kind not in EVENT_TYPES:
        return ("kind",)
    return _refused(record, EVENT_TYPES[kind])


def _refused(record: Mapping[str, Any], cls: type[Any]) -> tuple[str, ...]:
    names = {"kind", "schema", "hash"}
    for field, type_ in record_fields(cls):
        names.add(field.name)
        if field.name not in record:
            if field.default is attrs.NOTHING:
                return (field.name,)
            continue
        value = record[field.name]
        nested = inner(type_) if is_optional(type_) else type_
        if type(value) is dict and attrs.has(nested):
            below = _refused(value, nested)
            if below:
                return (field.name, *below)
        try:
            made = converter.structure(value, type_)
            if field.validator is not None:
                field.validator(None, field, made)
        except Exception:  # noqa: BLE001  (whatever refuses the value, the field is to blame)
            return (field.name,)
    unknown = [key for key in record if key not in names]
    return (unknown[0],) if unknown else ()

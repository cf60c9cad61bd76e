"""Exchange with political event data: PLOVER and CAMEO records out, a flat CSV out and back in.

- **PLOVER** (the manual's draft 2.0): one JSON object per event that took effect, with the
  fields the manual names (``id``, ``date``, ``actor``, ``recipient``, ``event``, ``mode``,
  ``context``, ``event_text``, ``cite_info``, ...; ``event``, ``mode``, ``context`` and
  ``event_text`` are lists).  ``context`` holds the topical context of the event's CAMEO code
  and ``historical`` for the record or ``hypothetical`` for a what-if.  Event types, modes,
  contexts and actor codes come from :mod:`sim.codes`, and :func:`plover_problems` checks a
  record against the manual's rules.
- **CAMEO**: the same events with their CAMEO verb code, kept as a string (``"045"``).
- **CSV**: every field of every event, one row per event, one column per field (nested fields
  as ``source.quote``, ``channel.via``, ``terms.pause_days``), so that a spreadsheet can carry a
  log and :func:`read_csv` can rebuild it.  Lists are JSON arrays in their cell (``a; b`` is
  accepted on the way in); ``alternatives`` is a JSON array of records; an empty cell is the
  field's default.  A text cell that a spreadsheet would run as a formula (it starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading ``'``, which
  :func:`read_csv` takes off again.

Reading a CSV validates every row through :func:`sim.codec.decode_event`, the check every log
line passes, and reports the first fault with the file, the row and the column.
"""

from __future__ import annotations

import csv
import io
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal, Union, get_args, get_origin, get_type_hints

import attrs
import orjson

from sim.codec import decode_event, duplicate_fault, encode_event
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
from sim.errors import SimError, did_you_mean
from sim.events import EVENT_TYPES, Channel, Event, EventBase, Requirement, Source
from sim.files import read_regular
from sim.fold import Trajectory
from sim.manifest import Manifest
from sim.parties import party_of

__all__ = [
    "CSV_COLUMNS",
    "Context",
    "cameo_records",
    "csv_text",
    "plover_problems",
    "plover_records",
    "read_csv",
    "read_csv_text",
    "uncodable",
]

Context = Literal["historical", "hypothetical"]

MAX_CSV: Final = 1 << 30
"""The largest CSV ``sim import`` reads (1 GiB, as for a log)."""

# ------------------------------------------------------------------------------------ PLOVER


def _citation(source: Source) -> str:
    return f"{source.document} ¶{source.paragraph}" if source.paragraph else source.document


def _taken(trajectory: Trajectory) -> Iterable[Event]:
    voided = trajectory.final.voided
    return (e for e in trajectory.events if e.id not in voided)


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
    cite: dict[str, Any] = {"codebook": CODEBOOK, "citation": _citation(event.source)}
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
        for e in _taken(trajectory)
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


# ------------------------------------------------------------------------------------ CAMEO


def cameo_records(trajectory: Trajectory, *, context: Context) -> list[dict[str, Any]]:
    """Each event that took effect with its CAMEO verb code (a string) and its dyad.

    ``source`` and ``target`` are the country codes of the first actor and the first recipient
    (CAMEO's dyadic convention; the first of a compound actor's codes); ``actors`` and
    ``recipients`` list them all.
    """
    records = []
    manifest = trajectory.scenario
    for event in _taken(trajectory):
        code = code_of(event, manifest)
        records.append(
            {
                "id": event.id,
                "date": event.at.date().isoformat(),
                "source": _dyad_code(event.actors, manifest),
                "target": _dyad_code(event.recipients, manifest),
                "cameo": code.cameo,
                "cameo_text": code.text,
                "plover": code.plover,
                "actors": list(event.actors),
                "recipients": list(event.recipients),
                "parties": sorted({party_of(a) for a in (*event.actors, *event.recipients)}),
                "context": context,
                "event_text": event.summary,
                "citation": _citation(event.source),
            }
        )
    return records


def _dyad_code(actors: Sequence[str], manifest: Manifest) -> str:
    found = entities(actors[0], manifest) if actors else []
    return found[0]["code"] if found else ""


# ------------------------------------------------------------------------------------ CSV layout

_NESTED: Final[dict[type[Any], str]] = {Source: "source", Channel: "channel"}


@attrs.frozen(kw_only=True)
class _TermSheet:
    """An offer's terms as record version 3 held them (exports before version 4 wrote them as
    ``terms.pause_days``, ...): read with their old meaning, lifted to named terms."""

    pause_days: int | None = None
    extendable: bool | None = None
    first_phase: str | None = None
    hostages: int | None = None
    further_releases: bool | None = None
    notes: tuple[str, ...] = ()


def _optional(hint: Any) -> tuple[Any, bool]:
    """``(inner type, whether None is allowed)`` of a type hint."""
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return hint, False


@attrs.frozen
class _Field:
    """One CSV column as one kind reads it: the record path, the type, and whether required."""

    path: tuple[str, ...]
    hint: Any
    nullable: bool
    required: bool
    attribute: Any


def _fields_of(cls: type[Any], prefix: tuple[str, ...] = ()) -> list[_Field]:
    hints = get_type_hints(cls)
    out: list[_Field] = []
    for attribute in attrs.fields(cls):
        if attribute.name == "kind" or not attribute.init:
            continue
        inner, nullable = _optional(hints[attribute.name])
        path = (*prefix, attribute.name)
        if inner in _NESTED:
            out.extend(_fields_of(inner, path))
            continue
        required = attribute.default is attrs.NOTHING and not prefix
        if prefix == ("source",) and attribute.name == "document":
            required = True
        out.append(_Field(path, inner, nullable, required, attribute))
    return out


def _layout() -> tuple[tuple[str, ...], dict[str, dict[str, _Field]]]:
    columns: dict[str, None] = {"kind": None}
    for field in _fields_of(EventBase):
        columns[".".join(field.path)] = None
    by_kind: dict[str, dict[str, _Field]] = {}
    for kind, cls in EVENT_TYPES.items():
        fields = {".".join(f.path): f for f in _fields_of(cls)}
        by_kind[kind] = {**fields, **_legacy_columns(fields)}
        for name in fields:
            columns[name] = None
    return tuple(columns), by_kind


def _legacy_columns(fields: Mapping[str, _Field]) -> dict[str, _Field]:
    """Columns of exports written before record version 3 or 4, read with their old meaning: a
    ``causes`` cell is what ``answers`` is now (the row is lifted as a version-2 record); an
    offer's ``terms.pause_days`` and the other cells of version 3's term sheet are lifted to
    named terms (the row is lifted as a version-3 record)."""
    answers = fields["answers"]
    legacy = {"causes": attrs.evolve(answers, path=("causes",))}
    if "terms" in fields:
        legacy |= {".".join(f.path): f for f in _fields_of(_TermSheet, ("terms",))}
    return legacy


CSV_COLUMNS, _KIND_FIELDS = _layout()
_TERM_COLUMNS: Final = frozenset(f"terms.{f.name}" for f in attrs.fields(_TermSheet))
"""The CSV's columns in order: ``kind``, the envelope, then each kind's own fields."""

_BASE_COLUMNS: Final = frozenset({"kind", *(".".join(f.path) for f in _fields_of(EventBase))})
_REQUIRED_COLUMNS: Final = ("kind", "id", "at", "source.document")
_FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")


def _flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    text = str(value)
    if text.startswith((*_FORMULA, "'")):
        return "'" + text
    return text


def csv_text(events: Iterable[Event]) -> str:
    """Events as CSV text: a header of :data:`CSV_COLUMNS`, then one row per event."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        record = _flatten(encode_event(event))
        record.pop("schema", None)
        writer.writerow([_cell(record.get(name)) for name in CSV_COLUMNS])
    return out.getvalue()


# ------------------------------------------------------------------------------------ CSV import


def read_csv(path: str | Path) -> tuple[Event, ...]:
    """The events of an analyst's CSV, each row validated; :class:`SimError` names the fault.

    The header needs ``kind``, ``id``, ``at`` and ``source.document``; any other column of
    :data:`CSV_COLUMNS` may be left out where no row needs it.  Ids must be unique and causes
    must name earlier rows.
    """
    file = Path(path)
    data = read_regular(file, limit=MAX_CSV, what="the CSV")
    assert data is not None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SimError(
            what="the CSV is not UTF-8 text",
            path=str(file),
            found=f"byte {exc.object[exc.start]:#04x} at offset {exc.start}",
            hint="save the spreadsheet as CSV UTF-8",
            code="invalid-utf8",
        ) from None
    return read_csv_text(text, path=str(file))


def _delimiter(text: str) -> tuple[str, str]:
    """The CSV's cell delimiter, and the text without Excel's ``sep=;`` line if it has one.

    The header names columns, which hold no ``,``, ``;`` or tab: whichever of them it holds
    most of separates the cells (Excel in much of Europe saves CSV with ``;``); ``,`` if none.
    """
    first, _, rest = text.partition("\n")
    if first.rstrip("\r").startswith("sep=") and len(first.rstrip("\r")) == 5:
        return first[4], rest
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return (best if counts[best] else ","), text


def read_csv_text(text: str, *, path: str = "<csv>") -> tuple[Event, ...]:
    """The events of CSV ``text`` (see :func:`read_csv`); ``path`` names it in errors.

    Cells may be separated by ``,`` (as ``sim export`` writes them), ``;`` or a tab: the
    header tells which.
    """
    delimiter, text = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise SimError(
                what="the CSV is empty", path=path, expected="a header row", code="invalid-csv"
            )
        header = [h.strip() for h in header]
        _check_header(header, path)
        events: list[Event] = []
        seen: set[str] = set()
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            event = _row_event(header, row, path, number)
            _check_links(event, seen, header, path, number)
            if events and event.at < events[-1].at:
                raise _fault(
                    path, number, header, "at",
                    f"dated before the row above it ({events[-1].at.isoformat()}): a log is "
                    "kept in time order; sort the rows by at",
                )  # fmt: skip
            seen.add(event.id)
            events.append(event)
    except csv.Error as exc:
        raise SimError(
            what=f"malformed CSV: {exc}",
            path=path,
            line=reader.line_num,
            hint="check the quoting",
            code="invalid-csv",
        ) from None
    if not events:
        raise SimError(
            what="the CSV has no events", path=path, expected="a row per event", code="invalid-csv"
        )
    return tuple(events)


def _check_header(header: Sequence[str], path: str) -> None:
    known = {*CSV_COLUMNS, "causes", *_TERM_COLUMNS}
    if "causes" in header and "answers" in header:
        raise SimError(
            what="columns 'causes' and 'answers' together",
            path=path,
            line=1,
            expected="'answers' (record version 3), or 'causes' as exports before it wrote",
        )
    old_terms = sorted(_TERM_COLUMNS.intersection(header))
    if old_terms and "terms" in header:
        raise SimError(
            what=f"columns 'terms' and {old_terms[0]!r} together",
            path=path,
            line=1,
            expected="'terms' (named terms, record version 4), or 'terms.pause_days' and the "
            "like as exports before it wrote",
            code="invalid-csv",
        )
    for index, name in enumerate(header, start=1):
        if name not in known:
            raise SimError(
                what=f"unknown column {name!r}",
                path=path,
                line=1,
                column=index,
                expected="columns named as `sim export --format csv` writes them",
                hint=did_you_mean(name, CSV_COLUMNS) or f"known columns: {', '.join(CSV_COLUMNS)}",
                code="invalid-csv",
            )
    duplicated = sorted({n for n in header if header.count(n) > 1})
    if duplicated:
        raise SimError(
            what=f"column {duplicated[0]!r} appears twice", path=path, line=1, code="invalid-csv"
        )
    for name in _REQUIRED_COLUMNS:
        if name not in header:
            raise SimError(
                what=f"missing column {name!r}",
                path=path,
                line=1,
                expected=f"a header with at least {', '.join(_REQUIRED_COLUMNS)}",
                found=", ".join(header),
                code="invalid-csv",
            )


def _fault(
    path: str,
    row: int,
    header: Sequence[str],
    column: str,
    what: str,
    *,
    code: str = "invalid-event",
) -> SimError:
    index = header.index(column) + 1 if column in header else None
    return SimError(
        what=f"row {row}, column {column!r}: {what}",
        path=path,
        line=row,
        column=index,
        code=code,
    )


def _row_event(header: Sequence[str], row: Sequence[str], path: str, number: int) -> Event:
    if len(row) > len(header):
        raise SimError(
            what=f"row {number} has {len(row)} cells for {len(header)} columns",
            path=path,
            line=number,
            code="invalid-csv",
        )
    cells = {name: row[i] if i < len(row) else "" for i, name in enumerate(header)}
    kind = cells.get("kind", "").strip()
    fields = _KIND_FIELDS.get(kind)
    if fields is None:
        found = f"unknown event kind {kind!r}" if kind else "no event kind"
        error = _fault(path, number, header, "kind", found, code="unknown-kind")
        raise attrs.evolve(
            error,
            expected="one of " + ", ".join(EVENT_TYPES),
            hint=did_you_mean(kind, EVENT_TYPES) if kind else None,
        )
    record: dict[str, Any] = {"kind": kind}
    for name, text in cells.items():
        if name == "kind":
            continue
        field = fields.get(name)
        if field is None:
            if text.strip():
                raise _fault(path, number, header, name, f"does not apply to a {kind} event")
            continue
        try:
            value = _parse(field, text)
            if (
                value is not _ABSENT
                and field.attribute.validator is not None
                and field.hint not in (datetime, timedelta)  # text: the codec reads it
            ):
                field.attribute.validator(None, field.attribute, value)
        except (_CellError, ValueError, TypeError) as exc:
            raise _fault(path, number, header, name, str(exc)) from None
        if value is not _ABSENT:
            _put(record, field.path, value)
    for name, field in fields.items():
        if field.required and name not in cells:
            raise _fault(path, number, header, name, f"a {kind} event needs this column")
    try:
        return decode_event(record)
    except SimError as exc:
        column = _column_named(exc.what, fields) or "kind"
        raise attrs.evolve(
            _fault(path, number, header, column, exc.what, code=exc.code or "invalid-event"),
            hint=exc.hint,
        ) from None


_ABSENT: Final = object()


class _CellError(ValueError):
    """A cell that cannot be read as its field's type (the caller adds row and column)."""


def _parse(field: _Field, text: str) -> Any:
    hint = field.hint
    if text == "" and hint is not str:
        return _ABSENT
    if hint is str or get_origin(hint) is Literal:
        if text == "":
            return "" if field.required else _ABSENT
        if text.startswith("'") and text[1:2] in (*_FORMULA, "'"):
            return text[1:]
        return text
    stripped = text.strip()
    if hint is bool:
        lowered = stripped.lower()
        if lowered not in ("true", "false"):
            msg = f"expected true or false, found {text!r}"
            raise _CellError(msg)
        return lowered == "true"
    if hint is int:
        try:
            return int(stripped)
        except ValueError:
            msg = f"expected a whole number, found {text!r}"
            raise _CellError(msg) from None
    if hint in (datetime, timedelta):
        return stripped  # the codec reads it (and says what is wrong with it)
    if get_origin(hint) is tuple:
        return _parse_list(stripped, get_args(hint)[0])
    msg = f"cannot read a value of type {hint!r}"
    raise _CellError(msg)  # pragma: no cover (no such field)


def _parse_list(text: str, item: Any) -> list[Any]:
    if text.startswith("["):
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            msg = f"expected a JSON array, found {text!r}"
            raise _CellError(msg) from None
        repeated = duplicate_fault(text.encode()) if item is not str else None
        if repeated is not None:
            raise _CellError(repeated.what)
        if not isinstance(value, list):  # pragma: no cover (a '[' opens an array or fails)
            msg = f"expected a JSON array, found {text!r}"
            raise _CellError(msg)
        if item is Requirement:
            return value  # ids or {"id": ..., "decision": ...}: the codec reads them
        if item is str and not all(isinstance(v, str) for v in value):
            msg = f"expected an array of strings, found {text!r}"
            raise _CellError(msg)
        if item is not str and not all(isinstance(v, dict) for v in value):
            msg = f"expected an array of objects, found {text!r}"
            raise _CellError(msg)
        return value
    if item is not str and item is not Requirement:
        msg = f"expected a JSON array of records, found {text!r}"
        raise _CellError(msg)
    return [part.strip() for part in text.split(";") if part.strip()]


def _put(record: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    target = record
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _column_named(message: str, fields: Mapping[str, _Field]) -> str | None:
    """The column a codec message is about: the longest column name it mentions."""
    found = [
        name for name in fields if re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", message)
    ]
    return max(found, key=len) if found else None


def _check_links(
    event: Event, seen: set[str], header: Sequence[str], path: str, number: int
) -> None:
    if event.id in seen:
        raise _fault(
            path, number, header, "id", f"duplicate event id {event.id!r}", code="duplicate-id"
        )
    for cause in event.causes:
        if cause not in seen:
            column = event.link_type(cause) or "answers"
            if column not in header and "causes" in header:
                column = "causes"  # an export written before record version 3
            raise _fault(
                path,
                number,
                header,
                column,
                f"link {cause!r} is not the id of an earlier row",
                code="unknown-cause",
            )

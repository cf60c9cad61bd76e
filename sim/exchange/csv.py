"""The CSV exchange: every field of every event, one row per event, so that a spreadsheet can
carry a log and :func:`read_csv` can rebuild it (the columns and cells: :mod:`.columns`).

Reading turns each row into the record a log line holds and decodes it with
:func:`sim.codec.decode_event`, the check every log line passes; a fault the codec finds is
reported at the row and at the column of the field it refuses (:func:`sim.codec.refused_field`).
Exports written before record versions 3 and 4 (a ``causes`` column, ``terms.pause_days`` and
the like) are read with their old meaning.  Ids must be unique, links must name earlier rows,
and rows must be in time order, as in a log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from sim.codec import decode_event, encode_event, refused_field
from sim.errors import SimError, did_you_mean
from sim.events import EVENT_TYPES, Event
from sim.exchange.columns import (
    ABSENT,
    CSV_COLUMNS,
    KIND_FIELDS,
    REQUIRED_COLUMNS,
    TERM_COLUMNS,
    CellError,
    Field,
    cell,
    flatten,
    put,
    value_of,
)
from sim.files import read_regular
from sim.graph import link_fault

__all__ = ["CSV_COLUMNS", "MAX_CSV", "csv_text", "read_csv", "read_csv_text"]

MAX_CSV: Final = 1 << 30
"""The largest CSV ``sim import`` reads (1 GiB, as for a log)."""


def csv_text(events: Iterable[Event]) -> str:
    """Events as CSV text: a header of :data:`CSV_COLUMNS`, then one row per event."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        record = flatten(encode_event(event))
        record.pop("schema", None)
        writer.writerow([cell(record.get(name)) for name in CSV_COLUMNS])
    return out.getvalue()


# ------------------------------------------------------------------------------------ reading


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
    known = {*CSV_COLUMNS, "causes", *TERM_COLUMNS}
    if "causes" in header and "answers" in header:
        raise SimError(
            what="columns 'causes' and 'answers' together",
            path=path,
            line=1,
            expected="'answers' (record version 3), or 'causes' as exports before it wrote",
        )
    old_terms = sorted(TERM_COLUMNS.intersection(header))
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
    for name in REQUIRED_COLUMNS:
        if name not in header:
            raise SimError(
                what=f"missing column {name!r}",
                path=path,
                line=1,
                expected=f"a header with at least {', '.join(REQUIRED_COLUMNS)}",
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
    """The event of one row: its cells read as the values of its kind's fields, then the record
    decoded by the codec; a fault names the row and the column to blame."""
    if len(row) > len(header):
        raise SimError(
            what=f"row {number} has {len(row)} cells for {len(header)} columns",
            path=path,
            line=number,
            code="invalid-csv",
        )
    cells = {name: row[i] if i < len(row) else "" for i, name in enumerate(header)}
    kind = cells.get("kind", "").strip()
    fields = KIND_FIELDS.get(kind)
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
            value = value_of(field, text)
        except CellError as exc:
            raise _fault(path, number, header, name, str(exc)) from None
        if value is not ABSENT:
            put(record, field.path, value)
    for name, field in fields.items():
        if field.required and name not in cells:
            raise _fault(path, number, header, name, f"a {kind} event needs this column")
    try:
        return decode_event(record)
    except SimError as exc:
        column = _column_of(refused_field(record), fields, header)
        raise attrs.evolve(
            _fault(path, number, header, column, exc.what, code=exc.code or "invalid-event"),
            hint=exc.hint,
        ) from None


def _column_of(refused: tuple[str, ...], fields: Mapping[str, Field], header: Sequence[str]) -> str:
    """The column of the field the codec refuses (``source.paragraph``; ``terms`` for anything
    in a list of terms), ``causes`` for ``answers`` in an export written before record version
    3, and ``kind`` when no one field is to blame."""
    for size in range(len(refused), 0, -1):
        name = ".".join(refused[:size])
        if name == "answers" and name not in header and "causes" in header:
            return "causes"
        if name in fields:
            return name
    return "kind"


def _check_links(
    event: Event, seen: set[str], header: Sequence[str], path: str, number: int
) -> None:
    if event.id in seen:
        raise _fault(
            path, number, header, "id", f"duplicate event id {event.id!r}", code="duplicate-id"
        )
    fault = link_fault(event.id, event.causes, seen)  # later rows are not read yet: no loops
    if fault is not None:
        cause = fault.cause
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

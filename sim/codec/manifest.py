"""The manifest's reader: a parsed ``scenario.toml`` checked table by table and key by key.

Every fault is a :class:`SimError` naming the file, the key (``party[2].name``), what was
expected and what was found (exit 2, ``bad-manifest``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from sim.errors import SimError, did_you_mean
from sim.manifest import PALETTE, Actor, Manifest, Milestone, Party, SourceDoc, tint_of
from sim.times import parse_zone

__all__ = ["decode_manifest"]

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
# A table of data, one entry per key (duplicates pairs the tables' entries by shape).
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

"""Record versions: the version this code writes, and the upcasters that lift older records.

A record names its version in ``schema``; one that names none (an event in a scenario file or
a CSV row) is read as the version its keys show.  :func:`lift` checks the version and brings the
record up to date, one version at a time, so that an older log keeps its meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from sim.errors import SimError

__all__ = ["SCHEMA", "TERM_SHEET", "UPCASTERS", "lift", "record_links", "unversioned"]

SCHEMA: Final = 4
"""The record version this code writes."""


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


TERM_SHEET: Final[Mapping[str, Any]] = {
    "pause_days": int,
    "extendable": bool,
    "first_phase": str,
    "hostages": int,
    "further_releases": bool,
    "notes": tuple[str, ...],
}
"""Version 3's fixed term sheet: each field and its type, in the order its words were shown
(the CSV reads exports written before version 4 by it)."""

_LEGACY_TERMS: Final = tuple(name for name in TERM_SHEET if name != "notes")
"""The fields of version 3's term sheet that become a term of their own name."""


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


def unversioned(record: Mapping[str, Any]) -> int:
    """The version of a record that names none (an event in a scenario file or a CSV row): one
    that still names ``causes`` was written for version 2, one whose ``terms`` is a table for
    version 3; either is lifted, and keeps its meaning."""
    if "causes" in record:
        return 2
    if isinstance(record.get("terms"), dict):
        return 3
    return SCHEMA


def lift(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` brought up to :data:`SCHEMA` (``record`` itself if it is current); a version
    this code cannot read is a :class:`SimError` (``unknown-schema``)."""
    schema = record.get("schema", unversioned(record))
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
    return record


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

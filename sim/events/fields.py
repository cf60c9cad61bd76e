"""The shared field types of events: the literals a field may take, the validators of a
value's own shape, and the small records events carry (a source, a channel, a term, another
record's time).

Nothing here is an event; :mod:`sim.events.envelope` and :mod:`sim.events.kinds` build events
from these.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final, Literal, TypeAlias, get_args

import attrs
from attrs import field, frozen, validators

from sim.text import unsafe_char

__all__ = [
    "CONDITION_STATUSES",
    "DECISIONS",
    "PRECISIONS",
    "Alternative",
    "Channel",
    "ConditionStatus",
    "Decision",
    "OperationPhase",
    "Precision",
    "Source",
    "Term",
    "TermValue",
    "Terms",
    "aware",
    "slug",
]

Precision: TypeAlias = Literal["exact", "day", "approx"]
Decision: TypeAlias = Literal[
    "accepted", "accepted_with_changes", "rejected", "countered", "commented"
]
ConditionStatus: TypeAlias = Literal["open", "met", "waived", "breached"]
OperationPhase: TypeAlias = Literal["started", "adapted", "ended"]

DECISIONS: Final[tuple[str, ...]] = get_args(Decision)
PRECISIONS: Final[tuple[str, ...]] = get_args(Precision)
CONDITION_STATUSES: Final[tuple[str, ...]] = get_args(ConditionStatus)


def aware(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Reject naive datetimes: every time in a log is pinned to a zone."""
    if isinstance(value, datetime) and value.utcoffset() is None:
        msg = f"{attribute.name} must be timezone-aware, got naive {value.isoformat()}"
        raise ValueError(msg)


_SLUG: Final = re.compile(r"\S+")


def slug(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or _SLUG.fullmatch(value) is None:
        msg = f"{attribute.name} must be a non-empty slug without spaces, got {value!r}"
        raise ValueError(msg)
    bad = None if value.isprintable() else unsafe_char(value)  # isprintable: fast, and stricter
    if bad is not None:  # ESC, NUL, a bidirectional override: a terminal obeys them
        msg = f"{attribute.name} must be a slug without control characters, got {bad} in {value!r}"
        raise ValueError(msg)


@frozen(kw_only=True)
class Source:
    """Where a fact comes from: a document, a paragraph, a verbatim quote, an optional note."""

    document: str
    paragraph: int | None = field(default=None, validator=validators.optional(validators.ge(1)))
    quote: str = ""
    note: str = ""


@frozen(kw_only=True)
class Channel:
    """The route a message travels.

    ``name`` says who relays to whom (``hamas-gaza>qatar``); ``via`` lists the areas whose
    communications it depends on: a route through an area under a blackout is held up there.
    """

    name: str
    via: tuple[str, ...] = ()
    note: str = ""


@frozen(kw_only=True)
class Alternative:
    """Another record's time for the same event, kept beside the one that drives the replay."""

    source: Source
    at: datetime = field(validator=aware)
    precision: Precision = "day"
    earliest: datetime | None = field(default=None, validator=aware)
    latest: datetime | None = field(default=None, validator=aware)


TermValue: TypeAlias = bool | int | float | str
"""What a term says: a yes or no, a number, or words (a JSON scalar)."""


def _term_value(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) not in (bool, int, float, str):
        msg = f"{attribute.name} must be true, false, a number or text, got {value!r}"
        raise TypeError(msg)


@frozen(kw_only=True)
class Term:
    """One term of a text version, as far as the record states it: a ``name`` (a slug), its
    ``value``, optionally the words to show it in (``text``), and the record it rests on
    (``source``), where that is not the offer's own citation."""

    name: str = field(validator=slug)
    value: TermValue = field(validator=_term_value)
    text: str = ""
    source: Source | None = None

    def said(self) -> str:
        """The term in words: its ``text``, else its name and value (``pause days: 4``)."""
        if self.text:
            return self.text
        words = self.name.replace("_", " ")
        if self.value is True:
            return words
        if self.value is False:
            return f"no {words}"
        return f"{words}: {self.value}"


Terms: TypeAlias = tuple[Term, ...]
"""The terms of a text version: named terms, in the order the record gives them."""

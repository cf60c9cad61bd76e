"""Parties and actors: an actor id is a lowercase slug that starts with its party.

``qatar_emir`` acts for Qatar, ``us_mcgurk`` for the United States, ``israel_war_cabinet`` for
Israel, ``hamas_gaza_leaders`` for Hamas, ``egypt_kamel`` for Egypt.  The party is the part before
the first underscore; an id with none is a party itself (``qatar``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = ["PARTIES", "PARTY_NAMES", "parties_of", "party_of"]

PARTIES: Final[tuple[str, ...]] = ("qatar", "us", "israel", "hamas", "egypt")
"""The parties of the November 2023 negotiation, in the order charts draw them."""

PARTY_NAMES: Final[dict[str, str]] = {
    "qatar": "Qatar",
    "us": "United States",
    "israel": "Israel",
    "hamas": "Hamas",
    "egypt": "Egypt",
}


def party_of(actor: str) -> str:
    """The party an actor acts for: ``us_mcgurk`` -> ``us``."""
    return actor.split("_", 1)[0]


def parties_of(actors: Iterable[str]) -> tuple[str, ...]:
    """The distinct parties of ``actors``, in first-seen order."""
    return tuple(dict.fromkeys(party_of(a) for a in actors))

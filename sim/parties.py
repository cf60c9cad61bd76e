"""Parties and actors: an actor id is a lowercase slug that starts with its party.

``colombia_santos`` acts for ``colombia``, ``farc_timochenko`` for ``farc``: the party is the
part before the first underscore; an id with none is a party itself (``un``).  Who the parties
are, their names, colours and codes, is the scenario's manifest's to say (:mod:`sim.manifest`),
never this module's.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["parties_of", "party_of"]


def party_of(actor: str) -> str:
    """The party an actor acts for: ``us_mcgurk`` -> ``us``."""
    return actor.split("_", 1)[0]


def parties_of(actors: Iterable[str]) -> tuple[str, ...]:
    """The distinct parties of ``actors``, in first-seen order."""
    return tuple(dict.fromkeys(party_of(a) for a in actors))

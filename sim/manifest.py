"""A scenario's manifest: who the parties are, which milestones count, which sources it cites.

A recorded history is a folder: ``events.jsonl``, ``sources/`` and ``scenario.toml``, whose
tables say what the code must never assume about one story::

    [scenario]
    title = "..."; summary = "..."; languages = ["en"]; timezone = "America/Bogota"

    [[party]]        # in the order charts draw them
    id = "colombia"; name = "Government of Colombia"; colour = "#1f3a93"
    plover = "COL"; sector = "GOV"

    [[actor]]        # optional: an actor coded apart from its party, or a compound actor
    id = "hostage_cell"; parties = ["us", "israel"]

    [[milestone]]    # in the order the record reaches them
    name = "plebiscite"; description = "..."

    [[source]]
    document = "facts.md"; file = "facts.md"; title = "..."; publisher = "..."
    date = "2016-12-14"; language = "en"; citation = "..."

    [[operation]]    # optional: the name charts give an operation's slug
    id = "al_shifa_entry"; name = "Al-Shifa entry"

The codec (:func:`sim.codec.decode_manifest`) reads and checks one; :func:`derive` makes one
from a log that has none: parties from the actors' prefixes in order of first appearance,
milestones in the order they are reached, colours from :data:`PALETTE`.  Pure data: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import attrs
from attrs import field, frozen

from sim.events import Event

__all__ = [
    "OTHER",
    "PALETTE",
    "Actor",
    "Manifest",
    "Milestone",
    "Party",
    "SourceDoc",
    "derive",
    "tint_of",
]

PALETTE: Final[tuple[str, ...]] = (
    "#1f3a93",
    "#8a1538",
    "#2e7d32",
    "#a47c00",
    "#0b5fa5",
    "#6a3d9a",
    "#b15928",
    "#00838f",
    "#ad1457",
    "#455a64",
)
"""Label colours for parties a manifest does not colour (or a log with no manifest), in turn."""

OTHER: Final = ("#555555", "#f2f2f2")
"""Label colour and lane tint of the lane for actors of no listed party."""


def tint_of(colour: str) -> str:
    """A lane background for a label colour: the colour at 8 per cent on white."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - c) * 0.08):02x}" for c in (red, green, blue))


@frozen(kw_only=True)
class Party:
    """One party: its id (the prefix of its actors' ids), its name, its colours, and how event
    data codes it: ``plover`` (an ISO 3166 alpha-3 code, or a PLOVER non-state code such as
    ``IGO``), ``sector`` (``GOV``, ``MIL``, ``REB``, ...; ``None`` where the record gives none),
    ``identifier`` (a canonical name where the code alone does not say who: ``Hamas`` under
    ``PSE``) and whether it is a ``belligerent`` (a party to the fighting, as CAMEO reads it)."""

    # fields alike in shape only to the state's records (a name and a type each)
    id: str
    name: str
    colour: str
    tint: str
    plover: str | None = None
    sector: str | None = None
    identifier: str | None = None
    belligerent: bool = False


@frozen(kw_only=True)
class Actor:
    """An actor coded apart from its party: its own ``plover`` code and ``sector`` (an army,
    an intelligence service), or a compound actor coded as each of its ``parties``."""

    id: str
    parties: tuple[str, ...] = ()
    plover: str | None = None
    sector: str | None = None
    belligerent: bool | None = None


@frozen(kw_only=True)
class Milestone:
    """A named milestone: ``reached = false`` lists one the record never reaches."""

    name: str
    description: str = ""
    reached: bool = True


@frozen(kw_only=True)
class SourceDoc:
    """A source events cite: ``document`` is the name citations use (a citation ``facts.md:
    Reuters`` cites the document ``facts.md``), ``file`` its copy under ``sources/``."""

    document: str
    file: str
    title: str = ""
    publisher: str = ""
    date: str = ""
    language: str = ""
    citation: str = ""


@frozen(kw_only=True)
class Manifest:
    """A scenario's manifest (see the module).  ``derived`` says it was made from the log."""

    title: str = ""
    summary: str = ""
    languages: tuple[str, ...] = ()
    timezone: str | None = None
    parties: tuple[Party, ...] = ()
    actors: tuple[Actor, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    sources: tuple[SourceDoc, ...] = ()
    operations: tuple[tuple[str, str], ...] = ()
    """``[[operation]]``: an operation's slug and the name charts give it (``Al-Shifa entry``)."""
    derived: bool = False
    path: str | None = field(default=None, eq=False)
    """The file it was read from, if any."""

    @property
    def party_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.parties)

    @property
    def milestone_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.milestones)

    def party(self, party_id: str) -> Party | None:
        for party in self.parties:
            if party.id == party_id:
                return party
        return None

    def actor(self, actor_id: str) -> Actor | None:
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        return None

    def operation_name(self, operation: str) -> str | None:
        """The name the manifest gives an operation, if any."""
        return dict(self.operations).get(operation)

    def name_of(self, party_id: str) -> str:
        """A party's name; an unlisted party's id."""
        party = self.party(party_id)
        return party.name if party is not None else party_id

    def parties_of_actor(self, actor_id: str) -> tuple[str, ...]:
        """The parties an actor acts for: a compound actor's listed parties, else its prefix."""
        actor = self.actor(actor_id)
        if actor is not None and actor.parties:
            return actor.parties
        return (actor_id.split("_", 1)[0],)

    def document(self, cited: str) -> SourceDoc | None:
        """The listed source a citation names (``facts.md: Reuters`` names ``facts.md``)."""
        for source in self.sources:
            if cited == source.document or cited.startswith(source.document + ":"):
                return source
        return None

    def completed(self, events: Sequence[Event]) -> Manifest:
        """This manifest with the parties its log's actors name and it does not list appended,
        coloured from the palette (milestones outside it are ordered as reached elsewhere)."""
        extra = _parties_in(events, known=set(self.party_ids), actors=self)
        if not extra:
            return self
        return attrs.evolve(
            self, parties=(*self.parties, *_coloured(extra, start=len(self.parties)))
        )


def _parties_in(events: Sequence[Event], *, known: set[str], actors: Manifest) -> list[str]:
    """The parties of the actors and recipients of ``events`` not in ``known``, in order of
    first appearance (a standing channel addressed as a recipient, such as a cell opened by a
    ``channel_opened`` event, is no party)."""
    channels = {getattr(e, "name", None) for e in events if e.kind == "channel_opened"}
    found: list[str] = []
    for event in events:
        for actor in (*event.actors, *event.recipients):
            if actor in channels and actors.actor(actor) is None:
                continue
            for party in actors.parties_of_actor(actor):
                if party not in known:
                    known.add(party)
                    found.append(party)
    return found


def _coloured(ids: Sequence[str], *, start: int = 0) -> tuple[Party, ...]:
    out = []
    for i, party_id in enumerate(ids):
        colour = PALETTE[(start + i) % len(PALETTE)]
        out.append(Party(id=party_id, name=party_id, colour=colour, tint=tint_of(colour)))
    return tuple(out)


def derive(events: Sequence[Event], *, title: str = "") -> Manifest:
    """The manifest of a log that has none: parties from the actors' prefixes in order of first
    appearance, milestones in the order the log names them, colours from the palette."""
    parties = _parties_in(events, known=set(), actors=Manifest())
    names = tuple(dict.fromkeys(e.milestone for e in events if e.milestone is not None))
    return Manifest(
        title=title,
        parties=_coloured(parties),
        milestones=tuple(Milestone(name=n) for n in names),
        derived=True,
    )

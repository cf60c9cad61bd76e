"""Event-data codes: how each event reads in CAMEO and in PLOVER, kept as data.

An event's CAMEO verb code follows the usage
notes of the CAMEO codebook, version 1.1b3, for who may be its source and its target: ``045``
Mediate only from a third party to belligerents, ``037`` and ``127`` only between adversaries,
``0353`` only from a party that holds captives (a belligerent), ``0871`` only from a belligerent.
Where those do not hold, the code is the one whose notes fit (``040``, ``030``, ``120``, ...).
CAMEO codes are strings: the leading zero of ``045`` is part of the code.

Each CAMEO code then reads in PLOVER as the PLOVER manual's draft 2.0 translates its cue
category ("CAMEO to PLOVER translation"), with the mode and the topical context the
CAMEO2PLOVER-2021 table of the same repository gives it, where the manual still has that mode
and context.  One exception, documented in the manual's CONCEDE: a declared truce (``0871``) is
CONCEDE, "declarations (but not implementations) of ceasefires", not RETREAT.

Who is who comes from the scenario's manifest (:mod:`sim.manifest`): each party's PLOVER code
(an ISO 3166 code, or a non-state code such as ``IGO``), its sector and whether it fights in
the conflict; an ``[[actor]]`` row codes one actor apart (an army, ``MIL``) and a compound
actor (a US-Israeli cell) as each of its parties, never as a code of its own.

The PLOVER field rules (event types, the modes each type allows, the contexts, which types need
a recipient, the quad categories) are here too, so that an export and its checks read the same
book.  Pure data and lookups: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from attrs import frozen

from sim.events import (
    Announcement,
    Condition,
    Event,
    Information,
    MilitaryOperation,
    Offer,
    Response,
)
from sim.manifest import Manifest
from sim.parties import party_of

__all__ = [
    "CAMEO",
    "CAMEO_TEXT",
    "CODEBOOK",
    "PLOVER_AUXILIARY",
    "PLOVER_CONTEXTS",
    "PLOVER_MODES",
    "PLOVER_NEEDS_RECIPIENT",
    "PLOVER_QUAD",
    "PLOVER_VERSION",
    "ActorCode",
    "Code",
    "Entity",
    "actor_code",
    "cameo_of",
    "code_of",
    "entities",
]

PLOVER_VERSION: Final = "2.0"
"""The PLOVER manual this export follows: openeventdata/PLOVER ``PLOVER_MANUAL.tex``, draft 2.0."""

CODEBOOK: Final = "plover-2.0-draft"
"""``cite_info.codebook`` of every record: the manual's draft 2.0 (the manual's own examples
read ``plover-base-1.3.1``)."""


# ------------------------------------------------------------------------------------ codes


@frozen(kw_only=True)
class Code:
    """One CAMEO verb code and how PLOVER reads it.

    ``plover`` is ``None`` for a code PLOVER drops (the cue categories 01 and 02); ``context``
    is the topical context of the CAMEO2PLOVER-2021 table, where PLOVER 2.0 has it.
    """

    cameo: str
    text: str
    plover: str | None
    mode: str | None = None
    context: str | None = None
    note: str = ""


def _code(  # noqa: PLR0917 (one row of a table: code, name, type, mode, context)
    cameo: str,
    text: str,
    plover: str | None,
    mode: str | None = None,
    context: str | None = None,
    note: str = "",
) -> tuple[str, Code]:
    return cameo, Code(cameo=cameo, text=text, plover=plover, mode=mode, context=context, note=note)


CAMEO: Final[Mapping[str, Code]] = dict(
    [
        _code("010", "Make statement", None, note="PLOVER drops CAMEO 01"),
        _code("030", "Express intent to cooperate", "AGREE", context="diplomatic"),
        _code("037", "Express intent to settle dispute", "AGREE", context="diplomatic"),
        _code("040", "Consult", "CONSULT"),
        _code("041", "Discuss by telephone", "CONSULT", "phone"),
        _code("045", "Mediate", "CONSULT", context="diplomatic"),
        _code("046", "Engage in negotiation", "CONSULT", context="diplomatic"),
        _code("057", "Sign formal agreement", "SUPPORT", context="diplomatic"),
        _code("064", "Share intelligence or information", "COOPERATE", context="intelligence"),
        _code(
            "0353", "Express intent to release persons or property", "AGREE",
            context="rights_freedoms",
        ),
        _code(
            "0356", "Express intent to de-escalate military engagement", "AGREE",
            context="military",
        ),
        _code(
            "0811", "Ease restrictions on political freedoms", "CONCEDE",
            note="CAMEO2PLOVER's context 'democracy' is not a PLOVER 2.0 context",
        ),
        _code("0841", "Return, release person(s)", "RETREAT", "release", "legal"),
        _code(
            "087", "De-escalate military engagement", "RETREAT", context="military",
            note="CAMEO2PLOVER's mode 'disarm' is not what an ended operation says: left out",
        ),
        _code(
            "0871", "Declare truce, ceasefire", "CONCEDE", context="military",
            note="PLOVER 2.0 CONCEDE: 'declarations (but not implementations) of ceasefires'",
        ),
        _code("100", "Demand", "REQUEST"),
        _code(
            "1056", "Demand de-escalation of military engagement", "REQUEST", "yield", "military"
        ),
        _code("120", "Reject", "REJECT"),
        _code("127", "Reject plan, agreement to settle dispute", "REJECT", "meet", "diplomatic"),
        _code("164", "Halt negotiations", "SANCTION", "withdraw", "diplomatic"),
        _code(
            "1721", "Impose restrictions on political freedoms", "COERCE", "withhold", "legal",
            note="facts.md: nearest code for a communications blackout; PLOVER 2.0 'withhold' "
            "is 'shut off power/internet/water'",
        ),
        _code("190", "Use conventional military force", "ASSAULT", context="military"),
    ]
)  # fmt: skip
"""Every CAMEO verb code the export uses, with its CAMEO name and PLOVER reading."""

CAMEO_TEXT: Final[Mapping[str, str]] = {cameo: code.text for cameo, code in CAMEO.items()}
"""The CAMEO verb codes this table uses, with their CAMEO names."""


# ------------------------------------------------------------------------------------ actors


@frozen(kw_only=True)
class Entity:
    """A PLOVER entity: a 3-character code (ISO 3166 alpha-3) and a sector of the manual's
    table (``GOV``, ``MIL``, ``SPY``, ``CVL``, ...), and a canonical name where the code alone
    does not say who (Hamas under ``PSE``)."""

    code: str
    sector: str | None = None
    identifier_text: str | None = None


@frozen(kw_only=True)
class ActorCode:
    """How a party, or one actor of it, is coded: its entities (two for a compound actor) and
    whether it is a belligerent, one of CAMEO's "adversaries" (a party to the fighting)."""

    entities: tuple[Entity, ...]
    belligerent: bool = False


def actor_code(actor: str, manifest: Manifest) -> ActorCode | None:
    """How the scenario's manifest codes an actor id: a compound actor as each of its parties;
    an actor with its own row by its own code and sector, else its party's; ``None`` for an
    actor of a party the manifest does not code (no manifest, or no ``plover`` for it)."""
    row = manifest.actor(actor)
    if row is not None and row.parties:
        found = [manifest.party(p) for p in row.parties]
        coded = [p for p in found if p is not None and p.plover]
        if len(coded) != len(found):
            return None
        belligerent = any(p.belligerent for p in coded)
        return ActorCode(
            entities=tuple(
                Entity(code=p.plover or "", sector=p.sector, identifier_text=p.identifier)
                for p in coded
            ),
            belligerent=belligerent if row.belligerent is None else row.belligerent,
        )
    party = manifest.party(party_of(actor))
    if party is None or not party.plover:
        return None
    own = row is not None and row.plover is not None
    entity = Entity(
        code=(row.plover if row is not None and row.plover else party.plover),
        sector=(row.sector if row is not None and row.sector else party.sector),
        identifier_text=None if own else party.identifier,
    )
    belligerent = party.belligerent
    if row is not None and row.belligerent is not None:
        belligerent = row.belligerent
    return ActorCode(entities=(entity,), belligerent=belligerent)


def entities(actor: str, manifest: Manifest) -> list[dict[str, str]]:
    """The PLOVER entity objects of an actor id (two for a compound actor), with the id as
    ``entity_text``.  An actor of no coded party gives none (see :func:`sim.exchange.uncodable`).
    """
    coded = actor_code(actor, manifest)
    if coded is None:
        return []
    out = []
    for entity in coded.entities:
        record = {"code": entity.code}
        if entity.sector is not None:
            record["sector"] = entity.sector
        if entity.identifier_text is not None:
            record["identifier_text"] = entity.identifier_text
        record["entity_text"] = actor
        out.append(record)
    return out


def _belligerent(actor: str, manifest: Manifest) -> bool:
    coded = actor_code(actor, manifest)
    return coded is not None and coded.belligerent


def _adversaries(a: str, b: str, manifest: Manifest) -> bool:
    """Whether ``a`` and ``b`` fight on opposite sides: both belligerents, no code shared
    (with ``plover`` codes shared, as for an insurgency coded under its country's code: of
    different parties)."""
    first, second = actor_code(a, manifest), actor_code(b, manifest)
    if first is None or second is None or not (first.belligerent and second.belligerent):
        return False
    if {e.code for e in first.entities} & {e.code for e in second.entities}:
        return bool(set(manifest.parties_of_actor(a)).isdisjoint(manifest.parties_of_actor(b)))
    return True


def _mediates(event: Event, manifest: Manifest) -> bool:
    """CAMEO 045: "The source is always the mediator and adversaries are the targets"."""
    return (
        bool(event.actors and event.recipients)
        and not any(_belligerent(a, manifest) for a in event.actors)
        and all(_belligerent(r, manifest) for r in event.recipients)
    )


def _between_adversaries(event: Event, manifest: Manifest) -> bool:
    """CAMEO 037 and 127: "Both the source and the target ... should be adversaries"."""
    return bool(event.actors and event.recipients) and all(
        _adversaries(a, r, manifest) for a in event.actors for r in event.recipients
    )


# ------------------------------------------------------------------------------------ choice


def cameo_of(event: Event, manifest: Manifest) -> str:
    """The CAMEO verb code of ``event``, by its kind, its variant and who its source and target
    are (the usage notes of CAMEO 1.1b3)."""
    match event:
        case Offer(terms=terms) if any(_belligerent(a, manifest) for a in event.actors):
            # a party to the fighting: intent to release captives, only to pause, or to settle
            named = {term.name for term in terms}
            if named & RELEASE_TERMS:
                return "0353"
            if "pause_days" in named:
                return "0356"
            return "037" if _between_adversaries(event, manifest) else "030"
        case Offer():
            return "045" if _mediates(event, manifest) else "030"  # a third party's proposal
        case Response(decision="accepted" | "accepted_with_changes"):
            return "037" if _between_adversaries(event, manifest) else "030"
        case Response(decision="rejected"):
            return "127" if _between_adversaries(event, manifest) else "120"
        case Response():
            return "046"  # countered or commented: bargaining
        case Condition(prohibits=prohibits):
            return "1056" if prohibits else "100"
        case MilitaryOperation(phase="started"):
            return "190"
        case MilitaryOperation(phase="adapted"):
            return "0356"  # the plan changed while under way: here, made gradual for a pause
        case MilitaryOperation():
            return "087"
        case Information(captor=captor):
            # news of captives is information shared (material); any other message is talk
            return "064" if captor is not None else "040"
        case Announcement(of_deal=False):
            return "010"
        case Announcement():
            belligerent = any(_belligerent(a, manifest) for a in event.actors)
            return "0871" if belligerent else "057"  # a mediator reports the deal finalized
        case _:
            return _BY_KIND[event.kind] if event.kind in _BY_KIND else _by_role(event, manifest)


RELEASE_TERMS: Final = frozenset({"release", "releases", "hostages", "captives", "prisoners"})
"""Names of terms that free people: an offer by a belligerent with one of them is an intent to
release (``0353``); one with only a ``pause_days`` term is an intent to de-escalate (``0356``);
any other is an intent to settle (``037`` between adversaries, else ``030``)."""

_BY_KIND: Final[Mapping[str, str]] = {
    "channel_opened": "040",  # a channel set up for talks: 046 needs negotiations reported
    "call": "041",
    "release": "0841",
    "assurance": "030",
    "blackout_started": "1721",
    "blackout_ended": "0811",
    "talks_suspended": "164",
    "talks_resumed": "046",
    "approval": "057",
}


def _by_role(event: Event, manifest: Manifest) -> str:
    """A contact or a meeting: mediation when a third party meets belligerents, else talks."""
    if _mediates(event, manifest):
        return "045"
    return "040" if event.kind == "contact" else "046"


def code_of(event: Event, manifest: Manifest) -> Code:
    """The codes of ``event``: its CAMEO code (:func:`cameo_of`) and that code's PLOVER reading."""
    return CAMEO[cameo_of(event, manifest)]


# ------------------------------------------------------------------------------------ PLOVER rules

PLOVER_MODES: Final[Mapping[str, frozenset[str]]] = {
    "AGREE": frozenset(),
    "CONSULT": frozenset({"visit", "third-party", "multilateral", "phone"}),
    "SUPPORT": frozenset(),
    "CONCEDE": frozenset(),
    "COOPERATE": frozenset(),
    "AID": frozenset(),
    "RETREAT": frozenset({"withdraw", "release", "disarm", "ceasefire", "access", "resign"}),
    "REQUEST": frozenset({"assist", "change", "yield", "meet"}),
    "ACCUSE": frozenset({"disapprove", "investigate", "allege"}),
    "REJECT": frozenset({"assist", "change", "yield", "meet"}),
    "THREATEN": frozenset({"restrict", "arrest", "relations", "expel", "territory", "violence"}),
    "PROTEST": frozenset({"demo", "riot", "strike", "hunger", "boycott", "obstruct", "vandalize"}),
    "SANCTION": frozenset({"convict", "expel", "withdraw", "discontinue"}),
    "MOBILIZE": frozenset({"troops", "weapons", "police", "militia"}),
    "COERCE": frozenset(
        {
            "seize",
            "restrict",
            "censor",
            "curfew",
            "martial-law",
            "arrest",
            "deport",
            "withhold",
            "misinformation",
            "cyber",
        }
    ),
    "ASSAULT": frozenset(
        {
            "abduct",
            "beat",
            "torture",
            "sexual",
            "targeted",
            "destroy",
            "primitive",
            "firearms",
            "explosives",
            "suicide-attack",
            "aerial",
            "drone",
            "heavy-weapons",
            "crowd-control",
            "unconventional",
        }
    ),
}
"""PLOVER 2.0's sixteen event types, each with the modes its table allows (none: no mode)."""

PLOVER_NEEDS_RECIPIENT: Final[frozenset[str]] = frozenset({"COOPERATE", "AID", "SANCTION"})
"""The event types whose section says "Requires recipient: Yes"."""

PLOVER_AUXILIARY: Final[frozenset[str]] = frozenset(
    {"historical", "future", "hypothetical", "negation"}
)
"""The four auxiliary modes, which PLOVER puts in ``context``."""

PLOVER_CONTEXTS: Final[frozenset[str]] = frozenset(
    {
        "military",
        "intelligence",
        "executive",
        "legislative",
        "election",
        "political_institutions",
        "pro_democracy",
        "pro_autocracy",
        "economic",
        "legal",
        "reparations",
        "human_rights",
        "rights_freedoms",
        "repression",
        "human_security",
        "gender",
        "lgbt",
        "religion_ethnicity",
        "inequality",
        "diplomatic",
        "territory",
        "peacekeeping",
        "health",
        "asylum",
        "migration",
        "disasters",
        "natural_resource",
        "environment",
        "technology",
        "terrorism",
        "cbrn",
        "cyber",
        "misinformation",
        "crime",
        "corruption",
        "illegal_drugs",
        "trafficking",
    }
    | PLOVER_AUXILIARY
)
"""The context values PLOVER 2.0 defines: the general contexts and the auxiliary modes."""

PLOVER_QUAD: Final[Mapping[str, int]] = {
    **dict.fromkeys(("AGREE", "CONSULT", "SUPPORT", "CONCEDE"), 1),
    **dict.fromkeys(("COOPERATE", "AID", "RETREAT"), 2),
    **dict.fromkeys(("REQUEST", "ACCUSE", "REJECT", "SANCTION", "THREATEN"), 3),
    **dict.fromkeys(("PROTEST", "MOBILIZE", "COERCE", "ASSAULT"), 4),
}
"""PLOVER's quad category of each event type: 1 verbal and 2 material cooperation, 3 verbal and
4 material conflict (the manual's numbered table puts SANCTION with verbal conflict)."""

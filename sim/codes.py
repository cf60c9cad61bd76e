"""Event-data codes: how each kind of event reads in CAMEO and in PLOVER, kept as data.

The table follows the closest codes that ``facts.md`` (beside the seed) lists for this history,
and the CAMEO-to-PLOVER conversion table of the PLOVER draft 0.8 (17 September 2021) where
``facts.md`` names no code.  CAMEO codes are strings: the leading zero of ``045`` is part of the
code.  A response is coded by its decision, a condition by whether it forbids a military move,
a military operation by its phase, an announcement by whether it announces the deal.

The PLOVER field rules (event types, the modes each type allows, the context values, which types
need a recipient) are here too, so that an export and its test check against the same book.

Pure data and lookups: no I/O.
"""

from __future__ import annotations

from typing import Final

from attrs import frozen

from sim.events import Announcement, Condition, Event, MilitaryOperation, Offer, Response
from sim.parties import party_of

__all__ = [
    "ACTOR_CODES",
    "CAMEO_TEXT",
    "CODEBOOK",
    "CODES",
    "PLOVER_CONTEXTS",
    "PLOVER_MODES",
    "PLOVER_NEEDS_RECIPIENT",
    "PLOVER_QUAD",
    "Code",
    "actor_code",
    "code_of",
]

CODEBOOK: Final = "plover-draft-0.8"
"""The PLOVER codebook this export follows (the draft the CAMEO conversion table cites)."""


@frozen(kw_only=True)
class Code:
    """How one kind of event is coded: a CAMEO verb code and a PLOVER event type and mode."""

    cameo: str
    plover: str
    mode: str | None = None
    note: str = ""


CAMEO_TEXT: Final[dict[str, str]] = {
    "030": "Express intent to cooperate",
    "037": "Express intent to settle dispute",
    "041": "Discuss by telephone",
    "045": "Mediate",
    "046": "Engage in negotiation",
    "057": "Sign formal agreement",
    "064": "Share intelligence or information",
    "0353": "Express intent to release persons or property",
    "0356": "Express intent to de-escalate military engagement",
    "0811": "Ease restrictions on political freedoms",
    "0841": "Return, release person(s)",
    "087": "De-escalate military engagement",
    "0871": "Declare truce, ceasefire",
    "100": "Demand",
    "1053": "Demand release of persons or property",
    "1056": "Demand de-escalation of military engagement",
    "127": "Reject plan, agreement to settle dispute",
    "164": "Halt negotiations",
    "1721": "Impose restrictions on freedoms of speech and expression",
    "190": "Use conventional military force",
}
"""The CAMEO verb codes this table uses, with their CAMEO names."""

CODES: Final[dict[str, Code]] = {
    "contact": Code(cameo="045", plover="CONSULT", note="facts.md: mediation"),
    "channel_opened": Code(cameo="046", plover="CONSULT", note="facts.md: meeting, negotiation"),
    "call": Code(cameo="041", plover="CONSULT", mode="phone", note="facts.md: call"),
    "meeting": Code(cameo="046", plover="CONSULT", note="facts.md: meeting, negotiation"),
    "release": Code(cameo="0841", plover="RETREAT", mode="release", note="facts.md"),
    "offer": Code(cameo="0353", plover="AGREE", note="facts.md: offer to release people"),
    "offer/pause": Code(cameo="0356", plover="AGREE", note="facts.md: offer to pause fighting"),
    "response/accepted": Code(cameo="037", plover="AGREE", note="facts.md: acceptance"),
    "response/accepted_with_changes": Code(cameo="037", plover="AGREE", note="facts.md"),
    "response/rejected": Code(cameo="127", plover="REJECT", mode="meet", note="facts.md"),
    "response/countered": Code(cameo="046", plover="CONSULT", note="CAMEO2PLOVER: negotiation"),
    "response/commented": Code(cameo="046", plover="CONSULT", note="CAMEO2PLOVER: negotiation"),
    "condition": Code(cameo="100", plover="DEMAND", note="CAMEO2PLOVER: demand"),
    "condition/prohibits": Code(
        cameo="1056", plover="DEMAND", mode="yield", note="facts.md: demand de-escalation"
    ),
    "assurance": Code(cameo="030", plover="AGREE", note="CAMEO2PLOVER: a promise"),
    "military_operation": Code(cameo="190", plover="ASSAULT", note="CAMEO2PLOVER: 19 FIGHT"),
    "military_operation/ended": Code(
        cameo="087", plover="RETREAT", mode="disarm", note="CAMEO2PLOVER: de-escalate"
    ),
    "blackout_started": Code(
        cameo="1721", plover="COERCE", mode="withhold", note="facts.md (nearest)"
    ),
    "blackout_ended": Code(cameo="0811", plover="CONCEDE", note="CAMEO2PLOVER (nearest)"),
    "talks_suspended": Code(
        cameo="164", plover="SANCTION", mode="withdraw", note="facts.md: ending talks"
    ),
    "talks_resumed": Code(cameo="046", plover="CONSULT", note="CAMEO2PLOVER: negotiation"),
    "information": Code(cameo="064", plover="COOPERATE", note="CAMEO2PLOVER: share information"),
    "approval": Code(cameo="057", plover="SUPPORT", note="facts.md: final approval"),
    "announcement": Code(cameo="0871", plover="CONCEDE", note="facts.md: truce declared"),
    "announcement/other": Code(cameo="046", plover="CONSULT", note="not a deal: a statement"),
}
"""Kind (or ``kind/variant``) to its codes; :func:`code_of` picks the variant for an event."""


def code_of(event: Event) -> Code:
    """The codes for ``event``: its kind's row, or the row of its variant where one applies."""
    variant: str | None = None
    match event:
        case Offer(terms=terms) if terms.pause_days is not None and terms.hostages is None:
            variant = "pause"
        case Response(decision=decision):
            variant = decision
        case Condition(prohibits=prohibits) if prohibits:
            variant = "prohibits"
        case MilitaryOperation(phase="ended"):
            variant = "ended"
        case Announcement(of_deal=False):
            variant = "other"
        case _:
            variant = None
    return CODES[f"{event.kind}/{variant}"] if variant else CODES[event.kind]


ACTOR_CODES: Final[dict[str, dict[str, str]]] = {
    "qatar": {"code": "QAT"},
    "us": {"code": "USA"},
    "israel": {"code": "ISR"},
    "egypt": {"code": "EGY"},
    "hamas": {"code": "PSE", "identifier_text": "Hamas"},
}
"""Party to its PLOVER actor object (ISO 3166 alpha-3; Hamas under Palestine, named)."""


def actor_code(actor: str) -> dict[str, str]:
    """The PLOVER actor object of an actor id: its party's code, and the id as ``actor_text``."""
    known = ACTOR_CODES.get(party_of(actor), {"code": party_of(actor).upper()[:3]})
    return {**known, "actor_text": actor}


# ------------------------------------------------------------------------------------ PLOVER rules

PLOVER_MODES: Final[dict[str, frozenset[str]]] = {
    "AGREE": frozenset(),
    "CONSULT": frozenset({"visit", "third-party", "multilateral", "phone"}),
    "SUPPORT": frozenset(),
    "CONCEDE": frozenset(),
    "COOPERATE": frozenset(),
    "AID": frozenset({"economic", "military", "humanitarian", "asylum"}),
    "RETREAT": frozenset(
        {"withdraw", "release", "return", "disarm", "ceasefire", "access", "resign"}
    ),
    "DEMAND": frozenset({"assist", "change", "yield", "meet"}),
    "ACCUSE": frozenset(),
    "REJECT": frozenset({"assist", "change", "yield", "meet"}),
    "THREATEN": frozenset(
        {"restrict", "ban", "arrest", "relations", "expel", "territory", "violence"}
    ),
    "PROTEST": frozenset(
        {"demo", "riot", "strike-gen", "strike-lim", "strike-hun", "boycott", "obstruct"}
    ),
    "SANCTION": frozenset({"convict", "cancel", "expel", "withdraw", "sever"}),
    "MOBILIZE": frozenset({"troops", "weapons", "police"}),
    "COERCE": frozenset(
        {
            "confiscate",
            "restrict",
            "ban",
            "censor",
            "curfew",
            "martial-law",
            "arrest",
            "deport",
            "withhold",
        }
    ),
    "ASSAULT": frozenset(
        {
            "abduct",
            "beat",
            "torture",
            "execute",
            "sexual",
            "assassinate",
            "destroy",
            "primitive",
            "firearms",
            "explosives",
            "suicide-attack",
            "heavy-weapons",
        }
    ),
}
"""PLOVER's sixteen event types, each with the modes its codebook allows (none: no mode)."""

PLOVER_NEEDS_RECIPIENT: Final[frozenset[str]] = frozenset({"COOPERATE", "AID", "SANCTION"})
"""The event types whose records must name a recipient."""

PLOVER_CONTEXTS: Final[frozenset[str]] = frozenset(
    {
        "political",
        "military",
        "intelligence",
        "peacekeeping",
        "economic",
        "diplomatic",
        "resource",
        "culture",
        "disease",
        "enviro_disaster",
        "migration",
        "humanitarian",
        "legal",
        "human_rights",
        "rights_freedoms",
        "gender",
        "lgbt",
        "terrorism",
        "human_security",
        "religion_ethnicity",
        "government",
        "election",
        "legislative",
        "cbrn",
        "cyber",
        "political_institutions",
        "corruption",
        "crime",
        "crime_murder",
        "crime_theft",
        "crime_drugs",
        "crime_sexual",
        "future",
        "historical",
        "hypothetical",
        "negation",
    }
)
"""The context values PLOVER defines."""

PLOVER_QUAD: Final[dict[str, int]] = {
    **dict.fromkeys(("AGREE", "CONSULT", "SUPPORT", "CONCEDE"), 1),
    **dict.fromkeys(("COOPERATE", "AID", "RETREAT"), 2),
    **dict.fromkeys(("DEMAND", "ACCUSE", "REJECT", "SANCTION", "THREATEN"), 3),
    **dict.fromkeys(("PROTEST", "MOBILIZE", "COERCE", "ASSAULT"), 4),
}
"""PLOVER's quad category of each event type: 1 verbal and 2 material cooperation, 3 verbal and
4 material conflict (the codebook's table puts SANCTION with verbal conflict)."""

"""The JSON Schema of a PLOVER record, generated from the tables of the PLOVER manual, draft 2.0.

Source: ``PLOVER_MANUAL.tex`` in the public repository openeventdata/PLOVER, at commit
``840dbef23bdefca65510af2ebc2aa71041b8c685`` ("DRAFT Version: 2.0"; the stored version at
``d7f1a7ec8bba67a57f6aaf041289ab26ac196a99`` is also headed 2.0 and has the same tables).  Each
table below names the manual's table (``\\label``) or section it is transcribed from; the
manual is not copied, only its names and codes.

Run ``python -m tests.plover.schema`` to write ``plover-2.0.schema.json`` beside this file;
``tests/test_exchange.py`` checks that the stored file is what this module generates, validates
every export against it, and checks ``sim.codes`` against these tables.

What the schema holds the records to:

- the fields of the "PLOVER JSON" table (``tab:json``): ``id``, ``date``, ``actor`` and ``event``
  required; ``event``, ``mode``, ``context`` and ``event_text`` lists ("list of event
  categories", "list of modes", "list of contexts", "list of texts of event");
- an ``actor``/``recipient`` entity (``tab:actorinfo``): a 3-character ``code`` (an ISO 3166
  alpha-3 code, ``KOS`` for Kosovo, or one of the non-state codes of ``tab:nonstate``) and a
  ``sector`` of one or two codes of ``tab:roles``;
- ``cite_info`` (``tab:citeinfo``) and ``text_info`` (``tab:textinfo``);
- the event types of chapter "Event Categories", each with the modes of its table
  (``tab:consultmode``, ``tab:retreatmode``, ``tab:requestmode2``, ``tab:accusemode``,
  ``tab:rejectmode``, ``tab:threatmode``, ``tab:protestmode``, ``tab:sanctionmode``,
  ``tab:mobilizemode``, ``tab:coerce``, ``tab:violmode``; none for AGREE, SUPPORT, CONCEDE,
  COOPERATE and AID, whose "Supplementary fields" are "None"), and a ``recipient`` for the types
  whose "Requires recipient" is "Yes" (COOPERATE, AID, SANCTION);
- the contexts of ``tab:general-contexts`` and the four auxiliary modes, which the manual puts
  in ``context`` (section "Auxiliary modes");
- ``quad_code`` 1 to 4 as the "Quad categories in PLOVER" table numbers them.

The manual lets a provider add fields of its own ("Providers should feel free to include named
fields beyond those provided here"); the schema allows them, and ``test_exchange.py`` checks
separately that sim adds only the ones it documents.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Final

import pycountry

__all__ = [
    "AUXILIARY",
    "CITE_INFO",
    "CONTEXTS",
    "ENTITY",
    "FIELDS",
    "MODES",
    "NON_STATE",
    "QUAD",
    "REQUIRED",
    "REQUIRES_RECIPIENT",
    "SECTORS",
    "SOURCE",
    "build",
    "path",
    "text",
]

SOURCE: Final = {
    "repository": "openeventdata/PLOVER",
    "file": "PLOVER_MANUAL.tex",
    "commit": "840dbef23bdefca65510af2ebc2aa71041b8c685",
    "version": "DRAFT Version: 2.0",
}

# tab:json ("PLOVER JSON"): name -> schema; REQUIRED are the rows marked Y.
REQUIRED: Final = ("id", "date", "actor", "event")
_DATE: Final = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_TIME: Final = {  # note 2: date + "T" + time is an ISO 8601 datetime
    "type": "string",
    "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$",
}

# Chapter "Event Categories": each type and its modes (its "Supplementary fields" table).
MODES: Final[dict[str, tuple[str, ...]]] = {
    "AGREE": (),
    "CONSULT": ("visit", "third-party", "multilateral", "phone"),  # tab:consultmode
    "SUPPORT": (),
    "CONCEDE": (),
    "COOPERATE": (),
    "AID": (),
    # tab:retreatmode ("return" is commented out in the manual)
    "RETREAT": ("withdraw", "release", "disarm", "ceasefire", "access", "resign"),
    "REQUEST": ("assist", "change", "yield", "meet"),  # tab:requestmode2
    "ACCUSE": ("disapprove", "investigate", "allege"),  # tab:accusemode
    "REJECT": ("assist", "change", "yield", "meet"),  # tab:rejectmode
    "THREATEN": ("restrict", "arrest", "relations", "expel", "territory", "violence"),
    "PROTEST": ("demo", "riot", "strike", "hunger", "boycott", "obstruct", "vandalize"),
    "SANCTION": ("convict", "expel", "withdraw", "discontinue"),  # tab:sanctionmode
    "MOBILIZE": ("troops", "weapons", "police", "militia"),  # tab:mobilizemode
    "COERCE": (  # tab:coerce
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
    ),
    "ASSAULT": (  # tab:violmode (execute, cleansing, massacre, sideAB are commented out)
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
    ),
}

# Each type's "Requires recipient: Yes" (the summary table at the end disagrees for PROTEST and
# RETREAT; the sections are followed).
REQUIRES_RECIPIENT: Final = ("COOPERATE", "AID", "SANCTION")

# "Quad categories in PLOVER" (numeric column).  SANCTION's own section says MATERIAL CONFLICT;
# the numbered table, which quad_code follows, puts it with verbal conflict.
QUAD: Final[dict[int, tuple[str, ...]]] = {
    1: ("AGREE", "CONSULT", "SUPPORT", "CONCEDE"),
    2: ("COOPERATE", "AID", "RETREAT"),
    3: ("REQUEST", "ACCUSE", "REJECT", "SANCTION", "THREATEN"),
    4: ("PROTEST", "MOBILIZE", "COERCE", "ASSAULT"),
}

# tab:general-contexts, in the manual's order.
CONTEXTS: Final = (
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
)

# Section "Auxiliary modes": "PLOVER assumes that the coding engine will ... put that
# information in the context".
AUXILIARY: Final = ("historical", "future", "hypothetical", "negation")

# tab:roles ("Sector Codes"): the frequently and the less frequently used codes.
SECTORS: Final = (
    "COP",
    "GOV",
    "JUD",
    "LEG",
    "MIL",
    "PRM",
    "PTY",
    "REB",
    "SPY",
    "UAF",
    "UNK",
    "AGR",
    "BUS",
    "CRM",
    "CVL",
    "EDU",
    "ELI",
    "JRN",
    "LAB",
    "MED",
    "REF",
    "OPP",
    "PRE",
    "REL",
    "SOC",
)

# tab:nonstate, and Kosovo's "KOS" (section "Country names", item 2).
NON_STATE: Final = ("IGO", "UNO", "EUR", "NGO", "ISM", "IMG", "MNC", "KOS")

# tab:actorinfo ("Information object for entities").
ENTITY: Final = (
    "code",
    "sector",
    "entity_text",
    "identifier_id",
    "identifier_text",
    "religion",
    "ethnicity",
    "office",
    "gender",
    "age",
)

# tab:citeinfo ("Information object for citations").
CITE_INFO: Final = (
    "corpus",
    "citation",
    "url",
    "title",
    "language",
    "publication",
    "license",
    "copyright",
    "coder",
    "codebook",
    "version",
)

# tab:json, in the manual's order.
FIELDS: Final = (
    "id",
    "has_event",
    "date",
    "time",
    "enddate",
    "endtime",
    "actor",
    "recipient",
    "event",
    "event_loc",
    "event_text",
    "quad_code",
    "event_scale",
    "mode",
    "context",
    "link",
    "text",
    "text_info",
    "cite_info",
    "coder",
    "coded_date",
    "coded_time",
    "comment",
)


def _country_codes() -> list[str]:
    """ISO 3166-1 alpha-3 codes (the manual: "ISO 3166 English short names and 3-letter
    codes") and the non-state codes.  The manual folds most dependencies into their state; the
    schema does not check that (it would need the Correlates of War list)."""
    iso = sorted(country.alpha_3 for country in pycountry.countries)
    return iso + [code for code in NON_STATE if code not in iso]


def _sector_pattern() -> str:
    one = "(" + "|".join(SECTORS) + ")"
    return f"^{one}{one}?$"  # "3- or 6-char sector"


def build() -> dict[str, Any]:
    """The schema, as a JSON-ready dict (Draft 2020-12)."""
    string = {"type": "string"}
    entity = {
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {"enum": _country_codes()},
            "sector": {"type": "string", "pattern": _sector_pattern()},
            **{name: string for name in ENTITY if name not in ("code", "sector", "age")},
            "age": {"type": "integer"},
        },
    }
    every_mode = sorted({m for modes in MODES.values() for m in modes})
    properties: dict[str, Any] = {
        "id": {"type": "string", "minLength": 1},
        "has_event": {"type": "boolean"},
        "date": _DATE,
        "time": _TIME,
        "enddate": _DATE,
        "endtime": _TIME,
        "actor": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/entity"}},
        "recipient": {"type": "array", "items": {"$ref": "#/$defs/entity"}},
        "event": {"type": "array", "minItems": 1, "items": {"enum": list(MODES)}},
        "event_loc": {"type": "object"},
        "event_text": {"type": "array", "items": string},
        "quad_code": {"enum": sorted(QUAD)},
        "event_scale": {"type": "number"},
        "mode": {"type": "array", "items": {"enum": every_mode}},
        "context": {"type": "array", "items": {"enum": [*CONTEXTS, *AUXILIARY]}},
        "link": {"type": ["string", "integer"]},
        "text": string,
        "text_info": {
            "type": "object",
            "properties": {
                "sequence": {"type": "integer"},
                "start": {"type": "integer"},
                "end": {"type": "integer"},
                "text_story": {"type": "array", "items": string},
            },
        },
        "cite_info": {"type": "object", "properties": dict.fromkeys(CITE_INFO, string)},
        "coder": string,
        "coded_date": _DATE,
        "coded_time": _TIME,
        "comment": string,
    }
    assert tuple(properties) == FIELDS
    rules: list[dict[str, Any]] = []
    for event, modes in MODES.items():  # a record of one event type: only that type's modes
        rules.append(
            {
                "if": {
                    "required": ["event"],
                    "properties": {"event": {"type": "array", "items": {"const": event}}},
                },
                "then": {
                    "properties": {
                        "mode": {"items": {"enum": list(modes)}} if modes else {"maxItems": 0}
                    }
                },
            }
        )
    rules.extend(  # a type that needs a recipient: one, not an empty list
        {
            "if": {
                "required": ["event"],
                "properties": {"event": {"type": "array", "contains": {"const": event}}},
            },
            "then": {"required": ["recipient"], "properties": {"recipient": {"minItems": 1}}},
        }
        for event in REQUIRES_RECIPIENT
    )
    for quad, events in QUAD.items():
        rules.append(
            {
                "if": {
                    "required": ["event", "quad_code"],
                    "properties": {"event": {"type": "array", "items": {"enum": list(events)}}},
                },
                "then": {"properties": {"quad_code": {"const": quad}}},
            }
        )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://github.com/openeventdata/PLOVER/blob/{SOURCE['commit']}/{SOURCE['file']}",
        "title": "PLOVER event record, manual draft 2.0",
        "$comment": (
            f"Generated by tests/plover/schema.py from {SOURCE['repository']} {SOURCE['file']} "
            f"at {SOURCE['commit']} ({SOURCE['version']}); see tests/plover/README.md."
        ),
        "type": "object",
        "required": list(REQUIRED),
        "properties": properties,
        "allOf": rules,
        "$defs": {"entity": entity},
    }


def path() -> Path:
    """Where the generated schema is kept."""
    return Path(__file__).with_name("plover-2.0.schema.json")


def text() -> str:
    """The schema as stored: indented JSON with a final newline."""
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    path().write_text(text(), encoding="utf-8")
    sys.stdout.write(f"wrote {path()}\n")

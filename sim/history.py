"""Writing a history: the checks ``sim check`` runs, and the files ``sim new`` starts one with.

:func:`check_history` lints a recorded history against its manifest and its sources: pure, it
is given the texts of the source files (the CLI reads them).  Each fault names the event, what
was expected and what was found:

- every citation (``source``, ``also``, each alternative's) names a source the manifest lists;
- every quote occurs verbatim in the cited source file, after whitespace normalisation (runs of
  spaces, tabs, line breaks and no-break spaces count as one space);
- an event's bounds contain its time (``earliest <= at <= latest``);
- every link points backwards, to an event earlier in the log;
- every actor and recipient acts for a party of the manifest (a compound actor for its parties;
  a channel opened in the log and addressed as a recipient is no party);
- every milestone of the manifest is reached in the replay, or listed with ``reached = false``
  (and one listed so is not reached).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from attrs import frozen

from sim.events import Event, Source
from sim.fold import Trajectory
from sim.manifest import Manifest

__all__ = ["README", "SCENARIO_TOML", "Fault", "check_history", "normalise"]


@frozen(kw_only=True)
class Fault:
    """One fault of a history: the rule it breaks, the event (if any), and what is wrong."""

    rule: str
    event: str | None
    text: str


_SPACE: Final = re.compile(r"\s+")


def normalise(text: str) -> str:
    """``text`` with every run of whitespace (no-break spaces included) as one space."""
    return _SPACE.sub(" ", text).strip()


def _citations(event: Event) -> list[tuple[str, Source]]:
    cited = [("source", event.source)]
    cited += [(f"also[{i + 1}]", s) for i, s in enumerate(event.also)]
    cited += [(f"alternatives[{i + 1}]", a.source) for i, a in enumerate(event.alternatives)]
    return cited


def check_history(
    trajectory: Trajectory,
    manifest: Manifest,
    texts: Mapping[str, str | None],
    recorded: Sequence[Event] | None = None,
) -> list[Fault]:
    """Every fault of the history whose replay is ``trajectory`` (its log in recorded order is
    ``recorded``, by default the trajectory's), checked against ``manifest`` and ``texts``: each
    listed source's file name to its text (``None``: the file is missing)."""
    events = tuple(recorded) if recorded is not None else trajectory.recorded or trajectory.events
    faults: list[Fault] = []
    normalised = {name: normalise(text) for name, text in texts.items() if text is not None}
    faults += [
        Fault(
            rule="source-file",
            event=None,
            text=f"source {listed.document!r}: no file sources/{listed.file}",
        )
        for listed in manifest.sources
        if texts.get(listed.file) is None
    ]
    seen: set[str] = set()
    parties = set(manifest.party_ids)
    channels = {getattr(e, "name", None) for e in events if e.kind == "channel_opened"}
    for event in events:
        for where, source in _citations(event):
            faults += _cited(event, where, source, manifest, normalised)
        if event.earliest is not None and event.at < event.earliest:
            faults.append(
                Fault(
                    rule="bounds",
                    event=event.id,
                    text=f"at {event.at.isoformat()} is before earliest "
                    f"{event.earliest.isoformat()}",
                )
            )
        if event.latest is not None and event.at > event.latest:
            faults.append(
                Fault(
                    rule="bounds",
                    event=event.id,
                    text=f"at {event.at.isoformat()} is after latest {event.latest.isoformat()}",
                )
            )
        faults += [
            Fault(
                rule="link",
                event=event.id,
                text=f"{event.link_type(linked)} {linked}: expected an earlier event of the log",
            )
            for linked in event.causes
            if linked not in seen
        ]
        seen.add(event.id)
        for actor in (*event.actors, *event.recipients):
            if actor in channels and manifest.actor(actor) is None:
                continue  # a standing channel addressed as a recipient is no party
            outside = [p for p in manifest.parties_of_actor(actor) if p not in parties]
            if outside:
                faults.append(
                    Fault(
                        rule="party",
                        event=event.id,
                        text=f"actor {actor}: party {outside[0]} is not in the manifest",
                    )
                )
    reached = trajectory.milestones
    for milestone in manifest.milestones:
        if milestone.reached and milestone.name not in reached:
            faults.append(
                Fault(
                    rule="milestone",
                    event=None,
                    text=f"milestone {milestone.name} is not reached: reach it, or list it "
                    "with reached = false",
                )
            )
        elif not milestone.reached and milestone.name in reached:
            faults.append(
                Fault(
                    rule="milestone",
                    event=None,
                    text=f"milestone {milestone.name} is listed with reached = false, but is "
                    f"reached on {reached[milestone.name].isoformat()}",
                )
            )
    return faults


def _cited(
    event: Event, where: str, source: Source, manifest: Manifest, texts: Mapping[str, str]
) -> list[Fault]:
    listed = manifest.document(source.document)
    if listed is None:
        known = ", ".join(s.document for s in manifest.sources) or "none"
        return [
            Fault(
                rule="citation",
                event=event.id,
                text=f"{where} cites {source.document!r}, not a [[source]] of the manifest "
                f"(listed: {known})",
            )
        ]
    if not source.quote or listed.file not in texts:
        return []
    if normalise(source.quote) not in texts[listed.file]:
        return [
            Fault(
                rule="quote",
                event=event.id,
                text=f"{where}: the quote is not in sources/{listed.file}: {source.quote!r}",
            )
        ]
    return []


SCENARIO_TOML: Final = """\
# The manifest of this history: its parties, its milestones and its sources.
# See the README's "Bring your own negotiation" for what each table holds.

[scenario]
title = "{title}"
summary = ""
languages = ["en"]
timezone = "UTC"

# One [[party]] per party, in the order charts draw them.  An actor id starts with its
# party's id: `north_president` acts for `north`.
[[party]]
id = "north"
name = "North"
colour = "#1f3a93"
plover = "NTH"     # an ISO 3166 alpha-3 code, or a PLOVER non-state code such as IGO
sector = "GOV"     # GOV, MIL, SPY, REB, ...

[[party]]
id = "south"
name = "South"
colour = "#8a1538"
plover = "STH"
sector = "GOV"

# The milestones, in the order the record reaches them (reached = false for one it never does).
[[milestone]]
name = "first_contact"
description = "the parties first talk"

# The sources events cite: `document` is the name a citation uses, `file` its copy in sources/.
[[source]]
document = "record"
file = "record.md"
title = ""
publisher = ""
date = ""
language = "en"
citation = ""
"""
"""The manifest ``sim new`` writes: two placeholder parties, one milestone, one source."""

README: Final = """\
# {title}

What this history is, where it starts and ends, and the record it rests on
([`sources/`](sources/)).

```sh
sim check  {path}
sim replay {path} --strict
sim chart  {path} -o {name}.png
```

## How it is modelled

<!-- which kinds of event stand for what, which approvals conclude the deal, what is inferred -->

## Discrepancies

<!-- where the sources disagree, and which date the log keeps (the other as an alternative) -->

## Every event

<!-- regenerate with: sim table {path} -->
"""
"""The README skeleton ``sim new`` writes."""

"""The report: one self-contained HTML file that shows a scenario beside its base.

It holds the question, the outcome beside the base's, the milestones table (base, what-if,
shift), the timeline chart inline as SVG, the explanation chain behind the deal's outcome, and
the event table with each source quote in the record's words (its direction set by its script:
``dir="auto"``; its language the manifest's source's), beside its paragraph number.

Self-contained means no network at all: no scripts, stylesheets, fonts or images are fetched;
the chart is inline SVG with its namespace and metadata URIs stripped, and a Content Security
Policy forbids every fetch.  The template (``templates/report.html.j2``) escapes every value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from attrs import frozen

from sim.analysis import Diff, explain, explained_milestone, milestone_events, milestone_names
from sim.analysis import diff as compare
from sim.events import Event
from sim.fold import Outcome, Trajectory
from sim.manifest import Manifest
from sim.parties import party_of
from sim.render.chart import lanes_of
from sim.render.terminal import terms_said, when, who
from sim.render.whatif import short_reason
from sim.times import Zone, show_time

if TYPE_CHECKING:
    from sim.scenario import Opened

__all__ = [
    "ExplainStep",
    "MilestoneRow",
    "explanation_steps",
    "inline_svg",
    "milestone_rows",
    "reached_as",
    "report_for",
    "report_html",
    "shift",
]


@frozen(kw_only=True)
class ExplainStep:
    """One link of an explanation chain: an event (or a missing one) and what became of it."""

    event_id: str
    at: datetime | None
    kind: str
    summary: str
    status: str
    """``took effect``, ``voided: <reason>``, ``removed``, or the guard's words."""
    ok: bool = True


@frozen(kw_only=True)
class MilestoneRow:
    """A milestone with its time in the base and in the what-if, and the shift between them."""

    name: str
    base: datetime | None
    whatif: datetime | None
    shift: str


def shift(before: datetime | None, after: datetime | None) -> str:
    """How far a milestone moved: ``+2d 4h``, ``-6h``, ``same``, ``not reached``, or
    ``newly reached``.
    """
    if before is None and after is None:
        return "—"
    if after is None:
        return "not reached"
    if before is None:
        return "newly reached"
    delta = after - before
    if delta == timedelta(0):
        return "same"
    sign = "+" if delta > timedelta(0) else "-"
    delta = abs(delta)
    days, hours, minutes = delta.days, delta.seconds // 3600, delta.seconds % 3600 // 60
    parts = [f"{days}d"] if days else []
    if hours:
        parts.append(f"{hours}h")
    if minutes and not days:
        parts.append(f"{minutes}m")
    return sign + " ".join(parts or ["<1m"])


def milestone_rows(trajectory: Trajectory, base: Trajectory | None) -> list[MilestoneRow]:
    """Each milestone of either trajectory with both times and the shift."""
    names = milestone_names(trajectory, *(base,) if base else ())
    rows = []
    for name in names:
        now = trajectory.milestones.get(name)
        was = base.milestones.get(name) if base else now
        if now is None and was is None and not _named(name, trajectory, base):
            continue
        rows.append(MilestoneRow(name=name, base=was, whatif=now, shift=shift(was, now)))
    return rows


_SHOWN: Final = "%d %b %Y %H:%M"
"""How the report shows a time (then its zone: ``22 Nov 2023 01:00 UTC``)."""


def reached_as(event: Event | None, at: datetime | None, zone: Zone = UTC) -> str:
    """When a milestone was reached, as precisely as the record dates the event that reached it:
    ``~22 Nov 2023`` for an estimate, ``19 Nov 2023`` for a day (the day the record gives), hours
    for an exact time, in ``zone`` and labelled (a day's or an estimate's hours only keep the
    order of events)."""
    if at is None:
        return "not reached"
    precision = event.precision if event is not None and event.at == at else "exact"
    if precision == "exact":
        return show_time(at, zone, _SHOWN)
    return ("~" if precision == "approx" else "") + at.strftime("%d %b %Y")


def _named(name: str, *trajectories: Trajectory | None) -> bool:
    return any(e.milestone == name for t in trajectories if t for e in t.events)


# ------------------------------------------------------------------------------------ SVG

_XML_PROLOGUE: Final = re.compile(r"^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.DOTALL)
_NAMESPACES: Final = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_METADATA: Final = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_COMMENTS: Final = re.compile(r"<!--.*?-->\s*", re.DOTALL)


def inline_svg(svg: str) -> str:
    """An SVG document as markup to inline in HTML5: no prologue, namespaces or metadata.

    The HTML parser puts ``<svg>`` in the SVG namespace (and reads ``xlink:href``) by itself;
    stripping the namespace and metadata URIs leaves no ``http`` address in the page.
    """
    svg = _XML_PROLOGUE.sub("", svg)
    svg = _METADATA.sub("", svg)
    svg = _COMMENTS.sub("", svg)
    return _NAMESPACES.sub("", svg)


# ------------------------------------------------------------------------------------ view


def _outcome_view(outcome: Outcome, zone: Zone) -> dict[str, Any]:
    at = outcome.concluded_at
    return {
        "concluded": outcome.concluded,
        "when": show_time(at, zone, _SHOWN) if at else None,
        "text": outcome.text,
        "terms": terms_said(outcome.terms) if outcome.terms else [],
    }


def _event_rows(
    trajectory: Trajectory, changes: Diff | None, notes: Mapping[str, str], zone: Zone
) -> list[dict[str, Any]]:
    voided = trajectory.final.voided
    moved = {m.id: m for m in changes.moved} if changes else {}
    inserted = set(changes.inserted) if changes else set()
    rows = []
    manifest = trajectory.scenario
    for event in trajectory.events:
        said = []
        if event.id in moved:
            move = moved[event.id]
            said.append(
                f"moved from {show_time(move.before, zone)} ({shift(move.before, move.after)})"
            )
        if event.id in inserted:
            said.append("inserted by the what-if")
        if event.id in voided:
            said.append(f"voided: {voided[event.id]}")
        if event.id in notes and event.id not in inserted:
            said.append(notes[event.id])
        rows.append(
            _event_row(
                event,
                status="; ".join(said),
                voided=event.id in voided,
                zone=zone,
                manifest=manifest,
            )
        )
    return rows


def _removed_rows(
    base: Trajectory | None, changes: Diff | None, notes: Mapping[str, str], zone: Zone
) -> list[dict[str, Any]]:
    if base is None or changes is None:
        return []
    gone = set(changes.removed)
    manifest = base.scenario
    return [
        _event_row(
            e,
            status=notes.get(e.id, "removed by the what-if"),
            voided=True,
            zone=zone,
            manifest=manifest,
        )
        for e in base.events
        if e.id in gone
    ]


def _event_row(
    event: Event, *, status: str, voided: bool, zone: Zone, manifest: Manifest
) -> dict[str, Any]:
    source = event.source
    cited = manifest.document(source.document)
    return {
        "id": event.id,
        "when": when(event, zone),
        "kind": event.kind.replace("_", " "),
        "parties": sorted({manifest.name_of(party_of(a)) for a in event.actors}),
        "who": who(event) or "—",
        "summary": event.summary or event.id,
        "milestone": event.milestone.replace("_", " ") if event.milestone else "",
        "status": status,
        "voided": voided,
        "document": source.document,
        "paragraph": source.paragraph,
        "quote": source.quote,
        "rtl": bool(_RIGHT_TO_LEFT.search(source.quote)),
        "lang": cited.language if cited is not None else "",
        "note": source.note,
        "alternatives": [f"{alt.source.document}: {alt.at:%d %b %Y}" for alt in event.alternatives],
    }


_RIGHT_TO_LEFT: Final = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")
"""Letters of scripts written right to left (Hebrew, Arabic, Syriac, Thaana, ...): a quote in
one is set apart as the record's own words; its direction is the browser's (``dir="auto"``)."""


def _lane_parties(trajectory: Trajectory, base: Trajectory | None) -> list[dict[str, str]]:
    """The parties the chart draws a lane for, with their names and colours (the manifest's)."""
    lanes = set(lanes_of(trajectory, *(base,) if base is not None else ()))
    return [
        {"name": party.name, "colour": party.colour}
        for party in trajectory.scenario.parties
        if party.id in lanes
    ]


def report_html(
    trajectory: Trajectory,
    *,
    base: Trajectory | None = None,
    question: str | None = None,
    chart_svg: str | None = None,
    explanation: Sequence[ExplainStep] = (),
    verdict: str = "",
    diff: Diff | None = None,
    notes: Mapping[str, str] | None = None,
    zone: Zone = UTC,
    study: Mapping[str, Any] | None = None,
) -> str:
    """The report as one HTML document (every value escaped by the template).

    ``diff`` is the what-if's difference from ``base`` (computed here when not given);
    ``notes`` says what an intervention did to an event; ``explanation`` and ``verdict`` are
    the chain of events behind the deal's outcome and its one-sentence summary.  Times are shown
    in ``zone`` (``None``: each in the offset it was recorded with), always labelled.  ``study``
    is a study's section (:func:`sim.render.study.study_section`), shown after the outcome.
    """
    from jinja2 import Environment, PackageLoader, StrictUndefined  # noqa: PLC0415

    env = Environment(
        loader=PackageLoader("sim", "render/templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["moment"] = lambda at: show_time(at, zone, _SHOWN)
    template = env.get_template("report.html.j2")
    notes = notes or {}
    changes = diff or (compare(base, trajectory) if base is not None else None)
    rows = _event_rows(trajectory, changes, notes, zone) + _removed_rows(base, changes, notes, zone)
    now_events = milestone_events(trajectory)
    base_events = milestone_events(base) if base is not None else now_events
    return template.render(
        name=trajectory.name,
        base_name=base.name if base else None,
        question=question,
        outcome=_outcome_view(trajectory.outcome, zone),
        base_outcome=_outcome_view(base.outcome, zone) if base else None,
        milestones=[
            {
                "name": row.name.replace("_", " "),
                "base": reached_as(base_events.get(row.name), row.base, zone),
                "whatif": reached_as(now_events.get(row.name), row.whatif, zone),
                "shift": row.shift,
                "changed": row.shift not in ("same", "—"),
            }
            for row in milestone_rows(trajectory, base)
        ],
        chart=inline_svg(chart_svg) if chart_svg else None,
        parties=_lane_parties(trajectory, base),
        explanation=explanation,
        verdict=verdict,
        events=rows,
        show_status=any(row["status"] for row in rows),
        voided=len(trajectory.voided),
        count=len(trajectory.events),
        study=study,
    )


# ------------------------------------------------------------------------------------ a report of


def explanation_steps(
    trajectory: Trajectory,
    *,
    base: Trajectory | None = None,
    notes: Mapping[str, str] | None = None,
    zone: Zone = UTC,
) -> tuple[str, tuple[ExplainStep, ...]]:
    """The verdict and the chain of events behind the deal's outcome, for the report."""
    name = explained_milestone(trajectory, base)
    if name is None:
        return "no event concludes the deal here or in the base", ()
    found = explain(trajectory, name, notes=notes or {}, base=base, zone=zone)
    steps = tuple(
        ExplainStep(
            event_id=link.id,
            at=link.at,
            kind=link.kind,
            summary=link.summary,
            status=(
                "took effect"
                if link.voided is None
                else f"voided: {short_reason(link.voided)}"
                + (f"; {link.blame}" if link.blame else "")
            ),
            ok=link.voided is None,
        )
        for link in found.chain
    )
    return found.verdict, steps


def report_for(
    opened: Opened,
    *,
    chart_svg: str | None = None,
    zone: Zone = UTC,
    study: dict[str, Any] | None = None,
) -> str:
    """The report of what :func:`sim.open` opened, as HTML, with the explanation of the deal's
    outcome (and a study's section, for the study commands' ``--report``); times in ``zone``."""
    trajectory, base, notes = opened.trajectory, opened.base, opened.notes
    verdict, chain = explanation_steps(trajectory, base=base, notes=notes, zone=zone)
    return report_html(
        trajectory,
        base=base,
        question=opened.question,
        chart_svg=chart_svg,
        explanation=chain,
        verdict=verdict,
        diff=opened.diff,
        notes=notes,
        zone=zone,
        study=study,
    )

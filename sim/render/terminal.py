"""Terminal rendering with rich: the timeline of a replay, its outcome, a state.

Renderers decide nothing about the negotiation: they show what analysis computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from sim.analysis import (
    changes,
    concluding_event,
    milestone_events,
    milestone_names,
    milestone_times,
)
from sim.events import Event, Source, Terms
from sim.fold import Outcome, Trajectory
from sim.render.data import in_order
from sim.render.dates import date_parts, span, when
from sim.state import NegotiationState
from sim.text import printable
from sim.times import Zone, show_time

__all__ = [
    "NARROW",
    "cite",
    "date_parts",
    "offers_view",
    "outcome_view",
    "plain",
    "replay_view",
    "responses_view",
    "span",
    "state_view",
    "terms_said",
    "timeline_ending",
    "timeline_view",
    "when",
    "who",
]


def plain(text: str, style: str = "") -> Text:
    """Text from a log or a scenario as a rich :class:`Text`: never read as markup, and its
    control characters shown as escapes (``\\x1b``) rather than obeyed by the terminal."""
    return Text(printable(text), style=style)


def who(event: Event) -> str:
    """``actors → recipients``."""
    text = ", ".join(event.actors) or ("—" if event.recipients else "")
    if event.recipients:
        text += " → " + ", ".join(event.recipients)
    return printable(text)


def cite(source: Source, primary: str | None = None) -> str:
    """A short citation: ``¶13`` for the ``primary`` document (the first source of the
    scenario's manifest), the document (before any colon) otherwise."""
    if primary is not None and source.document == primary and source.paragraph:
        return f"¶{source.paragraph}"
    short = printable(source.document.split(":", 1)[0])
    return f"{short} ¶{source.paragraph}" if source.paragraph else short


def primary_document(trajectory: Trajectory) -> str | None:
    """The scenario's main source (the first of its manifest), cited by paragraph alone."""
    sources = trajectory.scenario.sources
    return sources[0].document if sources else None


def _citations(event: Event, primary: str | None) -> str:
    also = dict.fromkeys(cite(s, primary) for s in event.also)
    also.pop(cite(event.source, primary), None)
    return "\n".join([cite(event.source, primary), *(f"+{c}" for c in also)])


def _route(event: Event) -> str:
    """The channel, unless it only repeats who spoke to whom."""
    channel = event.channel
    if channel is None:
        return ""
    hops = channel.name.split(">")
    direct = len(hops) == 2 and hops[0] in event.actors and hops[1] in event.recipients
    if direct and not channel.via:
        return ""
    route = f"route {channel.name}"
    if channel.via:
        route += f" via {', '.join(channel.via)}"
    return printable(route)


def _quote(source: Source, primary: str | None) -> Text:
    line = Text(f"{cite(source, primary)} ", style="dim")
    line.append(f"«{printable(source.quote)}»" if source.quote else "(no quote)")
    if ":" in source.document:
        line.append(f" — {printable(source.document.split(':', 1)[1].strip())}", style="dim")
    if source.note:
        line.append(f" ({printable(source.note)})", style="dim italic")
    return line


def _entry(
    event: Event,
    before: NegotiationState,
    after: NegotiationState,
    *,
    quotes: bool,
    zone: Zone = UTC,
    primary: str | None = None,
) -> Text:
    """The event cell: what happened, who to whom by which route, what it changed."""
    cell = Text()
    reached = event.milestone is not None and after.milestones.get(event.milestone) == event.at
    voided = after.voided.get(event.id) if event.id not in before.voided else None
    cell.append(printable(event.summary or event.id), style="bold" if reached else "")
    facts = " · ".join(part for part in (event.kind, who(event), _route(event)) if part)
    cell.append(f"\n{facts}", style="dim")
    if voided is not None:
        cell.append(f"\n✗ voided: {printable(voided.text)}", style="red")
    else:
        said = changes(before, after)
        if reached or said:
            cell.append("\n")
            if reached:
                cell.append(f"★ {printable(event.milestone or '')}", style="bold green")
                if said:
                    cell.append("  ")
            if said:
                cell.append("→ " + printable("; ".join(said)), style="cyan")
    for alternative in event.alternatives:
        date, bounds = date_parts(alternative, zone)
        cell.append(
            f"\nalso dated {date}{f' ({bounds})' if bounds else ''} by "
            f"{printable(alternative.source.document)}",
            style="yellow",
        )
    if quotes:
        for source in (event.source, *event.also):
            cell.append("\n")
            cell.append_text(_quote(source, primary))
    return cell


def timeline_view(
    trajectory: Trajectory,
    *,
    title: str | None = None,
    quotes: bool = False,
    zone: Zone = UTC,
) -> Table:
    """One row per event: its date, what happened (who to whom, by which route, what it
    changed, the milestone it reached), and its source paragraph; with ``quotes``, the quotes.
    """
    events = trajectory.events
    if title is None:
        title = f"Timeline of {trajectory.name}: {len(events)} events"
        if events:
            first, last = events[0].at, events[-1].at
            start = f"{first:%d %b}" if first.year == last.year else f"{first:%d %b %Y}"
            title += f", {start} – {last:%d %b %Y}"
    table = Table(
        title=plain(title),
        caption="~ an estimate (bounds below it) · ★ milestone reached · → state changes",
        box=box.SIMPLE_HEAD,
        show_lines=True,
        expand=False,
        pad_edge=False,
    )
    table.add_column("date", no_wrap=True)
    table.add_column("what happened", ratio=1, overflow="fold")
    table.add_column("source", no_wrap=True)
    before = trajectory.initial
    primary = primary_document(trajectory)
    for event, after in zip(events, trajectory.states, strict=True):
        date, bounds = date_parts(event, zone)
        when_cell = Text(date)
        if bounds:
            when_cell.append(f"\n{bounds}", style="dim")
        entry = _entry(event, before, after, quotes=quotes, zone=zone, primary=primary)
        table.add_row(when_cell, entry, Text(_citations(event, primary)))
        before = after
    return table


def timeline_ending(trajectory: Trajectory, zone: Zone = UTC) -> Group:
    """What a timeline ends with: the outcome (when the deal was concluded, on which text) and
    each voided event with its reason."""
    outcome = trajectory.outcome
    concluded = concluding_event(trajectory)
    if outcome.concluded and concluded is not None:
        said = plain(f"Concluded {when(concluded, zone)} on text {outcome.text}", "bold green")
    else:
        said = Text("Not concluded", style="bold red")
    voided = (plain(f"voided {v.id}: {v.reason}", "red") for v in trajectory.voided)
    return Group(said, *voided)


def outcome_view(
    outcome: Outcome,
    milestones: Iterable[tuple[str, datetime | None]],
    *,
    events: Mapping[str, Event] | None = None,
    concluded_by: Event | None = None,
    zone: Zone = UTC,
) -> Group:
    """The outcome and the milestones table.

    With ``events`` (milestone name to the event that reached it) and ``concluded_by``, dates are
    shown as their events' precision allows (an estimate with ``~`` and its bounds) instead of
    to the minute.
    """
    parts: list[RenderableType] = []
    if outcome.concluded and outcome.concluded_at is not None:
        stamp = (
            when(concluded_by, zone)
            if concluded_by is not None
            else show_time(outcome.concluded_at, zone)
        )
        line = Text(f"Concluded {stamp}", style="bold green")
        line.append(f" on text {printable(outcome.text or '')}", style="green")
        parts.append(line)
        if outcome.terms is not None:
            said = terms_said(outcome.terms)
            if said:
                parts.append(plain("Terms: " + "; ".join(said)))
    else:
        parts.append(Text("Not concluded", style="bold red"))
    table = Table(title="Milestones", expand=False)
    table.add_column("milestone")
    table.add_column("reached")
    for name, at in milestones:
        if at is None:
            table.add_row(plain(name), Text("—  not reached", style="red"))
        elif events is not None and name in events:
            table.add_row(plain(name), Text(when(events[name], zone)))
        else:
            table.add_row(plain(name), Text(show_time(at, zone)))
    parts.append(table)
    return Group(*parts)


def terms_said(terms: Terms) -> list[str]:
    """The terms of a text in words, as far as they are known (each term's own words, else
    its name and value)."""
    return [term.said() for term in terms]


def replay_view(trajectory: Trajectory, zone: Zone = UTC) -> Group:
    """The timeline, then the outcome with its milestones."""
    times = milestone_times(trajectory, milestone_names(trajectory))
    reached = [(k, v) for k, v in times.items() if v is not None or _named(trajectory, k)]
    return Group(
        timeline_view(trajectory, zone=zone),
        outcome_view(
            trajectory.outcome,
            reached,
            events=milestone_events(trajectory),
            concluded_by=concluding_event(trajectory),
            zone=zone,
        ),
    )


def _named(trajectory: Trajectory, name: str) -> bool:
    return any(e.milestone == name for e in trajectory.events)


def state_view(state: NegotiationState, *, title: str) -> Table:
    """A state as a two-column table, every collection in a stable order (:func:`in_order`)."""
    table = Table(title=plain(title), show_header=False, expand=False)
    table.add_column("field", style="bold")
    table.add_column("value")

    def row(field: str, value: str) -> None:
        table.add_row(field, plain(value))

    row("talks", state.talks)
    if state.deal is not None:
        row("deal", f"{state.deal.replace('_', ' ')} (by {', '.join(state.deal_by)})")
    if state.suspended_until:
        row("resume when", ", ".join(state.suspended_until))
    row("text on the table", state.current_text or "—")
    current = state.offers.get(state.current_offer_id or "")
    if current is not None:
        row("terms on the table", "\n".join(terms_said(current.terms)) or "—")
    dark = [area for area, ids in in_order(state.blackouts) if ids]
    row("dark areas", ", ".join(dark) or "none")
    row("channels", ", ".join(name for name, _ in in_order(state.channels)) or "none")
    row(
        "conditions",
        "\n".join(f"{c.name} ({c.status}, on {c.holder})" for _, c in in_order(state.conditions))
        or "none",
    )
    row(
        "approvals",
        "\n".join(f"{a.body}: text {a.text} ({a.status})" for _, a in in_order(state.approvals))
        or "none",
    )
    row(
        "captives",
        "\n".join(
            f"{captor}: {c.released} released" + (f" of {c.held} known held" if c.held else "")
            for captor, c in in_order(state.captives)
        )
        or "none",
    )
    row(
        "military posture",
        "\n".join(f"{p.operation} ({p.phase}, {p.area})" for _, p in in_order(state.posture))
        or "none",
    )
    row(
        "milestones",
        "\n".join(f"{k}: {v:%Y-%m-%d}" for k, v in in_order(state.milestones)) or "none",
    )
    if state.voided:
        row("voided", "\n".join(f"{k}: {v}" for k, v in in_order(state.voided)))
    return table


NARROW: int = 110
"""Below this many columns, tables of many columns become one block per row (they read at 80)."""


def offers_view(state: NegotiationState, *, width: int | None = None) -> RenderableType:
    """Every offer made so far, in time order: who made it, its text, its status, and the
    bodies whose approval it needs (its terms: the state's "terms on the table").  Narrower
    than :data:`NARROW` columns, one block per offer."""
    if width is not None and width < NARROW:
        lines: list[RenderableType] = [Text("offers", style="bold")]
        for event_id, offer in in_order(state.offers):
            line = plain(f"  {event_id}", style="bold")
            line.append(printable(f" · {offer.at:%Y-%m-%d} · by {', '.join(offer.by)}"))
            status: str = offer.status
            if event_id == state.current_offer_id:
                status += " (on the table)"
            needs = ", ".join(offer.approvers) or "—"
            said = f"\n    text {offer.text} · {status} · approvals needed: {needs}"
            line.append(printable(said))
            lines.append(line)
        return Group(*lines)
    # the offers' table; the responses' below is alike in shape, with its own columns
    table = Table(title="offers", box=box.SIMPLE_HEAD, expand=False)
    for name in ("offer", "date", "by", "text", "status", "approvals needed"):
        table.add_column(name, no_wrap=name in ("offer", "date", "status"), overflow="fold")
    for event_id, offer in in_order(state.offers):
        table.add_row(
            plain(event_id),
            f"{offer.at:%Y-%m-%d}",
            plain(", ".join(offer.by)),
            plain(offer.text),
            offer.status + (" (on the table)" if event_id == state.current_offer_id else ""),
            plain(", ".join(offer.approvers) or "—"),
        )
    return table


def responses_view(state: NegotiationState, *, width: int | None = None) -> RenderableType:
    """Every response so far, in time order: who answered which offer, and how (narrower than
    :data:`NARROW` columns, one line each)."""
    if width is not None and width < NARROW:
        lines: list[RenderableType] = [Text("responses", style="bold")]
        for event_id, response in in_order(state.responses):
            line = plain(f"  {event_id}", style="bold")
            line.append(
                printable(
                    f" · {response.at:%Y-%m-%d} · {', '.join(response.by)} → {response.to}: "
                    f"{response.decision}"
                )
            )
            lines.append(line)
        return Group(*lines)
    table = Table(title="responses", box=box.SIMPLE_HEAD, expand=False)
    for name in ("response", "date", "by", "to", "decision"):
        table.add_column(name, no_wrap=name in ("response", "date", "decision"), overflow="fold")
    for event_id, response in in_order(state.responses):
        table.add_row(
            plain(event_id),
            f"{response.at:%Y-%m-%d}",
            plain(", ".join(response.by)),
            plain(response.to),
            response.decision,
        )
    return table

"""Terminal rendering with rich: the timeline of a replay, its outcome, a state.

Renderers decide nothing about the negotiation: they show what analysis computed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from sim.analysis import changes, milestone_names, milestone_times
from sim.events import Event, Terms
from sim.fold import Outcome, Trajectory
from sim.state import NegotiationState

__all__ = [
    "outcome_view",
    "replay_view",
    "state_view",
    "terms_phrases",
    "timeline_view",
    "when",
]


def when(event: Event) -> str:
    """The event's time as a reader should take it: exact, a day, or approximate with bounds."""
    if event.precision == "exact":
        return event.at.strftime("%Y-%m-%d %H:%M")
    text = event.at.strftime("%Y-%m-%d")
    if event.precision == "approx":
        if event.earliest and event.latest:
            return f"~{text} ({event.earliest:%d %b}–{event.latest:%d %b})"
        return f"~{text}"
    return text


def _who(event: Event) -> str:
    who = ", ".join(event.actors) or "—"
    if event.recipients:
        who += " → " + ", ".join(event.recipients)
    return who


def _cite(event: Event) -> str:
    src = event.source
    return f"{src.document} ¶{src.paragraph}" if src.paragraph else src.document


def timeline_view(trajectory: Trajectory, *, title: str | None = None) -> Table:
    """One row per event: date, who to whom, what happened, source, and what it changed."""
    table = Table(title=title or f"Timeline of {trajectory.name}", expand=False, show_lines=False)
    table.add_column("date", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("who → whom", max_width=28)
    table.add_column("what happened", max_width=56)
    table.add_column("source", no_wrap=True)
    table.add_column("state changes", max_width=44)
    before = trajectory.initial
    voided = trajectory.final.voided
    for event, after in zip(trajectory.events, trajectory.states, strict=True):
        effect = Text()
        if event.id in voided:
            effect.append(f"✗ voided: {voided[event.id]}", style="red")
        else:
            if event.milestone and after.milestones.get(event.milestone) == event.at:
                effect.append(f"★ {event.milestone}", style="bold green")
            said = changes(before, after)
            if said:
                if effect:
                    effect.append("\n")
                effect.append("; ".join(said))
        table.add_row(
            when(event), event.kind, _who(event), event.summary or event.id, _cite(event), effect
        )
        before = after
    return table


def terms_phrases(terms: Terms) -> list[str]:
    """The terms of a text in words: ``["a 4-day pause, extendable", "50 hostages", ...]``."""
    said = []
    if terms.pause_days is not None:
        said.append(
            f"a {terms.pause_days}-day pause" + (", extendable" if terms.extendable else "")
        )
    if terms.first_phase:
        said.append(f"first phase: {terms.first_phase}")
    if terms.hostages is not None:
        said.append(f"{terms.hostages} hostages")
    if terms.further_releases:
        said.append("further releases expected")
    said.extend(terms.notes)
    return said


def outcome_view(outcome: Outcome, milestones: Iterable[tuple[str, datetime | None]]) -> Group:
    """The outcome and the milestones table."""
    parts: list[RenderableType] = []
    if outcome.concluded and outcome.concluded_at is not None:
        line = Text(f"Concluded {outcome.concluded_at:%Y-%m-%d %H:%M %Z}", style="bold green")
        line.append(f" on text {outcome.text}", style="green")
        parts.append(line)
        said = terms_phrases(outcome.terms) if outcome.terms is not None else []
        if said:
            parts.append(Text("Terms: " + "; ".join(said)))
    else:
        parts.append(Text("Not concluded", style="bold red"))
    table = Table(title="Milestones", expand=False)
    table.add_column("milestone")
    table.add_column("reached")
    for name, at in milestones:
        table.add_row(
            name, at.strftime("%Y-%m-%d %H:%M") if at else Text("—  not reached", style="red")
        )
    parts.append(table)
    return Group(*parts)


def replay_view(trajectory: Trajectory) -> Group:
    """The timeline, then the outcome with its milestones."""
    times = milestone_times(trajectory, milestone_names(trajectory))
    reached = [(k, v) for k, v in times.items() if v is not None or _named(trajectory, k)]
    return Group(timeline_view(trajectory), outcome_view(trajectory.outcome, reached))


def _named(trajectory: Trajectory, name: str) -> bool:
    return any(e.milestone == name for e in trajectory.events)


def state_view(state: NegotiationState, *, title: str) -> Table:
    """A state as a two-column table."""
    table = Table(title=title, show_header=False, expand=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("talks", state.talks)
    if state.suspended_until:
        table.add_row("resume when", ", ".join(state.suspended_until))
    table.add_row("text on the table", state.current_text or "—")
    dark = [area for area, ids in state.blackouts.items() if ids]
    table.add_row("dark areas", ", ".join(dark) or "none")
    table.add_row("channels", ", ".join(state.channels) or "none")
    table.add_row(
        "conditions",
        "\n".join(f"{c.name} ({c.status}, on {c.holder})" for c in state.conditions.values())
        or "none",
    )
    table.add_row(
        "approvals",
        "\n".join(f"{a.body}: text {a.text} ({a.status})" for a in state.approvals.values())
        or "none",
    )
    table.add_row(
        "captives",
        "\n".join(
            f"{captor}: {c.released} released" + (f" of {c.held} known held" if c.held else "")
            for captor, c in state.captives.items()
        )
        or "none",
    )
    table.add_row(
        "military posture",
        "\n".join(f"{p.operation} ({p.phase}, {p.area})" for p in state.posture.values()) or "none",
    )
    table.add_row(
        "milestones",
        "\n".join(f"{k}: {v:%Y-%m-%d}" for k, v in state.milestones.items()) or "none",
    )
    if state.voided:
        table.add_row("voided", "\n".join(f"{k}: {v}" for k, v in state.voided.items()))
    return table

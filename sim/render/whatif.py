"""What-ifs rendered: a what-if beside its base, a diff, an explanation, a party's knowledge.

JSON views (``*_data``) are public contracts like :mod:`sim.render.data`; terminal views use
rich.  Renderers decide nothing: they show what :mod:`sim.analysis` computed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from sim.analysis import Delay, Diff, Explanation, Link, View, milestone_times
from sim.fold import Outcome, Trajectory
from sim.render.data import outcome_data, refusal_data, replay_data, state_data
from sim.render.terminal import NARROW, plain, state_view
from sim.state import NegotiationState
from sim.text import printable
from sim.times import Zone, format_span, show_dated, show_time

__all__ = [
    "diff_data",
    "diff_view",
    "explanation_data",
    "explanation_view",
    "knowledge_data",
    "knowledge_view",
    "short_reason",
    "whatif_data",
]


def short_reason(reason: str) -> str:
    """A reason as a table shows it (each refusal is one clause; kept for callers)."""
    return reason


def _value(value: Any) -> Any:
    """A field's value as JSON holds it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_value(v) for v in value]
    if attrs.has(type(value)):
        return {k: _value(v) for k, v in attrs.asdict(value, recurse=False).items()}
    return value


def _said(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return json.dumps(_value(value), ensure_ascii=False, default=str)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def diff_data(diff: Diff, *, notes: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ``diff`` object: milestones moved, voided (with reasons), restored, moved, outcome."""
    notes = notes or {}
    return {
        "milestones_moved": [
            {"milestone": m.name, "from": _iso(m.before), "to": _iso(m.after)}
            for m in diff.milestones
        ],
        "voided": [
            {"id": v.id, "reason": v.reason, **({"note": notes[v.id]} if v.id in notes else {})}
            for v in diff.voided
        ],
        "restored": list(diff.restored),
        "moved": [
            {
                "id": m.id,
                "from": m.before.isoformat(),
                "to": m.after.isoformat(),
                "because": [_delay_data(d) for d in m.because],
            }
            for m in diff.moved
        ],
        "amended": [
            {"id": a.id, "field": c.field, "from": _value(c.before), "to": _value(c.after)}
            for a in diff.amended
            for c in a.changes
        ],
        "removed": list(diff.removed),
        "inserted": list(diff.inserted),
        "outcome_changed": diff.outcome_changed,
        "outcome": {"from": outcome_data(diff.before), "to": outcome_data(diff.after)},
    }


def _delay_data(delay: Delay) -> dict[str, Any]:
    data: dict[str, Any] = {"id": delay.id, "cause": delay.cause, "text": delay.text}
    for key in ("link", "rule", "barrier", "culprit"):
        value = getattr(delay, key)
        if value is not None:
            data[key] = value
    if delay.length is not None:
        data["length"] = format_span(abs(delay.length))
    return data


def whatif_data(
    trajectory: Trajectory,
    base: Trajectory,
    diff: Diff,
    *,
    names: tuple[str, ...],
    notes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The ``whatif --json`` object: the ``replay --json`` keys, plus ``base`` and ``diff``."""
    data = replay_data(trajectory, names=names)
    times = milestone_times(base, names)
    data["base"] = {
        "scenario": base.name,
        "milestones": {k: _iso(v) for k, v in times.items()},
        "outcome": outcome_data(base.outcome),
    }
    data["diff"] = diff_data(diff, notes=notes)
    return data


def _outcome_text(outcome: Outcome, zone: Zone) -> Text:
    if outcome.concluded and outcome.concluded_at is not None:
        return plain(
            f"concluded {show_time(outcome.concluded_at, zone)} on text {outcome.text}",
            style="green",
        )
    return Text("not concluded", style="red")


def _shift(before: datetime | None, after: datetime | None) -> str:
    if before is None or after is None:
        return "reached" if after is not None else "missed"
    return _span(after - before)


def _span(delta: timedelta) -> str:
    sign = "+" if delta >= timedelta(0) else "−"
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [
        f"{days}d" if days else "",
        f"{hours}h" if hours else "",
        f"{minutes}m" * bool(minutes),
    ]
    return sign + ("".join(parts) or "0m")


def _when(moment: datetime | None, zone: Zone) -> Text:
    if moment is None:
        return Text("— not reached", style="red")
    return Text(show_time(moment, zone))


def diff_view(
    diff: Diff,
    *,
    before: str,
    after: str,
    notes: Mapping[str, str] | None = None,
    question: str = "",
    zone: Zone = UTC,
) -> Group:
    """Outcome beside outcome, milestones moved, events voided with reasons, events moved.

    Times are shown in ``zone`` (``None``: each in the offset it was recorded with), labelled."""
    notes = notes or {}
    parts: list[RenderableType] = []
    if question:
        parts.append(plain(question, style="bold"))
    outcome = Table(title="Outcome", expand=False)
    outcome.add_column("")
    outcome.add_column(plain(before))
    outcome.add_column(plain(after))
    outcome.add_row("outcome", _outcome_text(diff.before, zone), _outcome_text(diff.after, zone))
    parts.append(outcome)
    verdict = "outcome changed" if diff.outcome_changed else "outcome unchanged"
    parts.append(Text(verdict, style="bold yellow" if diff.outcome_changed else "bold"))
    if diff.milestones:
        table = Table(title="Milestones moved", expand=False)
        table.add_column("milestone")
        table.add_column(plain(before))
        table.add_column(plain(after))
        table.add_column("shift")
        for move in diff.milestones:
            table.add_row(
                plain(move.name),
                _when(move.before, zone),
                _when(move.after, zone),
                _shift(move.before, move.after),
            )
        parts.append(table)
    else:
        parts.append(Text("No milestone moved."))
    if diff.amended:
        parts.append(_amended_table(diff))
    if diff.voided:
        table = Table(title="Events voided", expand=False)
        table.add_column("event", no_wrap=True)
        table.add_column("why it could not take effect", max_width=90)
        for voided in diff.voided:
            reason = short_reason(voided.reason)
            reason += f" [{notes[voided.id]}]" if voided.id in notes else ""
            table.add_row(plain(voided.id), plain(reason))
        parts.append(table)
    if diff.restored:
        parts.append(plain("Now in effect (voided before): " + ", ".join(diff.restored)))
    changed = [
        (label, ids)
        for label, ids in (("Removed", diff.removed), ("Inserted", diff.inserted))
        if ids
    ]
    parts.extend(plain(f"{label}: " + ", ".join(ids)) for label, ids in changed)
    if diff.moved:
        parts.extend(_moved_table(diff, before=before, after=after, zone=zone))
    return Group(*parts)


def _amended_table(diff: Diff) -> Table:
    table = Table(title="Events amended", expand=False)
    table.add_column("event", no_wrap=True)
    table.add_column("field", no_wrap=True)
    table.add_column("from → to", max_width=70)
    for amended in diff.amended:
        for change in amended.changes:
            table.add_row(
                plain(amended.id),
                change.field,
                plain(f"{_said(change.before)} → {_said(change.after)}"),
            )
    return table


def _moved_table(diff: Diff, *, before: str, after: str, zone: Zone) -> list[RenderableType]:
    table = Table(title=f"Events moved ({len(diff.moved)})", expand=False)
    table.add_column("event", no_wrap=True)
    table.add_column(plain(before))
    table.add_column(plain(after))
    table.add_column("shift")
    table.add_column("why", max_width=60)
    for shifted in diff.moved[:40]:
        table.add_row(
            plain(shifted.id),
            show_time(shifted.before, zone),
            show_time(shifted.after, zone),
            _span(shifted.after - shifted.before),
            plain(shifted.because[0].text if shifted.because else ""),
        )
    parts: list[RenderableType] = [table]
    if len(diff.moved) > 40:
        parts.append(Text(f"… and {len(diff.moved) - 40} more (see --json)"))
    return parts


def explanation_data(explanation: Explanation) -> dict[str, Any]:
    """The ``explain --json`` object."""
    return {
        "milestone": explanation.milestone,
        "reached": explanation.reached,
        "at": _iso(explanation.at),
        "verdict": explanation.verdict,
        "chain": [
            {
                "id": link.id,
                "kind": link.kind,
                "at": link.at.isoformat(),
                "summary": link.summary,
                "voided": link.voided,
                **({"refusal": refusal_data(link.refusal)} if link.refusal else {}),
                "guards": list(link.guards),
                "blame": link.blame,
                "timing": list(link.waited),
            }
            for link in explanation.chain
        ],
    }


def explanation_view(
    explanation: Explanation, *, scenario: str, zone: Zone = UTC, width: int | None = None
) -> Group:
    """The verdict, then the chain: a table, or narrower than :data:`NARROW` columns one block
    per link (date, event and kind; what happened; the rules it passed or why it was voided)."""
    style = "bold green" if explanation.reached else "bold red"
    parts: list[RenderableType] = [plain(explanation.verdict, style=style)]
    if explanation.chain and width is not None and width < NARROW:
        title = "Chain of causes" if explanation.reached else "From the milestone down to the root"
        parts.append(plain(f"\n{title} ({scenario})", style="bold"))
        for link in explanation.chain:
            head = Text(f"\n{show_dated(link.at, link.precision, zone)}  ", style="dim")
            head.append(printable(link.id), style="bold")
            head.append(f"  ({link.kind})", style="dim")
            body = plain(link.summary)
            body.append_text(_rules(link, lead="\n"))
            parts.extend([head, Padding(body, (0, 0, 0, 2))])
        return Group(*parts)
    if explanation.chain:
        title = "Chain of causes" if explanation.reached else "From the milestone down to the root"
        table = Table(title=plain(f"{title} ({scenario})"), expand=False)
        table.add_column("date", no_wrap=True)
        table.add_column("event", no_wrap=True)
        table.add_column("kind", no_wrap=True)
        table.add_column("what happened", max_width=50)
        table.add_column("rules", max_width=60)
        for link in explanation.chain:
            table.add_row(
                show_dated(link.at, link.precision, zone),
                plain(link.id),
                link.kind,
                plain(link.summary),
                _rules(link),
            )
        parts.append(table)
    return Group(*parts)


def _rules(link: Link, *, lead: str = "") -> Text:
    """What the rules made of a link: the guards it passed, or why it was voided; its waits."""
    if link.voided is None:
        rules = plain(lead + "passed: " + (", ".join(link.guards) or "no guard"), style="green")
    else:
        rules = plain(f"{lead}✗ voided: {link.voided}", style="red")
        if link.blame:
            rules.append(printable(f"\n  because {link.blame}"))
    for said in link.waited:
        rules.append(printable(f"\n  {said}"), style="yellow")
    return rules


def knowledge_data(
    view: View, actual: NegotiationState, *, scenario: str, at: str
) -> dict[str, Any]:
    """``sim state --as-known-by --json``: the state as it was, and as the party knew it."""
    return {
        "scenario": scenario,
        "at": at,
        **state_data(actual),
        "as_known_by": {
            "party": view.party,
            "state": state_data(view.state),
            "known_events": list(view.known),
            "not_yet_known": list(view.not_yet_known),
            "unknown_links": {k: list(v) for k, v in view.unknown_links.items()},
            "unknown_fate": dict(view.unknown_fate),
        },
    }


def knowledge_view(
    view: View, actual: NegotiationState, *, title: str, width: int | None = None
) -> Group:
    """The state as a party knew it, beside the state as it was (narrower than :data:`NARROW`
    columns, above it), and what it did not know."""
    party = view.party
    notes: list[RenderableType] = [
        plain(
            f"{len(view.not_yet_known)} event(s) had happened that {party} had not heard of by"
            " then."
            if view.not_yet_known
            else f"{party} had heard of every event by then."
        )
    ]
    for event, culprit in view.unknown_fate.items():
        notes.append(plain(f"{event}: voided for {culprit}, unknown to {party}", style="yellow"))
    for event, links in view.unknown_links.items():
        notes.append(plain(f"{event} rests on {', '.join(links)}: unknown to {party}", style="dim"))
    views = [
        state_view(view.state, title=f"as known by {party}"),
        state_view(actual, title="as it was"),
    ]
    return Group(
        *(views if width is not None and width < NARROW else [Columns(views)]),
        *notes,
        plain(title, style="dim"),
    )

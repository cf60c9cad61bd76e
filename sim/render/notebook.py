"""The notebook edge: a trajectory as a pandas DataFrame, and HTML views for Jupyter.

The core types attach these thinly (``Trajectory.to_frame``, ``Trajectory._repr_html_``,
``Outcome._repr_html_``) with a lazy import, so the core never imports pandas and pandas stays an
optional extra (``pip install 'sim[frame]'``).  HTML here is built with :func:`html.escape`
on every value: notebooks need no template engine.

This module imports no renderer and nothing of the fold at run time (the core's types only
for annotations), so that the core's lazy imports of it close no circle back to the core.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any, Final

from sim.analysis.milestones import milestone_names
from sim.events import Event, Response
from sim.parties import party_of
from sim.render.dates import when
from sim.times import show_time

if TYPE_CHECKING:
    from sim.analysis import Diff
    from sim.fold import Outcome, Trajectory
    from sim.whatif import WhatIf

__all__ = [
    "FRAME_COLUMNS",
    "diff_html",
    "outcome_html",
    "trajectory_frame",
    "trajectory_html",
    "whatif_html",
]

FRAME_COLUMNS: Final = (
    "seq",
    "id",
    "kind",
    "at",
    "precision",
    "earliest",
    "latest",
    "actors",
    "recipients",
    "party",
    "parties",
    "channel",
    "causes",
    "summary",
    "decision",
    "milestone",
    "voided",
    "reason",
    "in_transit",
    "talks",
    "dark",
    "dark_areas",
    "current_text",
    "open_conditions",
    "approved_by",
    "concluded",
    "document",
    "paragraph",
    "quote",
)
"""The columns of :func:`trajectory_frame`, in order."""

HTML_ROWS: Final = 80
"""A trajectory's HTML view lists at most this many events (the first and the last)."""


def _pandas() -> Any:
    try:
        import pandas as pd  # noqa: PLC0415
    except ModuleNotFoundError:
        msg = (
            "Trajectory.to_frame() needs pandas, an optional extra: "
            "pip install 'sim[frame]' (or pip install pandas)"
        )
        raise ModuleNotFoundError(msg, name="pandas") from None
    return pd


def trajectory_frame(trajectory: Trajectory) -> Any:
    """One row per event, in log order, with the state just after it.

    ``decision`` is a response's (``accepted``, ``rejected``, ...; empty for other kinds).
    ``talks``, ``dark`` (any area cut off), ``dark_areas``, ``current_text``,
    ``open_conditions``, ``approved_by`` (bodies whose approval is bound to the current text)
    and ``concluded`` describe the state after the event; ``voided`` and ``reason`` say
    whether it took effect; ``milestone`` names the milestone it reached, if any;
    ``in_transit`` whether a blackout holds it up.  ``at``, ``earliest`` and ``latest`` are
    timezone-aware, in UTC.
    """
    pd = _pandas()
    rows = []
    voided = trajectory.final.voided
    for seq, (event, state) in enumerate(zip(trajectory.events, trajectory.states, strict=True)):
        reached = (
            event.milestone if state.milestones.get(event.milestone or "") == event.at else None
        )
        dark_areas = tuple(area for area, ids in state.blackouts.items() if ids)
        rows.append(
            {
                "seq": seq,
                "id": event.id,
                "kind": event.kind,
                "at": event.at,
                "precision": event.precision,
                "earliest": event.earliest,
                "latest": event.latest,
                "actors": event.actors,
                "recipients": event.recipients,
                "party": party_of(event.actors[0]) if event.actors else None,
                "parties": tuple(dict.fromkeys(party_of(a) for a in event.actors)),
                "channel": event.channel.name if event.channel else None,
                "causes": event.causes,
                "summary": event.summary,
                "decision": event.decision if isinstance(event, Response) else None,
                "milestone": reached if event.id not in voided else None,
                "voided": event.id in voided,
                "reason": voided[event.id].text if event.id in voided else None,
                "in_transit": event.id in state.in_transit,
                "talks": state.talks,
                "dark": bool(dark_areas),
                "dark_areas": dark_areas,
                "current_text": state.current_text,
                "open_conditions": tuple(
                    name for name, c in state.conditions.items() if c.status == "open"
                ),
                "approved_by": tuple(
                    a.body
                    for a in state.approvals.values()
                    if a.status == "bound" and a.text == state.current_text
                ),
                "concluded": state.concluded_at is not None,
                "document": event.source.document,
                "paragraph": event.source.paragraph,
                "quote": event.source.quote,
            }
        )
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    for column in ("at", "earliest", "latest"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    for column in ("kind", "precision", "talks", "party"):
        frame[column] = frame[column].astype("category")
    frame["paragraph"] = frame["paragraph"].astype("Int64")
    return frame


# ------------------------------------------------------------------------------------ HTML

_STYLE: Final = (
    "<style>.sim-view table{border-collapse:collapse;font-size:12px}"
    ".sim-view th,.sim-view td{border:1px solid #ddd;padding:2px 6px;text-align:left;"
    "vertical-align:top}.sim-view .bad{color:#b3261e}.sim-view .good{color:#1e7b34}"
    ".sim-view [dir=rtl]{text-align:right}</style>"
)


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """An HTML table; cells are HTML already (escape values before passing them)."""
    out = ["<table><thead><tr>", *(f"<th>{escape(h)}</th>" for h in head), "</tr></thead><tbody>"]
    out.extend("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    out.append("</tbody></table>")
    return "".join(out)


def _time(at: datetime | None) -> str:
    return escape(show_time(at)) if at else '<span class="bad">not reached</span>'


def _outcome_block(outcome: Outcome) -> str:
    if not outcome.concluded:
        return '<p><strong class="bad">Not concluded</strong></p>'
    terms = "; ".join(term.said() for term in outcome.terms) if outcome.terms else ""
    return (
        f'<p><strong class="good">Concluded {_time(outcome.concluded_at)}</strong>'
        f" on text <code>{escape(outcome.text or '')}</code>"
        + (f"<br>Terms: {escape(terms)}" if terms else "")
        + "</p>"
    )


def outcome_html(outcome: Outcome) -> str:
    """An outcome for Jupyter: concluded or not, when, on which text and terms."""
    return f'<div class="sim-view">{_STYLE}{_outcome_block(outcome)}</div>'


def trajectory_html(trajectory: Trajectory, *, limit: int = HTML_ROWS) -> str:
    """A trajectory for Jupyter: outcome, milestones, and its events (at most ``limit``)."""
    voided = {k: v.text for k, v in trajectory.final.voided.items()}
    reached = trajectory.milestones
    milestones = _table(
        ("milestone", "reached"),
        (
            (escape(n), _time(reached.get(n)))
            for n in milestone_names(trajectory)
            if _seen(n, trajectory)
        ),
    )
    events = trajectory.events
    first = limit // 2
    rows = [_event_cells(e, voided) for e in (events[:first] if len(events) > limit else events)]
    if len(events) > limit:
        rows.append((f"… {len(events) - limit} more events …", "", "", "", "", ""))
        rows.extend(_event_cells(e, voided) for e in events[len(events) - (limit - first) :])
    head = (
        f"<p><strong>{escape(trajectory.name)}</strong>: {len(trajectory.events)} events, "
        f"{len(voided)} voided</p>"
    )
    body = _table(("when", "kind", "actors", "what happened", "status", "source quote"), rows)
    return (
        f'<div class="sim-view">{_STYLE}{head}{_outcome_block(trajectory.outcome)}'
        f"{milestones}<br>{body}</div>"
    )


def _event_cells(event: Event, voided: Mapping[str, str]) -> tuple[str, ...]:
    status = (
        f'<span class="bad">voided: {escape(voided[event.id])}</span>' if event.id in voided else ""
    )
    return (
        escape(when(event)),
        escape(event.kind),
        escape(", ".join(event.actors)),
        escape(event.summary or event.id),
        status,
        f'<span dir="auto">{escape(event.source.quote)}</span>',
    )


def _seen(name: str, trajectory: Trajectory) -> bool:
    return name in trajectory.milestones or any(e.milestone == name for e in trajectory.events)


def _moves(changes: Diff, notes: Mapping[str, str]) -> str:
    parts = []
    if changes.milestones:
        parts.append("<h4>Milestones moved</h4>")
        parts.append(
            _table(
                ("milestone", "from", "to"),
                ((escape(m.name), _time(m.before), _time(m.after)) for m in changes.milestones),
            )
        )
    rows: list[tuple[str, str]] = [
        (v.id, f'<span class="bad">voided: {escape(v.reason)}</span>') for v in changes.voided
    ]
    rows += [(m.id, escape(f"moved {show_time(m.before)} → {show_time(m.after)}"))
             for m in changes.moved]  # fmt: skip
    rows += [(i, "removed") for i in changes.removed]
    rows += [(i, "inserted") for i in changes.inserted]
    rows += [(i, '<span class="good">restored</span>') for i in changes.restored]
    if rows:
        parts.append("<h4>Events changed</h4>")
        parts.append(
            _table(
                ("event", "what changed", "by"),
                ((escape(event), said, escape(notes.get(event, ""))) for event, said in rows),
            )
        )
    return "".join(parts) or "<p>Nothing changed.</p>"


def diff_html(changes: Diff, *, notes: Mapping[str, str] | None = None) -> str:
    """A diff for Jupyter: the outcomes before and after, milestones moved, events changed."""
    outcomes = _table(
        ("before", "after"),
        [(_outcome_block(changes.before), _outcome_block(changes.after))],
    )
    return f'<div class="sim-view">{_STYLE}{outcomes}{_moves(changes, notes or {})}</div>'


def whatif_html(result: WhatIf) -> str:
    """A what-if for Jupyter: its question, its outcome beside the base's, and what changed."""
    head = f"<p><strong>{escape(result.name)}</strong>: {escape(result.question)}</p>"
    outcomes = _table(
        (f"what-if ({result.name})", f"base ({result.base.name})"),
        [(_outcome_block(result.outcome), _outcome_block(result.base_trajectory.outcome))],
    )
    return (
        f'<div class="sim-view">{_STYLE}{head}{outcomes}{_moves(result.diff, result.origins)}</div>'
    )

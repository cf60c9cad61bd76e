"""The study commands' results in words (pure): from the JSON a command prints, the rows of
its results table (which its report's study section shows too), the other tables and lines
the terminal shows, and the figures the command logs.

Times of the JSON are told as the other commands tell them: in the zone given, labelled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeAlias

from attrs import frozen

from sim.times import Zone, show_time

__all__ = [
    "Block",
    "StudyText",
    "necessity_text",
    "pct",
    "sensitivity_rows",
    "slack_text",
    "study_text",
    "summary_text",
    "uncertainty_text",
    "when",
]

Rows: TypeAlias = list[tuple[str, str]]
Table: TypeAlias = tuple[str, tuple[str, ...], Sequence[Sequence[str]]]
"""A table: its title, its header, its rows."""
Block: TypeAlias = str | Table
"""What the terminal shows, one after the other: a line, or a table."""


@frozen(kw_only=True)
class StudyText:
    """A command's results in words: ``rows`` (its results table, and its report's), ``blocks``
    (what the terminal shows without ``--json``) and ``facts`` (what it logs)."""

    rows: Rows
    blocks: list[Block]
    facts: dict[str, Any]


def pct(p: float) -> str:
    return f"{p:.1%}"


def when(text: str | None, zone: Zone) -> str:
    """An ISO 8601 time of the JSON as the terminal shows times: in ``zone``, labelled."""
    if text is None:
        return "—"
    return show_time(datetime.fromisoformat(text), zone)


def summary_text(values: Mapping[str, Any], zone: Zone = None) -> str:
    """A measure's summary in one line: a proportion, a count's or a time's quantiles."""
    if "ci" in values:
        return f"{pct(values['p'])} (95% CI {pct(values['ci'][0])}–{pct(values['ci'][1])})"
    if "mean" in values:
        return (
            f"mean {values['mean']:.2f}, p05 {values['p05']}, p50 {values['p50']}, "
            f"p95 {values['p95']}"
        )
    return (
        f"reached {pct(values['p_reached'])}; p05 {when(values['p05'], zone)}, "
        f"p50 {when(values['p50'], zone)}, p95 {when(values['p95'], zone)}"
    )


def sensitivity_rows(records: Sequence[Mapping[str, Any]], top: int = 8) -> Rows:
    """The ``top`` parameters ``concluded_at`` (else ``concluded``) is most sensitive to."""
    chosen = [r for r in records if r["measure"] == "concluded_at"] or [
        r for r in records if r["measure"] == "concluded"
    ]
    key = "mu_star" if chosen and "mu_star" in chosen[0] else "ST"
    chosen.sort(key=lambda r: -(r.get(key) or 0.0))
    return [
        (f"sensitivity ({key}, {r['measure']})", f"{r['parameter']}: {r[key]:.3g}")
        for r in chosen[:top]
    ]


def uncertainty_text(data: Mapping[str, Any], zone: Zone) -> StudyText:
    """``sim uncertainty``'s results, its times told in ``zone``."""
    rows = [
        ("samples", f"{data['samples']:,} (seed {data['seed']}, {data['draw']})"),
        ("events drawn", str(len(data["events_sampled"]))),
        ("concluded", summary_text({"p": data["p_concluded"], "ci": data["p_concluded_ci"]})),
        *(
            (f"concluded at {key}", when(data["concluded_at"][key], zone))
            for key in ("p05", "p50", "p95")
        ),
        ("milestones in the recorded order", pct(data["p_recorded_order"])),
        *sensitivity_rows(list(data["sensitivity"])),
    ]
    milestones = [
        (
            name,
            pct(m["p_reached"]),
            when(m["p05"], zone),
            when(m["p50"], zone),
            when(m["p95"], zone),
        )
        for name, m in data["milestones"].items()
    ]
    return StudyText(
        rows=rows,
        blocks=[
            (f"Uncertainty of {data['scenario']}", ("", "result"), rows),
            ("Milestones", ("milestone", "reached", "p05", "p50", "p95"), milestones),
        ],
        facts={
            "scenario": data["scenario"],
            "samples": data["samples"],
            "p_concluded": data["p_concluded"],
        },
    )


def necessity_text(data: Mapping[str, Any]) -> StudyText:
    """``sim necessity``'s results."""
    return _per_event(
        data,
        found=("needed for the outcome", "necessary", data["outcome_necessary"]),
        title=f"Necessity in {data['scenario']}: each event removed alone",
        header=("event", "outcome needs it", "milestones lost without it"),
        events=[
            (e["id"], "yes" if e["necessary_for_outcome"] else "", " ".join(e["milestones_lost"]))
            for e in data["events"]
        ],
    )


def slack_text(data: Mapping[str, Any]) -> StudyText:
    """``sim slack``'s results: the critical events are those any delay moves the deal by."""
    critical = [e["id"] for e in data["events"] if e["slack_to_shift"] == "PT0S"]
    beyond = f"> {data['max']}"
    return _per_event(
        data,
        found=("critical (any delay moves the deal)", "critical", critical),
        title=f"Slack in {data['scenario']} (up to {data['max']}, to {data['resolution']})",
        header=("event", "before the deal moves", "before the deal fails"),
        events=[
            (e["id"], e["slack_to_shift"] or beyond, e["slack_to_failure"] or beyond)
            for e in data["events"]
        ],
    )


def _per_event(
    data: Mapping[str, Any],
    *,
    found: tuple[str, str, Sequence[str]],
    title: str,
    header: tuple[str, ...],
    events: Sequence[Sequence[str]],
) -> StudyText:
    """The results of a study of each event: how many, the ones ``found`` (its row's label,
    its logged name, the ids), and a table of every event."""
    label, name, ids = found
    return StudyText(
        rows=[("events", str(len(data["events"]))), (label, ", ".join(ids) or "none")],
        blocks=[(title, header, events)],
        facts={"scenario": data["scenario"], "events": len(data["events"]), name: len(ids)},
    )


def study_text(data: Mapping[str, Any], zone: Zone) -> StudyText:
    """``sim study``'s results: its question, then each measure's summary, each grid cell's,
    and the sensitivities, its times told in ``zone``."""
    rows: Rows = [
        ("samples", f"{data['samples']:,} (seed {data['seed']}, {data['sampling']})"),
        ("varied", ", ".join(data["parameters"])),
    ]
    rows.extend((name, summary_text(values, zone)) for name, values in data["measures"].items())
    for cell in data["cells"]:
        label = ", ".join(f"{k}={v}" for k, v in cell.items() if k not in ("samples", "measures"))
        measures = cell["measures"].items()
        rows.append((label, "; ".join(f"{m}: {summary_text(v, zone)}" for m, v in measures)))
    rows.extend(sensitivity_rows(list(data["sensitivity"])))
    table: Table = (f"Study {data['study']} of {data['scenario']}", ("", "result"), rows)
    return StudyText(
        rows=rows,
        blocks=[data["question"], table] if data["question"] else [table],
        facts={"study": data["study"], "samples": data["samples"]},
    )

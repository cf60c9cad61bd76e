"""The counterfactual commands: whatif, explain and diff (and the knowledge view of state)."""

import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import structlog
import typer

import sim
from sim import scenario
from sim.analysis import diff, explain, milestone_names, view_at
from sim.cli.app import JsonOpt, app, command, console, elapsed_ms, print_json
from sim.cli.core import TzOpt, WidthOpt, check_tz, moment_of, zone_of
from sim.cli.progress import progress
from sim.errors import SimError, did_you_mean
from sim.fold import Trajectory
from sim.times import Zone

if TYPE_CHECKING:
    from sim.whatif import WhatIf

__all__ = ["knowledge"]

ScenarioArg = Annotated[
    Path, typer.Argument(help="A what-if scenario file (.toml).", metavar="SCENARIO")
]


@app.command("whatif")
@command("whatif")
def whatif_command(path: ScenarioArg, json: JsonOpt = False, tz: TzOpt = None) -> None:
    """Run a what-if scenario and show it beside its base: milestones moved, events voided.

    Example: [bold]sim whatif scenarios/whatif/no-blackouts.toml[/]
    """
    started = time.perf_counter()
    check_tz(tz)
    _scenario_only(path)
    from sim.render.whatif import diff_view, whatif_data

    with progress("computing the what-if"):
        result = sim.open(path).whatif
        assert result is not None  # a scenario file opens as a what-if
    now, base, notes = result.trajectory, result.base_trajectory, result.origins
    if json:
        names = milestone_names(base, now)
        print_json(whatif_data(now, base, result.diff, names=names, notes=notes))
    else:
        before, after = f"base ({result.base.name})", f"what-if ({result.name})"
        zone = zone_of(tz, now)
        view = diff_view(result.diff, before=before, after=after, notes=notes, zone=zone,
                         question=result.question)  # fmt: skip
        console().print(view)
    structlog.get_logger().info("whatif", **_figures(result), ms=elapsed_ms(started))


def _scenario_only(path: Path) -> None:
    """Refuse a path that is not a scenario file before anything is read."""
    if not scenario.is_scenario(path):
        raise SimError(
            what="whatif takes a scenario file",
            path=str(path),
            expected="a .toml file with [scenario] and [[intervention]] tables",
            hint="to replay a log use `sim replay`; to compare two logs use `sim diff A B`",
            code="not-a-scenario",
        )


def _figures(result: "WhatIf") -> dict[str, object]:
    """The what-if's figures, for its log line."""
    return {
        "scenario": result.name,
        "events": len(result.trajectory.events),
        "refolded": len(result.trajectory.events) - result.first_change,
        "milestones_moved": len(result.diff.milestones),
        "voided": len(result.diff.voided),
        "outcome_changed": result.diff.outcome_changed,
    }


@app.command("explain")
@command("explain")
def explain_command(
    path: Annotated[
        Path, typer.Argument(help="A scenario folder, a .jsonl log, or a scenario .toml file.")
    ],
    milestone: Annotated[
        str, typer.Option("--milestone", metavar="NAME", help="The milestone to explain.")
    ],
    json: JsonOpt = False,
    tz: TzOpt = None,
    width: WidthOpt = None,
) -> None:
    """Explain a milestone: the chain of events behind it, or why it was missed.

    Example: [bold]sim explain scenarios/whatif/no-shifa-assurance.toml --milestone
    talks_resumed[/]
    """
    check_tz(tz)
    with progress("loading"):
        opened = sim.open(path)
    trajectory, base = opened.trajectory, opened.base
    zone = zone_of(tz, trajectory)
    _known_milestone(milestone, path, trajectory, base)
    from sim.render.whatif import explanation_data, explanation_view

    explanation = explain(trajectory, milestone, notes=opened.notes, base=base, zone=zone)
    if json:
        print_json({"scenario": trajectory.name, **explanation_data(explanation)})
    else:
        out = console(width=width)
        out.print(
            explanation_view(explanation, scenario=trajectory.name, zone=zone, width=out.width)
        )
    structlog.get_logger().info(
        "explain", scenario=trajectory.name, milestone=milestone, reached=explanation.reached
    )


def _known_milestone(
    milestone: str, path: Path, trajectory: Trajectory, base: Trajectory | None
) -> None:
    """Refuse a milestone that no event of ``trajectory`` (or of its base) names."""
    known = milestone_names(*(t for t in (trajectory, base) if t is not None))
    if milestone not in known:
        raise SimError(
            what=f"unknown milestone {milestone!r}",
            path=str(path),
            expected="one of " + ", ".join(known),
            hint=did_you_mean(milestone, known),
            code="unknown-milestone",
        )


@app.command("diff")
@command("diff")
def diff_command(
    a: Annotated[Path, typer.Argument(help="A log, scenario folder or scenario .toml file.")],
    b: Annotated[Path, typer.Argument(help="Another one, compared against the first.")],
    json: JsonOpt = False,
    tz: TzOpt = None,
) -> None:
    """Compare two logs or scenarios: milestones moved, events voided and moved, the outcome.

    Example: [bold]sim diff scenarios/baseline scenarios/whatif/no-blackouts.toml[/]
    """
    from sim.render.whatif import diff_data, diff_view

    check_tz(tz)
    with progress("loading and comparing"):
        first = sim.open(a).trajectory
        second = sim.open(b)
        result = diff(first, second.trajectory)
    after, notes = second.trajectory.name, second.notes
    if json:
        print_json({"a": first.name, "b": after, **diff_data(result, notes=notes)})
    else:
        zone = zone_of(tz, first)
        console().print(diff_view(result, before=first.name, after=after, notes=notes, zone=zone))
    structlog.get_logger().info(
        "diff", a=first.name, b=after, milestones_moved=len(result.milestones)
    )


def knowledge(
    opened: "scenario.Opened",
    point: date | datetime | str,
    party: str,
    *,
    json: bool,
    zone: Zone = UTC,
    width: int | None = None,
) -> None:
    """Print the state at ``point`` as ``party`` knew it, beside the state as it was."""
    from sim.render.whatif import knowledge_data, knowledge_view

    trajectory, name = opened.trajectory, opened.log.name
    moment = moment_of(point, zone)
    view = view_at(trajectory, party, moment)
    actual = trajectory.state_at(moment)
    if json:
        print_json(knowledge_data(view, actual, scenario=name, at=str(point)))
    else:
        out = console(width=width)
        out.print(knowledge_view(view, actual, title=f"{name} at {point}", width=out.width))
    structlog.get_logger().info(
        "state", scenario=name, at=str(point), party=party, unheard=len(view.not_yet_known)
    )

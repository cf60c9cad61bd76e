"""The counterfactual commands: whatif, explain and diff (and the knowledge view of state)."""

import time
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import structlog
import typer

from sim import scenario, store
from sim.analysis import diff, explain, milestone_names, parties_in, view_of
from sim.cli.app import app, command, console, elapsed_ms, print_json
from sim.cli.core import TzOpt, WidthOpt, check_tz, moment_of, zone_of
from sim.cli.progress import progress
from sim.errors import SimError, did_you_mean
from sim.fold import Log, Trajectory, replay
from sim.render.data import state_data
from sim.times import Zone

__all__ = ["knowledge", "load_trajectory"]

ScenarioArg = Annotated[
    Path, typer.Argument(help="A what-if scenario file (.toml).", metavar="SCENARIO")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]


def load_trajectory(path: Path) -> tuple[Trajectory, Trajectory | None, Mapping[str, str]]:
    """A log's trajectory, or a scenario's with its base's and what its interventions did."""
    if scenario.is_scenario(path):
        result = scenario.load_scenario(path)
        return result.trajectory, result.base_trajectory, result.origins
    return replay(store.load_log(path)), None, {}


@app.command("whatif")
@command("whatif")
def whatif_command(path: ScenarioArg, json: JsonOpt = False, tz: TzOpt = None) -> None:
    """Run a what-if scenario and show it beside its base: milestones moved, events voided.

    Example: [bold]sim whatif scenarios/whatif/no-blackouts.toml[/]
    """
    started = time.perf_counter()
    check_tz(tz)
    if not scenario.is_scenario(path):
        raise SimError(
            what="whatif takes a scenario file",
            path=str(path),
            expected="a .toml file with [scenario] and [[intervention]] tables",
            hint="to replay a log use `sim replay`; to compare two logs use `sim diff A B`",
            code="not-a-scenario",
        )
    from sim.render.whatif import diff_view, whatif_data

    with progress("computing the what-if"):
        result = scenario.load_scenario(path)
    zone = zone_of(tz, result.trajectory)
    names = milestone_names(result.base_trajectory, result.trajectory)
    if json:
        print_json(
            whatif_data(
                result.trajectory,
                result.base_trajectory,
                result.diff,
                names=names,
                notes=result.origins,
            )
        )
    else:
        console().print(
            diff_view(
                result.diff,
                before=f"base ({result.base.name})",
                after=f"what-if ({result.name})",
                notes=result.origins,
                question=result.question,
                zone=zone,
            )
        )
    structlog.get_logger().info(
        "whatif",
        scenario=result.name,
        events=len(result.trajectory.events),
        refolded=len(result.trajectory.events) - result.first_change,
        milestones_moved=len(result.diff.milestones),
        voided=len(result.diff.voided),
        outcome_changed=result.diff.outcome_changed,
        ms=elapsed_ms(started),
    )


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
        trajectory, base, notes = load_trajectory(path)
    zone = zone_of(tz, trajectory)
    known = milestone_names(*(t for t in (trajectory, base) if t is not None))
    if milestone not in known:
        raise SimError(
            what=f"unknown milestone {milestone!r}",
            path=str(path),
            expected="one of " + ", ".join(known),
            hint=did_you_mean(milestone, known),
            code="unknown-milestone",
        )
    from sim.render.whatif import explanation_data, explanation_view

    explanation = explain(trajectory, milestone, notes=notes, base=base, zone=zone)
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
        first, _, _ = load_trajectory(a)
        second, _, notes = load_trajectory(b)
        result = diff(first, second)
    zone = zone_of(tz, first)
    if json:
        print_json({"a": first.name, "b": second.name, **diff_data(result, notes=notes)})
    else:
        console().print(
            diff_view(result, before=first.name, after=second.name, notes=notes, zone=zone)
        )
    structlog.get_logger().info(
        "diff", a=first.name, b=second.name, milestones_moved=len(result.milestones)
    )


def _example_actor(trajectory: Trajectory) -> str:
    """`` (north_president acts for north)``, from the log's own first compound actor id."""
    for event in trajectory.events:
        for actor in event.actors:
            if "_" in actor:
                return f" ({actor} acts for {actor.split('_', 1)[0]})"
    return ""


def _moment(point: datetime | str, trajectory: Trajectory) -> datetime:
    if isinstance(point, str):
        return trajectory.events[trajectory.index(point)].at
    return point


def knowledge(
    log: Log,
    point: date | datetime | str,
    party: str,
    *,
    json: bool,
    zone: Zone = UTC,
    width: int | None = None,
) -> None:
    """Print the state at ``point`` as ``party`` knew it, beside the state as it was."""
    trajectory = replay(log)
    parties = tuple(dict.fromkeys((*trajectory.scenario.party_ids, *parties_in(trajectory))))
    if party not in parties:
        raise SimError(
            what=f"unknown party {party!r}",
            expected="one of " + ", ".join(parties),
            hint=did_you_mean(party, parties)
            or "a party is the first part of an actor id" + _example_actor(trajectory),
            code="unknown-party",
        )
    from sim.render.whatif import knowledge_view

    moment = _moment(moment_of(point, zone), trajectory)
    view = view_of(trajectory, party, moment)
    actual = trajectory.state_at(moment_of(point, zone))
    if json:
        print_json(
            {
                "scenario": log.name,
                "at": str(point),
                **state_data(actual),
                "as_known_by": {
                    "party": party,
                    "state": state_data(view.state),
                    "known_events": list(view.known),
                    "not_yet_known": list(view.not_yet_known),
                    "unknown_links": {k: list(v) for k, v in view.unknown_links.items()},
                    "unknown_fate": dict(view.unknown_fate),
                },
            }
        )
    else:
        out = console(width=width)
        out.print(knowledge_view(view, actual, title=f"{log.name} at {point}", width=out.width))
    structlog.get_logger().info(
        "state",
        scenario=log.name,
        at=str(point),
        party=party,
        unheard=len(view.not_yet_known),
    )

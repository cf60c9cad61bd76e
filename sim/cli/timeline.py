"""``sim timeline``: the replay as a timeline an analyst reads, event by event, with sources."""

import time
from typing import Annotated

import structlog
import typer

import sim
from sim.cli.app import app, command, console, elapsed_ms, print_json
from sim.cli.core import JsonOpt, PathArg, PreferOpt, TzOpt, check_tz, zone_of
from sim.cli.progress import progress
from sim.render.data import timeline_data

__all__ = ["timeline_command"]


@app.command("timeline")
@command("timeline")
def timeline_command(  # noqa: PLR0917 (typer passes options by keyword)
    path: PathArg,
    quotes: Annotated[
        bool, typer.Option("--quotes", help="Show each event's quotes from its sources.")
    ] = False,
    json: JsonOpt = False,
    prefer_source: PreferOpt = None,
    width: Annotated[
        int | None,
        typer.Option(
            "--width", min=60, help="Columns to fit (default: the terminal's, or 100 piped)."
        ),
    ] = None,
    tz: TzOpt = None,
) -> None:
    """Print the replay as a timeline: date, who to whom, what happened, its source, and the
    state changes it caused, milestones marked.

    Example: [bold]sim timeline scenarios/baseline --quotes[/]
    """
    # the opening every reading command shares (sim replay's alike): time it, check --tz, open
    # and replay under a progress line; what it shows is its own
    started = time.perf_counter()
    check_tz(tz)
    with progress("loading and replaying"):
        opened = sim.open(path, prefer=prefer_source)
        trajectory = opened.trajectory
    zone = zone_of(tz, opened.log)
    if json:
        print_json(timeline_data(trajectory))
    else:
        from sim.render.terminal import timeline_ending, timeline_view

        out = console(width=width)
        out.print(timeline_view(trajectory, quotes=quotes, zone=zone))
        out.print(timeline_ending(trajectory, zone))
    structlog.get_logger().info(
        "timeline",
        scenario=trajectory.name,
        events=len(trajectory.events),
        voided=len(trajectory.voided),
        ms=elapsed_ms(started),
    )

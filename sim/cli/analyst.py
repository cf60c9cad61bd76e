"""The analyst's commands: chart, report, export and import.

Each is a thin shell: load the log (or the what-if scenario and its base), call the renderer or
the exchange module, write the output atomically (nothing partial is left at the output path),
and print what was written (``--json`` for one JSON object).  Bad input (a missing folder for
the output, an unknown format, a bad CSV row) is one message and exit code 2.
"""

import importlib.util
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import structlog
import typer
from attrs import frozen

from sim import lock, scenario, store
from sim.analysis import Diff, concluding_event, explain
from sim.cli.app import (
    WaitOpt,
    app,
    check_output,
    command,
    console,
    elapsed_ms,
    err_console,
    output_format,
    print_json,
    shown,
)
from sim.cli.core import TzOpt, check_tz, zone_of
from sim.cli.progress import progress
from sim.errors import SimError, did_you_mean
from sim.fold import Trajectory, replay
from sim.times import Zone, day_edge

if TYPE_CHECKING:  # each command imports what it draws or encodes with (startup time)
    from sim.exchange import Context
    from sim.render.report import ExplainStep

__all__ = ["Target", "explanation_steps", "load_target", "report_for"]

EXPORT_FORMATS: Final = ("plover", "cameo", "csv")

TargetArg = Annotated[
    Path,
    typer.Argument(
        help="A log (a scenario folder holding events.jsonl, or a .jsonl file) or a what-if "
        "scenario file (.toml).",
        metavar="PATH|SCENARIO",
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON object describing the output.")
]


@frozen(kw_only=True)
class Target:
    """What a command shows: a trajectory, and for a what-if its base, question and context."""

    trajectory: Trajectory
    base: Trajectory | None = None
    question: str | None = None
    context: "Context" = "historical"
    diff: Diff | None = None
    notes: Mapping[str, str] = {}
    """Event id to what an intervention did to it (``removed by [[intervention]] #1``)."""


def load_target(path: Path) -> Target:
    """The log at ``path`` replayed, or the what-if scenario at ``path`` over its base."""
    if scenario.is_scenario(path):
        result = scenario.load_scenario(path)
        return Target(
            trajectory=result.trajectory,
            base=result.base_trajectory,
            question=result.question or None,
            context="hypothetical",
            diff=result.diff,
            notes=result.origins,
        )
    return Target(trajectory=replay(store.load_log(path)))


def explained_milestone(target: Target) -> str | None:
    """The milestone that decides the deal's outcome: the one the concluding event reached
    (here, or in the base for a what-if that did not conclude)."""
    for trajectory in (target.trajectory, target.base):
        event = concluding_event(trajectory) if trajectory is not None else None
        if event is not None and event.milestone is not None:
            return event.milestone
    return None


def explanation_steps(target: Target, *, zone: Zone = UTC) -> tuple[str, tuple["ExplainStep", ...]]:
    """The verdict and the chain of events behind the deal's outcome, for the report."""
    from sim.render.report import ExplainStep
    from sim.render.whatif import short_reason

    name = explained_milestone(target)
    if name is None:
        return "no event concludes the deal here or in the base", ()
    found = explain(target.trajectory, name, notes=target.notes, base=target.base, zone=zone)
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


def _need_charts(command_name: str) -> None:
    """Say how to install the optional ``charts`` extra if matplotlib or jinja2 is missing."""
    for module in ("matplotlib", "jinja2"):
        if importlib.util.find_spec(module) is None:
            raise SimError(
                what=f"sim {command_name} needs {module}, which is not installed",
                hint="pip install 'sim[charts]' (matplotlib and jinja2)",
                code="missing-extra",
            )


def _written(
    command_name: str,
    path: Path,
    target: Target,
    data: dict[str, object],
    *,
    json: bool,
    started: float,
) -> None:
    """Say what was written (``--json``: one object) and log the command's one line."""
    summary = {
        "path": str(path),
        **data,
        "scenario": target.trajectory.name,
        "base": target.base.name if target.base else None,
        "events": len(target.trajectory.events),
    }
    if json:
        print_json(summary)
    else:
        size = data.get("bytes")
        extra = f" ({size:,} bytes)" if isinstance(size, int) else ""
        console().print(f"wrote {shown(path)}{extra}", highlight=False)
    structlog.get_logger().info(
        command_name,
        scenario=target.trajectory.name,
        path=str(path),
        **{k: len(v) if isinstance(v, list) else v for k, v in data.items()},
        ms=elapsed_ms(started),
    )


def report_for(
    target: Target,
    *,
    chart_svg: str | None = None,
    zone: Zone = UTC,
    study: dict[str, Any] | None = None,
) -> str:
    """The report of ``target`` as HTML, with the explanation of the deal's outcome (and a
    study's section, for the study commands' ``--report``); times in ``zone``."""
    from sim.render.report import report_html

    verdict, chain = explanation_steps(target, zone=zone)
    return report_html(
        target.trajectory,
        base=target.base,
        question=target.question,
        chart_svg=chart_svg,
        explanation=chain,
        verdict=verdict,
        diff=target.diff,
        notes=target.notes,
        zone=zone,
        study=study,
    )


# ------------------------------------------------------------------------------------ chart


@app.command("chart")
@command("chart")
def chart_command(  # noqa: PLR0917 (typer passes options by keyword)
    path: TargetArg,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="The chart file: .png or .svg.", metavar="FILE"),
    ],
    title: Annotated[
        str | None, typer.Option("--title", help="A title instead of the scenario's name.")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="WHEN|EVENT_ID",
            help="Zoom: start the chart here (a date, from 00:00 in --tz; a time; or an event id).",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="WHEN|EVENT_ID",
            help="Zoom: end here (a date, to the end of that day in --tz; a time; an id).",
        ),
    ] = None,
    json: JsonOpt = False,
    tz: TzOpt = None,
) -> None:
    """Draw the timeline: a lane per party, spans for blackouts, suspensions and operations.

    Each event is numbered beside its marker, and a key below the chart lists the numbers.
    A what-if scenario is drawn over its base: moved events get an arrow, voided ones a cross,
    inserted ones a ring.
    Example: [bold]sim chart scenarios/baseline -o nov.png --from 2023-11-13 --to 2023-11-22[/]
    """
    _need_charts("chart")
    from sim.render.chart import chart_bytes, chart_figure

    started = time.perf_counter()
    check_tz(tz)
    fmt = output_format(output, ("png", "svg"), "chart")
    check_output(output)
    with progress("loading", total=3) as steps:
        target = load_target(path)
        zone = zone_of(tz, target.trajectory)
        window = {
            "start": _window_edge(start, target, end=False, zone=zone),
            "end": _window_edge(end, target, end=True, zone=zone),
        }
        steps.step("drawing")
        figure = chart_figure(
            target.trajectory,
            base=target.base,
            title=title or target.question,
            zone=zone,
            **window,
        )
        steps.step("writing")
        data = chart_bytes(figure, fmt)
        store.write_file(output, data)
        steps.step("done")
    _written(
        "chart", output, target, {"format": fmt, "bytes": len(data)}, json=json, started=started
    )


def _window_edge(text: str | None, target: Target, *, end: bool, zone: Zone) -> datetime | None:
    """``--from``/``--to``: a date (its start, or for ``--to`` its end, in ``zone``), an ISO 8601
    time with an offset, or the id of an event (its time)."""
    if text is None:
        return None
    events = (*target.trajectory.events, *(target.base.events if target.base else ()))
    named = next((e.at for e in events if e.id == text), None)
    if named is not None:
        return named
    flag = "--to" if end else "--from"
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return day_edge(day, zone, end=end)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SimError(
            what=f"{flag} is not a date, a time or an event id of this log",
            expected="YYYY-MM-DD, an ISO 8601 time such as 2023-11-15T12:00:00+00:00, or an id",
            found=repr(text),
            hint=did_you_mean(text, (e.id for e in events)),
            code="bad-at",
        ) from None
    if moment.utcoffset() is None:
        raise SimError(
            what=f"{flag} time has no timezone",
            expected="an offset such as +00:00 or Z",
            found=repr(text),
            code="bad-at",
        )
    return moment


# ------------------------------------------------------------------------------------ report


@app.command("report")
@command("report")
def report_command(
    path: TargetArg,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The report file (HTML).", metavar="FILE")
    ],
    json: JsonOpt = False,
    tz: TzOpt = None,
) -> None:
    """Write one self-contained HTML report: outcome, milestones, chart, why, and the sources.

    For a what-if scenario it shows the question, and the outcome and milestones beside the
    base's.
    The file needs no network to view; each quote reads in its own direction (Arabic: RTL).
    Example: [bold]sim report scenarios/baseline -o report.html[/]
    """
    _need_charts("report")
    from sim.render.chart import chart_bytes, chart_figure

    started = time.perf_counter()
    check_tz(tz)
    check_output(output)
    with progress("loading", total=4) as steps:
        target = load_target(path)
        zone = zone_of(tz, target.trajectory)
        steps.step("drawing the chart")
        figure = chart_figure(target.trajectory, base=target.base, title=target.question, zone=zone)
        svg = chart_bytes(figure, "svg").decode("utf-8")
        steps.step("writing the report")
        html = report_for(target, chart_svg=svg, zone=zone)
        data = html.encode("utf-8")
        steps.step("saving")
        store.write_file(output, data)
        steps.step("done")
    _written("report", output, target, {"bytes": len(data)}, json=json, started=started)


# ------------------------------------------------------------------------------------ export


def _complete_format(incomplete: str) -> list[str]:
    return [f for f in EXPORT_FORMATS if f.startswith(incomplete)]


@app.command("export")
@command("export")
def export_command(
    path: TargetArg,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="plover (PLOVER JSON lines), cameo (CAMEO-coded JSON lines) or csv (every "
            "field, for `sim import`).",
            metavar="plover|cameo|csv",
            autocompletion=_complete_format,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write here instead of stdout.", metavar="FILE"),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Export events as PLOVER or CAMEO event data, or as a flat CSV of every field.

    PLOVER and CAMEO records cover the events that took effect, with context `historical`
    for a log and `hypothetical` for a what-if.  The CSV holds every event of the log.
    Example: [bold]sim export scenarios/baseline --format plover -o baseline.jsonl[/]
    """
    from sim.exchange import check_format, export

    started = time.perf_counter()
    check_format(fmt)
    if json and output is None:
        raise SimError(
            what="--json describes a written file: give -o FILE",
            hint="without -o the export itself goes to stdout",
            code="bad-option",
        )
    if output is not None:
        check_output(output)
    with progress("loading", total=3) as steps:
        target = load_target(path)
        steps.step(f"encoding {fmt}")
        done = export(target.trajectory, fmt, context=target.context)
        steps.step("writing")
        if output is not None:
            store.write_file(output, done.data)
        steps.step("done")
    if output is None:  # after the bar is gone: stdout carries only the export
        typer.get_binary_stream("stdout").write(done.data)
    if done.skipped and not json:
        err_console().print(
            f"note: {len(done.skipped)} event(s) left out of the PLOVER export: "
            + "; ".join(f"{shown(ident)} ({shown(why)})" for ident, why in done.skipped.items()),
            highlight=False,
        )
    skipped = list(done.skipped)
    summary = {
        "format": fmt,
        "records": done.records,
        "skipped": skipped,
        "context": target.context,
    }
    if output is not None:
        _written(
            "export", output, target, {**summary, "bytes": len(done.data)}, json=json,
            started=started,
        )  # fmt: skip
    else:
        structlog.get_logger().info(
            "export", scenario=target.trajectory.name, format=fmt, records=done.records,
            skipped=len(skipped), ms=elapsed_ms(started),
        )  # fmt: skip


# ------------------------------------------------------------------------------------ import


@app.command("import")
@command("import")
def import_command(
    csv_file: Annotated[
        Path, typer.Argument(help="An analyst's CSV of events (as `sim export --format csv`).")
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            help="The log to write: a scenario folder (events.jsonl in it) or a .jsonl file.",
            metavar="LOG",
        ),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a log that already exists there.")
    ] = False,
    json: JsonOpt = False,
    wait: WaitOpt = lock.WAIT,
) -> None:
    """Build a hash-chained log from a CSV of events, every row validated first.

    A bad row stops the import with the file, row and column; nothing is written then.
    Example: [bold]sim import events.csv -o scenarios/mine[/]
    """
    from sim.exchange import import_target, read_csv

    started = time.perf_counter()
    where = import_target(output, force=force)
    with progress("reading the CSV", total=2) as steps:
        events = read_csv(csv_file)
        steps.step("writing the log")
        head = where.write(events, wait=wait)
        steps.step("done")
    target = where.log
    if json:
        print_json({"path": str(target), "events": len(events), "head": head})
    else:
        console().print(
            f"wrote {len(events)} events to {shown(target)}, head {head}", highlight=False
        )
    structlog.get_logger().info(
        "import", path=str(target), events=len(events), ms=elapsed_ms(started)
    )

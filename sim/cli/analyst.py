"""The analyst's commands: chart, report, export and import.

Each is a thin shell: load the log (or the what-if scenario and its base), call the renderer or
the exchange module, write the output atomically (nothing partial is left at the output path),
and print what was written (``--json`` for one JSON object).  Bad input (a missing folder for
the output, an unknown format, a bad CSV row) is one message and exit code 2.
"""

import importlib.util
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import structlog
import typer

import sim
from sim import lock, store
from sim.cli.app import (
    JsonFileOpt,
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
from sim.cli.core import TzOpt, check_tz, parse_point, zone_of
from sim.cli.progress import progress
from sim.errors import SimError
from sim.scenario import Opened
from sim.times import Zone, day_edge

if TYPE_CHECKING:  # each command imports what it draws or encodes with (startup time)
    from sim.render.report import report_for

__all__ = ["load_target", "report_for"]

EXPORT_FORMATS: Final = ("plover", "cameo", "csv")

TargetArg = Annotated[
    Path,
    typer.Argument(
        help="A log (a scenario folder holding events.jsonl, or a .jsonl file) or a what-if "
        "scenario file (.toml).",
        metavar="PATH|SCENARIO",
    ),
]


def load_target(path: Path) -> Opened:
    """:func:`sim.open` of ``path`` (kept for :mod:`sim.cli.study`)."""
    return sim.open(path)


def __getattr__(name: str) -> Any:
    """``report_for``, from :mod:`sim.render.report` on first use (kept for
    :mod:`sim.cli.study`; the report's renderer is not loaded at every start)."""
    if name == "report_for":
        from sim.render import report

        return report.report_for
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def _need_charts(command_name: str) -> None:
    """Say how to install the optional ``charts`` extra if matplotlib or jinja2 is missing."""
    for module in ("matplotlib", "jinja2"):
        if importlib.util.find_spec(module) is None:
            raise SimError(
                what=f"sim {command_name} needs {module}, which is not installed",
                hint="pip install 'sim[charts]' (matplotlib and jinja2)",
                code="missing-extra",
            )


# (a signature of keyword-only parameters, alike in shape only to sim.store.load's faults)
def _written(
    command_name: str,
    path: Path,
    target: Opened,
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
    json: JsonFileOpt = False,
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
        window = _window(target, start, end, zone)
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


def _window(target: Opened, start: str | None, end: str | None, zone: Zone) -> dict[str, Any]:
    """The chart's ``start`` and ``end`` from ``--from`` and ``--to``."""
    return {
        "start": _window_edge(start, target, end=False, zone=zone),
        "end": _window_edge(end, target, end=True, zone=zone),
    }


def _window_edge(text: str | None, target: Opened, *, end: bool, zone: Zone) -> datetime | None:
    """``--from``/``--to`` (:func:`~sim.cli.core.parse_point`): a date is its start, or for
    ``--to`` its end, in ``zone``; an event id (here or in the base) is its time."""
    if text is None:
        return None
    events = (*target.trajectory.events, *(target.base.events if target.base else ()))
    point = parse_point(text, events, flag="--to" if end else "--from")
    if isinstance(point, str):
        return next(e.at for e in events if e.id == point)
    if isinstance(point, datetime):
        return point
    return day_edge(point, zone, end=end)


# ------------------------------------------------------------------------------------ report


@app.command("report")
@command("report")
def report_command(
    path: TargetArg,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The report file (HTML).", metavar="FILE")
    ],
    json: JsonFileOpt = False,
    tz: TzOpt = None,
) -> None:
    """Write one self-contained HTML report: outcome, milestones, chart, why, and the sources.

    For a what-if scenario it shows the question, and the outcome and milestones beside the
    base's.
    The file needs no network to view; each quote reads in its own direction (Arabic: RTL).
    Example: [bold]sim report scenarios/baseline -o report.html[/]
    """
    _need_charts("report")
    from sim.render import report
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
        html = report.report_for(target, chart_svg=svg, zone=zone)
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
    json: JsonFileOpt = False,
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
    json: JsonFileOpt = False,
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

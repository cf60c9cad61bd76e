"""The study commands: uncertainty, necessity, slack and study (issue 11).

Each takes the same execution options (in process by default; ``--workers N`` a local Dask
cluster; ``--scheduler ADDRESS`` a running one) and outputs (``--json``, ``--out`` Parquet or
CSV, ``--chart`` PNG or SVG, ``--report`` HTML).  Each parses its options, calls the library
(:mod:`sim.studies`), and renders (:mod:`sim.render.study_text`); what they do around that call
is in :mod:`sim.cli.study_support`.  The study libraries (numpy, scipy, SALib, dask, pandas,
pyarrow: the ``study`` extra) are imported inside the commands, never by ``import sim.cli``.
Ctrl-C cancels the study and exits 130.
"""

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from sim.cli.app import app, command
from sim.cli.core import JsonOpt, PathArg, TzOpt, check_tz
from sim.cli.study_support import (
    INTERRUPTED,
    STUDY_EXTRA,
    Outputs,
    design,
    finish,
    need_extra,
    one_of,
    running,
    zone_for,
)
from sim.render.study_text import necessity_text, slack_text, study_text, uncertainty_text

if TYPE_CHECKING:  # the study libraries are imported by the commands that run a study
    from sim.studies.model import Draw

__all__ = [
    "INTERRUPTED",
    "STUDY_EXTRA",
    "necessity_command",
    "slack_command",
    "study_command",
    "uncertainty_command",
]

WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        metavar="N",
        help="Run on a local Dask cluster of N worker processes (default: in this process).",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786).",
    ),
]
TimeoutOpt = Annotated[
    float,
    typer.Option(
        "--connect-timeout",
        metavar="SECONDS",
        min=0.1,
        help="How long to wait for the --scheduler to answer.",
    ),
]
ChunkOpt = Annotated[
    int | None,
    typer.Option(
        "--chunk",
        metavar="N",
        min=1,
        help="Rows per task (samples: 1000; events: 8 for necessity, 4 for slack).",
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out", metavar="FILE", help="Write the frame (one row per sample): .parquet or .csv."
    ),
]
ChartOpt = Annotated[
    Path | None, typer.Option("--chart", metavar="FILE", help="Draw the chart: .png or .svg.")
]
ReportOpt = Annotated[
    Path | None,
    typer.Option("--report", metavar="FILE", help="Write an HTML report with a study section."),
]
SamplesOpt = Annotated[
    int | None, typer.Option("--samples", metavar="N", min=1, help="How many samples to draw.")
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", metavar="S", min=0, help="The seed of every draw.")
]
SamplingOpt = Annotated[
    str,
    typer.Option(
        "--sampling",
        metavar="random|lhs|qmc",
        help="Each sample its own random stream, a Latin hypercube, or a scrambled Sobol "
        "sequence (scipy.stats.qmc).",
    ),
]
SobolOpt = Annotated[
    bool,
    typer.Option("--sobol", help="Sensitivity indices by Sobol (SALib) instead of Morris."),
]
SensitivityOpt = Annotated[
    int | None,
    typer.Option(
        "--sensitivity",
        metavar="N",
        min=0,
        help="Morris trajectories (default 10) or Sobol base points (default 64); 0: none.",
    ),
]


# The study commands spell out the same execution options (--workers, --scheduler, --chunk,
# --out, --chart, --report, --json, --tz...) each in its own signature, since typer reads a
# command's options from there: alike by design, as sim.studies.api's calls are.
@app.command("uncertainty")
@command("uncertainty")
def uncertainty_command(  # noqa: PLR0917 (typer passes options by keyword)
    path: PathArg,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    draw: Annotated[
        str,
        typer.Option(
            "--draw",
            metavar="triangular|uniform",
            help="Within each event's bounds: triangular with the recorded time as its mode, "
            "or uniform.",
        ),
    ] = "triangular",
    sampling: SamplingOpt = "random",
    sobol: SobolOpt = False,
    sensitivity: SensitivityOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    connect_timeout: TimeoutOpt = 10.0,
    chunk: ChunkOpt = None,
    out: OutOpt = None,
    chart: ChartOpt = None,
    report: ReportOpt = None,
    json: JsonOpt = False,
    tz: TzOpt = None,
) -> None:
    """Draw every undated event within its bounds: how likely and when the deal is concluded.

    Every approx event with bounds and every day event is drawn within its bounds (a day
    event without bounds: within its day, in its own zone), in log order and never before an
    event it links to; the engine derives the rest.
    Example: [bold]sim uncertainty scenarios/baseline --samples 2000 --seed 1[/]
    """
    need_extra("uncertainty")
    check_tz(tz)
    shape = cast("Draw", one_of(draw, "--draw", ("triangular", "uniform")))
    drawn = design(sampling, sobol, sensitivity)
    outputs = Outputs.checked(out, chart, report)
    started = time.perf_counter()
    with running("uncertainty", workers, scheduler, connect_timeout, chunk or 1000) as run:
        from sim.studies import uncertainty

        result = uncertainty(
            path, samples=samples or 1000, seed=seed or 0, draw=shape, **drawn, **run
        )
    text = uncertainty_text(result.data, zone_for(tz, path))
    written = outputs.write("uncertainty", result, base=path, rows=text.rows)
    finish("uncertainty", result.data, text, json=json, written=written, started=started)


@app.command("necessity")
@command("necessity")
def necessity_command(  # noqa: PLR0917 (typer passes options by keyword)
    path: PathArg,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    connect_timeout: TimeoutOpt = 10.0,
    chunk: ChunkOpt = None,
    out: OutOpt = None,
    chart: ChartOpt = None,
    report: ReportOpt = None,
    json: JsonOpt = False,
) -> None:
    """Remove each event alone: which events the outcome, and each milestone, needed.

    Example: [bold]sim necessity scenarios/baseline[/]
    """
    need_extra("necessity")
    outputs = Outputs.checked(out, chart, report)
    started = time.perf_counter()
    with running("necessity", workers, scheduler, connect_timeout, chunk or 8) as run:
        from sim.studies import necessity

        result = necessity(path, **run)
    text = necessity_text(result.data)
    written = outputs.write("necessity", result, base=path, rows=text.rows)
    finish("necessity", result.data, text, json=json, written=written, started=started)


@app.command("slack")
@command("slack")
def slack_command(  # noqa: PLR0917 (typer passes options by keyword)
    path: PathArg,
    limit: Annotated[
        str,
        typer.Option("--max", metavar="DURATION", help="The longest delay tried (30d, 12h, P30D)."),
    ] = "30d",
    resolution: Annotated[
        str,
        typer.Option(
            "--resolution", metavar="DURATION", help="How finely the delay is bisected (1m)."
        ),
    ] = "1m",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    connect_timeout: TimeoutOpt = 10.0,
    chunk: ChunkOpt = None,
    out: OutOpt = None,
    chart: ChartOpt = None,
    report: ReportOpt = None,
    json: JsonOpt = False,
) -> None:
    """Delay each event: how long before the deal moves, and before it fails (the critical path).

    Durations are ISO 8601 in --json; none where no delay up to --max moves (or fails) it.
    Example: [bold]sim slack scenarios/baseline --max 10d[/]
    """
    need_extra("slack")
    outputs = Outputs.checked(out, chart, report)
    started = time.perf_counter()
    with running("slack", workers, scheduler, connect_timeout, chunk or 4) as run:
        from sim.studies import slack

        result = slack(path, max=limit, resolution=resolution, **run)
    text = slack_text(result.data)
    written = outputs.write("slack", result, base=path, rows=text.rows)
    finish("slack", result.data, text, json=json, written=written, started=started)


@app.command("study")
@command("study")
def study_command(  # noqa: PLR0917 (typer passes options by keyword)
    path: Annotated[Path, typer.Argument(help="A study file (.toml).", metavar="FILE.toml")],
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    sampling: SamplingOpt = "random",
    sobol: SobolOpt = False,
    sensitivity: SensitivityOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    connect_timeout: TimeoutOpt = 10.0,
    chunk: ChunkOpt = None,
    out: OutOpt = None,
    chart: ChartOpt = None,
    report: ReportOpt = None,
    json: JsonOpt = False,
    tz: TzOpt = None,
) -> None:
    """Run a study file: a sweep of what-ifs drawn from distributions or a grid, summarised.

    Example: [bold]sim study scenarios/studies/fuel-blackout-longer.toml --out rows.parquet[/]
    """
    need_extra("study")
    check_tz(tz)
    drawn = design(sampling, sobol, sensitivity)
    outputs = Outputs.checked(out, chart, report)
    started = time.perf_counter()
    with running("study", workers, scheduler, connect_timeout, chunk or 1000) as run:
        from sim.studies import read_study, study
        from sim.studies.bases import base_path

        spec = read_study(path)
        result = study(spec, samples=samples, seed=seed, **drawn, **run)
    text = study_text(result.data, zone_for(tz, base_path(spec)))
    name = result.data["study"]
    written = outputs.write(name, result, base=base_path(spec), rows=text.rows)
    finish("study", result.data, text, json=json, written=written, started=started)

"""The study commands: uncertainty, necessity, slack and study (issue 11).

Each takes the same execution options (in process by default; ``--workers N`` a local Dask
cluster; ``--scheduler ADDRESS`` a running one) and outputs (``--json``, ``--out`` Parquet or
CSV, ``--chart`` PNG or SVG, ``--report`` HTML).  The study libraries (numpy, scipy, SALib,
dask, pandas, pyarrow: the ``study`` extra) are imported inside the commands, never by
``import sim.cli``.  Ctrl-C cancels the study and exits 130.
"""

import importlib.util
import io
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import structlog
import typer

from sim.cli.app import (
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
from sim.cli.core import PathArg, TzOpt, check_tz, zone_of
from sim.cli.progress import progress
from sim.errors import SimError
from sim.times import Zone, show_time

__all__ = [
    "necessity_command",
    "slack_command",
    "study_command",
    "uncertainty_command",
]

STUDY_EXTRA = ("numpy", "scipy", "SALib", "dask", "distributed", "pandas", "pyarrow")
INTERRUPTED = 130

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
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
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


def _need_extra(name: str) -> None:
    for module in STUDY_EXTRA:
        if importlib.util.find_spec(module) is None:
            raise SimError(
                what=f"sim {name} needs {module}, which is not installed",
                hint="pip install 'sim[study]' (numpy, scipy, SALib, dask[distributed], "
                "pandas, pyarrow)",
                code="missing-extra",
            )


def _suffix(path: Path | None, allowed: tuple[str, ...], what: str) -> str | None:
    if path is None:
        return None
    suffix = output_format(path, allowed, what)
    check_output(path)
    return suffix


def _check_outputs(out: Path | None, chart: Path | None, report: Path | None) -> None:
    _suffix(out, ("parquet", "csv"), "frame")
    _suffix(chart, ("png", "svg"), "chart")
    _suffix(report, ("html",), "report")


def _sampling(value: str) -> Any:
    if value not in ("random", "lhs", "qmc"):
        raise SimError(
            what="unknown --sampling",
            expected="random, lhs or qmc",
            found=repr(value),
            code="bad-option",
        )
    return value


def _method(sobol: bool, n: int | None) -> tuple[Any, int | None]:
    if n == 0:
        return None, None
    return ("sobol" if sobol else "morris"), n


@contextmanager
def _running(name: str) -> Iterator[Any]:
    """A progress bar with an ETA on a terminal; Ctrl-C ends the command with exit 130."""
    try:
        with progress(f"sim {name}", eta=True) as steps:
            yield steps
    except KeyboardInterrupt:
        err_console().print(
            f"[bold red]interrupted:[/] sim {name} was cancelled; nothing was written",
            highlight=False,
        )
        structlog.get_logger().warning("interrupted", command=name, exit_code=INTERRUPTED)
        raise typer.Exit(INTERRUPTED) from None


def _write_frame(frame: Any, path: Path) -> int:
    from sim.store import write_file

    if path.suffix.lower() == ".csv":
        copy = frame.copy()
        for column in copy.columns:
            if copy[column].dtype == object:
                copy[column] = copy[column].map(
                    lambda v: " ".join(v) if isinstance(v, list | tuple) else v
                )
        data = copy.to_csv(index=False).encode("utf-8")
    else:
        buffer = io.BytesIO()
        frame.to_parquet(buffer, engine="pyarrow", index=False)
        data = buffer.getvalue()
    write_file(path, data)
    return len(data)


def _write_figure(figure: Any, path: Path) -> int:
    from sim.render.chart import chart_bytes
    from sim.store import write_file

    data = chart_bytes(figure, path.suffix.lower().lstrip("."))
    write_file(path, data)
    return len(data)


def _svg(figure: Any) -> str:
    from sim.render.chart import chart_bytes

    return chart_bytes(figure, "svg").decode("utf-8")


def _write_report(
    path: Path,
    base: Path,
    *,
    title: str,
    question: str,
    rows: list[tuple[str, str]],
    figures: list[Any],
) -> int:
    from sim.cli.analyst import load_target, report_for
    from sim.render.study import study_section
    from sim.store import write_file

    section = study_section(
        title=title, question=question, rows=rows, charts=[_svg(f) for f in figures]
    )
    html = report_for(load_target(base), study=section)
    data = html.encode("utf-8")
    write_file(path, data)
    return len(data)


def _outputs(
    name: str,
    result: Any,
    *,
    out: Path | None,
    chart: Path | None,
    report: Path | None,
    report_base: Path,
    rows: list[tuple[str, str]],
    figures: Callable[[], list[Any]],
) -> dict[str, Any]:
    written: dict[str, Any] = {}
    if out is not None:
        written["out"] = {"path": str(out), "bytes": _write_frame(result.frame, out)}
    drawn = figures() if chart is not None or report is not None else []
    if chart is not None:
        written["chart"] = {"path": str(chart), "bytes": _write_figure(drawn[0], chart)}
    if report is not None:
        size = _write_report(
            report,
            report_base,
            title=f"Study: {name}",
            question=getattr(result, "question", ""),
            rows=rows,
            figures=drawn,
        )
        written["report"] = {"path": str(report), "bytes": size}
    return written


def _said(written: dict[str, Any]) -> None:
    for what, info in written.items():
        err_console().print(
            f"wrote {what}: {shown(info['path'])} ({info['bytes']:,} bytes)", highlight=False
        )


def _table(title: str, header: tuple[str, ...], rows: Sequence[Sequence[str]]) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for name in header:
        table.add_column(name)
    for row in rows:
        table.add_row(*(shown(cell) for cell in row))
    console().print(table)


def _pct(p: float) -> str:
    return f"{p:.1%}"


def _zone(tz: str | None, base: Path) -> Zone:
    """``--tz``, else the timezone of the manifest beside the base's log (its
    ``scenario.toml``), else UTC: as the other commands tell times."""
    if tz is not None or base.suffix == ".toml":
        return zone_of(tz, None)
    from sim.store import read_manifest

    manifest = read_manifest(base if base.is_dir() else base.parent)
    return zone_of(None, _Holder(manifest))


class _Holder:
    """What :func:`zone_of` reads: a manifest."""

    def __init__(self, manifest: Any) -> None:
        self.manifest = manifest


def _when(text: str | None, zone: Zone) -> str:
    """An ISO 8601 time of the JSON as the terminal shows times: in ``zone``, labelled."""
    if text is None:
        return "—"
    from datetime import datetime

    return show_time(datetime.fromisoformat(text), zone)


def _sensitivity_rows(records: list[dict[str, Any]], top: int = 8) -> list[tuple[str, str]]:
    chosen = [r for r in records if r["measure"] == "concluded_at"] or [
        r for r in records if r["measure"] == "concluded"
    ]
    key = "mu_star" if chosen and "mu_star" in chosen[0] else "ST"
    chosen.sort(key=lambda r: -(r.get(key) or 0.0))
    return [
        (f"sensitivity ({key}, {r['measure']})", f"{r['parameter']}: {r[key]:.3g}")
        for r in chosen[:top]
    ]


# ------------------------------------------------------------------------------------ uncertainty


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
    _need_extra("uncertainty")
    check_tz(tz)
    if draw not in ("triangular", "uniform"):
        raise SimError(
            what="unknown --draw",
            expected="triangular or uniform",
            found=repr(draw),
            code="bad-option",
        )
    mode = _sampling(sampling)
    method, n = _method(sobol, sensitivity)
    _check_outputs(out, chart, report)
    started = time.perf_counter()
    with _running("uncertainty") as steps:
        from sim.studies import uncertainty

        result = uncertainty(
            path,
            samples=samples if samples is not None else 1000,
            seed=seed if seed is not None else 0,
            draw=draw,  # type: ignore[arg-type]
            sampling=mode,
            sensitivity=method,
            sensitivity_n=n,
            workers=workers,
            scheduler=scheduler,
            connect_timeout=connect_timeout,
            chunk=chunk or 1000,
            reporter=steps,
        )
    data = result.data
    zone = _zone(tz, path)
    rows = [
        ("samples", f"{data['samples']:,} (seed {data['seed']}, {data['draw']})"),
        ("events drawn", str(len(data["events_sampled"]))),
        (
            "concluded",
            _summary_text({"p": data["p_concluded"], "ci": data["p_concluded_ci"]}),
        ),
        *(
            (f"concluded at {key}", _when(data["concluded_at"][key], zone))
            for key in ("p05", "p50", "p95")
        ),
        ("milestones in the recorded order", _pct(data["p_recorded_order"])),
        *_sensitivity_rows(list(data["sensitivity"])),
    ]
    written = _outputs(
        "uncertainty",
        result,
        out=out,
        chart=chart,
        report=report,
        report_base=path,
        rows=rows,
        figures=lambda: [result.plot(), result.plot("tornado")],
    )
    if json:
        print_json(data)
    else:
        _table(f"Uncertainty of {data['scenario']}", ("", "result"), rows)
        _table(
            "Milestones",
            ("milestone", "reached", "p05", "p50", "p95"),
            [
                (
                    name,
                    _pct(m["p_reached"]),
                    _when(m["p05"], zone),
                    _when(m["p50"], zone),
                    _when(m["p95"], zone),
                )
                for name, m in data["milestones"].items()
            ],
        )
        _said(written)
    structlog.get_logger().info(
        "uncertainty",
        scenario=data["scenario"],
        samples=data["samples"],
        p_concluded=data["p_concluded"],
        ms=elapsed_ms(started),
    )


# ------------------------------------------------------------------------------------ necessity


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
    _need_extra("necessity")
    _check_outputs(out, chart, report)
    started = time.perf_counter()
    with _running("necessity") as steps:
        from sim.studies import necessity

        result = necessity(
            path,
            workers=workers,
            scheduler=scheduler,
            connect_timeout=connect_timeout,
            chunk=chunk or 8,
            reporter=steps,
        )
    data = result.data
    rows = [
        ("events", str(len(data["events"]))),
        ("needed for the outcome", ", ".join(data["outcome_necessary"]) or "none"),
    ]
    written = _outputs(
        "necessity",
        result,
        out=out,
        chart=chart,
        report=report,
        report_base=path,
        rows=rows,
        figures=lambda: [result.plot()],
    )
    if json:
        print_json(data)
    else:
        _table(
            f"Necessity in {data['scenario']}: each event removed alone",
            ("event", "outcome needs it", "milestones lost without it"),
            [
                (
                    e["id"],
                    "yes" if e["necessary_for_outcome"] else "",
                    " ".join(e["milestones_lost"]),
                )
                for e in data["events"]
            ],
        )
        _said(written)
    structlog.get_logger().info(
        "necessity",
        scenario=data["scenario"],
        events=len(data["events"]),
        necessary=len(data["outcome_necessary"]),
        ms=elapsed_ms(started),
    )


# ------------------------------------------------------------------------------------ slack


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
    _need_extra("slack")
    _check_outputs(out, chart, report)
    started = time.perf_counter()
    with _running("slack") as steps:
        from sim.studies import slack

        result = slack(
            path,
            max=limit,
            resolution=resolution,
            workers=workers,
            scheduler=scheduler,
            connect_timeout=connect_timeout,
            chunk=chunk or 4,
            reporter=steps,
        )
    data = result.data
    critical = [e["id"] for e in data["events"] if e["slack_to_shift"] == "PT0S"]
    rows = [
        ("events", str(len(data["events"]))),
        ("critical (any delay moves the deal)", ", ".join(critical) or "none"),
    ]
    written = _outputs(
        "slack",
        result,
        out=out,
        chart=chart,
        report=report,
        report_base=path,
        rows=rows,
        figures=lambda: [result.plot()],
    )
    if json:
        print_json(data)
    else:
        beyond = f"> {data['max']}"
        _table(
            f"Slack in {data['scenario']} (up to {data['max']}, to {data['resolution']})",
            ("event", "before the deal moves", "before the deal fails"),
            [
                (e["id"], e["slack_to_shift"] or beyond, e["slack_to_failure"] or beyond)
                for e in data["events"]
            ],
        )
        _said(written)
    structlog.get_logger().info(
        "slack",
        scenario=data["scenario"],
        events=len(data["events"]),
        critical=len(critical),
        ms=elapsed_ms(started),
    )


# ------------------------------------------------------------------------------------ study


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
    _need_extra("study")
    check_tz(tz)
    mode = _sampling(sampling)
    method, n = _method(sobol, sensitivity)
    _check_outputs(out, chart, report)
    started = time.perf_counter()
    with _running("study") as steps:
        from sim.studies import read_study, study

        spec = read_study(path)
        result = study(
            spec,
            samples=samples,
            seed=seed,
            sampling=mode,
            sensitivity=method,
            sensitivity_n=n,
            workers=workers,
            scheduler=scheduler,
            connect_timeout=connect_timeout,
            chunk=chunk or 1000,
            reporter=steps,
        )
    data = result.data
    from sim.studies.api import _study_base

    zone = _zone(tz, _study_base(spec))
    rows: list[tuple[str, str]] = [
        ("samples", f"{data['samples']:,} (seed {data['seed']}, {data['sampling']})"),
        ("varied", ", ".join(data["parameters"])),
    ]
    for name, values in data["measures"].items():
        rows.append((name, _summary_text(values, zone)))
    for cell in data["cells"]:
        label = ", ".join(f"{k}={v}" for k, v in cell.items() if k not in ("samples", "measures"))
        rows.append(
            (
                label,
                "; ".join(f"{m}: {_summary_text(v, zone)}" for m, v in cell["measures"].items()),
            )
        )
    rows.extend(_sensitivity_rows(list(data["sensitivity"])))
    written = _outputs(
        data["study"],
        result,
        out=out,
        chart=chart,
        report=report,
        report_base=_study_base(spec),
        rows=rows,
        figures=lambda: [result.plot(), result.plot("tornado")],
    )
    if json:
        print_json(data)
    else:
        if data["question"]:
            console().print(shown(data["question"]), highlight=False)
        _table(f"Study {data['study']} of {data['scenario']}", ("", "result"), rows)
        _said(written)
    structlog.get_logger().info(
        "study", study=data["study"], samples=data["samples"], ms=elapsed_ms(started)
    )


def _summary_text(values: dict[str, Any], zone: Zone = None) -> str:
    if "ci" in values:
        return f"{_pct(values['p'])} (95% CI {_pct(values['ci'][0])}–{_pct(values['ci'][1])})"
    if "mean" in values:
        return (
            f"mean {values['mean']:.2f}, p05 {values['p05']}, p50 {values['p50']}, "
            f"p95 {values['p95']}"
        )
    return (
        f"reached {_pct(values['p_reached'])}; p05 {_when(values['p05'], zone)}, "
        f"p50 {_when(values['p50'], zone)}, p95 {_when(values['p95'], zone)}"
    )

"""What the study commands do around their library call: refuse what cannot work before the
study runs (a missing extra, an unknown choice, an output that cannot be written), run it with
a progress bar that Ctrl-C ends with exit 130, write its outputs (``--out``, ``--chart``,
``--report``), and print and log its results.

Nothing here imports the study libraries (numpy, pandas, matplotlib...) at import time:
``import sim.cli`` stays light.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Final, Literal, TypedDict, cast

import structlog
import typer
from attrs import frozen

# the app's helpers, imported as every command module imports them (sim.cli.analyst alike)
from sim.cli.app import (
    check_output,
    console,
    elapsed_ms,
    err_console,
    output_format,
    print_json,
    shown,
)
from sim.cli.core import zone_of
from sim.cli.progress import Steps, progress
from sim.errors import SimError
from sim.render.study_text import StudyText
from sim.times import Zone

__all__ = [
    "INTERRUPTED",
    "STUDY_EXTRA",
    "Design",
    "Outputs",
    "Run",
    "design",
    "finish",
    "need_extra",
    "one_of",
    "running",
    "zone_for",
]

STUDY_EXTRA: Final = ("numpy", "scipy", "SALib", "dask", "distributed", "pandas", "pyarrow")
INTERRUPTED: Final = 130
Sampling = Literal["random", "lhs", "qmc"]


def need_extra(name: str) -> None:
    """Refuse ``sim NAME`` where a library of the ``study`` extra is not installed."""
    for module in STUDY_EXTRA:
        if importlib.util.find_spec(module) is None:
            raise SimError(
                what=f"sim {name} needs {module}, which is not installed",
                hint="pip install 'sim[study]' (numpy, scipy, SALib, dask[distributed], "
                "pandas, pyarrow)",
                code="missing-extra",
            )


def one_of(value: str, option: str, choices: Sequence[str]) -> str:
    """``value`` of ``option``, one of ``choices`` (else ``bad-option``)."""
    if value not in choices:
        raise SimError(
            what=f"unknown {option}",
            expected=", ".join(choices[:-1]) + " or " + choices[-1],
            found=repr(value),
            code="bad-option",
        )
    return value


class Design(TypedDict):
    """How a study's samples are drawn and its sensitivity indices computed."""

    sampling: Sampling
    sensitivity: Literal["morris", "sobol"] | None
    sensitivity_n: int | None


def design(sampling: str, sobol: bool, n: int | None) -> Design:
    """``--sampling``, ``--sobol`` and ``--sensitivity N`` (0: no indices) as the library's."""
    mode = cast("Sampling", one_of(sampling, "--sampling", ("random", "lhs", "qmc")))
    if n == 0:
        return Design(sampling=mode, sensitivity=None, sensitivity_n=None)
    return Design(sampling=mode, sensitivity="sobol" if sobol else "morris", sensitivity_n=n)


class Run(TypedDict):
    """Where a study's tasks run, how many rows each, and the progress bar they tell."""

    workers: int | None
    scheduler: str | None
    connect_timeout: float
    chunk: int
    reporter: Steps


@contextmanager
def running(
    name: str, workers: int | None, scheduler: str | None, connect_timeout: float, chunk: int
) -> Iterator[Run]:
    """The execution options for the library's call, with a progress bar with an ETA on a
    terminal; Ctrl-C ends the command with exit 130."""
    try:
        with progress(f"sim {name}", eta=True) as steps:
            yield Run(
                workers=workers,
                scheduler=scheduler,
                connect_timeout=connect_timeout,
                chunk=chunk,
                reporter=steps,
            )
    except KeyboardInterrupt:
        err_console().print(
            f"[bold red]interrupted:[/] sim {name} was cancelled; nothing was written",
            highlight=False,
        )
        structlog.get_logger().warning("interrupted", command=name, exit_code=INTERRUPTED)
        raise typer.Exit(INTERRUPTED) from None


def zone_for(tz: str | None, base: Path) -> Zone:
    """``--tz``, else the timezone of the manifest beside the base's log (its
    ``scenario.toml``), else UTC: as the other commands tell times."""
    if tz is not None or base.suffix == ".toml":
        return zone_of(tz, None)
    from sim.store import read_manifest

    manifest = read_manifest(base if base.is_dir() else base.parent)
    return zone_of(None, SimpleNamespace(manifest=manifest))


# ------------------------------------------------------------------------------------ outputs


@frozen
class Outputs:
    """The files a study command writes: ``--out`` (the frame), ``--chart``, ``--report``."""

    out: Path | None
    chart: Path | None
    report: Path | None

    @classmethod
    def checked(cls, out: Path | None, chart: Path | None, report: Path | None) -> Outputs:
        """The outputs, each refused before the study runs if its format is unknown or it
        cannot be written."""
        for path, allowed, what in (
            (out, ("parquet", "csv"), "frame"),
            (chart, ("png", "svg"), "chart"),
            (report, ("html",), "report"),
        ):
            if path is not None:
                output_format(path, allowed, what)
                check_output(path)
        return cls(out, chart, report)

    def write(
        self,
        name: str,
        result: Any,
        *,
        base: Path,
        rows: list[tuple[str, str]],
    ) -> dict[str, Any]:
        """Write ``result``'s outputs (the report of ``base`` with a study section of ``rows``
        and ``result.figures()``, drawn only if a chart or a report is asked for): what was
        written, and its size."""
        from sim.render.chart import chart_bytes
        from sim.render.study import frame_bytes

        written: dict[str, Any] = {}
        if self.out is not None:
            written["out"] = _write(self.out, frame_bytes(result.frame, _kind(self.out)))
        drawn = result.figures() if self.chart is not None or self.report is not None else []
        if self.chart is not None:
            written["chart"] = _write(self.chart, chart_bytes(drawn[0], _kind(self.chart)))
        if self.report is not None:
            html = _report(base, f"Study: {name}", getattr(result, "question", ""), rows, drawn)
            written["report"] = _write(self.report, html.encode("utf-8"))
        return written


def _kind(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def _write(path: Path, data: bytes) -> dict[str, Any]:
    from sim.store import write_file

    write_file(path, data)
    return {"path": str(path), "bytes": len(data)}


def _report(
    base: Path, title: str, question: str, rows: list[tuple[str, str]], figures: list[Any]
) -> str:
    """The HTML report of ``base`` with the study's section."""
    from sim.cli.analyst import load_target, report_for
    from sim.render.chart import chart_bytes
    from sim.render.study import study_section

    charts = [chart_bytes(f, "svg").decode("utf-8") for f in figures]
    section = study_section(title=title, question=question, rows=rows, charts=charts)
    return report_for(load_target(base), study=section)


# ------------------------------------------------------------------------------------ results


def finish(
    name: str,
    data: Any,
    text: StudyText,
    *,
    json: bool,
    written: dict[str, Any],
    started: float,
) -> None:
    """Print the results (the JSON, or the tables and what was written) and log them."""
    if json:
        print_json(data)
    else:
        for block in text.blocks:
            if isinstance(block, str):
                console().print(shown(block), highlight=False)
            else:
                _table(*block)
        for what, info in written.items():
            err_console().print(
                f"wrote {what}: {shown(info['path'])} ({info['bytes']:,} bytes)", highlight=False
            )
    structlog.get_logger().info(name, **text.facts, ms=elapsed_ms(started))


def _table(title: str, header: tuple[str, ...], rows: Sequence[Sequence[str]]) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for name in header:
        table.add_column(name)
    for row in rows:
        table.add_row(*(shown(cell) for cell in row))
    console().print(table)

"""The typer application every command module registers on, and the helpers they share.

A command is a thin shell: parse options, call the library, render.  :func:`command` wraps each
one so that a :class:`sim.errors.SimError` becomes one message on stderr and its exit code,
never a traceback, and so that each run logs one line with its figures.

The command modules do without ``from __future__ import annotations``: typer resolves the
annotations of every command at each start, and annotations kept as text cost a compile each
(about 14 ms of every command's start, issue 13).
"""

import functools
import os
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Final, NoReturn, ParamSpec, TypeVar

import orjson
import structlog
import typer
from rich.console import Console
from rich.markup import escape

from sim import logs
from sim.errors import ENVIRONMENT, SimError, os_fault
from sim.files import file_kind, stat_path
from sim.text import printable

__all__ = [
    "JsonFileOpt",
    "JsonOpt",
    "WaitOpt",
    "app",
    "check_output",
    "command",
    "console",
    "err_console",
    "output_format",
    "print_json",
    "shown",
]

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="sim",
    help="Replay a recorded negotiation, travel to any date, and ask what-if questions of it."
    "\n\nExample: [bold]sim replay scenarios/baseline[/]  (then [bold]sim COMMAND --help[/])",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _no_colour() -> bool:
    return "NO_COLOR" in os.environ or not sys.stdout.isatty()


WaitOpt = Annotated[
    float,
    typer.Option(
        "--wait",
        metavar="SECONDS",
        min=0,
        help="Wait at most this long for another writer to finish (then exit 3, naming it).",
    ),
]


JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
JsonFileOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON object describing the output.")
]
"""``--json`` of the commands that write a file (chart, report, export, import)."""


def shown(text: object) -> str:
    """``text`` for a rich markup string: its markup escaped and its control characters
    shown rather than obeyed."""
    return escape(printable(str(text), keep=""))


PIPED_WIDTH = 100
"""Columns a table is fitted to when stdout is not a terminal and ``COLUMNS`` is not set."""


def console(*, width: int | None = None) -> Console:
    """A console on stdout; colour off when not a terminal or when ``NO_COLOR`` is set.

    Piped output is fitted to ``COLUMNS``, or to :data:`PIPED_WIDTH` rather than rich's 80.
    """
    if width is None and not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        width = PIPED_WIDTH
    return Console(no_color=_no_colour(), highlight=False, soft_wrap=False, width=width)


def err_console() -> Console:
    """A console on stderr for messages: colour as for stdout, and no hard line breaks added
    (a message piped to a file or grepped stays on its own lines)."""
    return Console(
        stderr=True,
        no_color="NO_COLOR" in os.environ or not sys.stderr.isatty(),
        soft_wrap=True,
    )


def print_json(data: Any) -> None:
    """Write ``data`` to stdout as one JSON document (UTF-8, indented)."""
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


@app.callback()
def _configure(
    log_json: Annotated[
        bool, typer.Option("--log-json", help="Write logs (on stderr) as JSON lines.")
    ] = False,
) -> None:
    """Replay a recorded negotiation, travel to any date, and ask what-if questions of it."""
    logs.configure(json=True if log_json else None)


def command(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Wrap a command: report :class:`SimError` cleanly and log one line with the run time."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            log = structlog.get_logger().bind(command=name)
            started = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
            except SimError as exc:
                _fail(exc, log, started)
            except OSError as exc:  # a refusal of the system that no edge turned into words
                _fail(os_fault(exc, doing=f"run sim {name}"), log, started)
            except MemoryError:
                _fail(_OUT_OF_MEMORY, log, started)
            return result

        return run

    return decorate


_OUT_OF_MEMORY: Final = SimError(
    what="out of memory",
    hint="the input is larger than this machine can hold; try a smaller one",
    exit_code=ENVIRONMENT,
    code="io-error",
)


def _fail(exc: SimError, log: Any, started: float) -> NoReturn:
    """Print ``exc`` as one message (its control characters shown, not obeyed) and exit."""
    text = escape(printable(str(exc), keep="\n"))
    err_console().print(f"[bold red]error:[/] {text}", highlight=False, soft_wrap=True)
    log.warning("failed", exit_code=exc.exit_code, code=exc.code, ms=_ms(started))
    raise typer.Exit(exc.exit_code) from None


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def elapsed_ms(started: float) -> float:
    """Milliseconds since ``started`` (a ``time.perf_counter()`` reading)."""
    return _ms(started)


# ------------------------------------------------------------------------------------ outputs


def output_format(output: Path, allowed: tuple[str, ...], what: str) -> str:
    """The format an output file's name asks for (its suffix), one of ``allowed``."""
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise SimError(
            what=f"cannot tell the {what} format from the output file's name",
            path=str(output),
            expected="a name ending in " + " or ".join(f".{a}" for a in allowed),
            found=f".{suffix}" if suffix else "no extension",
            code="unknown-format",
        )
    return suffix


def check_output(output: Path) -> None:
    """Refuse, before any work, an output whose folder is missing or that is not a file (the
    folder's check is the store's, which :func:`sim.store.write_file` makes again when it
    writes): nothing is computed for an output that cannot be written."""
    from sim.store import check_output_folder

    check_output_folder(output)
    there = stat_path(output, doing="write the output")
    if there is not None and not stat.S_ISREG(there.st_mode):
        raise SimError(
            what="the output path is not a regular file",
            path=str(output),
            expected="a file to write (or replace)",
            found=file_kind(there.st_mode),
            hint="choose a file name; `sim export` without -o writes to stdout",
            code="unwritable",
        )

"""``sim append``: add one event to a log, validated, chained and synced before it answers."""

import sys
import time
from pathlib import Path
from typing import Annotated

import structlog
import typer
from rich.markup import escape

from sim.append import append_event, read_event
from sim.cli.app import app, command, console, elapsed_ms, print_json
from sim.errors import SimError

__all__ = ["append_command"]


@app.command("append")
@command("append")
def append_command(
    log: Annotated[
        Path,
        typer.Argument(
            metavar="LOG", help="The log: a scenario folder (events.jsonl) or a .jsonl file."
        ),
    ],
    event: Annotated[
        str,
        typer.Argument(
            metavar="EVENT.json|-", help="A file holding one event as JSON; - reads stdin."
        ),
    ],
    expect: Annotated[
        int | None,
        typer.Option(
            "--expect",
            metavar="N",
            help="Refuse (exit 3) unless the log holds exactly N events; 0 may create the log.",
        ),
    ] = None,
    json: Annotated[
        bool, typer.Option("--json", help="Print the result as one JSON object.")
    ] = False,
) -> None:
    """Append one event to a log: checked against the log, written durably, head pinned.

    Appending the identical event again does nothing (safe to retry); an id taken by another
    event, or a log not at [bold]--expect N[/] events, is a conflict (exit 3).
    Example: [bold]sim append scenarios/mine new-offer.json --expect 12[/]
    """
    started = time.perf_counter()
    source = "<stdin>" if event == "-" else event
    result = append_event(log, read_event(_read_input(event), source=source), expect=expect)
    if json:
        print_json(
            {
                "path": result.path,
                "id": result.id,
                "line": result.line,
                "events": result.events,
                "head": result.head,
                "written": result.written,
            }
        )
    elif result.written:
        console().print(
            f"appended {escape(result.id)} to {escape(result.path)} as line {result.line}: "
            f"{result.events} events, head {result.head}",
            soft_wrap=True,
        )
    else:
        console().print(
            f"{escape(result.id)} is already in {escape(result.path)} (line {result.line}), "
            "identical: nothing written",
            soft_wrap=True,
        )
    structlog.get_logger().info(
        "append",
        path=result.path,
        id=result.id,
        written=result.written,
        events=result.events,
        ms=elapsed_ms(started),
    )


def _read_input(event: str) -> bytes:
    if event == "-":
        return sys.stdin.buffer.read()
    path = Path(event)
    if not path.exists():
        raise SimError(
            what="no such event file",
            path=event,
            hint="pass a .json file holding one event, or - to read it from stdin",
            code="no-such-path",
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SimError(
            what=f"cannot read the event file: {exc.strerror}", path=event, code="unreadable"
        ) from None

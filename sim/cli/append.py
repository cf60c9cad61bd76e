"""``sim append``: add one event to a log, validated, chained and synced before it answers."""

import sys
import time
from pathlib import Path
from typing import Annotated

import attrs
import structlog
import typer

from sim import lock
from sim.append import Appended, append_event, read_event
from sim.cli.app import WaitOpt, app, command, console, elapsed_ms, print_json, shown
from sim.errors import SimError
from sim.files import read_regular
from sim.store import MAX_LINE

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
    wait: WaitOpt = lock.WAIT,
) -> None:
    """Append one event to a log: checked against the log, written durably, head pinned.

    Appending the identical event again does nothing (safe to retry); an id taken by another
    event, or a log not at [bold]--expect N[/] events, is a conflict (exit 3).
    Example: [bold]sim append scenarios/mine new-offer.json --expect 12[/]
    """
    started = time.perf_counter()
    source = "<stdin>" if event == "-" else event
    result = append_event(
        log, read_event(_read_input(event), source=source), expect=expect, wait=wait
    )
    if json:
        print_json(attrs.asdict(result))  # path, id, line, events, head, written
    else:
        console().print(_said(result), soft_wrap=True)
    structlog.get_logger().info(
        "append",
        path=result.path,
        id=result.id,
        written=result.written,
        events=result.events,
        ms=elapsed_ms(started),
    )


def _said(result: Appended) -> str:
    """What the append did, in one line."""
    if result.written:
        return (
            f"appended {shown(result.id)} to {shown(result.path)} as line {result.line}: "
            f"{result.events} events, head {result.head}"
        )
    return (
        f"{shown(result.id)} is already in {shown(result.path)} (line {result.line}), "
        "identical: nothing written"
    )


def _read_input(event: str) -> bytes:
    """The bytes of the event file (a regular file) or of stdin: at most one log line's worth."""
    if event == "-":
        data = sys.stdin.buffer.read(MAX_LINE + 1)
        if len(data) > MAX_LINE:
            raise _too_long(source="<stdin>", found=f"more than {MAX_LINE} bytes")
        return data
    path = Path(event)
    try:
        data = read_regular(path, limit=MAX_LINE, what="the event file")
    except SimError as exc:
        if exc.code == "no-such-path":
            raise SimError(
                what="no such event file",
                path=event,
                hint="pass a .json file holding one event, or - to read it from stdin",
                code="no-such-path",
            ) from None
        if exc.code == "file-too-large":
            raise _too_long(source=event, found=exc.found or "") from None
        raise
    assert data is not None
    return data


def _too_long(*, source: str, found: str) -> SimError:
    return SimError(
        what="the event is too long",
        path=source,
        expected=f"at most {MAX_LINE} bytes",
        found=found,
        hint="a log line holds one event; shorten its quote or notes",
        code="line-too-long",
    )

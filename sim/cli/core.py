"""The foundation commands: replay, state, verify and seal."""

import re
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import structlog
import typer

import sim
from sim import lock, recovery, store
from sim.analysis import milestone_names
from sim.cli.app import (
    JsonOpt,
    WaitOpt,
    app,
    command,
    console,
    elapsed_ms,
    err_console,
    print_json,
    shown,
)
from sim.cli.progress import progress
from sim.errors import SimError, did_you_mean
from sim.events import Event
from sim.fold import Log, Trajectory
from sim.render.data import replay_data, state_data
from sim.state import NegotiationState
from sim.times import Zone, day_edge, parse_zone, show_time

__all__ = ["JsonOpt", "TzOpt", "WidthOpt", "check_tz", "moment_of", "parse_point", "zone_of"]

PathArg = Annotated[
    Path,
    typer.Argument(
        help="A scenario folder (holding events.jsonl), a .jsonl log, or a what-if .toml file."
    ),
]
PreferOpt = Annotated[
    str | None,
    typer.Option(
        "--prefer",
        metavar="SOURCE",
        help="Use the dates another record gives (e.g. 'NPR') where it disagrees.",
    ),
]

WidthOpt = Annotated[
    int | None,
    typer.Option(
        "--width",
        min=60,
        help="Columns to fit (default: the terminal's, or 100 piped); below 110, tables of "
        "many columns become one block per row.",
    ),
]
TzOpt = Annotated[
    str | None,
    typer.Option(
        "--tz",
        metavar="ZONE",
        help="Show times in ZONE, labelled: UTC, 'own' (each time in the offset it was "
        "recorded with), an offset (+02:00) or an IANA zone (Asia/Jerusalem); by default the "
        "scenario's timezone (its scenario.toml), else UTC. A date given to --at, --from or "
        "--to is that day in ZONE.",
    ),
]


def zone_of(tz: str | None, loaded: Any) -> Zone:
    """The zone a command shows times in: ``--tz`` where given, else the ``timezone`` of the
    manifest of ``loaded`` (a log or a trajectory), else UTC."""
    if tz is not None:
        return parse_zone(tz)
    manifest = getattr(loaded, "manifest", None)
    if manifest is not None and manifest.timezone:
        return parse_zone(manifest.timezone)
    return UTC


def check_tz(tz: str | None) -> None:
    """Refuse a bad ``--tz`` before anything is loaded."""
    if tz is not None:
        parse_zone(tz)


def moment_of(point: date | datetime | str, zone: Zone) -> datetime | str:
    """``--at``'s point as the state asks for it: a date is the end of that day in ``zone``."""
    if isinstance(point, date) and not isinstance(point, datetime):
        return day_edge(point, zone, end=True)
    return point


def _point_label(point: date | datetime | str, zone: Zone) -> str:
    """``--at``'s point as a title shows it: a time in ``zone``, labelled; a date or an id as is."""
    return (
        show_time(point, zone, "%Y-%m-%d %H:%M:%S") if isinstance(point, datetime) else str(point)
    )


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _nearest_point(text: str, events: tuple[Event, ...], flag: str) -> str | None:
    """What a point may have meant: the event that names a milestone of that name, or ids
    spelled like it."""
    naming = next((e.id for e in events if e.milestone == text), None)
    if naming is not None:
        return f"{text} is a milestone; the event that names it is {naming} (use {flag} {naming})"
    return did_you_mean(text, (e.id for e in events))


def parse_point(
    text: str, log: Log | Iterable[Event], *, flag: str = "--at"
) -> date | datetime | str:
    """A point given on the command line (``--at``, ``--from``, ``--to``): a date (a day, as
    given), an ISO 8601 time with an offset, or the id of an event of ``log``.  Every fault is
    one :class:`SimError` with the code ``bad-at``."""
    # Not sim.times.parse_time, though its ISO branch is alike in shape: a point keeps a date
    # as a day (--tz picks its edges), may be an event id, and every fault says bad-at.
    events = tuple(log.events if isinstance(log, Log) else log)
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise SimError(
                what="invalid date", expected="YYYY-MM-DD", found=f"{text!r} ({exc})", code="bad-at"
            ) from None
    if any(e.id == text for e in events):
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SimError(
            what=f"{flag} is not a date, a time or an event id of this log",
            expected="YYYY-MM-DD, an ISO 8601 time such as 2023-11-15T12:00:00+00:00, or an id",
            found=repr(text),
            hint=_nearest_point(text, events, flag),
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


@app.command("replay")
@command("replay")
def replay_command(
    path: PathArg,
    json: JsonOpt = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 1) if any event is voided.")
    ] = False,
    prefer_source: PreferOpt = None,
    tz: TzOpt = None,
) -> None:
    """Replay a log and print its timeline, milestones and outcome.

    Example: [bold]sim replay scenarios/baseline --strict[/]
    """
    started = time.perf_counter()
    check_tz(tz)
    with progress("loading and replaying"):
        opened = sim.open(path, prefer=prefer_source)
        trajectory = opened.trajectory
    _report(trajectory, json=json, zone=zone_of(tz, opened.log))
    structlog.get_logger().info(
        "replay",
        scenario=trajectory.name,
        events=len(trajectory.events),
        voided=len(trajectory.voided),
        concluded=trajectory.outcome.concluded,
        ms=elapsed_ms(started),
    )
    if strict and trajectory.voided:
        raise _strict_failure(trajectory, opened.log, path)


def _strict_failure(trajectory: Trajectory, log: Log, path: Path) -> SimError:
    first = trajectory.voided[0]
    return SimError(
        what=f"strict replay: {len(trajectory.voided)} event(s) voided; "
        f"first {first.id!r}: {first.reason}",
        path=str(path),
        line=log.index(first.id) + 1 if log.hashes else None,
        exit_code=1,
        code="voided",
    )


def _report(trajectory: Trajectory, *, json: bool, zone: Zone) -> None:
    if json:
        print_json(replay_data(trajectory, names=milestone_names(trajectory)))
    else:
        from sim.render.terminal import replay_view

        console().print(replay_view(trajectory, zone))


@app.command("state")
@command("state")
def state_command(  # noqa: PLR0917 (typer passes options by keyword)
    path: PathArg,
    at: Annotated[
        str,
        typer.Option(
            "--at",
            metavar="WHEN|EVENT_ID",
            help="A date (the end of that day, in --tz), an ISO 8601 time, or an event id.",
        ),
    ],
    json: JsonOpt = False,
    # an option spelled as typer wants each one (alike in shape to other commands' options)
    as_known_by: Annotated[
        str | None,
        typer.Option(
            "--as-known-by",
            metavar="PARTY",
            help="Show the state as PARTY knew it then (from what had reached it), beside it.",
        ),
    ] = None,
    tz: TzOpt = None,
    width: WidthOpt = None,
) -> None:
    """Print the negotiation state at a date, a time or just after an event.

    Example: [bold]sim state scenarios/baseline --at 2023-11-16 --as-known-by hamas[/]
    """
    check_tz(tz)
    with progress("loading"):
        opened = sim.open(path)
        point = parse_point(at, opened.log)
    zone = zone_of(tz, opened.log)
    if as_known_by is not None:
        from sim.cli.whatif import knowledge

        knowledge(opened, point, as_known_by, json=json, zone=zone, width=width)
        return
    with progress("replaying"):
        state = opened.trajectory.state_at(moment_of(point, zone))
    name = opened.log.name
    if json:
        print_json({"scenario": name, "at": str(point), **state_data(state)})
    else:
        _print_state(state, title=f"{name} at {_point_label(point, zone)}", width=width)
    beyond = _beyond_the_log(opened.log, moment_of(point, zone))
    if beyond:
        err_console().print(f"note: {beyond}", highlight=False)
    structlog.get_logger().info("state", scenario=name, at=str(point), talks=state.talks)


def _print_state(state: NegotiationState, *, title: str, width: int | None) -> None:
    from sim.render.terminal import offers_view, responses_view, state_view

    out = console(width=width)
    out.print(state_view(state, title=title))
    if state.offers:
        out.print(offers_view(state, width=out.width))
    if state.responses:
        out.print(responses_view(state, width=out.width))


def _beyond_the_log(log: Log, moment: datetime | str) -> str | None:
    """What to tell a user whose ``--at`` lies after the log's last event or before its first."""
    if isinstance(moment, str) or not log.events:
        return None
    first, last = log.events[0], log.events[-1]
    if moment > last.at:
        return (
            f"the log ends earlier, at {last.at.isoformat()} ({last.id}): this is the state "
            "after its last event"
        )
    if moment < first.at:
        return (
            f"the log starts later, at {first.at.isoformat()} ({first.id}): this is the state "
            "before any event"
        )
    return None


@app.command("verify")
@command("verify")
def verify_command(
    path: PathArg,
    *,
    head: Annotated[
        str | None,
        typer.Option("--head", help="The head hash the log must end on (catches a cut tail)."),
    ] = None,
    json: JsonOpt = False,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Cut off a torn last line (the original is kept as <log>.bak-<n>); "
            "any other damage is only reported.",
        ),
    ] = False,
    keep_backups: Annotated[
        int,
        typer.Option(
            "--keep-backups",
            metavar="N",
            min=1,
            help="With --repair: keep the last N backups of the log, remove older ones.",
        ),
    ] = recovery.KEEP,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Also fail (exit 1) when the end of the log cannot be checked: no pinned head.",
        ),
    ] = False,
    wait: WaitOpt = lock.WAIT,
) -> None:
    """Check a log's hash chain line by line and print its head hash (exit 1 if damaged).

    Without a pinned head (nor --head) lines cut off the end cannot be seen: verify says so,
    and with --strict fails.  Example: [bold]sim verify scenarios/baseline[/]
    """
    _repair_or_head(repair=repair, head=head)
    from sim.render.verify import verify_data, verify_lines

    with progress("repairing" if repair else "verifying"):
        fixed = recovery.repair(path, keep=keep_backups, wait=wait) if repair else None
        report = fixed.before if fixed else store.verify(path, head=head)
    final = fixed.after if fixed else report
    if json:
        print_json(verify_data(report, fixed))
    else:
        out = console()
        out.soft_wrap = True
        for line in verify_lines(report, fixed, keep=keep_backups):
            out.print(line)
    repaired = bool(fixed and fixed.repaired)
    structlog.get_logger().info("verify", path=report.path, lines=report.lines, ok=report.ok,
                                torn=report.torn is not None, repaired=repaired)  # fmt: skip
    if not final.ok or (strict and final.unchecked is not None):
        raise typer.Exit(1)


def _repair_or_head(*, repair: bool, head: str | None) -> None:
    """Refuse ``--repair`` with ``--head``: a repair works from the pinned head."""
    if repair and head is not None:
        raise SimError(
            what="--repair works from the pinned head, so it takes no --head",
            expected="--repair or --head",
            found="both",
            code="bad-option",
        )


@app.command("seal")
@command("seal")
def seal_command(path: PathArg, json: JsonOpt = False, wait: WaitOpt = lock.WAIT) -> None:
    """Re-chain a log you edited by hand: validate every event, rewrite the hashes, pin the head.

    The log is checked as strictly as any load (ids, causes, fields, times in order) except for
    the chain itself, under the writers' lock.  Example: [bold]sim seal scenarios/baseline[/]
    """
    with progress("sealing"):
        target, log, head = store.seal(path, wait=wait)
    if json:
        print_json({"path": str(target), "events": len(log.events), "head": head})
    else:
        console().print(f"{shown(target)}: {len(log.events)} events sealed, head {head}")

"""Loading a log: every line parsed, decoded, and checked against its chain hash and the log.

:func:`load_log` stops at the first fault and names its file and line: invalid bytes or JSON,
an unknown kind, a missing or mistyped field, a naive time, a line out of time order, a
duplicate id, a cause that names no earlier event, a broken hash chain (:mod:`sim.store.chain`),
a torn last line (:mod:`sim.store.torn`).  A scenario folder's manifest (``scenario.toml``) is
read with it, and every milestone an event names must be one it lists.

Reading never writes: not the log, not its head, not even the lock file.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import attrs
import orjson

from sim._fast import cyclic_gc_paused
from sim.codec import decode_line, decode_manifest, record_links, text_fault
from sim.errors import SimError, did_you_mean
from sim.events import Event
from sim.files import read_regular
from sim.graph import link_fault
from sim.log import Log
from sim.manifest import Manifest
from sim.store.chain import walk
from sim.store.paths import MAX_LINE, log_name, log_path, read_bytes, read_head
from sim.store.torn import snapshot, split_log, torn_error, unpinned

__all__ = ["MANIFEST_NAME", "load_file", "load_log", "read_manifest"]

MANIFEST_NAME: Final = "scenario.toml"
"""The manifest beside a scenario's log (see :mod:`sim.manifest`)."""


def load_log(path: str | os.PathLike[str], *, check_chain: bool = True) -> Log:
    """Read and validate a log: every line parsed, decoded and checked against its chain hash.

    Raises :class:`SimError` naming the file and line of the first fault: invalid bytes or JSON,
    an unknown kind, a missing or mistyped field, a naive time, a duplicate id, a cause that
    names no earlier event, a broken hash chain, a torn last line (with the repair command).
    """
    file = log_path(path)
    with cyclic_gc_paused():
        log = load_file(file, check_chain=check_chain)
    manifest = read_manifest(file.parent)
    if manifest is None:
        return log
    _check_milestones(log, manifest)
    return attrs.evolve(log, manifest=manifest)


def read_manifest(folder: str | os.PathLike[str]) -> Manifest | None:
    """The manifest ``scenario.toml`` of a scenario folder, checked (see
    :func:`sim.codec.decode_manifest`), or ``None`` where the folder has none."""
    file = Path(folder) / MANIFEST_NAME
    raw = read_regular(file, limit=1 << 20, what="the manifest", missing_ok=True)
    if raw is None:
        return None
    where = str(file)
    import tomllib  # noqa: PLC0415 (only where a manifest exists: startup stays lean)

    fault = text_fault(raw)
    if fault is not None:
        raise fault.at(path=where)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except RecursionError:
        raise SimError(
            what="the manifest nests tables or arrays too deeply",
            path=where,
            expected="a manifest's tables of a few keys each",
            found="more levels than sim reads",
            code="nested-too-deep",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SimError(
            what=f"invalid TOML: {exc}",
            path=where,
            hint="see https://toml.io; text values need quotes, tables [brackets]",
            code="invalid-toml",
        ) from None
    manifest: Manifest = decode_manifest(data, path=where)
    return manifest


def _check_milestones(log: Log, manifest: Manifest) -> None:
    """Every milestone an event names is one the manifest lists."""
    listed = set(manifest.milestone_names)
    for number, event in enumerate(log.events, 1):
        if event.milestone is not None and event.milestone not in listed:
            raise SimError(
                what=f"unknown milestone {event.milestone!r} in event {event.id!r}",
                path=log.source,
                line=number,
                expected=f"a milestone of {manifest.path}: " + ", ".join(sorted(listed)),
                found=repr(event.milestone),
                hint=did_you_mean(event.milestone, listed)
                or f"add it to {MANIFEST_NAME} as a [[milestone]]",
                code="unknown-milestone-in-log",
            )


def load_file(file: Path, *, check_chain: bool, settle: bool = True) -> Log:
    """:func:`load_log` of the log ``file``, without its manifest; without ``settle`` (the
    caller holds the writers' lock, so nothing is being written) it reads once rather than
    waiting for a writer to finish."""
    where = str(file)
    data, pinned = snapshot(file) if settle else (read_bytes(file), read_head(file))
    lines, torn = split_log(data, where)
    events: list[Event] = []
    hashes: list[str] = []
    seen: dict[str, int] = {}
    last: Event | None = None
    links = walk(lines) if check_chain else itertools.repeat((None, None))
    for (number, raw), (stored, broken) in zip(lines, links, strict=False):
        if len(raw) > MAX_LINE:
            raise SimError(  # the limit sim.append.read_event puts on one event, said of a line
                what="line too long",
                path=where,
                line=number,
                expected=f"at most {MAX_LINE} bytes",
                found=f"{len(raw)} bytes",
                hint="a log line holds one event; shorten its quote or notes",
                code="line-too-long",
            )
        try:
            event = decode_line(raw, line=number)  # refuses a repeated key, with the line
        except SimError as exc:
            raise exc.at(path=where, line=number) from None
        if last is not None and event.at < last.at:
            raise _order_fault(event, last, seen[last.id], where=where, number=number)
        if event.id in seen:
            raise SimError(  # shaped like every SimError: the words are this fault's own
                what=f"duplicate event id {event.id!r}",
                path=where,
                line=number,
                expected="ids unique in a log",
                found=f"{event.id!r} already at line {seen[event.id]}",
                hint="give each event its own id",
                code="duplicate-id",
            )
        if any(cause not in seen for cause in event.causes):
            later = [line for line in lines if line[0] > number]
            raise _cause_fault(event, where=where, number=number, earlier=seen, later=later)
        if broken is not None:
            raise broken.error(where)
        if stored is not None:
            hashes.append(stored)
        seen[event.id] = number
        events.append(event)
        last = event
    if torn is not None:
        if not events and pinned is None:
            raise SimError(  # not torn_error: a lone cut-short line shows no log to repair
                what="this file is not a sim log: its one line is cut short",
                path=where,
                line=torn.line,
                expected="complete lines of JSON, each with its chain hash",
                found=torn.found,
                hint="if it is a log whose first append crashed, delete it and append again",
                code="not-a-log",
            )
        raise torn_error(torn, where)
    if not events:
        raise SimError(
            what="the log is empty",
            path=where,
            expected="at least one event, one JSON object a line",
            found=f"{len(data)} bytes, no line with an event" if data else "an empty file",
            code="empty-log",
        )
    if check_chain:
        cut_short = unpinned(data, lines, hashes, pinned)
        if cut_short is not None:
            raise torn_error(cut_short, where)
    return Log(events=tuple(events), name=log_name(file), hashes=tuple(hashes), source=where)


def _order_fault(event: Event, last: Event, last_line: int, *, where: str, number: int) -> SimError:
    return SimError(
        what=f"event {event.id!r} is dated before the event on line {last_line} ({last.id!r})",
        path=where,
        line=number,
        expected=f"a time at or after {last.at.isoformat()}: a log is kept in time order, the "
        "order its replay and `state --at` follow",
        found=event.at.isoformat(),
        hint="move the line to its place in time (or fix its date), then `sim seal` the log",
        code="out-of-order",
    )


def _cause_fault(
    event: Event,
    *,
    where: str,
    number: int,
    earlier: Mapping[str, int],
    later: Sequence[tuple[int, bytes]],
) -> SimError:
    """Say why a cause of ``event`` is not an earlier event (:func:`sim.graph.link_fault`):
    itself or a loop through later events, a later event, or no event of this log."""
    ahead: dict[str, list[str]] = {}
    line_of: dict[str, int] = {}
    for line, raw in later:
        with contextlib.suppress(orjson.JSONDecodeError):
            record = orjson.loads(raw)
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                ahead.setdefault(record["id"], record_links(record))
                line_of.setdefault(record["id"], line)
    fault = link_fault(event.id, event.causes, earlier, later=ahead, quote=True)
    assert fault is not None, "called for an event with a cause that is not earlier"
    cause = fault.cause
    if fault.kind in ("itself", "loop"):
        return SimError(
            what=f"the causes of event {event.id!r} loop back to it",
            path=where,
            line=number,
            expected="causes that lead back in time, to earlier events",
            found=" → ".join(repr(i) for i in fault.loop),
            hint="an event cannot answer itself, even through others; drop one of these causes",
            code="cause-cycle",
        )
    if fault.kind == "later":
        return SimError(  # shaped like every SimError: the words are this fault's own
            what=f"event {event.id!r} names a cause that is not an earlier event: "
            f"{cause!r} comes after it",
            path=where,
            line=number,
            expected="each cause to be the id of an event earlier in the log",
            found=f"{cause!r}, which is at line {line_of[cause]}",
            hint="an event answers what happened before it: move the lines, or fix the cause",
            code="later-cause",
        )
    return SimError(
        what=f"event {event.id!r} names a cause that is not an earlier event: "
        f"{cause!r} is no event of this log",
        path=where,
        line=number,
        expected="each cause to be the id of an event earlier in the log",
        found=repr(cause),
        hint=fault.hint or "add the event it answers before it",
        code="unknown-cause",
    )

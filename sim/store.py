"""The store: logs on disk as hash-chained JSON Lines, read with every line checked.

A log is a file of JSON Lines (see :mod:`sim.codec` for the line format).  A scenario directory
holds its log as ``events.jsonl``; every function here takes the directory or the file.  The
head hash may be pinned beside the log in ``<log>.head``: ``verify`` then also catches a tail
cut off the log.  Writes go to a temporary file that is flushed, synced and renamed into place,
so a reader sees the old log or the new one, never half of one.

Appends (:mod:`sim.append`) write one line at the end and then pin the new head, under the
writers' lock (:mod:`sim.lock`).  A crash can leave two kinds of *torn tail*, both reported
distinctly by :func:`load_log` and :func:`verify`, and cut off by ``sim verify --repair``
(:mod:`sim.recovery`):

- a last line cut short: no newline at its end, and not a complete JSON line;
- a complete last line that the pinned head does not cover: the head pins the line before it,
  so the append that wrote it stopped before it pinned the head, and never acknowledged it.

Reading never writes: not the log, not its head, not even the lock file.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final

import attrs
import orjson
from attrs import frozen

from sim import lock
from sim.codec import (
    GENESIS,
    decode_line,
    decode_manifest,
    line_hash,
    linked_hash,
    record_bytes,
    record_links,
    split_line,
    stored_line,
    text_fault,
)
from sim.errors import SimError, did_you_mean
from sim.events import Event
from sim.files import (
    file_kind,
    fsync_dir,
    read_regular,
    replace_file,
    stage_file,
    stat_path,
    write_all,
)
from sim.fold import Log, cyclic_gc_paused
from sim.manifest import Manifest
from sim.text import lookalike_note

__all__ = [
    "LOG_NAME",
    "MAX_HEAD",
    "MAX_LINE",
    "MAX_LOG",
    "TornTail",
    "VerifyReport",
    "check_log",
    "damaged",
    "fsync_dir",
    "head_path",
    "head_status",
    "load_log",
    "log_path",
    "log_target",
    "parse_head",
    "pin_head",
    "read_bytes",
    "read_head",
    "seal",
    "split_log",
    "torn_error",
    "verify",
    "write_all",
    "write_file",
    "write_log",
]

LOG_NAME: Final = "events.jsonl"
MAX_LINE: Final = 1 << 20
"""The longest line a log may hold (1 MiB)."""
MAX_LOG: Final = 1 << 30
"""The largest log sim reads (1 GiB, some two million events): a larger file is refused before
a byte of it is read."""
MAX_HEAD: Final = 4096
"""The largest head file sim reads (a head is one line of 64 hex digits)."""

_BOM: Final = b"\xef\xbb\xbf"
_HEX64: Final = re.compile(r"[0-9a-f]{64}")


def log_path(path: str | os.PathLike[str]) -> Path:
    """The log file for ``path``: the file itself, or ``events.jsonl`` in a directory."""
    given = Path(path)
    info = stat_path(given, doing="open the log")
    if info is not None and stat.S_ISDIR(info.st_mode):
        inner = given / LOG_NAME
        inside = stat_path(inner, doing="open the log")
        if inside is None or not stat.S_ISREG(inside.st_mode):
            raise SimError(
                what="this folder holds no log",
                path=str(given),
                expected=f"a file {LOG_NAME} in it",
                found="no such file" if inside is None else f"{LOG_NAME} is not a file",
                hint="pass a scenario folder that has events.jsonl, or the .jsonl file itself",
                code="no-log-in-folder",
            )
        return inner
    if info is None:
        raise SimError(
            what="no such file or folder",
            path=str(given),
            hint="check the path; a scenario folder or a .jsonl log is expected",
            code="no-such-path",
        )
    if not stat.S_ISREG(info.st_mode):
        raise SimError(
            what="not a regular file",
            path=str(given),
            expected="a scenario folder or a .jsonl log",
            found=file_kind(info.st_mode),
            code="unreadable",
        )
    return given


def log_target(path: str | os.PathLike[str]) -> Path:
    """Where a log written or created at ``path`` goes: an existing folder's ``events.jsonl``;
    an existing file itself; for a path that does not exist yet, the file itself if its name
    ends in ``.jsonl``, else ``events.jsonl`` in a folder of that name."""
    given = Path(path)
    info = stat_path(given, doing="open the log")
    if info is not None:
        return given / LOG_NAME if stat.S_ISDIR(info.st_mode) else given
    return given if given.suffix.lower() == ".jsonl" else given / LOG_NAME


def head_path(log: Path) -> Path:
    """Where the head hash of ``log`` is pinned."""
    return log.with_name(log.name + ".head")


def read_head(log: Path) -> str | None:
    """The pinned head hash of ``log``, if one is pinned (as written: check it before use).

    ``None`` when the head file is missing or empty (:func:`head_status` tells which).
    """
    pinned = head_path(log)
    data = read_regular(pinned, limit=MAX_HEAD, what="the pinned head", missing_ok=True)
    if data is None:
        return None
    text = data.decode("ascii", "replace").strip()
    return text or None


def head_status(log: Path) -> str:
    """``"pinned"``, ``"missing"`` or ``"empty"``: the state of the head file of ``log``."""
    data = read_regular(head_path(log), limit=MAX_HEAD, what="the pinned head", missing_ok=True)
    if data is None:
        return "missing"
    return "pinned" if data.strip() else "empty"


def parse_head(text: str) -> str:
    """A head hash given as an option (``--head``): 64 hex digits, any case; :class:`SimError`
    (exit 2) for anything else."""
    head = text.strip().lower()
    if _HEX64.fullmatch(head) is None:
        raise SimError(
            what="--head is not a head hash",
            expected="64 hexadecimal digits, as `sim verify` prints after 'head'",
            found=repr(text) if len(text) <= 80 else f"{len(text)} characters",
            code="bad-option",
        )
    return head


# ------------------------------------------------------------------------------------ reading


@frozen(kw_only=True)
class TornTail:
    """A last line a crash left behind: cut short, or complete but never pinned."""

    line: int
    offset: int
    """The byte offset where it starts: ``--repair`` truncates the log here."""
    size: int
    """Its bytes, up to the end of the file."""
    found: str
    """What is there, in words."""

    def describe(self) -> str:
        """One sentence for reports."""
        return f"torn last line ({self.size} bytes at byte {self.offset}): {self.found}"


def read_bytes(file: Path) -> bytes:
    """The bytes of the log ``file`` (a regular file of at most :data:`MAX_LOG` bytes);
    :class:`SimError` when it cannot be read."""
    data = read_regular(file, limit=MAX_LOG, what="the log")
    assert data is not None
    return data


def _snapshot(file: Path) -> tuple[bytes, str | None]:
    """The log's bytes and pinned head, read as one consistent state.

    An append in progress looks like a torn tail until it pins its head; when what was read
    does not look settled, wait for the writers' lock (if any writer ever made one) and read
    again.
    """
    data, pinned = read_bytes(file), read_head(file)
    if _settled(data, pinned):
        return data, pinned
    with lock.shared(file) as held:
        if held:
            data, pinned = read_bytes(file), read_head(file)
    return data, pinned


def _settled(data: bytes, pinned: str | None) -> bool:
    if data and not data.endswith(b"\n"):
        return False
    if pinned is None:
        return True
    end = len(data)
    while end and data[end - 1] in b" \t\r\n":  # skip trailing blank lines, without a copy
        end -= 1
    parts = split_line(data[data.rfind(b"\n", 0, end) + 1 : end])
    return (parts[1] if parts else GENESIS) == pinned


def split_log(data: bytes, where: str) -> tuple[list[tuple[int, bytes]], TornTail | None]:
    """The non-blank lines of a log with their numbers (newlines cut), and a cut-short tail.

    The last line is *cut short* when it has no newline and is the start of a log line but not
    valid JSON: every writer ends its line with a newline, so only a write that stopped midway
    leaves one like that.  A last line that does not even start as a log line does (``{"``), or
    that holds NUL bytes, is no torn append: it stays a line, for the readers to refuse as what
    it is (text, NUL bytes from a disk fault, ...).
    """
    if data.startswith(_BOM):
        fault = text_fault(data)
        assert fault is not None
        raise attrs.evolve(fault, path=where, hint=f"{fault.hint}, then `sim seal` it")
    segments = data.split(b"\n")
    last = segments.pop()
    torn = None
    if last.strip():
        try:
            orjson.loads(last)
        except orjson.JSONDecodeError:
            if not b'{"'.startswith(last[:2]) or b"\x00" in last:
                segments.append(last)
                return [(n, raw) for n, raw in enumerate(segments, 1) if raw.strip()], None
            torn = TornTail(
                line=len(segments) + 1,
                offset=len(data) - len(last),
                size=len(last),
                found=f"no newline at its end and not a complete JSON line: {_preview(last)}",
            )
        else:
            segments.append(last)
    return [(n, raw) for n, raw in enumerate(segments, start=1) if raw.strip()], torn


def _preview(raw: bytes) -> str:
    text = raw[:48].decode("utf-8", "replace")
    return repr(text + "…") if len(raw) > 48 else repr(text)


def _name(path: Path) -> str:
    return path.parent.name if path.name == LOG_NAME else path.stem


def torn_error(torn: TornTail, where: str) -> SimError:
    """The error that readers and writers give for a torn tail, with the command that fixes it."""
    return SimError(
        what="the log's last line is torn (an append did not finish)",
        path=where,
        line=torn.line,
        expected="a complete, pinned last line",
        found=torn.found,
        hint=f"run `sim verify --repair {where}`: it keeps a backup and cuts off only that line",
        code="torn-tail",
    )


def _unpinned(
    data: bytes, lines: Sequence[tuple[int, bytes]], hashes: Sequence[str], pinned: str | None
) -> TornTail | None:
    """The last line, when the pinned head is the hash just before it (an unfinished append)."""
    if pinned is None or not hashes or pinned == hashes[-1]:
        return None
    before = hashes[-2] if len(hashes) > 1 else GENESIS
    if pinned != before:
        return None
    number, raw = lines[-1]
    offset = len(data.rstrip()) - len(raw)  # a chained line ends in "}", so rstrip keeps it
    return TornTail(
        line=number,
        offset=offset,
        size=len(data) - offset,
        found="a complete line that the pinned head does not cover: the append that wrote it "
        "stopped before pinning the head, so it was never acknowledged",
    )


def load_log(path: str | os.PathLike[str], *, check_chain: bool = True) -> Log:
    """Read and validate a log: every line parsed, decoded and checked against its chain hash.

    Raises :class:`SimError` naming the file and line of the first fault: invalid bytes or JSON,
    an unknown kind, a missing or mistyped field, a naive time, a duplicate id, a cause that
    names no earlier event, a broken hash chain, a torn last line (with the repair command).
    """
    file = log_path(path)
    with cyclic_gc_paused():
        log = _load(file, check_chain=check_chain)
    manifest = read_manifest(file.parent)
    if manifest is None:
        return log
    _check_milestones(log, manifest)
    return attrs.evolve(log, manifest=manifest)


MANIFEST_NAME: Final = "scenario.toml"
"""The manifest beside a scenario's log (see :mod:`sim.manifest`)."""


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


def _load(file: Path, *, check_chain: bool, settle: bool = True) -> Log:
    """:func:`load_log` of ``file``; without ``settle`` (the caller holds the writers' lock, so
    nothing is being written) it reads once rather than waiting for a writer to finish."""
    where = str(file)
    data, pinned = _snapshot(file) if settle else (read_bytes(file), read_head(file))
    lines, torn = split_log(data, where)
    events: list[Event] = []
    hashes: list[str] = []
    seen: dict[str, int] = {}
    previous = GENESIS
    last: Event | None = None
    for number, raw in lines:
        if len(raw) > MAX_LINE:
            raise SimError(
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
            raise SimError(
                what=f"duplicate event id {event.id!r}",
                path=where,
                line=number,
                expected="ids unique in a log",
                found=f"{event.id!r} already at line {seen[event.id]}",
                hint="give each event its own id",
                code="duplicate-id",
            )
        for cause in event.causes:
            if cause not in seen:
                later = [line for line in lines if line[0] > number]
                raise _cause_fault(
                    event, cause, where=where, number=number, earlier=seen, later=later
                )
        if check_chain:
            previous = linked_hash(raw, previous) or _check_link(raw, previous, where, number)
            hashes.append(previous)
        seen[event.id] = number
        events.append(event)
        last = event
    if torn is not None:
        if not events and pinned is None:
            raise SimError(
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
        unpinned = _unpinned(data, lines, hashes, pinned)
        if unpinned is not None:
            raise torn_error(unpinned, where)
    return Log(events=tuple(events), name=_name(file), hashes=tuple(hashes), source=where)


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
    cause: str,
    *,
    where: str,
    number: int,
    earlier: Mapping[str, int],
    later: Sequence[tuple[int, bytes]],
) -> SimError:
    """Say why ``cause`` is not an earlier event: unknown, later, or part of a loop."""
    ahead: dict[str, tuple[int, list[str]]] = {}
    for line, raw in later:
        with contextlib.suppress(orjson.JSONDecodeError):
            record = orjson.loads(raw)
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                ahead.setdefault(record["id"], (line, record_links(record)))
    loop = _loop(event.id, cause, ahead)
    if loop is not None:
        return SimError(
            what=f"the causes of event {event.id!r} loop back to it",
            path=where,
            line=number,
            expected="causes that lead back in time, to earlier events",
            found=" → ".join(repr(i) for i in loop),
            hint="an event cannot answer itself, even through others; drop one of these causes",
            code="cause-cycle",
        )
    if cause in ahead:
        return SimError(
            what=f"event {event.id!r} names a cause that is not an earlier event: "
            f"{cause!r} comes after it",
            path=where,
            line=number,
            expected="each cause to be the id of an event earlier in the log",
            found=f"{cause!r}, which is at line {ahead[cause][0]}",
            hint="an event answers what happened before it: move the lines, or fix the cause",
            code="later-cause",
        )
    close = difflib.get_close_matches(cause, list(earlier), n=1)
    note = lookalike_note(cause, close[0]) if close else ""
    return SimError(
        what=f"event {event.id!r} names a cause that is not an earlier event: "
        f"{cause!r} is no event of this log",
        path=where,
        line=number,
        expected="each cause to be the id of an event earlier in the log",
        found=repr(cause),
        hint=(f"did you mean {close[0]!r}?" + (f" ({note})" if note else ""))
        if close
        else "add the event it answers before it",
        code="unknown-cause",
    )


def _loop(start: str, cause: str, ahead: Mapping[str, tuple[int, list[str]]]) -> list[str] | None:
    """The ids of a loop ``start → cause → … → start`` through later events, if there is one."""
    if cause == start:
        return [start, start]
    parent: dict[str, str] = {cause: start}
    frontier = [cause]
    while frontier:
        current = frontier.pop()
        for nxt in ahead.get(current, (0, []))[1]:
            if nxt == start:
                path = [current]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if nxt not in parent:
                parent[nxt] = current
                frontier.append(nxt)
    return None


def _check_link(raw: bytes, previous: str, where: str, number: int) -> str:
    parts = split_line(raw)
    if parts is None:
        crlf = raw.endswith(b"\r")
        raise SimError(
            what="line ends with CR LF" if crlf else "line has no chain hash",
            path=where,
            line=number,
            expected='a "hash" key last on the line, then LF',
            found="a CR before the line feed (Windows line ends)" if crlf else _preview(raw[-48:]),
            hint=f"`sim seal {where}` checks every event and rewrites the chain",
            code="crlf-line-end" if crlf else "no-chain-hash",
        )
    content, stored = parts
    expected = line_hash(previous, content)
    if stored != expected:
        raise SimError(
            what="broken hash chain: this line, or one before it, was changed, added or removed",
            path=where,
            line=number,
            expected=expected,
            found=stored,
            hint=f"run `sim verify {where}` for the whole report; "
            "if you edited the log on purpose, `sim seal` re-chains it",
            code="broken-chain",
        )
    return stored


# ------------------------------------------------------------------------------------ writing


def encode_lines(events: Iterable[Event], previous: str = GENESIS) -> tuple[list[bytes], str]:
    """The stored lines for ``events`` continuing a chain at ``previous``, and the new head."""
    lines = []
    for event in events:
        content = record_bytes(event)
        previous = line_hash(previous, content)
        lines.append(stored_line(content, previous))
    return lines, previous


def write_log(
    path: str | os.PathLike[str],
    events: Iterable[Event],
    *,
    pin: bool = True,
    wait: float = lock.WAIT,
) -> str:
    """Write ``events`` as a new log at ``path`` (see :func:`log_target` for where it goes).

    The file is replaced atomically under the writers' lock (waiting up to ``wait`` seconds for
    it); with ``pin`` the head is written beside it.  A log replaced keeps its mode.  Returns
    the head hash.
    """
    target = log_target(path)
    folder = stat_path(target.parent, doing="write the log")
    if folder is None or not stat.S_ISDIR(folder.st_mode):
        raise SimError(
            what="the folder for the log does not exist",
            path=str(target.parent),
            hint="create the folder first",
            code="no-output-folder",
        )
    lines, head = encode_lines(events)
    with lock.exclusive(target, wait=wait):
        _write_locked(target, lines, head, pin=pin)
    return head


def _write_locked(target: Path, lines: Sequence[bytes], head: str, *, pin: bool) -> None:
    """Replace the log at ``target`` by ``lines`` and pin ``head`` (the caller holds the lock).

    Both files are written and synced under temporary names first, then renamed into place:
    a full disk or a refused permission fails before anything is replaced.
    """
    body = b"".join(line + b"\n" for line in lines)
    staged = [stage_file(target, body, doing="write the log", locked=True)]
    try:
        if pin:
            pinned = head.encode("ascii") + b"\n"
            staged.append(
                stage_file(head_path(target), pinned, doing="pin the log's head", locked=True)
            )
        for file in staged:
            file.commit()
    except BaseException:
        for file in staged:
            file.discard()
        raise
    fsync_dir(target.parent)


def seal(path: str | os.PathLike[str], *, wait: float = lock.WAIT) -> tuple[Path, Log, str]:
    """Re-chain the log at ``path`` and pin its head: ``(file, log, head)``.

    The log is read and checked as strictly as any load except for its chain, and rewritten,
    all under the writers' lock, so that no append can slip in between and be lost.
    """
    file = log_path(path)
    with lock.exclusive(file, wait=wait), cyclic_gc_paused():
        log = _load(file, check_chain=False, settle=False)
        lines, head = encode_lines(log.events)
        _write_locked(file, lines, head, pin=True)
    return file, log, head


def pin_head(log: Path, head: str) -> None:
    """Pin ``head`` beside ``log``, atomically (the caller holds the log's writers' lock)."""
    replace_file(
        head_path(log), head.encode("ascii") + b"\n", doing="pin the log's head", locked=True
    )


def write_file(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file beside it, synced and renamed.

    The folder must exist; if anything fails, nothing is left at ``path`` (an older file there
    stays as it was).  A file replaced keeps its mode; a new one gets the umask's.  For outputs
    such as charts, reports and exports.
    """
    target = Path(path)
    folder = stat_path(target.parent, doing="write the output")
    if folder is None or not stat.S_ISDIR(folder.st_mode):
        raise SimError(
            what="the folder for the output does not exist",
            path=str(target),
            hint=f"create {target.parent} first, or write somewhere else",
            code="no-output-folder",
        )
    info = stat_path(target, doing="write the output")
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise SimError(
            what="the output path is a folder",
            path=str(target),
            expected="a file name",
            code="unwritable",
        )
    replace_file(target, data, doing="write the output")
    return target


# ------------------------------------------------------------------------------------ verify


@frozen(kw_only=True)
class VerifyReport:
    """What ``verify`` found: the head hash, the line count, and each fault with its line."""

    path: str
    lines: int
    head: str
    pinned: str | None
    faults: tuple[tuple[int, str], ...]
    torn: TornTail | None = None
    """A torn last line (also among ``faults``): the one fault ``--repair`` may fix."""
    unchecked: str | None = None
    """Why the end of the log could not be checked (no pinned head, or an empty one), if so:
    lines cut off the end would then go unseen.  Not a fault: ``sim verify --strict`` makes it
    one."""

    @property
    def ok(self) -> bool:
        """Whether the chain is whole and matches the pinned head, if any."""
        return not self.faults

    @property
    def only_torn(self) -> bool:
        """Whether the one fault is a torn tail, which ``--repair`` cuts off."""
        return self.torn is not None and len(self.faults) == 1


def verify(path: str | os.PathLike[str], *, head: str | None = None) -> VerifyReport:
    """Check every line's chain hash, and the head against ``head`` or the pinned one.

    Unlike :func:`load_log` this reports every fault instead of stopping at the first.  It does
    not decode events: a line that is not a chained record is reported as such.
    """
    expected = parse_head(head) if head is not None else None
    file = log_path(path)
    data, pinned = _snapshot(file)
    if expected is not None:
        return check_log(file, data, expected, from_pin=False)
    report = check_log(file, data, pinned)
    if pinned is None and report.lines:
        pin = head_path(file)
        status = head_status(file)
        report = attrs.evolve(
            report,
            unchecked=f"no pinned head ({pin.name} is {status}): lines cut off the end of "
            "the log would go unseen",
        )
    return report


def check_log(
    file: Path,
    data: bytes,
    pinned: str | None,
    *,
    from_pin: bool = True,
    split: tuple[list[tuple[int, bytes]], TornTail | None] | None = None,
) -> VerifyReport:
    """:func:`verify` of ``data`` as read from ``file``, with ``pinned`` as the head to match.

    ``from_pin`` says ``pinned`` came from the head file, written only by appends: then a head
    one line short of the log marks an unfinished append (a torn tail), not a foreign line.
    ``split`` is :func:`split_log` of ``data``, when the caller has it already.
    """
    where = str(file)
    lines, torn = split if split is not None else split_log(data, where)
    faults: list[tuple[int, str]] = []
    hashes: list[str] = []
    previous = GENESIS
    for number, raw in lines:
        parts = split_line(raw)
        if parts is None:
            fault = "no chain hash at the end of the line (edited, or not written by sim)"
            if raw.endswith(b"\r"):
                fault = "line ends with CR LF (Windows line ends): `sim seal` rewrites it"
            faults.append((number, fault))
            continue
        content, stored = parts
        expected = line_hash(previous, content)
        if stored != expected:
            faults.append(
                (number, f"hash mismatch: expected {expected[:12]}…, found {stored[:12]}…")
            )
        previous = stored
        hashes.append(stored)
    if lines and not hashes and not any(raw.startswith(b'{"') for _, raw in lines):
        raise _not_a_log(where, lines)  # text, NUL bytes: no line is even the start of one
    if torn is not None:
        faults.append((torn.line, torn.describe()))
    elif not lines:
        if pinned is None or pinned == GENESIS:
            raise SimError(
                what="the log is empty",
                path=where,
                expected="at least one event",
                found="an empty file" if not data else "only blank lines",
                code="empty-log",
            )
        faults.append((0, f"the log is empty but its pinned head is {pinned[:12]}…"))
        pinned = None
    if pinned is not None and pinned != previous:
        unpinned = None
        if from_pin and not faults:
            unpinned = _unpinned(data, lines, hashes, pinned)
        if unpinned is not None:
            torn = unpinned
            faults.append((unpinned.line, unpinned.describe()))
        elif _HEX64.fullmatch(pinned) is None:
            faults.append((len(lines), f"the pinned head is not a hash: {pinned[:70]!r}"))
        else:
            faults.append(
                (
                    len(lines),
                    (
                        f"head {previous[:12]}… does not match the pinned head {pinned[:12]}… "
                        "(lines cut off the end, or added after it)"
                    ),
                )
            )
    return VerifyReport(
        path=where,
        lines=len(lines),
        head=previous,
        pinned=pinned,
        faults=tuple(sorted(faults, key=lambda fault: fault[0])),
        torn=torn,
    )


def _not_a_log(where: str, lines: Sequence[tuple[int, bytes]]) -> SimError:
    nul = any(b"\x00" in raw for _, raw in lines)
    return SimError(
        what="this file is not a sim log: none of its lines is a JSON record with its chain hash",
        path=where,
        expected="lines of JSON, each with its chain hash (as sim writes them)",
        found=f"{len(lines)} line(s) of "
        + (
            "NUL bytes (a disk fault, or not a text file)"
            if nul
            else f"text: {_preview(lines[0][1])}"
        ),
        hint="a log you wrote by hand gets its chain from `sim seal`; "
        "check that this is the file you meant",
        code="not-a-log",
    )


def damaged(report: VerifyReport) -> SimError:
    """The error for a damaged log that a writer refuses to touch."""
    line, fault = report.faults[0]
    more = len(report.faults) - 1
    return SimError(
        what="the log is damaged" + (f" ({more} more fault(s) after this one)" if more else ""),
        path=report.path,
        line=line or None,
        found=fault,
        hint=f"run `sim verify {report.path}` for the whole report",
        code="damaged-log",
    )

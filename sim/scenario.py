"""Reading what-if scenario files: TOML data, never executed.

A scenario file names its base (a log, a scenario folder, or another scenario file: a what-if
of a what-if), asks its question, and lists its interventions::

    [scenario]
    name = "no-shifa-assurance"
    base = "../baseline"    # relative to this file, or absolute
    question = "What if Israel had not promised to keep al-Shifa running?"

    [[intervention]]
    remove = { kind = "assurance", since = "2023-11-15", all = true }

This module is the edge: it reads files and resolves paths; :mod:`sim.scenario_spec` turns
their content into interventions and :mod:`sim.whatif` does the rest.  Every fault is a
:class:`SimError` naming the file (and the intervention and line, where there is one); nothing
is ever written.

:func:`open` (``sim.open``) is the one way in for the commands: a scenario folder, a ``.jsonl``
log or a what-if ``.toml`` file, as an :class:`Opened` (the log, its trajectory, and for a
what-if its base, question and what each intervention did).
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
from attrs import frozen

from sim import store
from sim.codec import text_fault
from sim.errors import ENVIRONMENT, SimError
from sim.files import file_kind, read_regular, resolve, stat_path
from sim.fold import Log, Trajectory, replay

if TYPE_CHECKING:  # the what-if engine is imported where a scenario file is read
    from sim.analysis import Diff
    from sim.scenario_spec import ScenarioSpec
    from sim.whatif import Baseline, WhatIf

__all__ = [
    "MAX_DEPTH",
    "MAX_SCENARIO",
    "Opened",
    "is_scenario",
    "load",
    "load_scenario",
    "open",
    "read_spec",
    "read_toml",
]


def is_scenario(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a scenario file (``.toml``) rather than a log."""
    return Path(path).suffix.lower() == ".toml"


MAX_SCENARIO: Final = 1 << 20
"""The largest scenario file sim reads (1 MiB; the bundled ones are under 1 KiB each)."""
MAX_DEPTH: Final = 32
"""How deeply a scenario file's tables and arrays may nest (a scenario needs five levels)."""


def read_spec(path: str | os.PathLike[str]) -> ScenarioSpec:
    """Read and check a scenario file (not its base)."""
    file = Path(path)
    data, text = read_toml(
        file,
        noun="scenario file",
        hint="a what-if scenario is a .toml file, e.g. scenarios/whatif/no-blackouts.toml",
        limit=MAX_SCENARIO,
        too_deep=_too_deep,
    )
    from sim.scenario_spec import parse_scenario

    try:
        return parse_scenario(data, path=str(file), text=text)
    except SimError as exc:
        raise attrs.evolve(exc, code=exc.code or "bad-scenario") from None


def read_toml(
    file: Path,
    *,
    noun: str,
    hint: str,
    limit: int,
    too_deep: Callable[[str], SimError],
) -> tuple[dict[str, Any], str]:
    """A TOML file (a scenario or a study) parsed, and its text: a regular file of at most
    ``limit`` bytes, UTF-8 without a byte-order mark, nesting at most :data:`MAX_DEPTH` levels.
    Every fault is one :class:`SimError` naming the file (the ``noun``), and the line and
    column of invalid TOML."""
    where = str(file)
    info = stat_path(file, doing=f"read the {noun}")
    if info is None:
        raise SimError(what=f"no such {noun}", path=where, hint=hint, code="no-such-path")
    if not stat.S_ISREG(info.st_mode):
        raise SimError(
            what=f"the {noun} is not a regular file",
            path=where,
            expected="a .toml file",
            found=file_kind(info.st_mode),
            hint=hint,
            code="unreadable",
        )
    raw = read_regular(file, limit=limit, what=f"the {noun}")
    assert raw is not None
    fault = text_fault(raw)
    if fault is not None:
        raise fault.at(path=where)
    text = raw.decode("utf-8")
    import tomllib

    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise too_deep(where) from None
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT.search(str(exc))
        raise SimError(
            what=f"invalid TOML: {str(exc).split(' (at ')[0]}",
            path=where,
            line=int(at.group(1)) if at else None,
            column=int(at.group(2)) if at else None,
            hint="see https://toml.io; text values need quotes, tables [brackets]",
            code="invalid-toml",
        ) from None
    if _depth(data) > MAX_DEPTH:
        raise too_deep(where)
    return data, text


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _too_deep(where: str) -> SimError:
    return SimError(
        what="the scenario file nests tables or arrays too deeply",
        path=where,
        expected=f"at most {MAX_DEPTH} levels (a scenario needs five)",
        found="more",
        hint="check the file's brackets: a scenario is a [scenario] table and [[intervention]] "
        "tables of a few keys each",
        code="nested-too-deep",
    )


def _depth(data: object) -> int:
    """How deeply ``data`` (parsed TOML) nests, counted without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            children: list[object] = list(value.values())
        elif isinstance(value, list):
            children = list(value)
        else:
            continue
        deepest = max(deepest, level)
        if level <= MAX_DEPTH:
            stack.extend((child, level + 1) for child in children)
    return deepest


def _base_path(spec: ScenarioSpec) -> Path:
    given = Path(spec.base)
    return given if given.is_absolute() else Path(spec.path).parent / given


def load_scenario(
    path: str | os.PathLike[str], *, cache: dict[str, Baseline] | None = None
) -> WhatIf:
    """The what-if a scenario file describes, computed against its base.

    A base that is itself a scenario contributes its interventions first; a loop of bases is
    an error.  ``cache`` keeps prepared base logs by path, for callers that load many scenarios
    over one base.
    """
    chain: list[ScenarioSpec] = []
    seen: list[Path] = []
    current = Path(path)
    while True:
        resolved = resolve(current, doing="read the scenario file")
        if resolved in seen:
            loop = " → ".join(str(p) for p in [*seen, resolved])
            raise SimError(
                what="the scenario's bases form a loop",
                path=str(path),
                found=loop,
                hint="a base must be a log or a scenario that does not lead back here",
                code="base-loop",
            )
        seen.append(resolved)
        spec = read_spec(current)
        chain.append(spec)
        base = _base_path(spec)
        if is_scenario(base):
            current = base
            continue
        log = _load_base(spec, base, cache)
        break
    from sim.whatif import whatif

    interventions = tuple(i for spec in reversed(chain) for i in spec.interventions)
    top = chain[0]
    patience = next((spec.patience for spec in chain if spec.patience is not None), None)
    try:
        return whatif(log, interventions, name=top.name, question=top.question, patience=patience)
    except SimError as exc:
        raise attrs.evolve(
            exc, path=exc.path or top.path, code=exc.code or "intervention-failed"
        ) from None


def _load_base(spec: ScenarioSpec, base: Path, cache: dict[str, Baseline] | None) -> Baseline:
    key = str(resolve(base, doing="read the scenario's base"))
    if cache is not None and key in cache:
        return cache[key]
    if stat_path(base, doing="read the scenario's base") is None:
        raise SimError(
            what=f"the base {spec.base!r} does not exist",
            path=spec.path,
            expected="a scenario folder with events.jsonl, a .jsonl log, or a .toml scenario,"
            " relative to this file",
            found=str(base),
            code="base-missing",
        )
    try:
        log = store.load_log(base)
    except SimError as exc:
        if exc.exit_code == ENVIRONMENT:
            raise  # the system refused: say so as it is, not as a fault of the base
        raise SimError(
            what=f"the base {spec.base!r} is not a log: {exc.what}",
            path=spec.path,
            found=f"{exc.path or base}" + (f":{exc.line}" if exc.line else ""),
            hint=exc.hint,
            code="base-invalid",
        ) from None
    from sim.whatif import prepare

    ready = prepare(log)
    if cache is not None:
        cache[key] = ready
    return ready


def load(path: str | os.PathLike[str]) -> Log:
    """A log from a log file or folder, or the re-timed log of a scenario file.

    This is what commands call wherever they take a PATH.
    """
    if is_scenario(path):
        return load_scenario(path).log
    return store.load_log(path)


# ------------------------------------------------------------------------------------ one way in


@frozen(kw_only=True, repr=False)
class Opened:
    """What a path holds, as the commands show it: a log and its trajectory, and for a what-if
    scenario the what-if itself (its base, its question, what each intervention did)."""

    path: str
    log: Log
    whatif: WhatIf | None = None

    @functools.cached_property
    def trajectory(self) -> Trajectory:
        """The log replayed; for a what-if, its trajectory (computed over the base)."""
        return self.whatif.trajectory if self.whatif is not None else replay(self.log)

    @property
    def base(self) -> Trajectory | None:
        """The base's trajectory, for a what-if."""
        return self.whatif.base_trajectory if self.whatif is not None else None

    @property
    def question(self) -> str | None:
        """The what-if's question, if it asks one."""
        return (self.whatif.question or None) if self.whatif is not None else None

    @property
    def context(self) -> Literal["historical", "hypothetical"]:
        """``historical`` for a recorded log, ``hypothetical`` for a what-if."""
        return "historical" if self.whatif is None else "hypothetical"

    @property
    def diff(self) -> Diff | None:
        """The what-if's diff from its base."""
        return self.whatif.diff if self.whatif is not None else None

    @property
    def notes(self) -> Mapping[str, str]:
        """Event id to what an intervention did to it (``removed by [[intervention]] #1``)."""
        return self.whatif.origins if self.whatif is not None else {}

    def __repr__(self) -> str:
        kind = "what-if" if self.whatif is not None else "log"
        return f"<Opened {kind} {self.trajectory.name!r}: {len(self.log.events)} events>"


def open(  # noqa: A001 (sim.open, the library's one way in, as the issue names it)
    path: str | os.PathLike[str], *, prefer: str | None = None
) -> Opened:
    """A scenario folder or ``.jsonl`` log, or a what-if ``.toml`` file computed over its
    base: what every analyst command shows.  A log is replayed when its trajectory is first
    asked for.

    ``prefer`` names a source (``"NPR"``, any part of its name) whose dates replace the record's
    where it gives another (:func:`sim.sources.prefer`): the log is re-dated, not a what-if.
    """
    if is_scenario(path) and prefer is None:
        result = load_scenario(path)
        return Opened(path=str(path), log=result.log, whatif=result)
    log = load(path)
    return Opened(path=str(path), log=log if prefer is None else _preferring(log, prefer, path))


def _preferring(log: Log, source: str, path: str | os.PathLike[str]) -> Log:
    """``log`` re-dated by ``source``'s records: one of its events must have an alternative
    from that source."""
    from sim.sources import alternative_sources, prefer

    known = alternative_sources(log)
    if not any(source.casefold() in k.casefold() for k in known):
        raise SimError(
            what="no event of this log has an alternative from that source",
            path=str(path),
            expected="one of: " + ("; ".join(known) or "(this log has no alternatives)"),
            found=repr(source),
            code="unknown-source",
        )
    return prefer(log, source)

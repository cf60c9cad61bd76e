"""A study's base, loaded (an edge: it reads files): a scenario folder, a log, a what-if
scenario file, or a log, prepared base or what-if already in memory; and the prepared bases
a study's rows run on, one per combination of preferred records.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

from attrs import frozen

from sim import scenario, store
from sim.errors import SimError
from sim.files import stat_path
from sim.fold import Log
from sim.sources import prefer
from sim.studies.columns import Key
from sim.studies.model import RECORD, StudySpec
from sim.studies.sampling import Study
from sim.whatif import Amend, Baseline, Insert, Intervention, Retime, WhatIf, prepare

__all__ = ["Base", "StudyBase", "base_path", "open_base", "open_study_base", "prepared_bases"]

Base = str | os.PathLike[str] | Log | Baseline | WhatIf
"""What a study may be of."""


@frozen(kw_only=True)
class StudyBase:
    """A study's base: the prepared log, the what-if's interventions (none for a log), the ids
    they touch, and the base's own trajectory (the what-if's, for a what-if)."""

    ready: Baseline
    pre: tuple[Intervention, ...]
    fixed: frozenset[str]
    name: str
    result: WhatIf | None = None

    @property
    def trajectory(self) -> Any:
        return self.result.trajectory if self.result is not None else self.ready.trajectory

    @property
    def event_ids(self) -> tuple[str, ...]:
        """The ids of the base's events, in its trajectory's order."""
        return tuple(e.id for e in self.trajectory.events)


_TIMING: Final = frozenset({"at", "precision", "earliest", "latest"})


def _timed(result: WhatIf) -> frozenset[str]:
    """The events a what-if dates itself: inserted, re-timed, or amended in their time (an
    amend of links or of a decision leaves the time as uncertain as the record has it)."""
    events = result.base.log.events
    found: set[str] = set()
    for intervention in result.interventions:
        if isinstance(intervention, Insert):
            found.add(intervention.event.id)
        elif isinstance(intervention, Retime) or (
            isinstance(intervention, Amend) and _TIMING & set(intervention.fields)
        ):
            found.update(e.id for e in events if intervention.target.matches(e))
    return frozenset(found)


def open_base(base: Base) -> StudyBase:
    """``base`` made ready for a study: read (a path), prepared (a log), or as it is."""
    if isinstance(base, WhatIf):
        return StudyBase(
            ready=base.base,
            pre=base.interventions,
            fixed=_timed(base),
            name=base.name,
            result=base,
        )
    if isinstance(base, Baseline):
        return StudyBase(ready=base, pre=(), fixed=frozenset(), name=base.name)
    if isinstance(base, Log):
        return open_base(prepare(base))
    if scenario.is_scenario(base):
        return open_base(scenario.load_scenario(base))
    return open_base(prepare(store.load_log(base)))


def prepared_bases(base: StudyBase, study: Study) -> dict[Key, Baseline]:
    """A prepared base per combination of preferred records (one, without ``prefer``)."""
    found: dict[Key, Baseline] = {}
    for key in study.keys:
        log = base.ready.log
        for source in key:
            if source != RECORD:
                log = prefer(log, source)
        found[key] = base.ready if log is base.ready.log else prepare(log)
    return found


def base_path(spec: StudySpec) -> Path:
    """Where a study file's base is: its ``base``, relative to the file."""
    given = Path(spec.base)
    return (
        given if given.is_absolute() or spec.path == "<study>" else Path(spec.path).parent / given
    )


def open_study_base(spec: StudySpec) -> StudyBase:
    """The base a study file names (one that does not exist: ``base-missing``); a spec made in
    memory, not read from a file, names its base as :func:`open_base` takes it."""
    if spec.path == "<study>":
        return open_base(spec.base)
    where = base_path(spec)
    # the check and message of sim.scenario's base of a scenario file; a study's base may
    # also be a what-if scenario, which that loader does not read, so it is said here again
    if stat_path(where, doing="read the study's base") is None:
        raise SimError(
            what=f"the base {spec.base!r} does not exist",
            path=spec.path,
            expected="a scenario folder with events.jsonl, a .jsonl log, or a .toml scenario,"
            " relative to this file",
            found=str(where),
            code="base-missing",
        )
    return open_base(where)

"""What-if questions: typed interventions on a recorded log, and the consequences they have.

An intervention names its target with a :class:`Selector` (an ``id``, or any of ``kind``,
``actor``, ``since`` (inclusive) and ``until`` (exclusive), with ``all=True`` to act on several
events) and does one thing to it:

- :class:`Remove` takes events out of the record;
- :class:`Insert` adds an event (built and validated by the codec, like a log line);
- :class:`Retime` moves events by a signed duration (``"+3d"``, ``"-12h"``, ``"+1d6h"``) or to a
  time;
- :class:`Amend` sets fields of events (re-validated by the codec, so types are checked).

A selector that matches nothing, or several events without ``all``, is an error that lists what
it matched.  :func:`whatif` applies interventions to a base log, re-times the result
(:mod:`sim.schedule`), folds it (:mod:`sim.fold`) reusing the base's states before the first
change, and compares it with the base (:func:`sim.analysis.diff`)::

    from sim.whatif import whatif, remove, retime
    result = whatif(base_log, [remove(kind="assurance", since="2023-11-15", all=True),
                               retime(id="final-offer", by="+3d")])
    result.outcome, result.diff.milestones

A what-if of a what-if (``whatif(result, more)``, or a scenario file whose ``base`` is another
scenario) is the what-if of the base's interventions followed by the new ones, applied to the
recorded log: lags are those of the record, never of a derived history.

The package, by job: :mod:`~sim.whatif.times` (durations and times),
:mod:`~sim.whatif.interventions` (selectors and the four interventions),
:mod:`~sim.whatif.editor` (what they do to a log), :mod:`~sim.whatif.derive` (the what-if and
its consequences) and :mod:`~sim.whatif.records` (the codec, for inserted and amended records,
loaded on first use).  Everything here is pure: no I/O, no clock.

Scenario files are TOML data, read at the edge: :mod:`sim.scenario` reads them and
:mod:`sim.scenario_spec` turns their content into interventions (``parse_scenario``,
``intervention_from_record``, ``intervention_record`` and ``ScenarioSpec`` are importable from
here too, loaded on first use, so that importing :mod:`sim.whatif` loads neither the codec nor
orjson).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.whatif.derive import Baseline, WhatIf, apply_interventions, prepare, whatif
from sim.whatif.editor import edit

# the public names, re-exported (the editor and sim.scenario_spec import the same ones)
from sim.whatif.interventions import (
    Amend,
    Insert,
    Intervention,
    Origin,
    Remove,
    Retime,
    Selector,
    amend,
    insert,
    remove,
    retime,
)
from sim.whatif.times import format_duration, parse_duration, parse_time

if TYPE_CHECKING:  # the scenario-file edge, imported on first use (see __getattr__)
    from sim.scenario_spec import (
        ScenarioSpec,
        intervention_from_record,
        intervention_record,
        parse_scenario,
    )

__all__ = [
    "Amend",
    "Baseline",
    "Insert",
    "Intervention",
    "Origin",
    "Remove",
    "Retime",
    "ScenarioSpec",
    "Selector",
    "WhatIf",
    "amend",
    "apply_interventions",
    "edit",
    "format_duration",
    "insert",
    "intervention_from_record",
    "intervention_record",
    "parse_duration",
    "parse_scenario",
    "parse_time",
    "prepare",
    "remove",
    "retime",
    "whatif",
]

_SCENARIO_NAMES = frozenset(
    {"ScenarioSpec", "intervention_from_record", "intervention_record", "parse_scenario"}
)


def __getattr__(name: str) -> Any:
    """The scenario-file names, from their edge :mod:`sim.scenario_spec`, on first use: kept
    here so that ``from sim.whatif import parse_scenario`` goes on working."""
    if name in _SCENARIO_NAMES:
        from sim import scenario_spec  # noqa: PLC0415

        return getattr(scenario_spec, name)
    msg = f"module 'sim.whatif' has no attribute {name!r}"
    raise AttributeError(msg)

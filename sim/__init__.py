"""sim: an event-sourced negotiation state simulator.

Replay a recorded negotiation into states, travel to any date, and (with :mod:`sim.whatif`) ask
what-if questions of it.  The library is the product; the ``sim`` command is a thin shell over it.

>>> import sim
>>> trajectory = sim.replay(sim.load_log("scenarios/baseline"))
>>> trajectory.outcome.concluded
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim.errors import SimError
from sim.events import EVENT_TYPES, KINDS, Event
from sim.fold import Log, Outcome, Trajectory, Voided, replay, state_at, take_snapshots
from sim.rules import GUARDS, REDUCER_VERSION, apply
from sim.state import NegotiationState

if TYPE_CHECKING:  # imported on first use (see __getattr__)
    from sim.append import Appended, append_event
    from sim.scenario import Opened, open  # noqa: A004 (sim.open, the one way in)
    from sim.store import load_log, verify, write_log
    from sim.studies import necessity, slack, study, uncertainty

_STUDIES = frozenset({"necessity", "slack", "study", "uncertainty"})
_EDGES = {
    "Appended": "sim.append",
    "append_event": "sim.append",
    "Opened": "sim.scenario",
    "open": "sim.scenario",
    "load_log": "sim.store",
    "verify": "sim.store",
    "write_log": "sim.store",
}

__all__ = [
    "EVENT_TYPES",
    "GUARDS",
    "KINDS",
    "REDUCER_VERSION",
    "Appended",
    "Event",
    "Log",
    "NegotiationState",
    "Opened",
    "Outcome",
    "SimError",
    "Trajectory",
    "Voided",
    "append_event",
    "apply",
    "load_log",
    "necessity",
    "open",
    "replay",
    "slack",
    "state_at",
    "study",
    "take_snapshots",
    "uncertainty",
    "verify",
    "write_log",
]


def __getattr__(name: str) -> Any:
    """The edges' names and the studies, imported on first use.

    ``sim.study``, ``sim.uncertainty``, ``sim.necessity`` and ``sim.slack`` need numpy, scipy,
    SALib, dask and pandas (the ``study`` extra); ``sim.open``, ``sim.load_log``,
    ``sim.append_event`` and the other file names need the codec and the store, which the core
    (``import sim.whatif``, ``import sim.fold``) does without."""
    if name in _STUDIES:
        from sim import studies  # noqa: PLC0415

        return getattr(studies, name)
    if name in _EDGES:
        return getattr(importlib.import_module(_EDGES[name]), name)
    msg = f"module 'sim' has no attribute {name!r}"
    raise AttributeError(msg)

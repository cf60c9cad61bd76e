"""sim: an event-sourced negotiation state simulator.

Replay a recorded negotiation into states, travel to any date, and (with :mod:`sim.whatif`) ask
what-if questions of it.  The library is the product; the ``sim`` command is a thin shell over it.

>>> import sim
>>> trajectory = sim.replay(sim.load_log("scenarios/baseline"))
>>> trajectory.outcome.concluded
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.append import Appended, append_event
from sim.errors import SimError
from sim.events import EVENT_TYPES, KINDS, Event
from sim.fold import Log, Outcome, Trajectory, Voided, replay, state_at, take_snapshots
from sim.rules import GUARDS, REDUCER_VERSION, apply
from sim.state import NegotiationState
from sim.store import load_log, verify, write_log

if TYPE_CHECKING:  # the studies need the `study` extra: imported on first use (see __getattr__)
    from sim.studies import necessity, slack, study, uncertainty

_STUDIES = frozenset({"necessity", "slack", "study", "uncertainty"})

__all__ = [
    "EVENT_TYPES",
    "GUARDS",
    "KINDS",
    "REDUCER_VERSION",
    "Appended",
    "Event",
    "Log",
    "NegotiationState",
    "Outcome",
    "SimError",
    "Trajectory",
    "Voided",
    "append_event",
    "apply",
    "load_log",
    "necessity",
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
    """``sim.study``, ``sim.uncertainty``, ``sim.necessity`` and ``sim.slack``, imported on first
    use: they need numpy, scipy, SALib, dask and pandas (the ``study`` extra), which ``import
    sim`` does not load."""
    if name in _STUDIES:
        from sim import studies  # noqa: PLC0415

        return getattr(studies, name)
    msg = f"module 'sim' has no attribute {name!r}"
    raise AttributeError(msg)

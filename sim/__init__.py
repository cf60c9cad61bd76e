"""sim: an event-sourced negotiation state simulator.

Replay a recorded negotiation into states, travel to any date, and (with :mod:`sim.whatif`) ask
what-if questions of it.  The library is the product; the ``sim`` command is a thin shell over it.

>>> import sim
>>> trajectory = sim.replay(sim.load_log("scenarios/baseline"))
>>> trajectory.outcome.concluded
True
"""

from __future__ import annotations

from sim.append import Appended, append_event
from sim.errors import SimError
from sim.events import EVENT_TYPES, KINDS, Event
from sim.fold import Log, Outcome, Trajectory, Voided, replay, state_at, take_snapshots
from sim.rules import GUARDS, REDUCER_VERSION, apply
from sim.state import NegotiationState
from sim.store import load_log, verify, write_log

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
    "replay",
    "state_at",
    "take_snapshots",
    "verify",
    "write_log",
]

"""Analysis of trajectories: milestones, the diff of two, explanations, what a party knew.

Pure functions over :class:`sim.fold.Trajectory`; no I/O.  ``diff`` compares a what-if with its
base and says why each moved event moved; ``explain`` walks the links behind a milestone
reached, or down to the first voided link behind one missed; ``view_of`` is the state as a
party knew it.
"""

from __future__ import annotations

# the parts' names, re-exported (sim.render.terminal imports some of the same from here)
from sim.analysis.diff import (
    Amended,
    Delay,
    Diff,
    EventMove,
    FieldChange,
    MilestoneMove,
    delays,
    diff,
)
from sim.analysis.explain import Explanation, Link, blame, explain, explained_milestone
from sim.analysis.knowledge import (
    PUBLIC_KINDS,
    View,
    arrival_of,
    known_by,
    learned_at,
    parties_in,
    view_at,
    view_of,
)
from sim.analysis.milestones import (
    changes,
    concluding_event,
    milestone_events,
    milestone_names,
    milestone_times,
)

__all__ = [
    "PUBLIC_KINDS",
    "Amended",
    "Delay",
    "Diff",
    "EventMove",
    "Explanation",
    "FieldChange",
    "Link",
    "MilestoneMove",
    "View",
    "arrival_of",
    "blame",
    "changes",
    "concluding_event",
    "delays",
    "diff",
    "explain",
    "explained_milestone",
    "known_by",
    "learned_at",
    "milestone_events",
    "milestone_names",
    "milestone_times",
    "parties_in",
    "view_at",
    "view_of",
]

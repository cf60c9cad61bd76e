"""Waiting at scale: many events held back by the talks at once."""

from __future__ import annotations

import sys

from sim.fold import replay
from tests.builders import make


def test_any_number_of_events_can_wait_for_the_talks_at_once() -> None:
    """Each event let through starts a new pass over the rest; the passes are a loop, not a
    recursion, so more waiting events than the interpreter's recursion limit all go through
    when the talks resume, in the order they began to wait, each moved to the resumption."""
    count = sys.getrecursionlimit() + 200
    history = [make("contact", "c", 0), make("talks_suspended", "s", 0.1, actors=("hamas",))]
    history += [
        make("offer", f"o{i}", 0.2 + i / 100_000, text=f"t{i}", approvers=("hamas",))
        for i in range(count)
    ]
    history.append(make("talks_resumed", "r", 1, actors=("hamas",)))
    trajectory = replay(history)
    assert not trajectory.voided
    assert [e.id for e in trajectory.events] == ["c", "s", "r", *(f"o{i}" for i in range(count))]
    resumed = history[-1].at
    assert all(trajectory.waits[f"o{i}"].until == resumed for i in range(count))
    assert trajectory.final.current_text == f"t{count - 1}"

"""Waiting at scale: many events held back by the talks at once."""

from __future__ import annotations

import sys

from sim.events import Requirement
from sim.fold import replay
from tests import oracle
from tests.builders import GAZA, make


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


def test_an_event_waiting_for_the_talks_is_voided_as_soon_as_they_end_for_good() -> None:
    """A second suspension waits for the talks to resume; when they resume, the two approvals
    that waited before it conclude the deal first, and it is voided then (the talks concluded:
    a permanent refusal), not when its patience runs out.  Found by random exploration of the
    oracle property for deals; the naive simulation agrees."""
    history = [
        make("contact", "c", 0),
        make("offer", "o", 0.1, text="t1", approvers=("hamas", "israel_cabinet")),
        make("talks_suspended", "s", 0.2, actors=("hamas",)),
        make("approval", "a1", 0.3, body="hamas", text="t1"),
        make("approval", "a2", 0.4, body="israel_cabinet", text="t1"),
        make("talks_suspended", "x", 0.5, actors=("hamas",)),
        make("talks_resumed", "r", 1, actors=("hamas",)),
    ]
    trajectory = replay(history)
    resumed = history[-1].at
    assert trajectory.final.talks == "concluded"
    assert trajectory.waits["x"].until == resumed
    assert not trajectory.waits["x"].took_effect
    events, states, waits = oracle.simulate(tuple(history))
    assert [(e.id, e.at) for e in trajectory.events] == [(e.id, e.at) for e in events]
    assert trajectory.states == states
    assert {k: (w.until, w.took_effect) for k, w in trajectory.waits.items()} == waits


def test_a_message_sent_into_a_blackout_is_held_and_its_reply_waits_for_the_end() -> None:
    """The run records the hold (from the message to the blackout's end) and releases the
    reply that answers the message after the end, timed from its arrival."""
    history = (
        make("contact", "c", 0),
        make("blackout_started", "dark", 0.1, area="gaza", actors=("israel",)),
        make("information", "note", 0.2, channel=GAZA, actors=("hamas_gaza",)),
        make("call", "reply", 0.3, answers=("note",)),
        make("meeting", "m", 0.4),
        make("blackout_ended", "lit", 0.5, area="gaza", actors=("israel",), answers=("dark",)),
    )
    trajectory = replay(history)
    assert set(trajectory.holds) == {"note"}
    assert trajectory.holds["note"].until == history[-1].at
    assert [e.id for e in trajectory.events][-2:] == ["lit", "reply"]
    assert trajectory.timings["reply"].link == "note"


def test_a_message_the_record_holds_up_but_the_run_lets_through_times_its_reply() -> None:
    """The blackout is voided (it requires an end of a blackout that was never in force), so
    the message the record's blackout holds up gets through at once, and the reply that
    answers it is timed from its arrival, at its recorded lag."""
    history = (
        make("contact", "c", 0),
        make("blackout_ended", "x", 0.05, area="gaza", actors=("israel",)),
        make(
            "blackout_started",
            "dark",
            0.1,
            area="gaza",
            actors=("israel",),
            requires=(Requirement(id="x"),),
        ),
        make("information", "note", 0.2, channel=GAZA, actors=("hamas_gaza",)),
        make("call", "reply", 0.3, answers=("note",)),
        make("meeting", "m", 0.4),
    )
    trajectory = replay(history)
    assert set(trajectory.final.voided) == {"x", "dark"}
    assert not trajectory.holds
    assert [e.id for e in trajectory.events] == [e.id for e in history]
    assert trajectory.timings["reply"].link == "note"
    assert trajectory.timings["reply"].at == history[4].at

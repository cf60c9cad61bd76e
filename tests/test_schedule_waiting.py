"""Waiting at scale: many events held back by the talks at once."""

from __future__ import annotations

import sys

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sim.errors import SimError
from sim.events import Channel, Event, Requirement
from sim.fold import Trajectory, replay
from sim.log import Log
from sim.schedule.engine import Engine
from sim.whatif import Baseline, Intervention, edit, prepare, whatif
from tests import oracle
from tests.builders import make
from tests.strategies import blackout_what_ifs, dark_histories, deals, histories, what_ifs


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


def _everything(trajectory: Trajectory) -> tuple[object, ...]:
    """All a replay says: its events with their times as written, its states, and the
    scheduler's records (waits, holds, timings)."""
    told = [(e.id, e.at.isoformat()) for e in trajectory.events]
    return told, trajectory.states, trajectory.waits, trajectory.holds, trajectory.timings


def _general(history: tuple[Event, ...]) -> Trajectory:
    Engine.steady = False
    try:
        return replay(history)
    finally:
        Engine.steady = True


def _general_whatif(ready: Baseline, interventions: list[Intervention]) -> Trajectory:
    Engine.steady = False
    try:
        return whatif(ready, interventions).trajectory
    finally:
        Engine.steady = True


@given(st.one_of(histories(max_size=30), dark_histories(), deals()))
def test_a_calm_stretch_folds_as_the_general_step_releases_it(history: tuple[Event, ...]) -> None:
    """The scheduler folds a calm stretch (nothing waiting, queued or pending) in a plain
    loop; every event through the general step gives the same replay, waits, holds and
    timings included."""
    assert _everything(replay(history)) == _everything(_general(history))


@given(st.one_of(what_ifs(), blackout_what_ifs()))
def test_a_what_if_folds_its_calm_stretches_as_the_general_step_releases_them(
    case: tuple[tuple[Event, ...], list[Intervention]],
) -> None:
    """The same in a what-if, whose calm stretches end where it might rejoin its base."""
    history, interventions = case
    ready = prepare(Log(events=history))
    try:
        edit(ready.plan, interventions)
    except SimError as exc:
        assume(exc.code not in (None, "intervention-failed", "unknown-cause"))
        raise
    try:
        expected = _general_whatif(ready, interventions)
    except SimError:
        with pytest.raises(SimError, match="cycle of causes"):
            whatif(ready, interventions)
        return
    assert _everything(whatif(ready, interventions).trajectory) == _everything(expected)


def test_a_message_held_in_a_calm_stretch_is_recorded_as_the_general_step_records_it() -> None:
    """A message sent into a blackout while nothing waits ends the calm loop: the general step
    records the hold, and the reply that answers it waits for the blackout's end."""
    gaza = Channel(name="hamas-gaza>qatar", via=("gaza",))
    history = (
        make("contact", "c", 0),
        make("blackout_started", "dark", 0.1, area="gaza", actors=("israel",)),
        make("information", "note", 0.2, channel=gaza, actors=("hamas_gaza",)),
        make("call", "reply", 0.3, answers=("note",)),
        make("meeting", "m", 0.4),
        make("blackout_ended", "lit", 0.5, area="gaza", actors=("israel",), answers=("dark",)),
    )
    trajectory = replay(history)
    assert set(trajectory.holds) == {"note"}
    assert trajectory.holds["note"].until == history[-1].at
    assert [e.id for e in trajectory.events][-2:] == ["lit", "reply"]
    assert _everything(trajectory) == _everything(_general(history))


def test_a_message_the_record_holds_up_but_the_run_lets_through_ends_the_calm_loop() -> None:
    """The blackout is voided (it requires an end of a blackout that was never in force), so
    the message the record's blackout holds up gets through at once: the general step records
    its arrival, and the reply that answers it is timed from it."""
    gaza = Channel(name="hamas-gaza>qatar", via=("gaza",))
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
        make("information", "note", 0.2, channel=gaza, actors=("hamas_gaza",)),
        make("call", "reply", 0.3, answers=("note",)),
        make("meeting", "m", 0.4),
    )
    trajectory = replay(history)
    assert set(trajectory.final.voided) == {"x", "dark"}
    assert trajectory.timings["reply"].link == "note"
    assert _everything(trajectory) == _everything(_general(history))

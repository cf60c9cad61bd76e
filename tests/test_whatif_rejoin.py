"""A what-if that rejoins its base reuses the base's states: only where nothing it changed can
reach any further, and its state equals the base's.

Removing an event that changed nothing is where the first condition matters: the states agree
at once, yet whatever links to the removed event must now be voided.  The properties hold the
rejoining what-if to the naive simulation of ``tests/oracle.py``, which never rejoins.
"""

from __future__ import annotations

import random
from pathlib import Path

import orjson
from hypothesis import given
from hypothesis import strategies as st

from sim.codec import decode_event
from sim.events import Event
from sim.fold import replay
from sim.log import Log
from sim.schedule import plan
from sim.whatif import Insert, Intervention, edit, prepare, remove, retime, whatif
from tests import oracle
from tests.builders import GAZA, make, voided_held_reply
from tests.profiles import budget
from tests.strategies import histories


def _as_replayed(history: tuple[Event, ...], interventions: list[Intervention]) -> None:
    """The what-if gives the naive simulation's events, times and states."""
    result = whatif(Log(events=history), interventions)
    events, states, _waits = oracle.simulate(
        history, edit(plan(Log(events=history)), interventions)
    )
    assert [(e.id, e.at) for e in result.trajectory.events] == [(e.id, e.at) for e in events]
    assert result.trajectory.states == states


def test_removing_an_event_that_changed_nothing_still_voids_what_cites_it() -> None:
    history = (
        make("contact", "contact", 0),
        make("call", "call", 1),
        make("information", "relay", 2, answers=("call",)),
        make("meeting", "meeting", 3),
    )
    result = whatif(Log(events=history), [remove(id="call")])
    assert [v.id for v in result.diff.voided] == ["relay"]
    _as_replayed(history, [remove(id="call")])


@budget(25)
@given(histories(min_size=2), st.data())
def test_removing_events_folds_as_a_replay_of_the_new_log(
    history: tuple[Event, ...], data: st.DataObject
) -> None:
    """Remove one or two events, ones that later events cite where there are such."""
    cited = [e for e in history if any(e.id in later.causes for later in history)]
    pool = st.sampled_from(cited or history)
    gone = data.draw(st.lists(pool, min_size=1, max_size=2, unique_by=lambda e: e.id))
    _as_replayed(history, [remove(id=e.id) for e in gone])


@budget(25)
@given(histories(min_size=2), st.data())
def test_moving_an_event_folds_as_a_replay_of_the_new_log(
    history: tuple[Event, ...], data: st.DataObject
) -> None:
    """Move one event later or earlier: the base's states are reused after it, where they agree."""
    moved = data.draw(st.sampled_from(history))
    hours = data.draw(st.integers(-48, 96))
    _as_replayed(history, [retime(id=moved.id, by=f"{hours:+d}h")])


DATA = Path(__file__).parent / "data"


def _disordered(size: int, seed: int) -> tuple[Event, ...]:
    """A long history whose replay leaves the log's order: replies to messages a blackout held
    up come after later events (the shape of ``bench/whatif.py``'s generated log)."""
    rng = random.Random(seed)
    events: list[Event] = [make("contact", "e0", 0)]
    recent: list[str] = []
    dark: str | None = None
    for n in range(1, size):
        day, ident = n / 8, f"e{n}"
        roll = rng.random()
        answers = (rng.choice(recent),) if recent and rng.random() < 0.6 else ()
        if roll < 0.04 and dark is None:
            event = make("blackout_started", ident, day, area="gaza", actors=("israel",))
            dark = ident
        elif roll < 0.1 and dark is not None:
            event = make(
                "blackout_ended", ident, day, area="gaza", answers=(dark,), actors=("israel",)
            )
            dark = None
        elif roll < 0.6:
            event = make(
                "information", ident, day, actors=("hamas_gaza",), channel=GAZA, answers=answers
            )
        else:
            event = make("call", ident, day, answers=answers)
        events.append(event)
        recent = [*recent[-6:], ident]
    return tuple(events)


def test_a_what_if_restarts_past_the_base_leaving_the_log_order_and_rejoins_it() -> None:
    """Late in a log whose replay left the log's order early (a reply waiting for a blackout to
    end), a what-if restarts near its edit and rejoins the base soon after, not at the start
    and never: and it is the naive simulation of the edited log."""
    history = _disordered(240, seed=5)
    ready = prepare(Log(events=history))
    assert ready.trajectory.aligned < 40  # the replay left the log's order early on
    late = history[200]
    interventions: list[Intervention] = [retime(id=late.id, by="+1h")]
    result = whatif(ready, interventions)
    assert result.first_change > 150  # restarted near the edit, reusing the base before it
    assert result.trajectory.final is ready.trajectory.final  # rejoined: the base's states
    _as_replayed(history, interventions)


@budget(20)
@given(st.integers(min_value=0, max_value=10**6), st.data())
def test_what_ifs_of_a_disordered_history_are_the_naive_simulation(
    seed: int, data: st.DataObject
) -> None:
    """Where the base's run is out of the log's order, a what-if restarts from and rejoins the
    base only where the two runs stand alike: any edit gives the naive simulation's answer."""
    history = _disordered(120, seed=seed)
    picked = data.draw(
        st.lists(st.sampled_from(history[1:]), min_size=1, max_size=2, unique_by=lambda e: e.id)
    )
    interventions: list[Intervention] = []
    for event in picked:
        edits: list[Intervention] = [
            remove(id=event.id),
            retime(id=event.id, by="+3h"),
            retime(id=event.id, by="-2h"),
            retime(id=event.id, by="+2d"),
        ]
        interventions.append(data.draw(st.sampled_from(edits)))
    _as_replayed(history, interventions)


def test_a_reply_to_a_message_that_never_arrives_still_comes_after_an_event_added_later() -> None:
    """A base's run releases such a reply only when the log runs out; a what-if that adds an
    event later must not restart after it (found by the ci profile of the oracle properties)."""
    history = (
        make("contact", "c", 0),
        make("blackout_started", "dark", 0.1, area="gaza", actors=("israel",)),
        make("information", "held", 0.2, channel=GAZA, actors=("hamas_gaza",)),
        make("call", "reply", 0.3, answers=("held",)),
    )
    added = make("meeting", "later", 2)
    result = whatif(Log(events=history), [Insert(event=added)])
    assert [e.id for e in result.trajectory.events][-2:] == ["later", "reply"]
    _as_replayed(history, [Insert(event=added)])


@budget(10)
@given(st.integers(min_value=0, max_value=10**6))
def test_a_prepared_base_is_the_replay_of_its_log(seed: int) -> None:
    """``prepare`` runs the base as an edit-free what-if, once, for both its trajectory and its
    anchors: on a history whose replay leaves the log's order, that run is the replay."""
    history = _disordered(120, seed=seed)
    ready, base = prepare(Log(events=history)).trajectory, replay(history)
    assert [(e.id, e.at) for e in ready.events] == [(e.id, e.at) for e in base.events]
    assert ready.states == base.states
    assert (ready.waits, ready.holds, ready.timings) == (base.waits, base.holds, base.timings)


def test_a_voided_message_the_record_holds_up_does_not_arrive_early() -> None:
    """A message the record's blackout holds up, voided in the run (it answers an approval
    that waited for talks and gave up), never arrives: what requires it stays on the stream,
    timed as in a replay (found by random exploration of the edit-free what-if property)."""
    history = voided_held_reply()
    base = replay(history)
    assert {v.id for v in base.voided} >= {"ok", "reply", "assured"}
    result = whatif(Log(events=history), []).trajectory
    assert result.timings == base.timings
    assert result.events == base.events


def test_a_what_if_does_not_restart_where_settling_an_event_took_another_off_the_stream() -> None:
    """The record's blackout over Gaza (e5) is voided, as it requires an acceptance that a
    contact is not, so the message through Gaza (e6) arrives at once and the reply to it (e11)
    moves ahead of e10.  The base's run was marked quiet after e6 although settling e6 had
    taken e11 off the stream, so removing e12 restarted there and left e11 behind e10 (found
    by random exploration of the removal property; the history is the one it found)."""
    lines = (DATA / "restart-after-a-pull.jsonl").read_bytes().splitlines()
    history = tuple(decode_event(orjson.loads(line)) for line in lines)
    _as_replayed(history, [remove(id="e12")])

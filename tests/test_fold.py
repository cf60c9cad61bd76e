"""Replay is a deterministic fold; snapshots and time travel agree with a full replay."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.codec import chain_hashes
from sim.events import Event
from sim.fold import Log, replay, state_at, take_snapshots
from sim.rules import REDUCER_VERSION
from sim.state import EMPTY
from tests.builders import T0, make
from tests.profiles import budget
from tests.strategies import histories


@budget(25)
@given(histories())
def test_replay_is_deterministic(history: tuple[Event, ...]) -> None:
    assert replay(history) == replay(history)


@budget(25)
@given(histories(), st.data())
def test_replaying_a_then_b_equals_continuing_a_with_b(
    history: tuple[Event, ...], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(history)))
    whole = replay(history)
    continued = replay(history[:cut]).extend(history[cut:])
    assert continued.states == whole.states
    assert continued.final == whole.final


@budget(25)
@given(histories(min_size=1), st.integers(1, 8), st.data())
def test_snapshot_plus_suffix_equals_full_replay(
    history: tuple[Event, ...], every: int, data: st.DataObject
) -> None:
    hashes = chain_hashes(history)
    log = Log(events=history, hashes=hashes)
    full = replay(log)
    snapshots = take_snapshots(full, hashes, every=every)
    point = data.draw(st.integers(0, len(history)))
    assert state_at(log, point, snapshots=snapshots) == full.state_at(point)


def test_snapshots_of_another_reducer_version_are_not_reused() -> None:
    history = tuple(make("call", f"c{i}", i) for i in range(4))
    hashes = chain_hashes(history)
    log = Log(events=history, hashes=hashes)
    bogus = replay([make("contact", "x", 0)]).final
    stale = {(hashes[2], REDUCER_VERSION + "-old"): bogus}
    assert state_at(log, 4, snapshots=stale) == EMPTY
    fresh = {(hashes[2], REDUCER_VERSION): bogus}
    assert state_at(log, 4, snapshots=fresh) == bogus  # reused: proves the key is what matters


@budget(25)
@given(histories(min_size=1), st.data())
def test_state_at_an_event_id_is_the_state_after_it(
    history: tuple[Event, ...], data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(history) - 1))
    trajectory = replay(history)
    after = trajectory.states[trajectory.index(history[i].id)]  # where it happened (it may wait)
    assert trajectory.state_at(history[i].id) == after
    assert state_at(Log(events=history), history[i].id) == after


def test_state_at_a_date_includes_the_whole_day() -> None:
    history = (
        make("contact", "c", 0),
        make("talks_suspended", "s", 2.9),
        make("call", "later", 4),
    )
    trajectory = replay(history)
    day_of_suspension = (T0 + timedelta(days=2.9)).date()
    assert trajectory.state_at(day_of_suspension).talks == "suspended"
    assert trajectory.state_at(day_of_suspension - timedelta(days=1)).talks == "active"
    assert trajectory.state_at(date(2000, 1, 1)) == EMPTY


def test_state_at_rejects_a_naive_time_and_an_index_outside_the_log() -> None:
    trajectory = replay([make("contact", "c", 0)])
    with pytest.raises(ValueError, match="timezone-aware"):
        trajectory.state_at(T0.replace(tzinfo=None))
    with pytest.raises(IndexError, match="outside the log"):
        trajectory.state_at(5)


def test_outcome_reports_the_terms_of_the_concluded_text() -> None:
    from sim.events import Term

    terms = (
        Term(name="pause_days", value=4, text="a 4-day pause"),
        Term(name="extendable", value=True),
        Term(name="hostages", value=50),
    )
    trajectory = replay(
        [
            make("contact", "c", 0),
            make("offer", "o", 1, text="final", approvers=("hamas",), terms=terms),
            make("approval", "a", 2, body="hamas", text="final"),
        ]
    )
    outcome = trajectory.outcome
    assert outcome.concluded
    assert outcome.concluded_at == T0 + timedelta(days=2)
    assert outcome.terms == terms
    assert not replay([make("contact", "c", 0)]).outcome.concluded

"""Replay folds a log into the state worked out by hand; snapshots and time travel agree with a
full replay."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.codec import chain_hashes
from sim.events import Event
from sim.fold import Log, replay, state_at, take_snapshots
from sim.rules import REDUCER_VERSION
from sim.state import (
    EMPTY,
    ApprovalState,
    ConditionState,
    NegotiationState,
    OfferState,
    Refusal,
    ResponseState,
    frozen_map,
)
from tests.builders import T0, make
from tests.profiles import budget
from tests.strategies import histories


def test_replay_of_a_small_deal_gives_the_state_worked_out_by_hand() -> None:
    """Talks open, a condition is set and met, a text resting on it is approved by one side
    and accepted by the other (which concludes it, and completes it: its one condition is
    met), and an offer after that is voided.  (Replay against the naive simulation is in
    ``tests/test_schedule_oracle.py``; this holds both to a state no code computed.)"""
    day = timedelta(days=1)
    log = (
        make("contact", "c", 0),
        make("condition", "k", 1, actors=("israel",), name="lists", holder="hamas"),
        make("offer", "o", 2, text="v1", conditions=("lists",), approvers=("israel", "hamas")),
        make("assurance", "a", 3, actors=("hamas",), about="lists sent", meets=("lists",)),
        make("approval", "p", 4, actors=("israel",), body="israel", text="v1"),
        make("response", "r", 5, actors=("hamas",), to="o", decision="accepted", body="hamas",
             milestone="deal"),
        make("offer", "late", 6, text="v2"),
    )  # fmt: skip
    expected = NegotiationState(
        talks="concluded",
        talks_by="r",
        offers=frozen_map({"o": OfferState(
            event="o", text="v1", by=("qatar",), terms=(), conditions=("lists",),
            approvers=("israel", "hamas"), final=False, status="current", at=T0 + 2 * day,
        )}),
        current_offer_id="o",
        current_text="v1",
        conditions=frozen_map({"lists": ConditionState(
            name="lists", holder="hamas", set_by=("israel",), demand="", prohibits=None,
            status="met", since=T0 + day, settled_by="a", event="k",
        )}),
        assurances=frozen_map({"a": "lists sent"}),
        responses=frozen_map({"r": ResponseState(
            event="r", by=("hamas",), to="o", text="v1", decision="accepted", at=T0 + 5 * day
        )}),
        approvals=frozen_map({
            "p": ApprovalState(event="p", body="israel", text="v1", status="bound",
                               at=T0 + 4 * day),
            "r": ApprovalState(event="r", body="hamas", text="v1", status="bound",
                               at=T0 + 5 * day),
        }),
        bound=("p", "r"),
        milestones=frozen_map({"deal": T0 + 5 * day}),
        voided=frozen_map({"late": Refusal(
            rule="talks_active", culprit="r", text="talks are concluded, not active"
        )}),
        concluded_at=T0 + 5 * day,
        concluded_text="v1",
        deal="completed",
        deal_by=("a",),
    )  # fmt: skip
    trajectory = replay(log)
    assert trajectory.events == log
    assert trajectory.final == expected
    assert [s.talks for s in trajectory.states] == ["active"] * 5 + ["concluded"] * 2
    assert trajectory.states[-2] == expected.replace(voided=EMPTY.voided)


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

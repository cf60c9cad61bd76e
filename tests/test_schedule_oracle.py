"""The scheduler against the naive simulation in ``tests/oracle.py``.

The scheduler takes shortcuts: events stay on their recorded stream unless an edit or a late
link disturbs them, a what-if restarts from its base's last quiet point and rejoins the base
where nothing it changed can reach.  The oracle takes none.  They must give the same events at
the same times (told in the same offsets), the same states, and the same waits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import assume, example, given

from sim.errors import SimError
from sim.events import Call, Contact, Event, Source
from sim.fold import replay
from sim.log import Log
from sim.store import load_log
from sim.whatif import Intervention, edit, prepare, remove, retime, whatif
from tests import oracle
from tests.builders import T0, stale_deadline
from tests.strategies import (
    blackout_what_ifs,
    deal_what_ifs,
    histories,
    what_ifs,
    zoned_what_ifs,
)

BASELINE = "scenarios/baseline"


def _told(events: Sequence[Event]) -> list[tuple[str, str, str | None, str | None]]:
    """Each event with its times as written (equal datetimes may differ in offset)."""
    return [
        (
            e.id,
            e.at.isoformat(),
            e.earliest.isoformat() if e.earliest else None,
            e.latest.isoformat() if e.latest else None,
        )
        for e in events
    ]


def _both(history: Sequence[Event], interventions: Sequence[Intervention]) -> None:
    ready = prepare(Log(events=tuple(history)))
    try:
        changes = edit(ready.plan, interventions)
    except SimError as exc:
        conflict = exc.code in (None, "intervention-failed", "unknown-cause")
        assume(not conflict)  # interventions that conflict (retime a removed event, ...)
        raise
    try:
        expected = oracle.simulate(history, changes)
    except SimError:
        with pytest.raises(SimError, match="cycle of causes"):
            whatif(ready, interventions)
        return
    result = whatif(ready, interventions).trajectory
    assert _told(result.events) == _told(expected[0])
    assert result.states == expected[1]
    assert {k: (w.until, w.took_effect) for k, w in result.waits.items()} == expected[2]


@given(histories(max_size=30))
def test_a_replay_is_the_naive_simulation_of_the_log(history: tuple[Event, ...]) -> None:
    result = replay(history)
    events, states, waits = oracle.simulate(history)
    assert _told(result.events) == _told(events)
    assert result.states == states
    assert {k: (w.until, w.took_effect) for k, w in result.waits.items()} == waits


@given(what_ifs())
@example(case=(stale_deadline(), [remove(id="later")]))
def test_a_what_if_is_the_naive_simulation_of_the_edited_log(
    case: tuple[tuple[Event, ...], list[Intervention]],
) -> None:
    _both(*case)


def test_a_deadline_left_over_moves_no_clock() -> None:
    """The approval stopped waiting at once: the moment its patience would have run out (day
    14.5) is not the run's, so the reply released when the log runs out comes at day 1."""
    history = stale_deadline()
    reply = next(e for e in replay(history).events if e.id == "reply")
    assert reply.at == T0 + timedelta(days=1)
    _both(history, [remove(id="later")])


@given(zoned_what_ifs())
def test_a_what_if_keeps_the_offsets_the_naive_simulation_gives(
    case: tuple[tuple[Event, ...], list[Intervention]],
) -> None:
    _both(*case)


@given(blackout_what_ifs())
def test_a_what_if_follows_a_moved_blackout_like_the_naive_simulation(
    case: tuple[tuple[Event, ...], list[Intervention]],
) -> None:
    _both(*case)


@given(blackout_what_ifs(zoned=True))
def test_a_what_if_follows_a_moved_blackout_in_any_offset(
    case: tuple[tuple[Event, ...], list[Intervention]],
) -> None:
    _both(*case)


@given(deal_what_ifs())
def test_a_what_if_of_a_deal_is_the_naive_simulation(
    case: tuple[tuple[Event, ...], list[Intervention]],
) -> None:
    _both(*case)


def test_every_single_edit_of_the_baseline_is_the_naive_simulation() -> None:
    """Remove or move each recorded event, earlier and later: blackouts, chains, offsets."""
    events = load_log(BASELINE).events
    for event in events:
        for interventions in (
            [remove(id=event.id)],
            [retime(id=event.id, by="+1d")],
            [retime(id=event.id, by="-3h")],
            [retime(id=event.id, by="+36h")],
        ):
            _both(events, interventions)


def test_a_moved_event_keeps_its_own_offset() -> None:
    """A Washington call that follows a Doha message moves in Washington time."""
    doha, washington = timezone(timedelta(hours=3)), timezone(timedelta(hours=-5))
    at = datetime(2023, 10, 7, 12, tzinfo=UTC)
    source = Source(document="generated")
    events = (
        Contact(id="message", at=at.astimezone(doha), source=source),
        Call(id="call", at=(at + timedelta(hours=1)).astimezone(washington), after=("message",),
             source=source),
    )  # fmt: skip
    result = whatif(prepare(Log(events=events)), [retime(id="message", by="+1d")])
    moved = result.trajectory.events[-1]
    assert moved.at == at + timedelta(days=1, hours=1)
    assert moved.at.utcoffset() == timedelta(hours=-5)
    _both(events, [retime(id="message", by="+1d")])

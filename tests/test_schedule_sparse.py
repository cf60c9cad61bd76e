"""The dependency-aware schedule against the full simulation it shortcuts.

``schedule`` simulates only the events an edit can move and merges the rest in at their recorded
times; ``schedule(..., full=True)`` simulates every event from the restart point on.  They must
give the same log, event for event, down to the UTC offset a moved event is told in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import assume, given

from sim.errors import SimError
from sim.events import Contact, Event, Information, Source
from sim.fold import Log
from sim.schedule import Schedule, plan, schedule
from sim.store import load_log
from sim.whatif import Intervention, edit, remove, retime
from tests.profiles import budget
from tests.strategies import blackout_what_ifs, deal_what_ifs, what_ifs, zoned_what_ifs

BASELINE = "scenarios/baseline"


def _told(events: Sequence[Event]) -> list[tuple[Event, str, str | None, str | None]]:
    """Each event with its times as written (equal datetimes may differ in offset)."""
    return [
        (
            e,
            e.at.isoformat(),
            e.earliest.isoformat() if e.earliest else None,
            e.latest.isoformat() if e.latest else None,
        )
        for e in events
    ]


def _both(history: Sequence[Event], interventions: Sequence[Intervention]) -> None:
    base = plan(Log(events=tuple(history)))
    try:
        changes = edit(base, interventions)
    except SimError:
        assume(False)  # interventions that conflict (e.g. retime a removed event)
        raise
    try:
        full: Schedule | SimError = schedule(base, changes, full=True)
    except SimError as exc:
        full = exc
    if isinstance(full, SimError):
        with pytest.raises(SimError) as caught:
            schedule(base, changes)
        assert caught.value == full
        return
    fast = schedule(base, changes)
    assert _told(fast.events) == _told(full.events)
    assert fast.first_change == full.first_change


@budget(15)
@given(what_ifs())
def test_the_sparse_schedule_gives_the_full_simulations_log(
    case: tuple[tuple[Event, ...], list[Intervention]],
) -> None:
    _both(*case)


@budget(15)
@given(zoned_what_ifs())
def test_the_sparse_schedule_keeps_the_offsets_the_full_simulation_gives(
    case: tuple[tuple[Event, ...], list[Intervention]],
) -> None:
    _both(*case)


@budget(25)
@given(blackout_what_ifs())
def test_the_sparse_schedule_follows_a_moved_blackout_like_the_full_simulation(
    case: tuple[tuple[Event, ...], list[Intervention]],
) -> None:
    _both(*case)


@budget(25)
@given(blackout_what_ifs(zoned=True))
def test_the_sparse_schedule_follows_a_moved_blackout_in_any_offset(
    case: tuple[tuple[Event, ...], list[Intervention]],
) -> None:
    _both(*case)


@budget(15)
@given(deal_what_ifs())
def test_the_sparse_schedule_gives_the_full_simulations_log_for_deals(
    case: tuple[tuple[Event, ...], list[Intervention]],
) -> None:
    _both(*case)


def test_the_sparse_schedule_gives_the_full_simulations_log_on_the_baseline() -> None:
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


@pytest.mark.parametrize("causes", [("gulf", "east"), ("east", "gulf")])
def test_a_moved_event_takes_the_offset_of_the_first_of_its_latest_causes(
    causes: tuple[str, str],
) -> None:
    """Two causes arrive at the same instant, told in different offsets: the first named wins."""
    at = datetime(2023, 10, 7, 12, tzinfo=UTC)
    zones = {"gulf": timezone(timedelta(hours=3)), "east": timezone(timedelta(hours=-5))}
    source = Source(document="generated")
    events = (
        Contact(id="gulf", at=at.astimezone(zones["gulf"]), source=source),
        Contact(id="east", at=at.astimezone(zones["east"]), source=source),
        Information(id="answer", at=at + timedelta(hours=1), causes=causes, source=source),
    )
    later = [retime(id="answer", by="+1d")]
    _both(events, later)
    base = plan(Log(events=events))
    moved = schedule(base, edit(base, later)).events[-1]
    assert moved.at == at + timedelta(days=1, hours=1)
    assert moved.at.utcoffset() == zones[causes[0]].utcoffset(None)

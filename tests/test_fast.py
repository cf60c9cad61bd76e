"""The tuning in ``sim._fast`` agrees with the plain path each helper names as its reference."""

from __future__ import annotations

import gc
from datetime import timedelta
from itertools import accumulate
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim._fast import cyclic_gc_paused, evolved
from sim.events import Event
from sim.fold import replay
from sim.rules import apply
from sim.state import EMPTY, ConditionState, NegotiationState
from tests.builders import T0
from tests.profiles import budget
from tests.strategies import durations, full_events, histories


def _records(state: NegotiationState) -> list[Any]:
    """The state and every record it holds, the values a fold copies with ``replace``."""
    found: list[Any] = [state]
    for collection in (
        state.offers,
        state.conditions,
        state.responses,
        state.approvals,
        state.captives,
        state.posture,
    ):
        found.extend(collection.values())
    return found


@budget(25)
@given(histories(min_size=1), histories(min_size=1))
def test_replace_equals_attrs_evolve(one: tuple[Event, ...], other: tuple[Event, ...]) -> None:
    """Each record's fast copy (``Replaceable.replace``) equals ``attrs.evolve`` with the same
    changes, and leaves the original as it was.  The changes: each field alone, to a fresh
    object (the records have no validators, so any value goes, and one no fold makes shows a
    change that was dropped); then every field at once, to another record's values."""
    donors = {type(record): record for record in _records(replay(other).final)}
    for record in _records(replay(one).final):
        before = attrs.evolve(record)
        names = [f.name for f in attrs.fields(type(record))]
        donor = donors.get(type(record), record)
        changes = [{name: object()} for name in names]
        changes.append({name: getattr(donor, name) for name in names})
        for change in changes:
            copy = record.replace(**change)
            assert type(copy) is type(record)
            assert copy == attrs.evolve(record, **change)
            assert all(getattr(copy, name) is value for name, value in change.items())
            assert copy is not record
        assert record == before


def test_replace_refuses_a_field_the_record_does_not_have() -> None:
    with pytest.raises(TypeError, match="NegotiationState has no field"):
        EMPTY.replace(talk="active")
    condition = ConditionState(
        name="k", holder="israel", set_by=(), demand="", prohibits=None, status="open", since=T0
    )
    with pytest.raises(TypeError, match="ConditionState has no field"):
        condition.replace(state="met")
    assert condition.replace(status="met").status == "met"
    assert condition.status == "open"


@given(full_events(), durations(), st.booleans())
def test_evolved_equals_attrs_evolve_for_a_moved_event(
    event: Event, shift: timedelta, earlier: bool
) -> None:
    """What the scheduler does with ``evolved``: an event moved in time, its bounds with it (a
    time moved by a duration stays timezone-aware, so no validator could object)."""
    if earlier:
        shift = -shift
    at = event.at + shift
    earliest = event.earliest + shift if event.earliest is not None else None
    latest = event.latest + shift if event.latest is not None else None
    fast = evolved(event, at=at, earliest=earliest, latest=latest)
    plain = attrs.evolve(event, at=at, earliest=earliest, latest=latest)
    assert type(fast) is type(plain)
    assert fast == plain
    assert fast.causes == plain.causes  # derived (eq=False): copied, and still right
    assert fast.at == event.at + shift


def _fold(history: tuple[Event, ...]) -> list[NegotiationState]:
    """The plain fold (no scheduler, no pause of its own): the state after each event."""
    return list(accumulate(history, apply, initial=EMPTY))


@budget(25)
@given(histories())
def test_a_fold_with_the_collector_paused_equals_one_without(history: tuple[Event, ...]) -> None:
    """The plain path of ``cyclic_gc_paused`` is doing nothing: the same states, and the
    collector's setting and its permanent generation as they were."""
    frozen = gc.get_freeze_count()
    with cyclic_gc_paused():
        paused = _fold(history)
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
    assert paused == _fold(history)

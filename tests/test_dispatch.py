"""The fold's dispatch by kind stays exhaustive and pairs each kind with its own event class.

(A state's ``replace`` is held to ``attrs.evolve`` in ``tests/test_fast.py``.)
"""

from __future__ import annotations

from typing import get_args, get_type_hints

import pytest
from hypothesis import given

from sim.events import EVENT_TYPES, Event, Kind
from sim.fold import replay
from sim.rules import GUARDS, attempt, effect_of, refused
from sim.state import EMPTY, Refusal
from tests.builders import make
from tests.strategies import histories


def test_the_kind_literal_names_exactly_the_event_classes() -> None:
    assert set(get_args(Kind)) == set(EVENT_TYPES) == set(GUARDS)


@pytest.mark.parametrize("kind", get_args(Kind))
def test_each_kind_has_an_effect_taking_its_own_event_class(kind: Kind) -> None:
    effect = effect_of(kind)
    taken = get_type_hints(effect)["event"]
    if taken is not EVENT_TYPES[kind]:  # only an effect that changes nothing takes any Event
        assert taken is Event
        assert effect(EMPTY, make(kind, "x", 0)) is EMPTY


@given(histories(min_size=1))
def test_refused_is_the_refusal_attempt_meets(history: tuple[Event, ...]) -> None:
    """``refused`` asks an event's links and guards without its effect: in every state a
    replay passes through, it names the refusal ``attempt`` meets, and nothing where
    ``attempt`` takes effect (the scheduler's retry of a waiting event rests on it)."""
    trajectory = replay(history)
    seen: set[str] = set()
    before = (trajectory.initial, *trajectory.states[:-1])
    for state, event in zip(before, trajectory.events, strict=True):
        found, tried = (
            refused(state, event, seen.__contains__),
            attempt(state, event, seen.__contains__),
        )
        assert found == (tried if isinstance(tried, Refusal) else None)
        seen.add(event.id)

"""The fold's dispatch by kind stays exhaustive and pairs each kind with its own event class."""

from __future__ import annotations

from typing import get_args, get_type_hints

import attrs
import pytest
from hypothesis import given

from sim.events import EVENT_TYPES, Event, Kind
from sim.rules import GUARDS, effect_of
from sim.state import EMPTY, ConditionState
from tests.builders import T0, make
from tests.profiles import budget
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


@budget(25)
@given(histories(min_size=1))
def test_replace_on_a_state_equals_attrs_evolve(history: tuple[Event, ...]) -> None:
    from sim.fold import replay

    state = replay(history).final
    assert state.replace(talks="suspended", bound=("x",)) == attrs.evolve(
        state, talks="suspended", bound=("x",)
    )
    assert state.replace() == state


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

"""The fold's dispatch by kind stays exhaustive and pairs each kind with its own event class.

(A state's ``replace`` is held to ``attrs.evolve`` in ``tests/test_fast.py``.)
"""

from __future__ import annotations

from typing import get_args, get_type_hints

import pytest

from sim.events import EVENT_TYPES, Event, Kind
from sim.rules import GUARDS, effect_of
from sim.state import EMPTY
from tests.builders import make


def test_the_kind_literal_names_exactly_the_event_classes() -> None:
    assert set(get_args(Kind)) == set(EVENT_TYPES) == set(GUARDS)


@pytest.mark.parametrize("kind", get_args(Kind))
def test_each_kind_has_an_effect_taking_its_own_event_class(kind: Kind) -> None:
    effect = effect_of(kind)
    taken = get_type_hints(effect)["event"]
    if taken is not EVENT_TYPES[kind]:  # only an effect that changes nothing takes any Event
        assert taken is Event
        assert effect(EMPTY, make(kind, "x", 0)) is EMPTY

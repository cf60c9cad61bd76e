"""A what-if that rejoins its base reuses the base's states: only where nothing it changed can
reach any further, and its state equals the base's.

Removing an event that changed nothing is where the first condition matters: the states agree
at once, yet whatever links to the removed event must now be voided.  The properties hold the
rejoining what-if to the naive simulation of ``tests/oracle.py``, which never rejoins.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sim.events import Event
from sim.log import Log
from sim.schedule import plan
from sim.whatif import Intervention, edit, remove, retime, whatif
from tests import oracle
from tests.builders import make
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

"""The causal model's invariants (the counterfactual-semantics issue), over generated histories.

Each property states its premise exactly and the strategies generate only histories where it
holds (``tests/strategies.py``: ``acceptance_deals``, ``monotone_histories``).
"""

from __future__ import annotations

from datetime import timedelta

import attrs
from hypothesis import example, given
from hypothesis import strategies as st

from sim.analysis import view_of
from sim.events import Call, Event
from sim.fold import replay
from sim.log import Log
from sim.whatif import amend, remove, retime, whatif
from tests.builders import voided_held_reply
from tests.strategies import acceptance_deals, histories, monotone_histories


@given(acceptance_deals(), st.sampled_from(("rejected", "countered", "commented")))
def test_a_rejection_never_concludes_a_deal_that_rests_on_the_acceptance(
    history: tuple[Event, ...], decision: str
) -> None:
    """The cabinet's approval ``requires`` Hamas's acceptance, and nothing else can conclude."""
    assert replay(history).outcome.concluded  # the record, with the acceptance, concludes
    result = whatif(Log(events=history), [amend(id="yes", set={"decision": decision})])
    assert not result.outcome.concluded
    refusal = result.trajectory.final.voided["cabinet"]
    assert (refusal.rule, refusal.culprit) == ("requires", "yes")


@given(histories(min_size=1), st.data())
def test_removing_an_event_that_others_only_follow_voids_nothing(
    history: tuple[Event, ...], data: st.DataObject
) -> None:
    """A call (no effect on the state) that some events follow, by ``after`` links only: removing
    it voids nothing, restores nothing and moves nothing."""
    first = history[0]
    prompt = Call(id="prompt", at=first.at, source=first.source, actors=("qatar",))
    followers = data.draw(st.sets(st.integers(0, len(history) - 1)))
    events = (
        prompt,
        *tuple(
            attrs.evolve(e, after=(*e.after, "prompt")) if i in followers else e
            for i, e in enumerate(history)
        ),
    )
    result = whatif(Log(events=events), [remove(id="prompt")])
    assert result.diff.voided == ()
    assert result.diff.restored == ()
    assert result.diff.moved == ()
    assert result.diff.milestones == ()


@given(monotone_histories(), st.data())
def test_delaying_an_event_never_makes_a_milestone_earlier(
    history: tuple[Event, ...], data: st.DataObject
) -> None:
    """In a history with nothing that holds others back (no suspension, no rejection, no
    superseding offer, no breach, no link into a blackout), delaying any event that is not a
    blackout by ``d`` moves every milestone reached in both no earlier, and the deal too."""
    target = data.draw(st.sampled_from([e for e in history if "blackout" not in e.kind]))
    hours = data.draw(st.integers(0, 240))
    base = replay(history)
    result = whatif(Log(events=history), [retime(id=target.id, by=timedelta(hours=hours))])
    for name, at in result.trajectory.milestones.items():
        before = base.milestones.get(name)
        if before is not None:
            assert at >= before, name
    if base.outcome.concluded_at and result.outcome.concluded_at:
        assert result.outcome.concluded_at >= base.outcome.concluded_at


@given(histories())
def test_the_view_of_a_party_that_takes_part_in_every_event_is_the_replay(
    history: tuple[Event, ...],
) -> None:
    everywhere = tuple(attrs.evolve(e, actors=(*e.actors, "omni")) for e in history)
    trajectory = replay(everywhere)
    end = max((e.at for e in trajectory.events), default=None)
    if end is None:
        return
    view = view_of(trajectory, "omni", end)
    assert view.state == trajectory.final
    assert view.unknown_links == {}
    assert view.unknown_fate == {}


@given(histories())
@example(history=voided_held_reply())
def test_a_what_if_with_no_interventions_is_the_replay_waits_included(
    history: tuple[Event, ...],
) -> None:
    base = replay(history)
    result = whatif(Log(events=history), []).trajectory
    assert result.events == base.events
    assert result.states == base.states
    assert result.waits == base.waits
    assert result.holds == base.holds
    assert result.timings == base.timings

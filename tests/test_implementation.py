"""A deal's life after agreement: what carries it out takes effect, releases wait on the deal's
own conditions, a truce collapses on a breach, and the state names the events behind each."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import given

from sim.analysis import explain
from sim.events import Condition, Event, MilitaryOperation, Release
from sim.fold import Trajectory, replay
from sim.store import load_log
from tests.builders import T0, make
from tests.profiles import budget
from tests.strategies import carried_out_deals

ROOT = Path(__file__).resolve().parent.parent


def _deal(*conditions: Event, after: tuple[Event, ...] = ()) -> Trajectory:
    """Talks, the conditions the deal rests on, a text both sides approve (concluded on day
    5), then ``after``."""
    names = tuple(c.name for c in conditions if isinstance(c, Condition))
    return replay(
        (
            make("contact", "c", 0),
            make("information", "held", 0.5, actors=("hamas",), captor="hamas", count=10),
            *conditions,
            make("offer", "o", 2, text="t", conditions=names, approvers=("hamas", "israel")),
            make("approval", "a1", 4, actors=("hamas",), body="hamas", text="t"),
            make("approval", "a2", 5, actors=("israel",), body="israel", text="t"),
            *after,
        )
    )


LISTS = make(
    "condition", "lists", 1, actors=("hamas",), name="lists_exchanged", holder="israel",
    demand="the list of prisoners to be freed",
)  # fmt: skip


def test_a_release_waits_for_the_deals_condition_met_three_weeks_after_agreement() -> None:
    trajectory = _deal(
        LISTS,
        after=(
            make(
                "release", "r1", 6, actors=("hamas",), captor="hamas", count=4,
                patience=timedelta(days=40),
            ),
            make("assurance", "lists-in", 26, actors=("israel",), about="lists", meets=(
                "lists_exchanged",
            )),
        ),
    )  # fmt: skip
    final = trajectory.final
    assert final.talks == "concluded"
    assert final.concluded_at == T0 + timedelta(days=5)
    assert "r1" not in final.voided
    released = trajectory.events[[e.id for e in trajectory.events].index("r1")]
    assert released.at == T0 + timedelta(days=26)  # it waited for the lists, three weeks
    wait = trajectory.waits["r1"]
    assert wait.since == T0 + timedelta(days=6)
    assert final.captives["hamas"].released == 4
    assert final.deal == "completed"
    assert final.deal_by == ("lists-in",)


def test_a_release_before_the_deals_condition_is_met_is_not_taken_at_its_recorded_time() -> None:
    trajectory = _deal(
        LISTS, after=(make("release", "r1", 6, actors=("hamas",), captor="hamas", count=4),)
    )
    final = trajectory.final
    assert final.deal == "in_force"
    assert final.deal_by == ("a2",)
    refusal = final.voided["r1"]  # it waited its patience (14 days), then gave up
    assert refusal.rule == "deal_lets_release"
    assert refusal.culprit == "lists"
    assert refusal.text == "waited 14d: condition lists_exchanged was never met"


TRUCE = make(
    "condition", "truce", 1, actors=("israel",), name="no_raids", holder="israel",
    prohibits="raid", demand="no raids while the truce holds",
)  # fmt: skip


def test_a_truce_collapses_on_a_breach_and_nothing_carries_the_deal_out_after_it() -> None:
    trajectory = _deal(
        TRUCE,
        after=(
            make("release", "r1", 6, actors=("hamas",), captor="hamas", count=4),
            make("military_operation", "raid", 8, actors=("israel_army",), operation="raid",
                 area="north"),
            make("release", "r2", 9, actors=("hamas",), captor="hamas", count=4),
            make("approval", "court", 10, actors=("israel_court",), body="court", text="t"),
        ),
    )  # fmt: skip
    final = trajectory.final
    assert final.concluded_at == T0 + timedelta(days=5)  # it was concluded: a fact that stays
    assert final.deal == "collapsed"
    assert final.deal_by == ("raid",)
    assert final.captives["hamas"].released == 4  # r1, before the breach
    assert final.voided["r2"].rule == "deal_collapsed"
    assert final.voided["court"].rule == "deal_collapsed"
    states = dict(zip((e.id for e in trajectory.events), trajectory.states, strict=True))
    assert states["r1"].deal == "in_force"


def test_explain_names_the_breach_behind_a_release_that_never_came() -> None:
    trajectory = _deal(
        TRUCE,
        after=(
            make("military_operation", "raid", 8, actors=("israel_army",), operation="raid",
                 area="north"),
            make("release", "r2", 9, actors=("hamas",), captor="hamas", count=4,
                 milestone="second_release"),
        ),
    )  # fmt: skip
    why = explain(trajectory, "second_release")
    assert not why.reached
    assert why.chain[0].blame is not None
    assert why.chain[0].blame.startswith("the deal collapsed with raid on ")


def test_after_conclusion_the_talks_are_over_but_approvals_of_the_deal_still_bind() -> None:
    trajectory = _deal(
        after=(
            make("approval", "court", 7, actors=("israel_court",), body="court", text="t"),
            make("offer", "late", 8, text="t2"),
            make("approval", "other", 9, actors=("israel_court",), body="court", text="t2"),
            make("announcement", "in-force", 10, milestone="in_force"),
        )
    )
    final = trajectory.final
    assert "court" not in final.voided
    assert {a.body for a in final.approvals.values() if a.status == "bound"} >= {"court"}
    assert final.voided["late"].text.startswith("talks are concluded")
    assert "other" in final.voided
    assert trajectory.milestones["in_force"] == T0 + timedelta(days=10)
    assert final.deal == "in_force"  # rests on no condition: never "completed" by default


def test_the_baseline_still_ends_at_the_announcement() -> None:
    trajectory = replay(load_log(ROOT / "scenarios" / "baseline"))
    assert trajectory.events[-1].milestone == "announcement"
    assert trajectory.voided == ()
    assert trajectory.final.deal == "in_force"
    assert trajectory.final.deal_by == ("cabinet-approves",)


@budget(40)
@given(carried_out_deals())
def test_a_release_takes_effect_only_while_the_deal_stands_and_the_other_side_has_done_its_part(
    history: tuple[Event, ...],
) -> None:
    """Premise: a deal concluded on its conditions, then releases, assurances and operations.
    Each release that takes effect does so while the deal has not collapsed, once every
    condition of the deal held by the other side (and prohibiting nothing) is met; the deal
    collapses exactly when an operation a condition prohibits starts; it is completed exactly
    when every condition is met or waived."""
    trajectory = replay(history)
    assert trajectory.final.talks == "concluded"
    before = trajectory.initial
    breached = False
    for event, after in zip(trajectory.events, trajectory.states, strict=True):
        took = event.id not in after.voided
        if isinstance(event, MilitaryOperation) and took and after.talks == "concluded":
            hits = [
                c
                for c in before.deal_conditions
                if before.conditions[c].prohibits == event.operation
                and before.conditions[c].status == "open"
            ]
            breached = breached or (bool(hits) and before.deal != "collapsed")
        if isinstance(event, Release) and took and before.talks == "concluded":
            assert before.deal != "collapsed", event.id
            for name in before.deal_conditions:
                condition = before.conditions[name]
                if condition.prohibits is None and condition.holder != event.captor:
                    assert condition.status in ("met", "waived"), (event.id, name)
        before = after
    final = trajectory.final
    assert (final.deal == "collapsed") == breached
    settled = all(final.conditions[c].status in ("met", "waived") for c in final.deal_conditions)
    if not breached:
        assert (final.deal == "completed") == settled

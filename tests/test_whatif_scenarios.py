"""Each what-if in scenarios/whatif/ gives the answer its file states (in a comment)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from sim.analysis import explain
from sim.analysis.diff import EventMove, delays
from sim.scenario import load_scenario
from sim.whatif import WhatIf, retime, whatif

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "scenarios" / "whatif"


def run(name: str) -> WhatIf:
    return load_scenario(LIBRARY / f"{name}.toml")


def missed(result: WhatIf) -> list[str]:
    return [m.name for m in result.diff.milestones if m.after is None]


def recorded(result: WhatIf) -> datetime:
    when = result.base_trajectory.outcome.concluded_at
    assert when is not None
    return when


def test_every_scenario_states_its_question_and_answer() -> None:
    files = sorted(LIBRARY.glob("*.toml"))
    assert len(files) >= 10
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert "question = " in text
        assert "# Answer: " in text


def test_without_the_shifa_assurance_talks_never_resume() -> None:
    result = run("no-shifa-assurance")
    assert not result.outcome.concluded
    assert missed(result)[0] == "talks_resumed"
    assert "cabinet_approval" in missed(result)
    reasons = {v.id: v.reason for v in result.diff.voided}
    assert reasons["talks-resume"] == "it answers israel-assures-shifa, which is not in the log"
    assert reasons["hamas-comments"] == "waited 14d: talks never resumed"


def test_a_longer_final_blackout_delays_the_deal_by_about_three_days() -> None:
    result = run("longer-final-blackout")
    assert result.outcome.concluded_at == recorded(result) + timedelta(days=2, hours=23, minutes=30)
    moved = {m.name for m in result.diff.milestones}
    assert {"final_text_review", "final_offer", "cabinet_approval"} <= moved
    assert not result.diff.voided
    review = next(m for m in result.diff.moved if m.id == "doha-final-text-review")
    assert [d.cause for d in review.because] == ["held"]
    assert review.because[0].link == "hamas-comments"


def test_the_reasons_of_a_move_are_found_on_first_use_as_delays_finds_them() -> None:
    """The diff hands each move a way to find its reasons (a what-if nobody reads pays nothing
    for them): read, they are :func:`delays` of the what-if, and moves compare by them too."""
    result = run("longer-final-blackout")
    shifts = {m.id: m.after - m.before for m in result.diff.moved}
    for move in result.diff.moved:
        assert move.because, move.id
        again = delays(result.trajectory, move.id, shifts=shifts, origins=result.origins)
        assert move.because == again
        assert move == EventMove(id=move.id, before=move.before, after=move.after, because=again)
        other = EventMove(id=move.id, before=move.before, after=move.after, because=again[1:])
        assert move != other
        found = EventMove(
            id=move.id, before=move.before, after=move.after, because=partial(tuple, again)
        )
        assert hash(move) == hash(found)
        assert found == move


def test_hamas_rejecting_the_final_offer_ends_the_talks() -> None:
    result = run("hamas-rejects-final-offer")
    assert not result.outcome.concluded
    assert missed(result) == ["hamas_green_light", "cabinet_approval", "announcement"]
    assert result.trajectory.final.voided["cabinet-approves"].text == (
        "it requires hamas-green-light to be an acceptance, but it was rejected"
    )


def test_accepting_the_october_offer_without_an_invasion_leaves_the_deal_date_as_recorded() -> None:
    result = run("israel-accepts-oct24")
    assert result.outcome.concluded_at == recorded(result)
    assert missed(result) == ["ground_invasion"]
    assert not result.diff.voided


def test_without_the_cell_there_is_no_deal() -> None:
    result = run("no-cell")
    assert not result.outcome.concluded
    assert "first_contact" not in missed(result)
    assert missed(result)[0] == "cell_formed"
    assert "first_release" in missed(result)


def test_without_blackouts_nothing_moves_in_the_recorded_history() -> None:
    result = run("no-blackouts")
    assert result.outcome.concluded_at == recorded(result)
    assert not result.diff.milestones
    assert not result.diff.voided


@pytest.mark.parametrize("name", ["no-shifa-assurance", "hamas-rejects-final-offer"])
def test_the_explanation_of_a_missed_approval_names_the_first_broken_link(name: str) -> None:
    from sim.analysis import explain

    result = run(name)
    why = explain(result.trajectory, "cabinet_approval", notes=result.origins)
    assert not why.reached
    assert why.chain[0].id == "cabinet-approves"
    assert why.chain[-1].voided is not None


def test_the_modelers_script_runs_on_the_public_api() -> None:
    script = LIBRARY / "compare_blackout_lengths.py"
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert "blackout +3d" in done.stdout
    assert "delay 2 days, 23:30:00" in done.stdout


def test_the_war_cabinet_rejecting_leaves_no_final_offer_and_no_deal() -> None:
    """The counterfactual-semantics issue's first question: a rejection no longer carries the
    deal."""
    result = run("war-cabinet-rejects")
    assert not result.outcome.concluded
    assert missed(result) == [
        "war_cabinet_agrees",
        "final_offer",
        "hamas_green_light",
        "cabinet_approval",
        "announcement",
    ]
    refusal = result.trajectory.final.voided["final-offer"]
    assert (refusal.rule, refusal.culprit) == ("requires", "war-cabinet-agrees")
    why = explain(result.trajectory, "final_offer", notes=result.origins)
    assert why.chain[0].voided == (
        "it requires war-cabinet-agrees to be an acceptance, but it was rejected"
    )


def test_a_conditional_offer_made_after_its_condition_was_breached_lapses_at_once() -> None:
    """The second question: the 24 Oct message a week later, during the invasion."""
    result = run("conditional-offer-a-week-later")
    refusal = result.trajectory.final.voided["oct24-offer"]
    assert refusal.rule == "conditions_not_breached"
    assert refusal.culprit == "ground-invasion"
    state = result.trajectory.state_at(datetime(2023, 11, 2, 23, 59, tzinfo=UTC))
    assert state.conditions["no_ground_invasion"].status == "breached"
    assert state.current_offer is None  # no offer stands beside the breach
    assert result.outcome.concluded_at == recorded(result)


def test_retiming_the_offer_alone_by_a_week_also_lapses_it() -> None:
    """The issue's own form of the question: oct24-offer retimed by +7d."""
    base = run("no-blackouts").base
    result = whatif(base, [retime(id="oct24-offer", by="+7d")])
    assert result.trajectory.final.voided["oct24-offer"].rule == "conditions_not_breached"
    state = result.trajectory.state_at(datetime(2023, 11, 2, 23, 59, tzinfo=UTC))
    assert all(offer.status != "current" for offer in state.offers.values() if offer.conditions)


def test_removing_the_biden_emir_call_voids_nothing() -> None:
    """The third question: the call was a prompt, not a precondition."""
    result = run("no-biden-emir-call")
    assert not result.diff.voided
    assert not result.diff.milestones
    assert result.outcome.concluded_at == recorded(result)


def test_an_extra_gaza_blackout_holds_the_green_light_and_says_for_how_long() -> None:
    result = run("extra-gaza-blackout")
    assert result.outcome.concluded_at == recorded(result) + timedelta(hours=11)
    approval = next(m for m in result.diff.moved if m.id == "cabinet-approves")
    (held,) = approval.because
    assert (held.cause, held.link, held.culprit) == ("held", "hamas-green-light", "blackout-nov20")
    assert held.length == timedelta(hours=11)
    assert held.text == (
        "cabinet-approves waited for the gaza blackout (blackout-nov20): hamas-green-light,"
        " which it answers, was held up 11h"
    )

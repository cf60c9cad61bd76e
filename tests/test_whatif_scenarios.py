"""Each what-if in scenarios/whatif/ gives the answer its file states (in a comment)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sim.scenario import load_scenario
from sim.whatif import WhatIf

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
    assert len(files) >= 6
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
    assert reasons["talks-resume"] == "its cause israel-assures-shifa is not in the log before it"


def test_a_longer_final_blackout_delays_the_deal_by_about_three_days() -> None:
    result = run("longer-final-blackout")
    assert result.outcome.concluded_at == recorded(result) + timedelta(days=2, hours=23, minutes=30)
    moved = {m.name for m in result.diff.milestones}
    assert {"final_text_review", "final_offer", "cabinet_approval"} <= moved
    assert not result.diff.voided


def test_hamas_rejecting_the_final_offer_ends_the_talks() -> None:
    result = run("hamas-rejects-final-offer")
    assert not result.outcome.concluded
    assert missed(result) == ["hamas_green_light", "cabinet_approval", "announcement"]
    assert result.trajectory.final.voided["cabinet-approves"] == "talks are ended, not active"


def test_accepting_the_october_offer_without_an_invasion_leaves_the_deal_date_as_recorded() -> None:
    result = run("israel-accepts-oct24")
    assert result.outcome.concluded_at == recorded(result)
    assert missed(result) == ["ground_invasion"]
    assert [v.id for v in result.diff.voided] == ["invasion-plan-adapted"]


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

"""The questions the counterfactual-semantics issue found answered wrongly, each answered again.

(The first two, a rejection that carried the deal and an offer made after its condition was
breached, are in ``test_whatif_scenarios.py`` with their scenario files.)
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest
from typer.testing import CliRunner

from sim.analysis import explain, view_of
from sim.cli import app
from sim.errors import SimError
from sim.store import load_log
from sim.whatif import Baseline, amend, prepare, retime, whatif

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline"
runner = CliRunner()


@pytest.fixture(scope="module")
def base() -> Baseline:
    return prepare(load_log(BASELINE))


def test_a_delay_that_leaves_an_offer_waiting_for_talks_makes_it_wait_not_void(
    base: Baseline,
) -> None:
    """hamas-info-50 a day later: Biden's outline falls while the talks are suspended over
    al-Shifa; it waits for them to resume and the framework is agreed then."""
    result = whatif(base, [retime(id="hamas-info-50", by="+1d")])
    wait = result.trajectory.waits["biden-conveys-outline"]
    assert wait.took_effect
    assert wait.refusal.rule == "talks_active"
    assert wait.refusal.culprit == "talks-suspended-over-shifa"
    resumed = result.trajectory.milestones["talks_resumed"]
    assert result.trajectory.milestones["framework_agreed"] >= resumed
    assert result.outcome.concluded
    assert not result.diff.voided


def test_moving_the_information_on_50_hostages_later_never_brings_the_deal_earlier(
    base: Baseline,
) -> None:
    """The sweep that gave concluded, not concluded, concluded again: now the deal comes no
    earlier with each day's delay, and always comes."""
    times = []
    for days in range(11):
        result = whatif(base, [retime(id="hamas-info-50", by=f"+{days}d")])
        assert result.outcome.concluded_at is not None, days
        times.append(result.outcome.concluded_at)
    assert times == sorted(times)


def test_as_known_by_hamas_on_16_november_the_talks_are_on_and_its_own_acts_stand() -> None:
    """The view that said talks had 'not started', voided Hamas's own release and offer, and
    showed empty the channels Israel belongs to."""
    result = runner.invoke(
        app,
        ["state", str(BASELINE), "--at", "2023-11-16", "--as-known-by", "hamas", "--json"],
    )
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)["as_known_by"]
    state = view["state"]
    assert state["talks"] == "active"
    assert state["voided"] == {}
    assert "hostage_cell" in state["channels"]
    assert "israel" in state["channels"]["hostage_cell"]
    assert {"raanan-release", "oct24-offer"} <= set(view["known_events"])
    assert view["unknown_links"]["raanan-release"] == ["cell-formed"]


def test_the_view_is_a_library_function(base: Baseline) -> None:
    view = view_of(base.trajectory, "hamas", datetime(2023, 11, 16, 23, 59, tzinfo=UTC))
    assert view.state.talks == "active"
    assert "cell-formed" in view.not_yet_known


def test_an_unknown_party_is_refused_with_the_parties_of_the_log() -> None:
    result = runner.invoke(
        app, ["state", str(BASELINE), "--at", "2023-11-16", "--as-known-by", "ukraine"]
    )
    assert result.exit_code == 2
    assert "unknown party 'ukraine'" in result.stderr
    assert "qatar" in result.stderr


def test_an_amended_event_appears_in_the_diff_field_by_field(tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        f'[scenario]\nname = "x"\nbase = "{BASELINE}"\nquestion = "q"\n\n'
        '[[intervention]]\namend = { id = "war-cabinet-agrees" }\n'
        'set = { decision = "rejected" }\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["whatif", str(scenario), "--json"])
    assert result.exit_code == 0, result.output
    amended = json.loads(result.stdout)["diff"]["amended"]
    assert amended == [
        {
            "id": "war-cabinet-agrees",
            "field": "decision",
            "from": "accepted_with_changes",
            "to": "rejected",
        }
    ]


def test_a_date_without_a_time_means_the_start_of_that_day_in_the_events_own_zone(
    base: Baseline,
) -> None:
    """A Washington call moved 'to' 20 Nov happens at 00:00 Washington time, not 00:00 UTC."""
    result = whatif(base, [retime(id="biden-calls-emir", to="2023-11-20")])
    call = result.trajectory.events[result.trajectory.index("biden-calls-emir")]
    assert call.at == datetime(2023, 11, 20, tzinfo=timezone(timedelta(hours=-5)))
    assert call.at.utcoffset() == timedelta(hours=-5)
    assert retime(id="x", to=date(2023, 11, 20)).to == date(2023, 11, 20)


def test_a_scenario_sets_how_long_events_wait(tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        f'[scenario]\nname = "x"\nbase = "{BASELINE}"\nquestion = "q"\npatience = "2d"\n\n'
        '[[intervention]]\nremove = { id = "israel-assures-shifa" }\n',
        encoding="utf-8",
    )
    from sim.scenario import load_scenario

    result = load_scenario(scenario)
    assert result.trajectory.final.voided["hamas-comments"].text == (
        "waited 2d: talks never resumed"
    )
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace('"2d"', '"soon"'), encoding="utf-8"
    )
    with pytest.raises(SimError, match="patience must be a positive duration"):
        load_scenario(scenario)


def test_explanations_read_the_refusals_fields_not_their_words(base: Baseline) -> None:
    """Rewording a rule's sentence changes no explanation: blame comes from rule and culprit."""
    result = whatif(base, [amend(id="war-cabinet-agrees", set={"decision": "rejected"})])
    trajectory = result.trajectory
    before = explain(trajectory, "final_offer", notes=result.origins)
    final = trajectory.final
    reworded = {k: attrs.evolve(v, text="(reworded)") for k, v in final.voided.items()}
    states = (*trajectory.states[:-1], final.replace(voided=final.voided.update(reworded)))
    after = explain(attrs.evolve(trajectory, states=states), "final_offer", notes=result.origins)
    assert after.chain[0].blame == before.chain[0].blame
    assert (
        before.chain[0].blame == "war-cabinet-agrees was rejected (amended by [[intervention]] #1)"
    )

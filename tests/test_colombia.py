"""The second recorded history, Colombia and the FARC-EP (2016): the engine reproduces the record
with no code of its own, and its what-ifs give the answers their files state."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from sim.fold import Trajectory, replay
from sim.scenario import load_scenario
from sim.state import NegotiationState
from sim.store import load_log, verify
from sim.whatif import WhatIf

ROOT = Path(__file__).resolve().parent.parent
COLOMBIA = ROOT / "scenarios" / "colombia-2016"
WHATIF = ROOT / "scenarios" / "whatif"
FACTS = COLOMBIA / "sources" / "facts.md"


@pytest.fixture(scope="module")
def trajectory() -> Trajectory:
    return replay(load_log(COLOMBIA))


def _state_after(trajectory: Trajectory, event_id: str) -> NegotiationState:
    return trajectory.states[trajectory.index(event_id)]


def test_the_log_is_sealed_and_replays_with_nothing_voided(trajectory: Trajectory) -> None:
    assert verify(COLOMBIA).ok
    assert trajectory.voided == ()


def test_the_deal_is_concluded_on_30_november_when_both_houses_have_approved(
    trajectory: Trajectory,
) -> None:
    outcome = trajectory.outcome
    assert outcome.concluded
    assert outcome.concluded_at is not None
    assert outcome.concluded_at.date() == date(2016, 11, 30)
    assert outcome.text == "havana_nov"
    bound = {a.body for a in trajectory.final.approvals.values() if a.status == "bound"}
    assert {"signatories", "colombia_senate", "colombia_house"} <= bound
    senate = _state_after(trajectory, "senate-approves")
    assert senate.talks == "active"  # the Senate alone does not conclude it


def test_the_first_text_is_signed_but_not_concluded(trajectory: Trajectory) -> None:
    signed = _state_after(trajectory, "cartagena-signing")
    assert signed.talks == "active"
    assert signed.concluded_at is None
    bound = {a.body: a.text for a in signed.approvals.values() if a.status == "bound"}
    assert bound == {"farc_conference": "havana_aug", "signatories": "havana_aug"}


def test_the_voters_reject_it_on_2_october_and_the_talks_go_on(trajectory: Trajectory) -> None:
    after = _state_after(trajectory, "plebiscite")
    response = after.responses["plebiscite"]
    assert response.decision == "rejected"
    assert response.at.date() == date(2016, 10, 2)
    assert after.talks == "active"
    assert after.concluded_at is None


def test_the_second_text_supersedes_the_first_and_voids_its_approvals(
    trajectory: Trajectory,
) -> None:
    after = _state_after(trajectory, "new-text")
    assert after.current_text == "havana_nov"
    assert after.offers["havana-text"].status == "superseded"
    old = [a for a in after.approvals.values() if a.text == "havana_aug"]
    assert {a.body for a in old} == {"farc_conference", "signatories"}
    assert all(a.status == "superseded" for a in old)
    assert after.bound == ()


def test_the_manifests_milestones_are_reached_in_the_records_order(
    trajectory: Trajectory,
) -> None:
    manifest = trajectory.scenario
    reached = trajectory.milestones
    assert list(manifest.milestone_names) == sorted(reached, key=reached.__getitem__)
    assert set(reached) == set(manifest.milestone_names)
    assert reached["house_approval"] == trajectory.outcome.concluded_at
    # after conclusion: the entry into force and the Court's ruling still take effect
    assert reached["entry_into_force"].date() == date(2016, 12, 1)
    assert reached["court_upholds"].date() == date(2016, 12, 13)
    assert trajectory.final.deal == "in_force"


def test_every_quote_is_a_row_of_the_record_verbatim(trajectory: Trajectory) -> None:
    row = re.compile(r"^\| (\w+) \| [^|]+ \| ([^|]+) \| [^|]+ \|$", re.MULTILINE)
    facts = {m.group(1): m.group(2) for m in row.finditer(FACTS.read_text())}
    for event in trajectory.events:
        for source in (event.source, *event.also, *(a.source for a in event.alternatives)):
            assert source.document.startswith("facts.md: "), event.id
            number = source.note.split(";")[0].removeprefix("row ")
            assert facts[number].strip() == source.quote, (event.id, number)


def test_the_record_is_a_byte_for_byte_copy_of_the_shared_one() -> None:
    shared = Path("/work/shared/histories/colombia-2016/facts.md")
    if not shared.exists():
        pytest.skip("the shared record is not on this machine")
    assert FACTS.read_bytes() == shared.read_bytes()


def _whatif(name: str) -> WhatIf:
    return load_scenario(WHATIF / f"colombia-{name}.toml")


def _missed(result: WhatIf) -> set[str]:
    return {m.name for m in result.diff.milestones if m.after is None}


def test_if_yes_had_won_the_first_text_is_concluded_on_2_october() -> None:
    result = _whatif("yes-wins")
    outcome = result.outcome
    assert outcome.text == "havana_aug"
    assert outcome.concluded_at == datetime.fromisoformat("2016-10-02T18:00:00-05:00")
    reasons = {v.id: v.reason for v in result.diff.voided}
    assert reasons["after-the-no"] == "it requires plebiscite to be rejected, but it was accepted"
    assert "new-text" in reasons
    assert {"renegotiation_called", "new_text", "house_approval", "court_upholds"} <= _missed(
        result
    )


def test_without_renegotiation_there_is_no_agreement() -> None:
    result = _whatif("no-renegotiation")
    assert not result.outcome.concluded
    final = result.trajectory.final
    assert final.current_text == "havana_aug"
    assert final.talks == "active"
    assert _missed(result) == {
        "new_text",
        "teatro_colon_signing",
        "senate_approval",
        "house_approval",
        "entry_into_force",
        "court_upholds",
    }


def test_a_house_vote_two_weeks_later_moves_the_conclusion_and_what_follows_it() -> None:
    result = _whatif("house-two-weeks-later")
    base = result.base_trajectory.outcome.concluded_at
    assert base is not None
    assert result.outcome.concluded_at == base + timedelta(days=14)
    assert not result.diff.voided
    moved = {m.name: m.after - m.before for m in result.diff.milestones if m.after and m.before}
    assert moved == {
        "house_approval": timedelta(days=14),
        "entry_into_force": timedelta(days=14),
        "court_upholds": timedelta(days=14),
    }


def test_if_the_ceasefire_ends_on_31_october_the_new_text_cannot_rest_on_it() -> None:
    result = _whatif("ceasefire-ends-oct31")
    assert not result.outcome.concluded
    reasons = {v.id: v.reason for v in result.diff.voided}
    assert reasons["new-text"].startswith("it rests on condition bilateral_ceasefire, already")
    assert {"ceasefire_extended", "new_text", "house_approval"} <= _missed(result)


def test_the_chart_and_the_report_draw_the_colombian_parties_in_their_own_colours(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from sim.cli import app

    runner = CliRunner()
    chart, report = tmp_path / "c.svg", tmp_path / "r.html"
    assert runner.invoke(app, ["chart", str(COLOMBIA), "-o", str(chart)]).exit_code == 0
    assert runner.invoke(app, ["report", str(COLOMBIA), "-o", str(report)]).exit_code == 0
    svg, html = chart.read_text(), report.read_text()
    manifest = load_log(COLOMBIA).manifest
    assert manifest is not None
    for party in ("colombia", "farc", "no"):
        drawn = manifest.party(party)
        assert drawn is not None
        assert f'id="lane-label-{party}"' in svg
        assert drawn.tint in svg  # the lane's background
        assert f'solid {drawn.colour}; padding-left: 4px; margin-right: 14px">{drawn.name}<' in html
    assert 'id="lane-cuba"' not in svg  # a party that never acts gets no empty lane
    assert "Qatar" not in html


def test_its_plover_export_follows_the_plover_rules_with_the_manifests_codes(
    trajectory: Trajectory,
) -> None:
    from sim.exchange import plover_problems, plover_records

    records = plover_records(trajectory, context="historical")
    assert len(records) >= 20
    for record in records:
        assert plover_problems(record) == [], record["id"]
    codes = {
        (e["code"], e.get("sector"))
        for r in records
        for e in (*r["actor"], *r.get("recipient", ()))
    }
    assert ("COL", "REB") in codes  # the FARC-EP, under its country's code, as an insurgent
    assert {"CUB", "NOR"} <= {code for code, _ in codes}
    from sim.codes import entities

    assert entities("un", trajectory.scenario) == [
        {"code": "IGO", "identifier_text": "United Nations", "entity_text": "un"}
    ]
    signing = next(r for r in records if r["id"] == "cartagena-signing")
    assert signing["cameo"] == "057"
    voters = next(r for r in records if r["id"] == "plebiscite")
    assert voters["cameo"] == "120"  # the voters reject the text; no adversary is its target

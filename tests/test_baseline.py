"""The recorded history, ``scenarios/baseline``: read as an analyst would check it.

It replays strictly; each milestone falls on the date the record supports; the deal concludes at
the cabinet's approval on the report's terms; the talks are in the state the record says on
every date; every event rests on a quote found verbatim in its source; the routes, blackouts
and causes are consistent with the rules; and the what-if questions asked of it have data to
work on.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import attrs
import pytest
from typer.testing import CliRunner

from sim.analysis import milestone_events
from sim.cli import app
from sim.codec import decode_event, encode_event
from sim.events import (
    Announcement,
    Approval,
    Assurance,
    BlackoutEnded,
    BlackoutStarted,
    Contact,
    Event,
    MilitaryOperation,
    Offer,
    Response,
    Source,
    TalksResumed,
    Terms,
)
from sim.fold import Log, Trajectory, replay
from sim.parties import party_of
from sim.sources import prefer
from sim.store import load_log, read_head, read_manifest, verify

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"
_READ = read_manifest(BASELINE)
assert _READ is not None
_MANIFEST = _READ
MILESTONES = _MANIFEST.milestone_names
"""The baseline's milestones, in its manifest's order (the order the record reaches them)."""
PARTIES = _MANIFEST.party_ids
SOURCES = BASELINE / "sources"
FACT_PARAGRAPHS = (5, 7, *range(9, 27))
"""The paragraphs of the report that state a fact (the others are a date line, a caption, a
byline, an attribution, and ¶8, which tells the 14 Nov call of ¶18 again)."""

MILESTONE_DATES = {
    "first_contact": date(2023, 10, 8),
    "cell_formed": date(2023, 10, 10),
    "first_release": date(2023, 10, 23),
    "conditional_offer": date(2023, 10, 24),
    "ground_invasion": date(2023, 10, 27),
    "framework_agreed": date(2023, 11, 14),
    "talks_suspended": date(2023, 11, 15),
    "talks_resumed": date(2023, 11, 16),
    "final_text_review": date(2023, 11, 18),
    "hamas_accepts_in_principle": date(2023, 11, 19),
    "war_cabinet_agrees": date(2023, 11, 19),
    "final_offer": date(2023, 11, 19),
    "hamas_green_light": date(2023, 11, 21),
    "cabinet_approval": date(2023, 11, 22),
    "announcement": date(2023, 11, 22),
}
"""Local dates: the report's where it gives one, else the best estimate its README argues."""

REPORT_TERMS = (
    ("pause_days", 4, "a 4-day pause", "seed ¶5"),
    ("extendable", True, "extendable", "seed ¶5"),
    ("first_phase", "women and children", "first phase: women and children", "seed ¶22"),
    ("hostages", 50, "50 hostages", "facts.md: Gulf Times (Reuters), 22 Nov 2023"),
    ("further_releases", True, "further releases expected", "seed ¶22"),
    ("aim", "the return of all hostages", "aim: the return of all hostages (¶22)", "seed ¶22"),
)
"""The final text's terms: name, value, words, and the record each rests on (the report's
paragraph, or for the 50, facts.md: the report only says Hamas gave information on 50)."""


def _terms(terms: Terms) -> tuple[tuple[object, ...], ...]:
    return tuple(
        (
            t.name,
            t.value,
            t.said(),
            t.source.document + (f" ¶{t.source.paragraph}" if t.source.paragraph else "")
            if t.source
            else None,
        )
        for t in terms
    )


runner = CliRunner()


@pytest.fixture(scope="module")
def log() -> Log:
    return load_log(BASELINE)


@pytest.fixture(scope="module")
def trajectory(log: Log) -> Trajectory:
    return replay(log)


def _paragraphs() -> dict[int, str]:
    found = {}
    for line in (SOURCES / "paragraphs.tsv").read_text(encoding="utf-8").splitlines():
        if line:
            number, text = line.split("\t", 1)
            found[int(number.removeprefix("¶"))] = text
    return found


def _citations(event: Event) -> Iterator[Source]:
    yield event.source
    yield from event.also
    for alternative in event.alternatives:
        yield alternative.source


def _by_milestone(log: Log, name: str) -> Event:
    return next(e for e in log.events if e.milestone == name)


# ------------------------------------------------------------------------ replay and outcome


def test_baseline_replays_with_no_voided_event(trajectory: Trajectory) -> None:
    problems = [f"{v.id}: {v.reason}" for v in trajectory.voided]
    assert not problems, "baseline events voided:\n" + "\n".join(problems)


def test_strict_replay_succeeds_and_json_has_every_milestone_and_the_outcome() -> None:
    result = runner.invoke(app, ["replay", str(BASELINE), "--strict", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["voided"] == []
    assert list(data["milestones"])[: len(MILESTONES)] == list(MILESTONES)
    dates = {k: datetime.fromisoformat(v).date() for k, v in data["milestones"].items() if v}
    assert dates == MILESTONE_DATES
    outcome = data["outcome"]
    assert outcome["concluded"] is True
    assert outcome["concluded_at"] == data["milestones"]["cabinet_approval"]
    assert outcome["text"] == "final_text"
    assert [(t["name"], t["value"], t["text"]) for t in outcome["named_terms"]] == [
        term[:3] for term in REPORT_TERMS
    ]
    assert outcome["terms"] == {name: value for name, value, *_ in REPORT_TERMS}


@pytest.mark.parametrize(("name", "expected"), MILESTONE_DATES.items())
def test_each_milestone_is_reached_on_the_date_the_record_supports(
    trajectory: Trajectory, name: str, expected: date
) -> None:
    reached = trajectory.milestones[name]
    assert reached.date() == expected
    assert reached.astimezone(UTC).date() == expected, "local and UTC dates must agree"


def test_milestones_are_reached_in_the_canonical_order(trajectory: Trajectory) -> None:
    times = [trajectory.milestones[name] for name in MILESTONES]
    assert times == sorted(times)


def test_deal_concludes_at_the_cabinet_approval_on_the_reports_terms(
    trajectory: Trajectory,
) -> None:
    outcome = trajectory.outcome
    assert outcome.concluded
    assert outcome.concluded_at == trajectory.milestones["cabinet_approval"]
    assert outcome.text == "final_text"
    assert outcome.terms is not None
    assert _terms(outcome.terms) == REPORT_TERMS
    final = trajectory.final
    bound = {a.body for a in final.approvals.values() if a.status == "bound"}
    assert bound == {"hamas", "israel_cabinet"}
    assert all(a.text == "final_text" for a in final.approvals.values())
    assert final.current_offer is not None
    assert final.current_offer.final
    assert final.current_offer.approvers == ("hamas", "israel_cabinet")


def _expected_talks(trajectory: Trajectory, moment: datetime) -> str:
    m = trajectory.milestones
    if moment < m["first_contact"]:
        return "not_started"
    if moment >= m["cabinet_approval"]:
        return "concluded"
    if m["talks_suspended"] <= moment < m["talks_resumed"]:
        return "suspended"
    return "active"


def test_talks_status_between_consecutive_milestones(trajectory: Trajectory) -> None:
    times = sorted(trajectory.milestones[name] for name in MILESTONES)
    for earlier, later in itertools.pairwise(times):
        middle = earlier + (later - earlier) / 2
        state = trajectory.state_at(middle)
        assert state.talks == _expected_talks(trajectory, middle), middle
    suspended = trajectory.milestones["talks_suspended"]
    resumed = trajectory.milestones["talks_resumed"]
    state = trajectory.state_at(suspended + (resumed - suspended) / 2)
    assert state.talks == "suspended"
    assert state.suspended_until == ("shifa_hospital_safeguarded",)


def _days() -> list[date]:
    first, last = date(2023, 10, 7), date(2023, 11, 22)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_state_answers_for_every_date_from_7_oct_to_22_nov(trajectory: Trajectory) -> None:
    for day in _days():
        result = runner.invoke(app, ["state", str(BASELINE), "--at", day.isoformat(), "--json"])
        assert result.exit_code == 0, f"{day}: {result.output}"
        data = json.loads(result.stdout)
        end_of_day = datetime.combine(day, time.max, tzinfo=UTC)
        assert data["talks"] == _expected_talks(trajectory, end_of_day), day


def test_invasion_breaches_the_24_oct_condition_and_the_offer_lapses(
    log: Log, trajectory: Trajectory
) -> None:
    invasion = _by_milestone(log, "ground_invasion")
    offer = _by_milestone(log, "conditional_offer")
    assert isinstance(invasion, MilitaryOperation)
    assert isinstance(offer, Offer)
    before = trajectory.state_at(log.index(invasion.id))
    after = trajectory.state_at(invasion.id)
    (condition,) = offer.conditions
    assert before.offers[offer.id].status == "current"
    assert before.conditions[condition].prohibits == invasion.operation
    assert after.conditions[condition].status == "breached"
    assert after.offers[offer.id].status == "lapsed"


def test_the_al_shifa_assurance_meets_hamass_condition_before_talks_resume(
    log: Log, trajectory: Trajectory
) -> None:
    resumed = _by_milestone(log, "talks_resumed")
    (cause,) = resumed.answers
    assert resumed.after == ("talks-suspended-over-shifa",)  # and it ends that suspension
    assurance = log.events[log.index(cause)]
    assert isinstance(assurance, Assurance)
    state = trajectory.state_at(assurance.id)
    (condition,) = assurance.meets
    assert state.conditions[condition].status == "met"
    assert state.conditions[condition].settled_by == assurance.id
    assert state.talks == "suspended"


def test_the_raanans_are_the_only_captives_released_and_50_are_known_held(
    trajectory: Trajectory,
) -> None:
    hamas = trajectory.final.captives["hamas"]
    assert hamas.released == 2
    assert set(hamas.names) == {"Judith Raanan", "Natalie Raanan"}
    assert hamas.held == 50


# ------------------------------------------------------------------------ sources


def test_sources_travel_with_the_project_unchanged() -> None:
    listed = (SOURCES / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"^([0-9a-f]{64})  (\S+)$", listed, re.MULTILINE)
    pinned = {name: digest for digest, name in found}
    assert set(pinned) == {
        "000_739b4eee6006d42d.txt",
        "paragraphs.tsv",
        "seed-README.md",
        "facts.md",
    }
    for name, digest in pinned.items():
        assert hashlib.sha256((SOURCES / name).read_bytes()).hexdigest() == digest, name


def test_paragraph_numbers_match_the_reports_non_empty_lines() -> None:
    text = (SOURCES / "000_739b4eee6006d42d.txt").read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if line.strip()]
    assert list(_paragraphs().values()) == lines


def test_every_paragraph_that_states_a_fact_is_cited(log: Log) -> None:
    cited = {s.paragraph for e in log.events for s in (e.source, *e.also) if s.document == "seed"}
    missing = sorted(set(FACT_PARAGRAPHS) - cited)
    assert not missing, f"paragraphs cited by no event: {missing}"


def test_every_event_cites_a_source_with_a_quote(log: Log) -> None:
    for event in log.events:
        for source in _citations(event):
            assert source.quote, f"{event.id}: a citation without a quote"
            if source.document == "seed":
                assert source.paragraph is not None, event.id
            else:
                assert source.document.startswith("facts.md: "), (event.id, source.document)
                assert source.document.removeprefix("facts.md: ").strip(), event.id


def test_every_seed_quote_occurs_verbatim_in_its_paragraph(log: Log) -> None:
    paragraphs = _paragraphs()
    for event in log.events:
        for source in _citations(event):
            if source.document == "seed":
                assert source.paragraph is not None
                assert source.quote in paragraphs[source.paragraph], (
                    f"{event.id}: quote not in ¶{source.paragraph}: {source.quote}"
                )


def test_every_facts_quote_occurs_verbatim_in_facts_md(log: Log) -> None:
    facts = (SOURCES / "facts.md").read_text(encoding="utf-8")
    for event in log.events:
        for source in _citations(event):
            if source.document.startswith("facts.md"):
                assert source.quote in facts, f"{event.id}: {source.quote}"


def test_every_event_says_what_happened(log: Log) -> None:
    for event in log.events:
        assert event.summary.strip(), event.id
        assert "\n" not in event.summary, event.id


# ------------------------------------------------------------------------ time


def test_log_is_in_time_order(log: Log) -> None:
    assert [e.at for e in log.events] == sorted(e.at for e in log.events)


def test_undated_events_are_approximate_with_bounds_around_their_estimate(log: Log) -> None:
    for event in log.events:
        if event.precision == "approx":
            assert event.earliest is not None, event.id
            assert event.latest is not None, event.id
            assert event.earliest <= event.at <= event.latest, event.id
        else:
            assert event.earliest is None, event.id
            assert event.latest is None, event.id
        assert event.precision != "exact", f"{event.id}: no record gives a time to the minute"


def test_local_dates_agree_with_utc_dates(log: Log) -> None:
    """``state --at DATE`` ends a date in UTC: every event must fall on its local date there."""
    for event in log.events:
        assert event.at.date() == event.at.astimezone(UTC).date(), event.id


def test_raanan_release_keeps_the_other_records_date_as_an_alternative(log: Log) -> None:
    release = _by_milestone(log, "first_release")
    assert release.at.date() == date(2023, 10, 23)
    (alternative,) = release.alternatives
    assert "NPR" in alternative.source.document
    assert "Reuters" in alternative.source.document
    assert alternative.at.date() == date(2023, 10, 20)


def test_preferring_npr_moves_the_first_release_and_still_replays_strictly(log: Log) -> None:
    preferred = prefer(log, "NPR")
    assert [e.at for e in preferred.events] == sorted(e.at for e in preferred.events)
    trajectory = replay(preferred)
    assert trajectory.voided == ()
    assert trajectory.milestones["first_release"].date() == date(2023, 10, 20)
    result = runner.invoke(app, ["replay", str(BASELINE), "--strict", "--prefer", "NPR"])
    assert result.exit_code == 0, result.output


def test_preferring_npr_moves_the_message_a_day_after_the_release_with_it(log: Log) -> None:
    """¶13 dates the conditional offer "a day later" than the release: under NPR's date for the
    release (20 Oct) it comes on 21 Oct, and the record's 24 Oct is kept beside it."""
    preferred = {e.id: e for e in prefer(log, "NPR").events}
    recorded = {e.id: e for e in log.events}
    release = preferred["raanan-release"]
    for follower in ("oct24-condition", "oct24-offer"):
        event = preferred[follower]
        assert event.at - release.at == recorded[follower].at - recorded["raanan-release"].at
        assert event.at.date() == date(2023, 10, 21)
        kept = event.alternatives[0]
        assert kept.at == recorded[follower].at
        assert kept.source.document == "seed"
        assert "keeps its lag behind" in (kept.source.note or "")
    assert preferred["ground-invasion"].at == recorded["ground-invasion"].at  # dated on its own
    unmoved = [i for i, e in preferred.items() if e.at == recorded[i].at]
    assert all(preferred[i].alternatives == recorded[i].alternatives for i in unmoved)


def test_log_verifies_against_its_pinned_head() -> None:
    report = verify(BASELINE)
    assert report.ok, report.faults
    assert report.pinned == read_head(BASELINE / "events.jsonl")


# ------------------------------------------------------------------------ routes and blackouts


def test_every_message_names_its_route(log: Log) -> None:
    for event in log.events:
        if event.recipients:
            assert event.channel is not None, f"{event.id}: a message without a route"


def test_routes_to_or_from_hamas_in_gaza_run_through_gaza(log: Log) -> None:
    for event in log.events:
        ends = (*event.actors, *event.recipients)
        if any(a.startswith("hamas_gaza") for a in ends) and event.channel is not None:
            assert "gaza" in event.channel.via, event.id
        if event.channel is not None and "hamas_gaza" in event.channel.name:
            assert "gaza" in event.channel.via, event.id


def test_blackouts_are_dated_from_the_other_records(log: Log) -> None:
    starts = [e for e in log.events if isinstance(e, BlackoutStarted)]
    assert [e.at.date() for e in starts] == [
        date(2023, 10, 27),
        date(2023, 11, 1),
        date(2023, 11, 5),
        date(2023, 11, 14),
        date(2023, 11, 16),
    ]
    for event in starts:
        dating = [s for s in (event.source, *event.also) if s.document.startswith("facts.md")]
        assert dating, f"{event.id}: not dated from facts.md"


def test_each_blackout_end_names_the_start_it_ends(log: Log) -> None:
    by_id = {e.id: e for e in log.events}
    for event in log.events:
        if isinstance(event, BlackoutEnded):
            (cause,) = event.causes
            start = by_id[cause]
            assert isinstance(start, BlackoutStarted)
            assert start.area == event.area
            assert start.at < event.at


def test_the_undated_end_of_the_fuel_outage_says_it_is_inferred(log: Log) -> None:
    fuel = [e for e in log.events if isinstance(e, BlackoutStarted) and not e.actors]
    assert len(fuel) == 1
    (end,) = [e for e in log.events if isinstance(e, BlackoutEnded) and fuel[0].id in e.causes]
    assert end.precision == "approx"
    assert "inferred" in end.source.note
    (why,) = end.also  # the inference, and the message whose arrival bounds it
    assert why.paragraph == 21
    assert "inference" in why.note
    shown = [e for e in log.events if e.id != end.id and e.source.quote == why.quote]
    assert [e.kind for e in shown] == ["response"]
    assert end.at < shown[0].at
    assert end.latest is not None
    assert shown[0].latest == end.latest


def test_no_message_is_ever_held_up_by_a_blackout(trajectory: Trajectory) -> None:
    """Where the record shows a message getting through, the line to Gaza was open then."""
    for event, state in zip(trajectory.events, trajectory.states, strict=True):
        assert not state.in_transit, f"after {event.id}: held up {dict(state.in_transit)}"


# ------------------------------------------------------------------------ causes and actors

NEEDS_CAUSES = (
    "offer",
    "response",
    "condition",
    "assurance",
    "talks_suspended",
    "talks_resumed",
    "approval",
    "announcement",
    "blackout_ended",
)


def test_every_response_decision_and_approval_names_what_it_answers(log: Log) -> None:
    for event in log.events:
        if event.kind in NEEDS_CAUSES:
            assert event.causes, f"{event.id} ({event.kind}) names no cause"
        if isinstance(event, Response) and event.id != "hamas-comments":
            # hamas-comments names the text it comments on, but is no reply to a call Hamas
            # was not party to (see its note)
            assert event.to in event.causes, event.id


def _reaches(log: Log, event: Event, target: str) -> bool:
    by_id = {e.id: e for e in log.events}
    seen, todo = set(), list(event.causes)
    while todo:
        cause = todo.pop()
        if cause == target:
            return True
        if cause not in seen:
            seen.add(cause)
            todo.extend(by_id[cause].causes)
    return False


def test_the_path_from_the_assurance_to_the_announcement_is_chained(log: Log) -> None:
    m = milestone_events(replay(log))
    resumed, agrees = m["talks_resumed"], m["war_cabinet_agrees"]
    assert isinstance(resumed, TalksResumed)
    assert any(isinstance(log.events[log.index(c)], Assurance) for c in resumed.causes)
    assert isinstance(agrees, Response)
    (briefing,) = [log.events[log.index(c)] for c in agrees.causes if c != agrees.to]
    assert briefing.kind == "meeting"
    assert "israel_war_cabinet" in briefing.recipients
    assert _reaches(log, briefing, m["hamas_accepts_in_principle"].id)
    green = m["hamas_green_light"]
    assert isinstance(green, Response)
    assert green.to == m["final_offer"].id
    assert green.body == "hamas"
    approval = m["cabinet_approval"]
    assert isinstance(approval, Approval)
    assert green.id in approval.causes
    announcement = m["announcement"]
    assert isinstance(announcement, Announcement)
    assert approval.id in announcement.causes
    assert isinstance(m["first_contact"], Contact)


def test_actors_are_slugs_of_the_reports_parties(log: Log) -> None:
    for event in log.events:
        for actor in event.actors:
            assert party_of(actor) in PARTIES, f"{event.id}: {actor}"
        for recipient in event.recipients:
            assert set(_MANIFEST.parties_of_actor(recipient)) <= set(PARTIES), event.id


# ------------------------------------------------------------------------ what-ifs it supports


def test_hamas_rejecting_the_final_offer_ends_the_talks(log: Log) -> None:
    green = _by_milestone(log, "hamas_green_light")
    assert isinstance(green, Response)
    rejected = attrs.evolve(green, decision="rejected")
    amended = [rejected if e.id == green.id else e for e in log.events]
    trajectory = replay(amended)
    assert not trajectory.outcome.concluded
    assert trajectory.final.talks == "ended"
    assert "hamas_green_light" not in trajectory.milestones
    approval = _by_milestone(log, "cabinet_approval")
    assert trajectory.final.voided[approval.id].text == (
        "it requires hamas-green-light to be an acceptance, but it was rejected"
    )


def test_without_the_al_shifa_assurance_talks_stay_suspended(log: Log) -> None:
    resumed = _by_milestone(log, "talks_resumed")
    (assurance,) = resumed.answers
    trajectory = replay([e for e in log.events if e.id != assurance])
    assert not trajectory.outcome.concluded
    assert trajectory.final.talks == "suspended"
    assert resumed.id in trajectory.final.voided


# ------------------------------------------------------------------------ README and codec


def test_readme_lists_every_event_and_reasons_for_every_undated_one(log: Log) -> None:
    readme = (BASELINE / "README.md").read_text(encoding="utf-8")
    table, _, reasons = readme.partition("## Undated events")
    rows = set(re.findall(r"^\|.*\| `([^`]+)` \|$", table, re.MULTILINE))
    assert rows == {e.id for e in log.events}
    explained = set(re.findall(r"^- `([^`]+)` \(", reasons, re.MULTILINE))
    assert explained == {e.id for e in log.events if e.precision == "approx"}


def test_also_citations_round_trip_and_are_left_out_when_empty(log: Log) -> None:
    with_also = next(e for e in log.events if e.also)
    assert decode_event(encode_event(with_also)) == with_also
    bare = attrs.evolve(with_also, also=())
    assert "also" not in encode_event(bare)

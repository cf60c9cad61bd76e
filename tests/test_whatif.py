"""What-ifs told as short histories: interventions, re-timing through blackouts, the cascade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.analysis import diff, explain
from sim.cli import app
from sim.errors import SimError
from sim.events import Event
from sim.fold import Log, replay
from sim.scenario_spec import intervention_from_record, intervention_record
from sim.store import write_log
from sim.whatif import (
    Intervention,
    amend,
    format_duration,
    insert,
    parse_duration,
    remove,
    retime,
    whatif,
)
from tests.builders import GAZA, T0, make


def deal() -> tuple[Event, ...]:
    """Hamas answers during a blackout; Qatar relays once Gaza is lit; the cabinet approves."""
    return (
        make("contact", "contact", 0, milestone="first_contact"),
        make("offer", "offer", 2, text="v1", approvers=("hamas", "israel_cabinet")),
        make("blackout_started", "dark", 3, area="gaza", actors=("israel",)),
        make(
            "response",
            "yes",
            3.5,
            to="offer",
            decision="accepted",
            body="hamas",
            answers=("offer",),
            channel=GAZA,
            actors=("hamas_gaza",),
            recipients=("qatar",),
            milestone="hamas_green_light",
        ),
        make("blackout_ended", "lit", 5, area="gaza", answers=("dark",), actors=("israel",)),
        make("information", "relay", 5.25, answers=("yes",), recipients=("israel_war_cabinet",)),
        make(
            "approval",
            "cabinet",
            6,
            body="israel_cabinet",
            text="v1",
            answers=("relay",),
            actors=("israel_cabinet",),
            milestone="cabinet_approval",
        ),
    )


def at(day: float) -> datetime:
    return T0 + timedelta(days=day)


def test_the_recorded_deal_concludes_when_the_cabinet_approves() -> None:
    trajectory = replay(deal())
    assert trajectory.outcome.concluded_at == at(6)
    assert not trajectory.voided


def test_a_longer_blackout_delays_the_answer_and_everything_after_it() -> None:
    result = whatif(Log(events=deal()), [retime(id="lit", by="+2d")])
    assert result.outcome.concluded_at == at(8)
    moved = {m.id: (m.before, m.after) for m in result.diff.moved}
    assert moved == {
        "lit": (at(5), at(7)),
        "relay": (at(5.25), at(7.25)),
        "cabinet": (at(6), at(8)),
    }
    assert [(m.name, m.after) for m in result.diff.milestones] == [("cabinet_approval", at(8))]


def test_no_blackout_lets_the_answer_through_at_once() -> None:
    result = whatif(Log(events=deal()), [remove(kind="blackout_started", all=True)])
    # the answer was sent at day 3.5; Qatar relayed 6 hours after it arrived
    assert result.trajectory.events[result.trajectory.index("relay")].at == at(3.75)
    assert result.outcome.concluded_at == at(4.5)
    assert [v.id for v in result.diff.voided] == ["lit"]  # it ends no blackout in force


def test_a_blackout_inserted_before_the_relay_holds_it_up() -> None:
    extra = insert(id="dark2", kind="blackout_started", at="2023-10-12T03:00:00+00:00", area="gaza")
    end = insert(
        id="lit2",
        kind="blackout_ended",
        at="2023-10-13T00:00:00+00:00",
        area="gaza",
        answers=["dark2"],
    )
    relay_via_gaza = amend(id="relay", set={"channel": {"name": "qatar>gaza", "via": ["gaza"]}})
    result = whatif(Log(events=deal()), [extra, end, relay_via_gaza])
    cabinet = result.trajectory.events[result.trajectory.index("cabinet")]
    assert cabinet.at == at(6) + timedelta(hours=18)  # relay arrived day 6, lag 18h kept
    assert result.outcome.concluded


def test_removing_the_answer_voids_what_rests_on_it_and_says_so() -> None:
    result = whatif(Log(events=deal()), [remove(id="yes")])
    reasons = {v.id: v.reason for v in result.diff.voided}
    assert reasons["relay"] == "it answers yes, which is not in the log"
    assert reasons["cabinet"] == "it answers relay, which was voided"
    assert not result.outcome.concluded
    why = explain(result.trajectory, "cabinet_approval", notes=result.origins)
    assert not why.reached
    assert [link.id for link in why.chain] == ["cabinet", "relay"]
    assert why.chain[-1].blame == "yes was removed by [[intervention]] #1"


def test_a_what_if_compares_itself_with_its_base_once_and_only_when_asked() -> None:
    result = whatif(Log(events=deal()), [retime(id="lit", by="+1d")])
    assert result._diff is None  # a study reads only the final state: nothing compared yet
    found = result.diff
    assert result.diff is found
    fresh = diff(
        result.base.trajectory,
        result.trajectory,
        recorded=result.base.plan,
        origins=result.origins,
    )
    assert found.moved == fresh.moved
    assert found.milestones == fresh.milestones
    assert found.voided == fresh.voided
    assert [m.id for m in found.moved] == ["lit", "relay", "cabinet"]


def test_a_rejection_of_the_final_offer_ends_the_talks_and_voids_the_approval() -> None:
    events = tuple(
        make("offer", "offer", 2, text="v1", approvers=("hamas", "israel_cabinet"), final=True)
        if e.id == "offer"
        else e
        for e in deal()
    )
    result = whatif(Log(events=events), [amend(id="yes", set={"decision": "rejected"})])
    assert result.trajectory.final.voided["cabinet"].text == "talks are ended, not active"
    why = explain(result.trajectory, "cabinet_approval")
    assert why.chain[0].blame is not None
    assert why.chain[0].blame.startswith("talks became ended with yes")


def test_retime_to_pins_an_event_but_never_before_its_causes_arrive() -> None:
    result = whatif(Log(events=deal()), [retime(id="relay", to=at(4))])
    # 'yes' is held by the blackout until day 5: the relay cannot go before it arrives
    assert result.trajectory.events[result.trajectory.index("relay")].at == at(5)


def test_a_retime_by_after_a_retime_to_shifts_the_pinned_time() -> None:
    # the modeler pins the blackout's end, then moves it back a day: day 7, not day 5 - 1
    result = whatif(Log(events=deal()), [retime(id="lit", to=at(8)), retime(id="lit", by="-1d")])
    assert result.trajectory.events[result.trajectory.index("lit")].at == at(7)
    assert result.outcome.concluded_at == at(8)


@pytest.mark.parametrize(
    ("intervention", "message"),
    [
        (remove(id="nope"), "matches no event"),
        (remove(kind="call", all=True), "matches no event"),
        (retime(kind="blackout_started", until="2023-10-01", by="+1d"), "matches no event"),
        (amend(id="yes", set={"decision": "maybe"}), "decision"),
        (amend(id="yes", set={"id": "other"}), "cannot change the id"),
        (insert(make("call", "yes", 1)), "already in the log"),
    ],
)
def test_bad_interventions_are_errors_naming_their_position(
    intervention: Intervention, message: str
) -> None:
    with pytest.raises(SimError) as caught:
        whatif(Log(events=deal()), [retime(id="lit", by="0m"), intervention])
    assert message in str(caught.value)
    assert "[[intervention]] #2" in str(caught.value)


def test_a_selector_matching_several_without_all_lists_them() -> None:
    with pytest.raises(SimError, match=r"matches 2 events: dark, lit"):
        whatif(Log(events=deal()), [remove(actor="israel")])


def test_a_cycle_of_causes_is_an_error() -> None:
    cycle = amend(id="relay", set={"causes": ["yes", "cabinet"]})
    with pytest.raises(SimError, match=r"a cycle of causes: .*relay"):
        whatif(Log(events=deal()), [cycle])


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("+3d", timedelta(days=3)),
        ("-12h", timedelta(hours=-12)),
        ("+90m", timedelta(minutes=90)),
        ("+1d6h", timedelta(days=1, hours=6)),
        ("2w", timedelta(weeks=2)),
    ],
)
def test_durations_read_signed_units(text: str, amount: timedelta) -> None:
    assert parse_duration(text) == amount
    assert parse_duration(format_duration(amount)) == amount


@pytest.mark.parametrize("text", ["3 days", "+", "+3x", "d3", "+1h1d", ""])
def test_bad_durations_are_errors(text: str) -> None:
    with pytest.raises(SimError, match="bad duration"):
        parse_duration(text)


def test_interventions_round_trip_through_their_scenario_records() -> None:
    items: list[Intervention] = [
        remove(kind="assurance", since="2023-11-15", all=True),
        retime(id="lit", by="+1d6h"),
        retime(id="lit", to=datetime(2023, 11, 21, 12, tzinfo=UTC)),
        amend(id="yes", set={"decision": "rejected"}),
        insert(make("call", "extra", 4)),
    ]
    for item in items:
        assert intervention_from_record(intervention_record(item)) == item


# ------------------------------------------------------------------------------------ files


def _scenario(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def base(tmp_path: Path) -> Path:
    folder = tmp_path / "baseline"
    folder.mkdir()
    write_log(folder, deal())
    return folder


HEAD = '[scenario]\nname = "s"\nbase = "baseline"\nquestion = "What if?"\n'


def test_a_scenario_file_runs_beside_its_base(base: Path) -> None:
    path = _scenario(
        base.parent,
        "longer.toml",
        HEAD + '\n[[intervention]]\nretime = { id = "lit" }\nby = "+2d"\n',
    )
    result = CliRunner().invoke(app, ["whatif", str(path), "--json"])
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.stdout)
    replay_keys = {"scenario", "events", "voided", "milestones", "outcome", "final_state"}
    assert replay_keys | {"base", "diff"} <= data.keys()
    assert data["base"]["outcome"]["concluded_at"] == at(6).isoformat()
    assert data["outcome"]["concluded_at"] == at(8).isoformat()
    assert data["diff"]["outcome_changed"] is True
    assert {
        "milestone": "cabinet_approval",
        "from": at(6).isoformat(),
        "to": at(8).isoformat(),
    } in (data["diff"]["milestones_moved"])


def test_a_what_if_of_a_what_if_adds_its_interventions_after_its_bases(base: Path) -> None:
    _scenario(
        base.parent,
        "longer.toml",
        HEAD + '\n[[intervention]]\nretime = { id = "lit" }\nby = "+2d"\n',
    )
    path = _scenario(
        base.parent,
        "later.toml",
        HEAD.replace('"baseline"', '"longer.toml"')
        + '\n[[intervention]]\nretime = { id = "lit" }\nby = "+1d"\n',
    )
    result = CliRunner().invoke(app, ["replay", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert f'"concluded_at": "{at(9).isoformat()}"' in result.stdout


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[scenario]\nname = "s"\nbase = "baseline"\ncolour = 1\n', "unknown key(s) in [scenario]"),
        (HEAD + '\n[[intervention]]\nremove = { id = "nope" }\n', "#1: the remove selector"),
        (HEAD + '\n[[intervention]]\nretime = { id = "lit" }\nby = "3 days"\n', "bad duration"),
        (HEAD + '\n[[intervention]]\nremove = { since = "2023-13-01" }\n', "bad selector date"),
        (HEAD + '\n[[intervention]]\ninsert = { id = "x", kind = "call" }\n', "missing at"),
        (HEAD + '\n[[intervention]]\nremove = { id = "yes", colour = 1 }\n', "unknown key(s)"),
        (HEAD.replace('"baseline"', '"missing"'), "does not exist"),
        (HEAD.replace('"baseline"', '"loop.toml"'), "form a loop"),
        (HEAD.replace('"baseline"', '"junk.txt"'), "is not a log"),
        (HEAD + "\n[[intervention]]\n", "needs an action"),
        ("[scenario\n", "invalid TOML"),
    ],
)
def test_bad_scenario_files_exit_2_with_one_clear_message(
    base: Path, body: str, message: str
) -> None:
    (base.parent / "junk.txt").write_text("not json\n", encoding="utf-8")
    path = _scenario(base.parent, "loop.toml", body)
    before = (base / "events.jsonl").read_bytes()
    result = CliRunner().invoke(app, ["whatif", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert (base / "events.jsonl").read_bytes() == before


def test_an_error_names_the_line_of_its_intervention(base: Path) -> None:
    body = HEAD + '\n[[intervention]]\nretime = { id = "lit" }\nby = "+1d"\n'
    body += '\n# another\n[[intervention]]\nremove = { id = "nope" }\n'
    path = _scenario(base.parent, "s.toml", body)
    result = CliRunner().invoke(app, ["whatif", str(path)])
    assert f"{path}:11: [[intervention]] #2" in " ".join(result.stderr.split())


def test_explain_and_diff_and_knowledge_from_the_command_line(base: Path) -> None:
    path = _scenario(
        base.parent, "gone.toml", HEAD + '\n[[intervention]]\nremove = { id = "yes" }\n'
    )
    runner = CliRunner()
    explained = runner.invoke(app, ["explain", str(path), "--milestone", "cabinet_approval"])
    assert explained.exit_code == 0, explained.output
    assert "cabinet_approval missed" in explained.stdout
    assert "removed by [[intervention]] #1" in explained.stdout
    compared = runner.invoke(app, ["diff", str(base), str(path), "--json"])
    assert compared.exit_code == 0, compared.output
    assert '"outcome_changed": true' in compared.stdout
    unknown = runner.invoke(app, ["explain", str(base), "--milestone", "nothing"])
    assert unknown.exit_code == 2
    # at day 4 Hamas has answered, but the answer is held in dark Gaza: Qatar has not heard it
    qatar = runner.invoke(
        app, ["state", str(base), "--at", "2023-10-11", "--as-known-by", "qatar", "--json"]
    )
    assert qatar.exit_code == 0, qatar.output
    import json

    data = json.loads(qatar.stdout)
    assert "yes" in data["as_known_by"]["not_yet_known"]
    assert "yes" in data["responses"]
    assert "yes" not in data["as_known_by"]["state"]["responses"]
    hamas = json.loads(
        runner.invoke(
            app, ["state", str(base), "--at", "2023-10-11", "--as-known-by", "hamas", "--json"]
        ).stdout
    )
    assert "yes" in hamas["as_known_by"]["known_events"]

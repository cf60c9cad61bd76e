"""The CLI as a user meets it: exit codes, JSON that parses, one message and no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.events import Event, Term
from sim.store import write_log
from tests.builders import make

runner = CliRunner()

DEAL: tuple[Event, ...] = (
    make("contact", "c", 0, milestone="first_contact"),
    make(
        "offer", "o", 1, text="final", approvers=("hamas", "israel_cabinet"), final=True,
        terms=(Term(name="pause_days", value=4), Term(name="extendable", value=True)),
    ),
    make("response", "g", 2, to="o", decision="accepted", body="hamas", answers=("o",),
         milestone="hamas_green_light"),
    make("approval", "a", 3, body="israel_cabinet", text="final", answers=("g",),
         milestone="cabinet_approval"),
)  # fmt: skip


@pytest.fixture
def deal(tmp_path: Path) -> Path:
    write_log(tmp_path, DEAL)
    return tmp_path


def test_replay_json_has_the_contract_keys(deal: Path) -> None:
    result = runner.invoke(app, ["replay", str(deal), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"scenario", "events", "voided", "milestones", "outcome", "final_state"}
    assert [e["id"] for e in data["events"]] == ["c", "o", "g", "a"]
    assert {"id", "kind", "at", "actors"} <= set(data["events"][0])
    assert data["milestones"]["cabinet_approval"] == "2023-10-10T00:00:00+00:00"
    # a log with no manifest: its own milestones, in the order reached, none of another story
    assert list(data["milestones"]) == ["first_contact", "hamas_green_light", "cabinet_approval"]
    assert data["outcome"]["concluded"] is True
    assert data["outcome"]["terms"] == [
        {"name": "pause_days", "value": 4},
        {"name": "extendable", "value": True},
    ]
    assert data["final_state"]["talks"] == "concluded"
    assert data["voided"] == []


def test_replay_prints_the_timeline_and_outcome(deal: Path) -> None:
    result = runner.invoke(app, ["replay", str(deal)])
    assert result.exit_code == 0
    assert "Concluded 2023-10-10" in result.stdout
    assert "cabinet_approval" in result.stdout


def test_strict_replay_fails_on_a_voided_event(tmp_path: Path) -> None:
    write_log(tmp_path, [*DEAL[:1], make("announcement", "ann", 1)])
    assert runner.invoke(app, ["replay", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["replay", str(tmp_path), "--strict"])
    assert result.exit_code == 1
    assert "first 'ann': waited 14d: the deal was never concluded" in result.stderr
    assert "Traceback" not in result.output


def test_state_answers_at_a_date_a_time_and_an_event(deal: Path) -> None:
    for point, talks in (
        ("2023-10-07", "active"),
        ("2023-10-10T12:00:00+00:00", "concluded"),
        ("o", "active"),
    ):
        result = runner.invoke(app, ["state", str(deal), "--at", point, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["talks"] == talks


@pytest.mark.parametrize(
    ("point", "message"),
    [
        ("2023-02-30", "invalid date; expected YYYY-MM-DD; found '2023-02-30' (day is out of"),
        ("2023-10-07T12:00:00", "--at time has no timezone"),
        ("nonsense", "--at is not a date, a time or an event id"),
    ],
)
def test_state_refuses_a_bad_point(deal: Path, point: str, message: str) -> None:
    result = runner.invoke(app, ["state", str(deal), "--at", point])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("point", "hint"),
    [
        ("hamas_green_light", "hamas_green_light is a milestone; the event that names it is g"),
        ("gg", "did you mean g?"),
    ],
)
def test_a_point_that_is_no_event_says_what_was_probably_meant(
    deal: Path, point: str, hint: str
) -> None:
    result = runner.invoke(app, ["state", str(deal), "--at", point])
    assert result.exit_code == 2
    assert hint in result.stderr


def test_verify_prints_the_head_and_fails_on_damage(deal: Path) -> None:
    result = runner.invoke(app, ["verify", str(deal)])
    assert result.exit_code == 0
    head = (deal / "events.jsonl.head").read_text().strip()
    assert head in result.stdout
    path = deal / "events.jsonl"
    path.write_bytes(path.read_bytes().replace(b'"final"', b'"fin4l"', 1))
    damaged = runner.invoke(app, ["verify", str(deal), "--json"])
    assert damaged.exit_code == 1
    assert json.loads(damaged.stdout)["faults"][0]["line"] == 2


def test_bad_input_gets_one_message_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "call"}\n')
    for args in (
        ["replay", str(tmp_path / "missing")],
        ["replay", str(bad)],
        ["state", str(bad), "--at", "x"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("error: ")
        assert "Traceback" not in result.output


def test_seal_rechains_a_hand_edited_log(deal: Path) -> None:
    path = deal / "events.jsonl"
    path.write_bytes(path.read_bytes().replace(b'"text":"final"', b'"text":"v2"', 1))
    assert runner.invoke(app, ["replay", str(deal)]).exit_code == 2
    result = runner.invoke(app, ["seal", str(deal)])
    assert result.exit_code == 0
    assert runner.invoke(app, ["verify", str(deal)]).exit_code == 0


def test_logs_go_to_stderr_and_stdout_stays_parseable(deal: Path) -> None:
    result = runner.invoke(app, ["--log-json", "replay", str(deal), "--json"])
    json.loads(result.stdout)
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["event"] == "replay"
    assert line["events"] == 4


BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"


def test_the_state_lists_its_collections_in_the_same_order_in_every_run() -> None:
    """The conditions (and every other map of the state) came out in hash-trie order, which
    changes with each process's string-hash seed: this run's against a run seeded 0."""
    import os
    import subprocess
    import sys

    executable = Path(sys.executable).with_name("sim")
    args = ["state", str(BASELINE), "--at", "2023-11-20", "--json"]
    elsewhere = subprocess.run(
        [str(executable), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    ).stdout
    here = runner.invoke(app, args).stdout
    assert here == elsewhere
    data = json.loads(here)
    assert list(data["conditions"]) == [
        "no_ground_invasion", "hostages_allowed_to_leave", "shifa_hospital_safeguarded",
    ]  # fmt: skip
    assert list(data["milestones"])[:3] == ["first_contact", "cell_formed", "first_release"]
    shown = runner.invoke(app, args[:-1]).stdout
    assert shown.index("no_ground_invasion") < shown.index("shifa_hospital_safeguarded")


def test_the_state_shows_its_offers_and_responses() -> None:
    result = runner.invoke(
        app, ["state", str(BASELINE), "--at", "2023-11-20"], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    offers = out[out.index("offers") :]
    assert offers.index("oct24-offer") < offers.index("final-offer")
    assert "current (on the table)" in offers
    assert "hamas, israel_cabinet" in offers
    responses = out[out.index("responses") :]
    for row in ("israel-judges-terms-not-firm", "war-cabinet-agrees", "accepted_with_changes"):
        assert row in responses
    assert "terms on the table" in out
    assert "│ a 4-day pause " in out
    assert "50 hostages" in out


def test_a_state_after_the_logs_end_says_the_log_ends_earlier() -> None:
    result = runner.invoke(app, ["state", str(BASELINE), "--at", "2024-03-01"])
    assert result.exit_code == 0, result.output
    assert "note: the log ends earlier, at 2023-11-22T10:00:00+03:00 (qatar-announces)" in (
        result.stderr
    )
    assert "concluded" in result.stdout
    inside = runner.invoke(app, ["state", str(BASELINE), "--at", "2023-11-20"])
    assert "note:" not in inside.stderr
    before = runner.invoke(app, ["state", str(BASELINE), "--at", "2023-10-01"])
    assert "note: the log starts later" in before.stderr

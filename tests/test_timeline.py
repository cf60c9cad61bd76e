"""``sim timeline``: the replay as a timeline an analyst reads, on a terminal or piped."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from sim.cli import app
from sim.events import (
    Alternative,
    Approval,
    Channel,
    Contact,
    Event,
    Offer,
    Response,
    Source,
)
from sim.render.terminal import date_parts, span, when
from sim.store import load_log, read_manifest, write_log

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"
MILESTONES = read_manifest(BASELINE).milestone_names  # type: ignore[union-attr]
WIDE = ["--width", "400"]  # no wrapping: every phrase can be found on one line

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, ["timeline", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(autouse=True)
def _no_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)


def test_timeline_shows_every_event_with_its_source_paragraph() -> None:
    out = _run(str(BASELINE), *WIDE)
    log = load_log(BASELINE)
    for event in log.events:
        assert event.summary in out, event.id
    for paragraph in (5, 7, 13, 19, 26):
        assert f"¶{paragraph}" in out


def test_timeline_marks_every_milestone_and_the_outcome() -> None:
    out = _run(str(BASELINE), *WIDE)
    for name in MILESTONES:
        assert f"★ {name}" in out, name
    assert "Concluded ~2023-11-22 (21–22 Nov) on text final_text" in out


def test_timeline_shows_the_state_changes_each_event_caused() -> None:
    out = _run(str(BASELINE), *WIDE)
    for change in (
        "talks suspended",
        "condition shifa_hospital_safeguarded met",
        "offer oct24-offer lapsed",
        "approval by hamas bound to text final_text",
        "deal concluded on text final_text",
        "gaza dark",
        "gaza reachable again",
    ):
        assert change in out, change


def test_timeline_shows_who_to_whom_and_routes_that_add_to_it() -> None:
    out = _run(str(BASELINE), *WIDE)
    assert "israel → hamas_gaza_leaders · route israel>hostage_cell>qatar>hamas_gaza_leaders" in out
    assert "via gaza" in out
    assert "route us_biden>qatar_emir" not in out  # it only repeats who called whom


def test_timeline_dates_show_their_precision_and_bounds() -> None:
    out = _run(str(BASELINE), *WIDE)
    lines = out.splitlines()
    release = next(i for i, line in enumerate(lines) if "Judith and Natalie Raanan" in line)
    assert lines[release].split()[0] == "2023-10-23"
    invasion = next(i for i, line in enumerate(lines) if "ground invasion of Gaza begins" in line)
    assert lines[invasion].split()[0] == "~2023-10-27"
    assert lines[invasion + 1].split()[0] == "25–28"
    assert "also dated ~2023-10-20 (20 Oct) by facts.md: NPR, Reuters, 20 Oct 2023" in out


def test_quotes_shows_each_arabic_quote_and_notes() -> None:
    out = _run(str(BASELINE), "--quotes", *WIDE)
    for event in load_log(BASELINE).events:
        assert f"«{event.source.quote}»" in out, event.id
    assert "inferred, not recorded" in out
    assert "«" not in _run(str(BASELINE), *WIDE)


def _widest(out: str) -> int:
    """The widest line in terminal cells (Arabic vowel marks take none)."""
    return max(cell_len(line) for line in out.splitlines())


def test_piped_output_fits_100_columns_and_has_no_colour_codes() -> None:
    out = _run(str(BASELINE), "--quotes")
    assert _widest(out) <= 100
    assert "\x1b[" not in out


@pytest.mark.parametrize("width", [100, 120])
def test_timeline_fits_the_width_asked(width: int) -> None:
    out = _run(str(BASELINE), "--width", str(width))
    assert _widest(out) <= width


def test_prefer_replays_with_the_other_records_dates() -> None:
    out = _run(str(BASELINE), "--prefer", "NPR", *WIDE)
    line = next(line for line in out.splitlines() if "Judith and Natalie Raanan" in line)
    assert line.split()[0] == "~2023-10-20"


def test_a_preferred_date_is_not_offered_again_as_another_records() -> None:
    """Under --prefer NPR the Raanan release, dated 20 Oct, said "also dated ~2023-10-20 ...
    NPR": the other date is now the report's, 23 Oct."""
    out = _run(str(BASELINE), "--prefer", "NPR", *WIDE)
    entry = _entry(out, "Judith and Natalie Raanan")
    assert "also dated 2023-10-23 by seed" in entry
    assert "NPR" not in entry
    entry = _entry(_run(str(BASELINE), *WIDE), "Judith and Natalie Raanan")
    assert "also dated ~2023-10-20 (20 Oct) by facts.md: NPR" in entry


def _entry(out: str, words: str) -> str:
    """The timeline entry whose first line holds ``words``: up to the next dated line."""
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if words in line)
    dated = re.compile(r"^ ~?\d{4}-\d{2}-\d{2}")
    end = next((i for i in range(first + 1, len(lines)) if dated.match(lines[i])), len(lines))
    return "\n".join(lines[first:end])


def test_json_has_one_entry_per_event_with_what_the_replay_made_of_it() -> None:
    data = json.loads(_run(str(BASELINE), "--json"))
    assert set(data) == {"scenario", "entries", "milestones", "outcome"}
    log = load_log(BASELINE)
    entries = data["entries"]
    assert [e["id"] for e in entries] == [e.id for e in log.events]
    assert {e["reached"] for e in entries if e["reached"]} == set(MILESTONES)
    assert all(e["voided"] is None for e in entries)
    suspended = next(e for e in entries if e["reached"] == "talks_suspended")
    assert "talks suspended" in suspended["changes"]
    assert suspended["source"]["paragraph"] == 19
    assert data["outcome"]["concluded"] is True


def _tiny_log(tmp_path: Path) -> Path:
    start = datetime(2023, 10, 7, 12, tzinfo=UTC)
    source = Source(document="seed", paragraph=7, quote="q")
    events: list[Event] = [
        Contact(id="hello", at=start, actors=("qatar",), source=source, summary="Hello"),
        Offer(
            id="o1",
            at=start + timedelta(hours=1),
            actors=("qatar",),
            recipients=("hamas_gaza_leaders",),
            channel=Channel(name="qatar>hamas_gaza_leaders", via=("gaza",)),
            text="t1",
            approvers=("israel_cabinet",),
            source=source,
            summary="An offer",
            alternatives=(
                Alternative(
                    source=Source(document="facts.md: Other, 1 Jan", quote="x"),
                    at=start - timedelta(days=1),
                ),
            ),
        ),
        Response(
            id="r1",
            at=start + timedelta(hours=2),
            actors=("israel_cabinet",),
            to="o1",
            decision="rejected",
            answers=("o1",),
            source=source,
            summary="A rejection",
            milestone="hamas_green_light",
        ),
        Approval(
            id="a1",
            at=start + timedelta(hours=3),
            actors=("israel_cabinet",),
            body="israel_cabinet",
            text="t2",
            source=source,
            summary="Approves a text not on the table",
        ),
    ]
    folder = tmp_path / "tiny"
    folder.mkdir()
    write_log(folder, events)
    return folder


def test_voided_events_and_missed_milestones_are_shown(tmp_path: Path) -> None:
    out = _run(str(_tiny_log(tmp_path)), *WIDE)
    assert "✗ voided: waited 14d: text t2 was never tabled" in out
    assert "★ hamas_green_light" not in out  # a rejection reaches no green light
    assert "Not concluded" in out
    assert "voided a1:" in out


def test_json_records_voided_events(tmp_path: Path) -> None:
    data = json.loads(_run(str(_tiny_log(tmp_path)), "--json"))
    voided = {e["id"]: e["voided"] for e in data["entries"] if e["voided"]}
    assert voided == {"a1": "waited 14d: text t2 was never tabled"}
    assert next(e for e in data["entries"] if e["id"] == "r1")["reached"] is None


def test_prefer_with_an_unknown_source_is_a_clean_error() -> None:
    result = runner.invoke(app, ["timeline", str(BASELINE), "--prefer", "Nobody"])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "no event of this log has an alternative from that source" in said
    assert "Traceback" not in result.output


def test_missing_path_is_a_clean_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["timeline", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no such file or folder" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_span_is_as_short_as_it_reads() -> None:
    day = datetime(2023, 10, 7, tzinfo=UTC)
    assert span(day, day + timedelta(hours=5)) == "07 Oct"
    assert span(day, day + timedelta(days=13)) == "07–20 Oct"
    assert span(day, day + timedelta(days=30)) == "07 Oct–06 Nov"
    assert span(day, day + timedelta(days=90)) == "07 Oct 2023–05 Jan 2024"


def test_dates_show_hours_only_when_exact() -> None:
    at = datetime(2023, 11, 14, 10, 30, tzinfo=UTC)
    source = Source(document="seed", paragraph=17)
    exact = Contact(id="c", at=at, source=source)
    day = Contact(id="c", at=at, precision="day", source=source)
    approx = Contact(
        id="c",
        at=at,
        precision="approx",
        earliest=at - timedelta(days=2),
        latest=at + timedelta(days=1),
        source=source,
    )
    assert date_parts(exact) == ("2023-11-14 10:30 UTC", "")
    assert date_parts(exact, timezone(timedelta(hours=2))) == ("2023-11-14 12:30 +02:00", "")
    assert date_parts(day) == ("2023-11-14", "")
    late = Contact(id="c", at=at.replace(hour=23), precision="day", source=source)
    assert date_parts(late, timezone(timedelta(hours=2))) == ("2023-11-14", "")  # never converted
    assert date_parts(approx) == ("~2023-11-14", "12–15 Nov")
    assert when(approx) == "~2023-11-14 (12–15 Nov)"

"""``sim timeline``: the replay as a timeline an analyst reads, on a terminal or piped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from sim.analysis import MILESTONES
from sim.cli import app
from sim.store import load_log

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"
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

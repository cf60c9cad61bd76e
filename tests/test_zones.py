"""Times carry their zones: every printed time is labelled, converted to the zone ``--tz`` picks.

The record's cabinet approval is at 03:00+02:00 (the cabinet sat in Jerusalem through the night):
it must read ``01:00 UTC`` by default and ``03:00 +02:00`` in its own offset, never ``03:00
UTC``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.analysis import explain
from sim.cli import app
from sim.errors import SimError
from sim.fold import Log, replay
from sim.times import day_edge, parse_zone, show_time, zone_name
from tests.builders import make

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline"
LATER = ROOT / "scenarios" / "whatif" / "longer-final-blackout.toml"
runner = CliRunner()

CABINET = datetime(2023, 11, 22, 3, 0, tzinfo=timezone(timedelta(hours=2)))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("UTC", "2023-11-22 01:00 UTC"),
        ("utc", "2023-11-22 01:00 UTC"),
        ("Z", "2023-11-22 01:00 UTC"),
        ("own", "2023-11-22 03:00 +02:00"),
        ("+02:00", "2023-11-22 03:00 +02:00"),
        ("+0200", "2023-11-22 03:00 +02:00"),
        ("-05:30", "2023-11-21 19:30 -05:30"),
        ("Asia/Jerusalem", "2023-11-22 03:00 +02:00"),
        ("America/New_York", "2023-11-21 20:00 -05:00"),
    ],
)
def test_a_time_is_shown_in_the_zone_asked_for_and_labelled(text: str, shown: str) -> None:
    assert show_time(CABINET, parse_zone(text)) == shown


def test_a_named_zone_gives_the_offset_of_that_date() -> None:
    jerusalem = parse_zone("Asia/Jerusalem")
    assert show_time(datetime(2023, 10, 8, 12, tzinfo=UTC), jerusalem) == "2023-10-08 15:00 +03:00"
    assert show_time(datetime(2023, 11, 8, 12, tzinfo=UTC), jerusalem) == "2023-11-08 14:00 +02:00"
    assert zone_name(jerusalem) == "Asia/Jerusalem"
    assert zone_name(parse_zone("own")) == "recorded offsets"


@pytest.mark.parametrize(
    "text", ["", "Mars/Base", "America", "+25:00", "+02:60", "../etc/passwd", "x" * 5000, "a\0b"]
)
def test_an_unknown_zone_is_one_clear_error(text: str) -> None:
    with pytest.raises(SimError) as caught:
        parse_zone(text)
    assert caught.value.code == "unknown-zone"
    assert "Asia/Jerusalem" in str(caught.value.expected)


_OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(
    moment=st.datetimes(
        min_value=datetime(1900, 1, 2),  # noqa: DTZ001 (Hypothesis's bounds are naive)
        max_value=datetime(2100, 12, 30),  # noqa: DTZ001
        timezones=_OFFSETS,
    ),
    zone=_OFFSETS,
)
def test_a_shown_time_names_the_same_instant(moment: datetime, zone: timezone) -> None:
    """Premise: any time and any fixed zone.  The text, read back with its label, is the same
    instant to the minute, and its clock is the zone's."""
    text = show_time(moment, zone)
    clock, label = text.rsplit(" ", 1)
    offset = "+00:00" if label == "UTC" else label
    back = datetime.fromisoformat(clock.replace(" ", "T") + offset)
    assert back == moment.astimezone(zone).replace(second=0, microsecond=0)
    assert back.utcoffset() == zone.utcoffset(None)


def test_a_day_edge_is_in_the_zone_asked_for() -> None:
    day = date(2023, 11, 21)
    assert day_edge(day, parse_zone("+02:00"), end=False).isoformat() == "2023-11-21T00:00:00+02:00"
    assert day_edge(day, None, end=True) == datetime(2023, 11, 21, 23, 59, 59, 999999, tzinfo=UTC)


def _out(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_whatif_shows_the_cabinet_approval_in_utc_by_default_and_labelled() -> None:
    out = _out("whatif", str(LATER))
    assert "2023-11-22 01:00 UTC" in out
    assert "03:00 UTC" not in out


def test_the_whatif_shows_each_time_in_its_own_offset_with_tz_own() -> None:
    out = _out("whatif", str(LATER), "--tz", "own")
    assert "2023-11-22 03:00 +02:00" in out  # the cabinet, in Jerusalem
    assert "2023-11-22 10:00 +03:00" in out  # Qatar's announcement, in Doha
    assert " UTC" not in out


def test_explain_dates_its_links_as_precisely_as_the_record() -> None:
    """Every event of the record is dated to the day or estimated: no placeholder hours."""
    out = _out("explain", str(BASELINE), "--milestone", "cabinet_approval", "--tz", "own")
    assert "cabinet_approval reached on ~2023-11-22 by cabinet-approves" in out
    assert re.search(r"\d{2}:\d{2}", out) is None


def test_explain_gives_an_exact_time_in_the_zone_asked_for() -> None:
    israel = timezone(timedelta(hours=2))
    log = Log(
        events=(
            make("contact", "c", 0, actors=("qatar",), recipients=("hamas",)),
            make(
                "offer",
                "o",
                1,
                actors=("hamas",),
                text="t",
                milestone="offer_made",
                precision="exact",
            ),
        )
    )
    log = Log(events=tuple(attrs.evolve(e, at=e.at.astimezone(israel)) for e in log.events))
    trajectory = replay(log)
    assert explain(trajectory, "offer_made").verdict.startswith(
        "offer_made reached on 2023-10-08 00:00 UTC by o"
    )
    own = explain(trajectory, "offer_made", zone=None)
    assert own.verdict.startswith("offer_made reached on 2023-10-08 02:00 +02:00 by o")


def test_diff_labels_its_times() -> None:
    out = _out("diff", str(BASELINE), str(LATER), "--tz", "Asia/Jerusalem")
    assert "2023-11-25 02:30 +02:00" in out
    assert "UTC" not in out


def test_a_date_given_to_at_is_that_day_in_tz() -> None:
    """The cabinet approves at 01:00 UTC on 22 Nov: by the end of 21 Nov in UTC it has not, by
    the end of 21 Nov at -12:00 (12:00 UTC on the 22nd) it has."""
    in_utc = json.loads(_out("state", str(BASELINE), "--at", "2023-11-21", "--json"))
    west = json.loads(
        _out("state", str(BASELINE), "--at", "2023-11-21", "--tz", "-12:00", "--json")
    )
    assert "cabinet_approval" not in in_utc["milestones"]
    assert "cabinet_approval" in west["milestones"]
    assert in_utc["at"] == west["at"] == "2023-11-21"  # the point as given


def test_the_state_title_shows_a_time_given_to_at_in_tz() -> None:
    """The title names the moment asked for as every other time is shown: in --tz, labelled."""
    at = "2023-11-22T01:00:00+00:00"
    assert "baseline at 2023-11-22 04:00:00 +03:00" in _out(
        "state", str(BASELINE), "--at", at, "--tz", "Asia/Qatar"
    )
    assert "baseline at 2023-11-22 01:00:00 UTC" in _out("state", str(BASELINE), "--at", at)


def test_json_keeps_every_time_as_recorded() -> None:
    data = json.loads(_out("whatif", str(LATER), "--json", "--tz", "America/New_York"))
    assert data["base"]["outcome"]["concluded_at"] == "2023-11-22T03:00:00+02:00"


def test_a_bad_tz_exits_2_with_one_message() -> None:
    result = runner.invoke(app, ["replay", str(BASELINE), "--tz", "Mars/Base"])
    assert result.exit_code == 2
    assert "unknown time zone" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_and_chart_title_label_the_conclusion(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    pytest.importorskip("jinja2")
    report = tmp_path / "r.html"
    _out("report", str(BASELINE), "-o", str(report), "--tz", "own")
    html = report.read_text(encoding="utf-8")
    assert "22 Nov 2023 03:00 +02:00" in html
    assert "03:00 UTC" not in html
    _out("report", str(BASELINE), "-o", str(report))
    html = report.read_text(encoding="utf-8")
    assert "22 Nov 2023 01:00 UTC" in html
    assert "03:00 UTC" not in html


def test_the_chart_names_its_axis_zone() -> None:
    pytest.importorskip("matplotlib")
    from sim.fold import replay
    from sim.render.chart import chart_figure
    from sim.store import load_log

    trajectory = replay(load_log(BASELINE))
    figure = chart_figure(trajectory, zone=parse_zone("Asia/Jerusalem"))
    texts = [t.get_text() for t in figure.texts]
    labels = [ax.get_xlabel() for ax in figure.axes]
    assert "date (Asia/Jerusalem)" in labels
    assert any("concluded 22 Nov 2023 03:00 +02:00" in t for t in texts)
    figure = chart_figure(trajectory)
    assert "date (UTC)" in [ax.get_xlabel() for ax in figure.axes]
    assert any("concluded 22 Nov 2023 01:00 UTC" in t.get_text() for t in figure.texts)

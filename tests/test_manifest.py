"""The scenario manifest: decoded and checked with clear errors, derived where there is none,
and nothing of the 2023 story in any output of a log about other parties."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.codec import decode_manifest
from sim.errors import SimError
from sim.events import EVENT_TYPES, Event, Source, Term
from sim.fold import replay
from sim.manifest import PALETTE, derive
from sim.store import load_log, read_manifest, write_log

runner = CliRunner()
T0 = datetime(2031, 3, 2, 9, tzinfo=UTC)
DOC = Source(document="minutes", paragraph=1, quote="the envoys met")


def ev(kind: str, ident: str, day: float, **fields: Any) -> Event:
    fields.setdefault("source", DOC)
    event: Event = EVENT_TYPES[kind](id=ident, at=T0 + timedelta(days=day), **fields)
    return event


INVENTED: tuple[Event, ...] = (
    ev(
        "contact",
        "envoys-meet",
        0,
        actors=("lakeland_envoy",),
        recipients=("ridgeland_chief",),
        milestone="talks_open",
        summary="The lakeland envoy meets the ridgeland chief",
    ),
    ev(
        "offer",
        "draft",
        2,
        actors=("lakeland_envoy",),
        recipients=("ridgeland_chief",),
        text="accord_v1",
        terms=(Term(name="border_posts", value=3, text="three border posts"),),
        approvers=("ridgeland", "lakeland_council"),
        final=True,
        milestone="draft_tabled",
        summary="Lakeland tables a draft accord",
    ),
    ev(
        "response",
        "yes",
        3,
        actors=("ridgeland_chief",),
        recipients=("lakeland_envoy",),
        to="draft",
        decision="accepted",
        body="ridgeland",
        answers=("draft",),
        summary="Ridgeland accepts",
    ),
    ev(
        "approval",
        "council",
        4,
        actors=("lakeland_council",),
        text="accord_v1",
        body="lakeland_council",
        milestone="ratified",
        summary="The lakeland council ratifies",
    ),
)
"""A log about two made-up parties, Lakeland and Ridgeland."""

MANIFEST = """\
[scenario]
title = "The lake accord"
summary = "Two made-up parties agree on border posts."
languages = ["en"]
timezone = "UTC"

[[party]]
id = "lakeland"
name = "Lakeland"
colour = "#123456"
plover = "LKL"
sector = "GOV"
belligerent = true

[[party]]
id = "ridgeland"
name = "Ridgeland"
plover = "RDG"
sector = "REB"
belligerent = true

[[milestone]]
name = "talks_open"
description = "the envoys first meet"

[[milestone]]
name = "draft_tabled"
description = "a draft is tabled"

[[milestone]]
name = "ratified"
description = "the council ratifies"

[[source]]
document = "minutes"
file = "minutes.txt"
title = "Minutes"
language = "en"
"""

STORY = re.compile(
    r"qatar|hamas|israel|egypt|united states|gaza|hostage|shifa|mcgurk|biden|doha|"
    r"first_contact|cabinet_approval|cell_formed|\bseed\b|2023",
    re.IGNORECASE,
)
"""Words of the November 2023 story that must not leak into another history's outputs."""


def _outputs(folder: Path, tmp: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    commands = {
        "replay": ["replay", str(folder)],
        "replay --json": ["replay", str(folder), "--json"],
        "timeline": ["timeline", str(folder), "--quotes"],
        "state": ["state", str(folder), "--at", "2031-03-05"],
        "state --json": ["state", str(folder), "--at", "2031-03-05", "--json"],
        "plover": ["export", str(folder), "--format", "plover"],
        "cameo": ["export", str(folder), "--format", "cameo"],
        "csv": ["export", str(folder), "--format", "csv"],
        "explain": ["explain", str(folder), "--milestone", "ratified"],
    }
    for name, args in commands.items():
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (name, result.output)
        out[name] = result.stdout
    for name, file in (("chart", tmp / "c.svg"), ("report", tmp / "r.html")):
        command = "chart" if name == "chart" else "report"
        result = runner.invoke(app, [command, str(folder), "-o", str(file)])
        assert result.exit_code == 0, (name, result.output)
        out[name] = file.read_text(encoding="utf-8")
    return out


def _chart_labels(folder: Path) -> list[str]:
    """Every text the chart of ``folder`` draws (its SVG draws glyphs as paths, so they are
    read from the figure): lane names, milestone labels, title, axis, legend, key."""
    from matplotlib.text import Text

    from sim.render.chart import chart_figure

    figure = chart_figure(replay(load_log(folder)))
    return [t.get_text() for t in figure.findobj(Text) if t.get_text()]


@pytest.mark.parametrize("with_manifest", [True, False], ids=["manifest", "no-manifest"])
def test_a_log_about_invented_parties_mentions_nothing_of_the_2023_story(
    tmp_path: Path, with_manifest: bool
) -> None:
    folder = tmp_path / "lake"
    folder.mkdir()
    write_log(folder, INVENTED)
    if with_manifest:
        (folder / "scenario.toml").write_text(MANIFEST, encoding="utf-8")
    outputs = _outputs(folder, tmp_path)
    for name, text in outputs.items():
        leak = STORY.search(text)
        assert leak is None, f"{name} mentions {leak.group(0)!r}"
    labels = _chart_labels(folder)
    assert "Lakeland" in labels if with_manifest else "lakeland" in labels
    for label in labels:
        assert STORY.search(label) is None, f"the chart labels {label!r}"
    data = json.loads(outputs["replay --json"])
    assert list(data["milestones"]) == ["talks_open", "draft_tabled", "ratified"]
    assert data["outcome"]["concluded"] is True
    chart = outputs["chart"]
    assert 'id="lane-lakeland"' in chart
    assert 'id="lane-ridgeland"' in chart
    if with_manifest:
        assert "Lakeland" in outputs["report"]
        assert "#123456" in chart.lower() or "#123456" in chart
        codes = {
            e["code"] for r in map(json.loads, outputs["plover"].splitlines()) for e in r["actor"]
        }
        assert codes == {"LKL", "RDG"}
    else:
        assert outputs["plover"] == ""  # no manifest: no PLOVER code is known for anyone


def test_an_export_without_a_manifest_says_which_codes_are_unknown(tmp_path: Path) -> None:
    folder = tmp_path / "lake"
    folder.mkdir()
    write_log(folder, INVENTED)
    result = runner.invoke(app, ["export", str(folder), "--format", "plover"])
    assert result.exit_code == 0
    said = "no PLOVER code for the party of lakeland_envoy, ridgeland_chief: lakeland, ridgeland"
    assert f"{said} (no manifest)" in result.stderr


def test_without_a_manifest_parties_come_in_order_of_first_appearance() -> None:
    derived = derive(INVENTED)
    assert derived.party_ids == ("lakeland", "ridgeland")
    assert [p.colour for p in derived.parties] == list(PALETTE[:2])
    assert derived.milestone_names == ("talks_open", "draft_tabled", "ratified")
    assert derived.derived


def test_the_baseline_manifest_lists_its_parties_and_milestones_in_order() -> None:
    manifest = read_manifest("scenarios/baseline")
    assert manifest is not None
    assert manifest.party_ids == ("qatar", "us", "israel", "hamas", "egypt")
    trajectory = replay(load_log("scenarios/baseline"))
    reached = sorted(trajectory.milestones, key=lambda n: trajectory.milestones[n])
    assert [n for n in manifest.milestone_names if n in reached] == reached


# ------------------------------------------------------------------------------------ bad manifests

_GOOD = {
    "scenario": {"title": "t"},
    "party": [{"id": "a", "name": "A", "plover": "AAA"}],
    "milestone": [{"name": "m"}],
}


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            lambda d: d["party"][0].pop("name"),
            ("missing key: party[1].name", "expected text", "found none"),
        ),
        (
            lambda d: d["party"][0].update(name=3),
            ("wrong type: party[1].name", "expected text", "found a number 3"),
        ),
        (
            lambda d: d["party"].append({"id": "a", "name": "A2", "plover": "AAA"}),
            ("duplicate party: party[2].id", "found 'a' again (first at party[1])"),
        ),
        (
            lambda d: d["milestone"].append({"name": "m"}),
            ("duplicate milestone: milestone[2].name",),
        ),
        (lambda d: d.pop("scenario"), ("missing key: scenario",)),
        (lambda d: d["scenario"].update(languages="en"), ("wrong type: scenario.languages",)),
        (lambda d: d["party"][0].update(colour="red"), ("party[1].colour", "'#rrggbb'")),
        (lambda d: d["party"][0].update(nmae="x"), ("unknown key: party[1].nmae",)),
        (lambda d: d.update(parties=[]), ("unknown table: parties",)),
        (
            lambda d: d.update(actor=[{"id": "a_cell", "parties": ["a", "b"]}]),
            ("unknown party: actor[1].parties[2]",),
        ),
    ],
)
def test_a_bad_manifest_gets_one_clear_message(change: Any, says: tuple[str, ...]) -> None:
    data = json.loads(json.dumps(_GOOD))
    change(data)
    with pytest.raises(SimError) as caught:
        decode_manifest(data, path="x/scenario.toml")
    message = str(caught.value)
    assert message.startswith("x/scenario.toml: ")
    for fragment in says:
        assert fragment in message
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ('[scenario]\ntitle = "t"\n[[party]]\nid = "a"\nplover = "AAA"\n', "party[1].name"),
        ("[scenario]\ntitle = 4\n", "wrong type: scenario.title"),
        (
            (
                '[scenario]\ntitle = "t"\n[[party]]\nid = "a"\nname = "A"\nplover = "AAA"\n'
                '[[party]]\nid = "a"\nname = "B"\nplover = "BBB"\n'
            ),
            "duplicate party: party[2].id",
        ),
        ('[scenario]\ntitle = "t"\n[[milestone]]\nname = "talks_open"\n', "unknown milestone"),
        ("[scenario\n", "invalid TOML"),
    ],
)
def test_every_bad_manifest_exits_2_with_one_message(tmp_path: Path, toml: str, says: str) -> None:
    folder = tmp_path / "lake"
    folder.mkdir()
    write_log(folder, INVENTED)
    (folder / "scenario.toml").write_text(toml, encoding="utf-8")
    result = runner.invoke(app, ["replay", str(folder)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1
    assert says in errors[0]
    assert "scenario.toml" in errors[0] or "events.jsonl" in errors[0]


def test_times_show_in_the_manifests_timezone_unless_tz_says_otherwise(tmp_path: Path) -> None:
    folder = tmp_path / "lake"
    folder.mkdir()
    write_log(folder, INVENTED)
    (folder / "scenario.toml").write_text(
        MANIFEST.replace('timezone = "UTC"', 'timezone = "America/Bogota"'), encoding="utf-8"
    )
    shown = runner.invoke(app, ["explain", str(folder), "--milestone", "ratified"]).stdout
    assert "-05:00" in shown or "America/Bogota" in shown
    utc = runner.invoke(app, ["explain", str(folder), "--milestone", "ratified", "--tz", "UTC"])
    assert "UTC" in utc.stdout
    assert "-05:00" not in utc.stdout
    (folder / "scenario.toml").write_text(
        MANIFEST.replace('timezone = "UTC"', 'timezone = "Mars/Olympus"'), encoding="utf-8"
    )
    bad = runner.invoke(app, ["replay", str(folder)])
    assert bad.exit_code == 2
    assert "bad value: scenario.timezone" in bad.stderr


def test_the_chart_label_reader_sees_the_lane_names_and_milestones() -> None:
    """The reader the leak test relies on finds the baseline's own names: it can fail."""
    labels = " ".join(_chart_labels(Path("scenarios/baseline")))
    assert "Qatar" in labels
    assert "cabinet approval" in labels or "cabinet_approval" in labels
    assert STORY.search(labels) is not None

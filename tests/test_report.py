"""The HTML report: self-contained, escaped, and rendered by a real browser (headless Chromium)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.events import Contact, Source
from sim.fold import Trajectory, replay
from sim.render.chart import chart_bytes, chart_figure, lane_colours
from sim.render.report import (
    explanation_steps,
    inline_svg,
    reached_as,
    report_for,
    report_html,
    shift,
)
from sim.scenario import Opened, load_scenario
from sim.store import load_log
from sim.whatif import WhatIf

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"
QUOTE_BACKGROUND = (0xFB, 0xF6, 0xEA)
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="module")
def baseline() -> Trajectory:
    return replay(load_log(BASELINE))


@pytest.fixture(scope="module")
def no_assurance() -> WhatIf:
    return load_scenario(BASELINE.parent / "whatif" / "no-shifa-assurance.toml")


@pytest.fixture(scope="module")
def baseline_html(baseline: Trajectory) -> str:
    svg = chart_bytes(chart_figure(baseline), "svg").decode()
    return report_html(baseline, chart_svg=svg)


# ------------------------------------------------------------------------------------ the HTML


def test_the_report_fetches_nothing(baseline_html: str) -> None:
    assert "http://" not in baseline_html
    assert "https://" not in baseline_html
    references = re.findall(r'\s(?:src|href|xlink:href)="([^"]*)"', baseline_html)
    references += re.findall(r"url\(([^)]*)\)", baseline_html)
    assert references  # the chart's clip paths and glyphs refer within the page
    assert all(ref.startswith("#") for ref in references), {r for r in references if r[:1] != "#"}
    assert "@import" not in baseline_html
    assert "<script" not in baseline_html
    assert "<link" not in baseline_html
    assert "default-src 'none'" in baseline_html


def test_the_report_holds_the_chart_inline(baseline_html: str) -> None:
    assert baseline_html.count("<svg") == 1
    assert 'id="lane-qatar"' in baseline_html
    assert "<?xml" not in baseline_html


def test_every_arabic_quote_takes_its_direction_from_its_text_beside_its_paragraph(
    baseline_html: str, baseline: Trajectory
) -> None:
    """Every quote is ``dir="auto"`` (the browser sets Arabic, Hebrew, ... right to left), and
    carries the language of its source as the manifest gives it."""
    cells = re.findall(
        r'<td class="para">¶(\d+)</td>\s*<td class="quote" dir="auto" lang="ar">', baseline_html
    )
    assert 'dir="rtl"' not in baseline_html
    quoted = [e for e in baseline.events if re.search(r"[\u0600-\u06FF]", e.source.quote)]
    assert len(cells) == len(quoted) > 40
    assert [int(c) for c in cells] == [e.source.paragraph for e in quoted]


def test_the_report_lists_every_event_and_milestone(
    baseline_html: str, baseline: Trajectory
) -> None:
    for event in baseline.events:
        assert f'id="event-{event.id}"' in baseline_html
    for name in baseline.milestones:
        assert name.replace("_", " ") in baseline_html
    assert "Concluded 22 Nov 2023" in baseline_html


def test_the_milestone_table_marks_estimates_and_shows_no_placeholder_hours(
    baseline_html: str,
) -> None:
    """The table showed "22 Nov 2023 03:00" for an estimate whose hour is a placeholder."""
    table = baseline_html[baseline_html.index('id="milestones"') :]
    table = table[: table.index("</section>")]
    rows = dict(re.findall(r"<tr><td>([a-z ]+)</td><td>([^<]+)</td></tr>", table))
    assert rows["first contact"] == "~08 Oct 2023"  # approx
    assert rows["war cabinet agrees"] == "19 Nov 2023"  # dated to the day
    assert rows["cabinet approval"] == "~22 Nov 2023"
    assert not any(re.search(r"\d{2}:\d{2}", when) for when in rows.values())
    assert "~ an estimate" in table
    assert reached_as(None, None) == "not reached"
    exact = datetime(2023, 11, 22, 3, tzinfo=timezone(timedelta(hours=2)))
    assert reached_as(None, exact) == "22 Nov 2023 01:00 UTC"  # in UTC by default, labelled
    assert reached_as(None, exact, None) == "22 Nov 2023 03:00 +02:00"  # in its own offset


def test_everything_is_escaped() -> None:
    hostile = "<script>alert('x')</script> & <b>bold</b>"
    event = Contact(
        id="c", at=replay(load_log(BASELINE)).events[0].at, actors=("qatar",),
        source=Source(document="<doc>", quote=hostile), summary=hostile,
    )  # fmt: skip
    html = report_html(replay([event]), question=hostile)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;" in html
    assert "&lt;doc&gt;" in html


def test_a_what_if_report_shows_both_outcomes_the_shifts_and_why(no_assurance: WhatIf) -> None:
    target = Opened(path="no-shifa-assurance.toml", log=no_assurance.log, whatif=no_assurance)
    html = report_for(target)
    verdict, chain = explanation_steps(
        no_assurance.trajectory, base=no_assurance.base_trajectory, notes=no_assurance.origins
    )
    assert "<h1>What if Israel had not promised to keep al-Shifa running?</h1>" in html
    assert "<h3>What-if</h3>" in html
    assert "<h3>Base</h3>" in html
    assert "Not concluded" in html
    assert "Concluded 22 Nov 2023" in html
    assert '<td class="changed">not reached</td>' in html
    assert "removed by [[intervention]] #1" in html
    assert verdict.startswith("cabinet_approval missed")
    assert chain[-1].event_id == "hamas-comments"  # waited for talks that never resumed
    assert not chain[-1].ok
    assert "israel-assures-shifa was removed" in chain[-1].status


def test_the_baseline_explains_the_cabinet_approval_by_its_chain(baseline: Trajectory) -> None:
    verdict, chain = explanation_steps(baseline)
    assert verdict.startswith("cabinet_approval reached")
    assert all(step.ok for step in chain)
    assert chain[-1].event_id == "cabinet-approves"
    assert {"hamas-green-light", "final-offer"} <= {step.event_id for step in chain}


def test_shifts_read_as_analysts_write_them() -> None:
    at = replay(load_log(BASELINE)).events[0].at
    assert shift(at, at) == "same"
    assert shift(at, at + timedelta(days=2, hours=4)) == "+2d 4h"
    assert shift(at, at - timedelta(hours=6)) == "-6h"
    assert shift(at, None) == "not reached"
    assert shift(None, at) == "newly reached"


def test_inline_svg_drops_the_prologue_namespaces_and_comments() -> None:
    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        "<metadata><rdf:RDF/></metadata><!-- a -- comment --><g/></svg>"
    )
    assert inline_svg(svg) == "<svg><g/></svg>"


# ------------------------------------------------------------------------------------ a browser


def _browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium on this machine (Debian: apt-get install chromium; .ci/run does)")


def _chromium(browser: str, profile: Path, *args: str) -> subprocess.Popen[str]:
    """Chromium started headless on its own profile (the caller waits for it)."""
    return subprocess.Popen(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, baseline_html: str) -> tuple[str, Any]:
    """The page's DOM and a screenshot, from two Chromium runs at once (one each)."""
    image = pytest.importorskip("PIL.Image")
    browser = _browser()
    folder = tmp_path_factory.mktemp("browser")
    page = folder / "report.html"
    page.write_text(baseline_html, encoding="utf-8")
    shot = folder / "report.png"
    dom = _chromium(browser, folder / "profile-dom", "--dump-dom", page.as_uri())
    screenshot = _chromium(
        browser, folder / "profile-shot", f"--screenshot={shot}", "--window-size=1400,7000",
        page.as_uri(),
    )  # fmt: skip
    dom_out, dom_err = dom.communicate(timeout=120)
    _, shot_err = screenshot.communicate(timeout=120)
    assert dom.returncode == 0, dom_err[-2000:]
    assert screenshot.returncode == 0, shot_err[-2000:]
    assert shot.is_file(), shot_err[-2000:]
    return dom_out, np.asarray(image.open(shot).convert("RGB"))


def test_chromium_renders_the_page_with_its_chart(rendered: tuple[str, Any]) -> None:
    dom, pixels = rendered
    assert "<svg" in dom
    assert dom.count('dir="auto"') > 40
    non_white = np.any(pixels < 245, axis=-1).mean()
    assert non_white > 0.05  # not blank
    for party in ("qatar", "hamas"):
        shade = lane_colours(replay(load_log(BASELINE)).scenario, party)[1]
        tint = np.array([int(shade[i : i + 2], 16) for i in (1, 3, 5)])
        lane = np.all(np.abs(pixels.astype(int) - tint) <= 2, axis=-1)
        assert lane.sum() > 5_000, party  # the chart's lanes were drawn


def test_chromium_sets_the_arabic_quotes_right_to_left(rendered: tuple[str, Any]) -> None:
    """In each quote cell the text hugs the right edge; short lines leave room on the left."""
    _, pixels = rendered
    cell = np.all(pixels == QUOTE_BACKGROUND, axis=-1)
    columns = np.nonzero(cell.sum(axis=0) > 200)[0]
    assert columns.size > 100, "no quote column in the screenshot"
    left, right = int(columns.min()), int(columns.max())
    ink = pixels[:, left : right + 1].astype(int).sum(axis=-1) < 300
    rows = [y for y in range(pixels.shape[0]) if cell[y, left:right].mean() > 0.5 and ink[y].any()]
    assert len(rows) > 200
    right_gaps = [right - left - int(np.nonzero(ink[y])[0].max()) for y in rows]
    left_gaps = [int(np.nonzero(ink[y])[0].min()) for y in rows]
    assert np.median(right_gaps) < 30  # flush right: the cell's padding and a glyph's bearing
    assert np.median(left_gaps) > 40  # ragged on the left
    assert np.median(left_gaps) > 3 * np.median(right_gaps)

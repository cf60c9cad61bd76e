"""The timeline chart of the baseline and of a what-if, checked as images and as SVG."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.events import BlackoutStarted, Source
from sim.fold import Trajectory, replay
from sim.render.chart import (
    CAP_PT,
    DPI,
    MOVED_COLOUR,
    REMOVED_COLOUR,
    SPAN_COLOURS,
    VOIDED_COLOUR,
    WIDTH_IN,
    _event_lanes,
    chart_bytes,
    chart_figure,
    lane_colours,
    lanes_of,
    operation_name,
    spans,
)
from sim.scenario import load_scenario
from sim.store import load_log
from sim.whatif import WhatIf, insert, whatif

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"
PARTIES = ("qatar", "us", "israel", "hamas", "egypt")
WHATIF = BASELINE.parent / "whatif"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def baseline() -> Trajectory:
    return replay(load_log(BASELINE))


@pytest.fixture(scope="module")
def no_assurance() -> WhatIf:
    """Israel never promises to keep al-Shifa running: talks never resume, the deal is lost."""
    return load_scenario(WHATIF / "no-shifa-assurance.toml")


@pytest.fixture(scope="module")
def longer_blackout() -> WhatIf:
    """The blackout around the final text lasts three days longer: everything after moves."""
    return load_scenario(WHATIF / "longer-final-blackout.toml")


@pytest.fixture(scope="module")
def baseline_figure(baseline: Trajectory) -> Any:
    return chart_figure(baseline)


@pytest.fixture(scope="module")
def baseline_png_bytes(baseline_figure: Any) -> bytes:
    return chart_bytes(baseline_figure, "png")


@pytest.fixture(scope="module")
def baseline_png(baseline_png_bytes: bytes) -> Any:
    return Image.open(io.BytesIO(baseline_png_bytes)).convert("RGB")


def _png(result: WhatIf) -> Any:
    figure = chart_figure(result.trajectory, base=result.base_trajectory, title=result.question)
    return Image.open(io.BytesIO(chart_bytes(figure, "png"))).convert("RGB")


@pytest.fixture(scope="module")
def no_assurance_png(no_assurance: WhatIf) -> Any:
    return _png(no_assurance)


@pytest.fixture(scope="module")
def longer_blackout_png(longer_blackout: WhatIf) -> Any:
    return _png(longer_blackout)


def _hex(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _where(image: Any, colour: str) -> list[tuple[int, int]]:
    """Every pixel of exactly ``colour``, as (x, y)."""
    mask = np.all(np.asarray(image) == np.array(_hex(colour), dtype=np.uint8), axis=-1)
    ys, xs = np.nonzero(mask)
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


# ------------------------------------------------------------------------------------ PNG


def test_the_baseline_chart_is_a_wide_png(baseline_png: Any) -> None:
    assert baseline_png.width == int(WIDTH_IN * DPI)
    assert 600 <= baseline_png.height <= 1400


def test_each_party_has_its_lane_in_order_top_to_bottom(baseline_png: Any) -> None:
    centres = []
    for party in PARTIES:
        pixels = _where(baseline_png, lane_colours(replay(load_log(BASELINE)).scenario, party)[1])
        assert len(pixels) > 20_000, party
        centres.append(sum(y for _, y in pixels) / len(pixels))
    assert centres == sorted(centres)


def test_the_baseline_shows_blackouts_the_suspension_and_the_invasion(baseline_png: Any) -> None:
    found = {kind: len(_where(baseline_png, colour)) for kind, colour in SPAN_COLOURS.items()}
    assert found["blackout"] > 300
    assert found["suspended"] > 100
    assert found["operation"] > 3_000  # the ground invasion runs to the end of the record


def test_a_what_if_chart_crosses_voided_and_removed_events(
    no_assurance_png: Any, no_assurance: WhatIf
) -> None:
    assert no_assurance.diff.removed
    assert no_assurance.trajectory.voided
    assert no_assurance_png.width == int(WIDTH_IN * DPI)
    assert len(_where(no_assurance_png, VOIDED_COLOUR)) > 30 * len(no_assurance.trajectory.voided)
    assert len(_where(no_assurance_png, REMOVED_COLOUR)) > 20
    assert len(_where(no_assurance_png, MOVED_COLOUR)) == 0  # nothing moved here


def test_a_what_if_chart_draws_an_arrow_for_each_move_over_the_faint_base(
    longer_blackout_png: Any, longer_blackout: WhatIf, baseline_png: Any
) -> None:
    assert longer_blackout.diff.moved
    assert len(_where(longer_blackout_png, MOVED_COLOUR)) > 20 * len(longer_blackout.diff.moved)
    assert len(_where(longer_blackout_png, "#e4e4e4")) > 10  # base markers beneath
    assert len(_where(baseline_png, MOVED_COLOUR)) == 0
    assert len(_where(longer_blackout_png, VOIDED_COLOUR)) == 0


def test_without_the_assurance_the_suspension_runs_to_the_end(
    no_assurance_png: Any, baseline_png: Any
) -> None:
    red = SPAN_COLOURS["suspended"]
    assert len(_where(no_assurance_png, red)) > 3 * len(_where(baseline_png, red))


# ------------------------------------------------------------------------------------ SVG


@pytest.fixture(scope="module")
def baseline_svg(baseline_figure: Any) -> bytes:
    return chart_bytes(baseline_figure, "svg")


def _ids(svg: bytes) -> set[str]:
    return {el.get("id", "") for el in ET.fromstring(svg).iter()}  # noqa: S314 (our own output)


def test_the_svg_names_its_lanes_spans_and_milestones(
    baseline_svg: bytes, baseline: Trajectory
) -> None:
    ids = _ids(baseline_svg)
    assert {f"lane-{p}" for p in PARTIES} <= ids
    assert {f"lane-label-{p}" for p in PARTIES} <= ids
    assert {"span-blackout-gaza", "span-suspended", "span-operation-ground_invasion"} <= ids
    assert {f"milestone-label-{name}" for name in baseline.milestones} <= ids
    assert {f"milestone-line-{name}" for name in baseline.milestones} <= ids
    kinds = {e.kind for e in baseline.events}
    assert {f"events-{kind}" for kind in kinds} <= ids
    assert ET.fromstring(baseline_svg).tag == f"{SVG}svg"  # noqa: S314 (our own output)


def test_charts_are_byte_identical_across_runs(
    baseline: Trajectory, baseline_svg: bytes, baseline_png_bytes: bytes
) -> None:
    again = chart_figure(baseline)
    assert chart_bytes(again, "svg") == baseline_svg
    assert chart_bytes(again, "png") == baseline_png_bytes
    assert b"<dc:date>" not in baseline_svg


def test_the_baseline_milestone_labels_neither_overlap_nor_hide_a_leader(
    baseline: Trajectory, baseline_figure: Any
) -> None:
    figure = baseline_figure
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    boxes, leaders = {}, {}
    for ax in figure.axes:
        for text in ax.texts:
            gid = text.get_gid() or ""
            if gid.startswith("milestone-label-"):
                boxes[gid.removeprefix("milestone-label-")] = (
                    text.get_bbox_patch().get_window_extent(renderer)
                )
        for line in ax.lines:
            gid = line.get_gid() or ""
            if gid.startswith("milestone-leader-"):
                (x, _), (_, top) = line.get_transform().transform(line.get_xydata())
                leaders[gid.removeprefix("milestone-leader-")] = (x, top)
    assert set(boxes) == set(baseline.milestones)
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not boxes[a].overlaps(boxes[b]), (a, b)
    for name, (x, top) in leaders.items():
        for other, box in boxes.items():
            if other != name and box.y0 < top:
                assert not box.x0 + 1 < x < box.x1 - 1, (name, other)


def test_an_unknown_format_is_refused(baseline_figure: Any) -> None:
    from sim.errors import SimError

    with pytest.raises(SimError, match="unknown chart format"):
        chart_bytes(baseline_figure, "gif")


# ------------------------------------------------------------------------------------ numbers


def _numbers(figure: Any) -> dict[str, Any]:
    """Each number label's gid suffix (``event@lane``) to its drawn box, in pixels."""
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    lanes_ax = figure.axes[1]
    return {
        (text.get_gid() or "").removeprefix("event-number-"): text.get_window_extent(renderer)
        for text in lanes_ax.texts
        if (text.get_gid() or "").startswith("event-number-")
    }


def _markers(figure: Any) -> list[tuple[float, float, float]]:
    """Every event marker in the lanes: its centre and radius, in pixels."""
    lanes_ax = figure.axes[1]
    found = []
    for line in lanes_ax.lines:
        gid = line.get_gid() or ""
        if gid.startswith(("events-", "base-events-")):
            radius = line.get_markersize() * DPI / 72 / 2
            for x, y in lanes_ax.transData.transform(line.get_xydata()):
                found.append((float(x), float(y), radius))
    return found


@pytest.mark.parametrize("which", ["baseline", "what-if"])
def test_every_marker_is_numbered_and_no_number_overlaps_another_or_a_marker(
    which: str, baseline: Trajectory, baseline_figure: Any, no_assurance: WhatIf
) -> None:
    """14-22 Nov held about 25 unlabelled markers: now each has its number beside it."""
    if which == "baseline":
        trajectory, figure = baseline, baseline_figure
    else:
        trajectory = no_assurance.trajectory
        figure = chart_figure(trajectory, base=no_assurance.base_trajectory)
    boxes = _numbers(figure)
    lanes = lanes_of(trajectory, *(() if which == "baseline" else (no_assurance.base_trajectory,)))
    assert set(boxes) == {
        f"{e.id}@{lane}" for e in trajectory.events for lane in _event_lanes(e, lanes)
    }
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not boxes[a].overlaps(boxes[b]), (a, b)
    for name, box in boxes.items():
        for x, y, r in _markers(figure):
            assert not (box.x0 < x + r - 0.5 and x - r + 0.5 < box.x1 and box.y0 < y + r - 0.5
                        and y - r + 0.5 < box.y1), (name, x, y)  # fmt: skip


def test_the_key_lists_every_event_by_its_number(
    baseline: Trajectory, baseline_figure: Any
) -> None:
    figure = baseline_figure
    key = "\n".join(
        t.get_text() for t in figure.texts if (t.get_gid() or "").startswith("event-key-")
    )
    for number, event in enumerate(baseline.events, start=1):
        entry = rf"^\s*{number}  \d\d \w\w\w  {re.escape(event.id)}$"
        assert re.search(entry, key, re.MULTILINE), event.id


def test_bounds_stay_inside_their_own_lane_and_nothing_crosses_lanes(
    baseline: Trajectory, baseline_figure: Any
) -> None:
    figure = baseline_figure
    lanes_ax = figure.axes[1]
    to_px = lanes_ax.transData.transform
    lanes = lanes_of(baseline)
    caps = CAP_PT * DPI / 72 / 2
    checked = 0
    for collection in lanes_ax.collections:
        gid = collection.get_gid() or ""
        assert gid != "joints"  # the lines that joined a shared event's lanes are gone
        if gid.startswith("bounds-"):
            for (_, y0), (_, y1) in collection.get_segments():
                assert y0 == y1
                lane = int(y0)
                top, bottom = to_px((0, lane))[1], to_px((0, lane + 1))[1]
                y = to_px((0, y0))[1]
                assert min(top, bottom) < y - caps, gid
                assert y + caps < max(top, bottom), gid
                checked += 1
    assert checked >= 20
    assert len(lanes) == 6


def test_the_al_shifa_operation_reads_as_the_manifest_names_it() -> None:
    manifest = load_log(BASELINE).manifest
    assert operation_name("al_shifa_entry", manifest) == "Al-Shifa entry"
    assert operation_name("al_shifa_entry") == "Al shifa entry"  # no manifest: the slug's words
    assert operation_name("ground_invasion", manifest) == "Ground invasion"
    assert any(s.label == "Al-Shifa entry" for s in spans(replay(load_log(BASELINE))))


# ------------------------------------------------------------------------------------ zoom


def _days(when: datetime) -> float:
    """matplotlib's date number: days since 1970-01-01 UTC."""
    return (when - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() / 86400


def test_a_window_shows_only_its_events_and_milestones(baseline: Trajectory) -> None:
    start = datetime(2023, 11, 13, tzinfo=UTC)
    end = datetime(2023, 11, 22, 23, 59, tzinfo=UTC)
    figure = chart_figure(baseline, start=start, end=end)
    lanes_ax = figure.axes[1]
    assert lanes_ax.get_xlim() == pytest.approx((_days(start), _days(end)))
    labels = {t.get_gid() for ax in figure.axes for t in ax.texts}
    assert "milestone-label-framework_agreed" in labels
    assert "milestone-label-first_contact" not in labels
    numbered = {g.split("@")[0].removeprefix("event-number-") for g in labels if g and "@" in g}
    assert "hamas-info-50" in numbered
    assert "first-contact" not in numbered
    key = "\n".join(
        t.get_text() for t in figure.texts if (t.get_gid() or "").startswith("event-key-")
    )
    assert "first-contact" not in key
    # numbered as in the whole chart
    assert re.search(r"^\s*21  13 Nov  hamas-info-50$", key, re.MULTILINE)


def test_an_empty_window_is_refused(baseline: Trajectory) -> None:
    from sim.errors import SimError

    with pytest.raises(SimError, match="nothing to chart in that window") as caught:
        chart_figure(baseline, start=datetime(2030, 1, 1, tzinfo=UTC))
    assert caught.value.code == "nothing-to-chart"


def test_an_inserted_event_is_ringed_and_in_the_legend() -> None:
    log = load_log(BASELINE)
    extra = BlackoutStarted(
        id="extra-blackout",
        at=datetime(2023, 11, 20, 12, tzinfo=UTC),
        area="gaza",
        actors=("israel",),
        source=Source(document="what-if"),
    )
    result = whatif(log, [insert(extra)])
    figure = chart_figure(result.trajectory, base=result.base_trajectory)
    lanes_ax = figure.axes[1]
    assert "inserted" in {line.get_gid() for line in lanes_ax.lines}
    legend = [t.get_text() for legend in figure.legends for t in legend.get_texts()]
    assert "inserted by the what-if" in legend

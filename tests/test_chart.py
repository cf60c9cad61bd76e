"""The timeline chart of the baseline and of a what-if, checked as images and as SVG."""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
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
from sim.render.chart.layout import days
from sim.render.chart.spans import strip_rows
from sim.render.chart.style import BASE_FACE
from sim.scenario import load_scenario
from sim.store import load_log
from sim.whatif import WhatIf, insert, whatif

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"
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


@pytest.fixture(scope="module")
def no_assurance_figure(no_assurance: WhatIf) -> Any:
    return _figure(no_assurance)


@pytest.fixture(scope="module")
def no_assurance_png(no_assurance_figure: Any) -> Any:
    return _png(no_assurance_figure)


@pytest.fixture(scope="module")
def longer_blackout_figure(longer_blackout: WhatIf) -> Any:
    return _figure(longer_blackout)


@pytest.fixture(scope="module")
def longer_blackout_png(longer_blackout_figure: Any) -> Any:
    return _png(longer_blackout_figure)


def _figure(result: WhatIf) -> Any:
    return chart_figure(result.trajectory, base=result.base_trajectory, title=result.question)


def _png(figure: Any) -> Any:
    return Image.open(io.BytesIO(chart_bytes(figure, "png"))).convert("RGB")


def _hex(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _mask(image: Any, colour: str) -> Any:
    """Whether each pixel (rows top to bottom) is exactly ``colour``."""
    return np.all(np.asarray(image) == np.array(_hex(colour), dtype=np.uint8), axis=-1)


def _near(image: Any, colour: str, within: int = 8) -> Any:
    """Whether each pixel is ``colour`` give or take ``within`` in each channel (a line drawn
    along a pixel's edge is smoothed over two rows, its colour slightly off)."""
    wanted = np.array(_hex(colour), dtype=np.int16)
    return np.all(np.abs(np.asarray(image).astype(np.int16) - wanted) <= within, axis=-1)


def _where(image: Any, colour: str) -> list[tuple[int, int]]:
    """Every pixel of exactly ``colour``, as (x, y)."""
    ys, xs = np.nonzero(_mask(image, colour))
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


def _pixel(image: Any, ax: Any, x: float, y: float) -> tuple[float, float]:
    """Where the data point ``(x, y)`` of ``ax`` lands in the image (x right, y down)."""
    px, py = ax.transData.transform((x, y))
    return float(px), image.height - float(py)


def _inside(image: Any, ax: Any, corner: tuple[float, float], other: tuple[float, float]) -> Any:
    """The whole pixels inside the data rectangle with these corners: ``(rows, columns)``."""
    (x0, y0), (x1, y1) = _pixel(image, ax, *corner), _pixel(image, ax, *other)
    rows = slice(math.ceil(min(y0, y1)), math.floor(max(y0, y1)))
    columns = slice(math.ceil(min(x0, x1)), math.floor(max(x0, x1)))
    return rows, columns


def _points(ax: Any, gid: str) -> list[tuple[float, float]]:
    """The data points of the line drawn with ``gid`` (none if there is none)."""
    found = [line for line in ax.lines if line.get_gid() == gid]
    return [(float(x), float(y)) for line in found for x, y in line.get_xydata()]


# ------------------------------------------------------------------------------------ PNG


def test_the_baseline_chart_is_a_wide_png_of_the_whole_figure(
    baseline_png: Any, baseline_figure: Any
) -> None:
    assert baseline_png.width == int(WIDTH_IN * DPI)
    assert baseline_png.height == int(baseline_figure.get_figheight() * DPI)
    assert baseline_png.height < baseline_png.width


def test_each_lane_is_tinted_in_its_own_band_top_to_bottom(
    baseline_png: Any, baseline_figure: Any, baseline: Trajectory
) -> None:
    """Each lane's tint shows over more than half of its band and in no other lane's (give or
    take the row of pixels their edge shares), the lanes in the manifest's order."""
    lanes = lanes_of(baseline)
    assert lanes[: len(baseline.scenario.party_ids)] == baseline.scenario.party_ids
    ax = baseline_figure.axes[1]
    x_lo, x_hi = ax.get_xlim()
    every = _inside(baseline_png, ax, (x_lo, 0), (x_hi, len(lanes)))
    for index, lane in enumerate(lanes):
        mask = _mask(baseline_png, lane_colours(baseline.scenario, lane)[1])
        rows, columns = _inside(baseline_png, ax, (x_lo, index), (x_hi, index + 1))
        band = mask[rows, columns]
        assert band.sum() > band.size / 2, lane
        elsewhere = np.zeros_like(mask)
        elsewhere[every] = mask[every]
        elsewhere[rows.start - 1 : rows.stop + 1] = False
        assert not elsewhere.any(), lane


def _solid_bars(image: Any, figure: Any, trajectory: Trajectory, base: Trajectory | None) -> int:
    """Check that each span of ``trajectory`` is a bar of its colour across its row of the
    status strip, from its start to its end (to the axis' end for one still open); return how
    many bars were checked."""
    strip = figure.axes[2]
    own = spans(trajectory)
    rows = {
        row: i
        for i, (row, _label, _kind) in enumerate(strip_rows(own, spans(base) if base else ()))
    }
    checked = 0
    for span in own:
        end = days(span.end) if span.end else strip.get_xlim()[1]
        row = rows[span.row]
        where = _inside(image, strip, (days(span.start), row + 0.2), (end, row + 0.8))
        bar = _mask(image, SPAN_COLOURS[span.kind])[where]
        assert bar.size, span
        assert bar.all(), span
        checked += 1
    return checked


def test_the_baseline_shows_blackouts_the_suspension_and_the_invasion(
    baseline_png: Any, baseline_figure: Any, baseline: Trajectory
) -> None:
    found = spans(baseline)
    assert {"blackout", "suspended", "operation"} <= {s.kind for s in found}
    assert any(s.row == "operation-ground_invasion" and s.end is None for s in found)
    assert _solid_bars(baseline_png, baseline_figure, baseline, None) == len(found)


def _marks(result: WhatIf, ids: Iterable[str], lanes: Sequence[str]) -> int:
    """How many marks the events ``ids`` get: one in each of their lanes."""
    by_id = {e.id: e for t in (result.trajectory, result.base_trajectory) for e in t.events}
    return sum(len(_event_lanes(by_id[i], lanes)) for i in ids)


def test_a_what_if_chart_crosses_voided_and_removed_events(
    no_assurance_png: Any, no_assurance_figure: Any, no_assurance: WhatIf
) -> None:
    """A cross of its colour sits on each voided event's (faded) marker and on each removed
    event's base marker, in each of its lanes."""
    assert no_assurance.diff.removed
    assert no_assurance.trajectory.voided
    assert no_assurance_png.width == int(WIDTH_IN * DPI)
    ax = no_assurance_figure.axes[1]
    lanes = lanes_of(no_assurance.trajectory, no_assurance.base_trajectory)
    gids = {line.get_gid() or "" for line in ax.lines}
    markers = {
        prefix: {p for gid in gids if gid.startswith(prefix) for p in _points(ax, gid)}
        for prefix in ("events-", "base-events-")
    }
    for tag, colour, ids, under in (
        ("voided", VOIDED_COLOUR, [v.id for v in no_assurance.trajectory.voided], "events-"),
        ("removed", REMOVED_COLOUR, no_assurance.diff.removed, "base-events-"),
    ):
        centres = _points(ax, tag)
        assert len(centres) == _marks(no_assurance, ids, lanes), tag
        assert set(centres) <= markers[under], tag
        mask = _mask(no_assurance_png, colour)
        for x, y in centres:
            px, py = (round(v) for v in _pixel(no_assurance_png, ax, x, y))
            assert mask[py - 1 : py + 2, px - 1 : px + 2].all(), (tag, x, y)
    assert len(_where(no_assurance_png, MOVED_COLOUR)) == 0  # nothing moved here


def test_a_what_if_chart_draws_an_arrow_for_each_move_over_the_faint_base(
    longer_blackout_png: Any,
    longer_blackout_figure: Any,
    longer_blackout: WhatIf,
    baseline_png: Any,
) -> None:
    """Each moved event gets an arrow, in each of its lanes, from its old time to its new one,
    its colour along most of its length; the base's faint markers lie beneath."""
    assert longer_blackout.diff.moved
    ax = longer_blackout_figure.axes[1]
    lanes = lanes_of(longer_blackout.trajectory, longer_blackout.base_trajectory)
    arrows = [t for t in ax.texts if t.get_gid() == "moved"]
    assert len(arrows) == _marks(longer_blackout, [m.id for m in longer_blackout.diff.moved], lanes)
    mask = _near(longer_blackout_png, MOVED_COLOUR)
    for arrow in arrows:
        (x0, y), (x1, _) = (_pixel(longer_blackout_png, ax, *p) for p in (arrow.xyann, arrow.xy))
        row = round(y)
        columns = range(math.ceil(min(x0, x1)), math.floor(max(x0, x1)))
        coloured = sum(bool(mask[row - 2 : row + 3, c].any()) for c in columns)
        assert coloured > len(columns) / 2, arrow.xy
    assert _points(ax, "base-events-contact")  # the base's markers are drawn too
    assert len(_where(longer_blackout_png, BASE_FACE)) > 0
    assert len(_where(baseline_png, MOVED_COLOUR)) == 0
    assert len(_where(longer_blackout_png, VOIDED_COLOUR)) == 0


def test_without_the_assurance_the_suspension_runs_to_the_end(
    no_assurance_png: Any, no_assurance_figure: Any, no_assurance: WhatIf
) -> None:
    (suspended,) = [s for s in spans(no_assurance.trajectory) if s.kind == "suspended"]
    assert suspended.end is None
    assert _solid_bars(
        no_assurance_png, no_assurance_figure, no_assurance.trajectory, no_assurance.base_trajectory
    ) == len(spans(no_assurance.trajectory))


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
    parties = baseline.scenario.party_ids
    assert {f"lane-{p}" for p in parties} <= ids
    assert {f"lane-label-{p}" for p in parties} <= ids
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
    undated = [e for e in baseline.events if e.precision == "approx" and e.earliest and e.latest]
    assert undated
    assert checked == sum(len(_event_lanes(e, lanes)) for e in undated)


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

"""The timeline chart of the baseline and of a what-if, checked as images and as SVG."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

from sim.fold import Trajectory, replay
from sim.parties import PARTIES
from sim.render.chart import (
    DPI,
    LANE_COLOURS,
    SPAN_COLOURS,
    WIDTH_IN,
    chart_bytes,
    chart_figure,
)
from sim.store import load_log

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def baseline() -> Trajectory:
    return replay(load_log(BASELINE))


@pytest.fixture(scope="module")
def whatif(baseline: Trajectory) -> Trajectory:
    """The baseline without Israel's al-Shifa assurance, and the final offer three days late."""
    events = []
    for event in baseline.events:
        if event.kind == "assurance":
            continue
        late = event.milestone == "final_offer"
        events.append(attrs.evolve(event, at=event.at + timedelta(days=3)) if late else event)
    return attrs.evolve(replay(events), name="no-assurance")


@pytest.fixture(scope="module")
def baseline_png(baseline: Trajectory) -> Any:
    return Image.open(io.BytesIO(chart_bytes(chart_figure(baseline), "png"))).convert("RGB")


@pytest.fixture(scope="module")
def whatif_png(whatif: Trajectory, baseline: Trajectory) -> Any:
    figure = chart_figure(whatif, base=baseline, title="What if there were no assurance?")
    return Image.open(io.BytesIO(chart_bytes(figure, "png"))).convert("RGB")


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
        pixels = _where(baseline_png, LANE_COLOURS[party][1])
        assert len(pixels) > 20_000, party
        centres.append(sum(y for _, y in pixels) / len(pixels))
    assert centres == sorted(centres)


def test_the_baseline_shows_blackouts_the_suspension_and_the_invasion(baseline_png: Any) -> None:
    found = {kind: len(_where(baseline_png, colour)) for kind, colour in SPAN_COLOURS.items()}
    assert found["blackout"] > 300
    assert found["suspended"] > 100
    assert found["operation"] > 3_000  # the ground invasion runs to the end of the record


def test_the_what_if_chart_draws_crosses_arrows_and_the_faint_base(whatif_png: Any) -> None:
    assert whatif_png.width == int(WIDTH_IN * DPI)
    assert len(_where(whatif_png, "#d00000")) > 30  # voided crosses
    assert len(_where(whatif_png, "#1f4e9c")) > 30  # moved arrows
    assert len(_where(whatif_png, "#e4e4e4")) > 10  # base markers beneath


def test_the_what_if_keeps_the_suspension_open_to_the_end(
    whatif_png: Any, baseline_png: Any
) -> None:
    """Without the assurance talks never resume: the red span runs much longer."""
    red = SPAN_COLOURS["suspended"]
    assert len(_where(whatif_png, red)) > 3 * len(_where(baseline_png, red))


# ------------------------------------------------------------------------------------ SVG


@pytest.fixture(scope="module")
def baseline_svg(baseline: Trajectory) -> bytes:
    return chart_bytes(chart_figure(baseline), "svg")


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


def test_charts_are_byte_identical_across_runs(baseline: Trajectory, baseline_svg: bytes) -> None:
    again = chart_figure(baseline)
    assert chart_bytes(again, "svg") == baseline_svg
    assert chart_bytes(again, "png") == chart_bytes(chart_figure(baseline), "png")
    assert b"<dc:date>" not in baseline_svg


def test_the_baseline_milestone_labels_neither_overlap_nor_hide_a_leader(
    baseline: Trajectory,
) -> None:
    figure = chart_figure(baseline)
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


def test_an_unknown_format_is_refused(baseline: Trajectory) -> None:
    from sim.errors import SimError

    with pytest.raises(SimError, match="unknown chart format"):
        chart_bytes(chart_figure(baseline), "gif")

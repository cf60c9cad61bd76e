"""The timeline chart of the baseline and of a what-if, checked as images and as SVG."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.fold import Trajectory, replay
from sim.parties import PARTIES
from sim.render.chart import (
    DPI,
    LANE_COLOURS,
    MOVED_COLOUR,
    REMOVED_COLOUR,
    SPAN_COLOURS,
    VOIDED_COLOUR,
    WIDTH_IN,
    chart_bytes,
    chart_figure,
)
from sim.scenario import load_scenario
from sim.store import load_log
from sim.whatif import WhatIf

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
def baseline_png(baseline: Trajectory) -> Any:
    return Image.open(io.BytesIO(chart_bytes(chart_figure(baseline), "png"))).convert("RGB")


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
        pixels = _where(baseline_png, LANE_COLOURS[party][1])
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

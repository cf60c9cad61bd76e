"""How long the analyst's outputs take on a large log: chart, report, exports and CSV import.

Run ``python bench/render.py --json`` (``--events N`` to change the size).  It prints one JSON
object with seconds per step; commands that can take more than a second show a progress bar.
This is a benchmark, not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from sim.events import (
    BlackoutEnded,
    BlackoutStarted,
    Call,
    Contact,
    Event,
    Information,
    Meeting,
    Source,
)
from sim.exchange import csv_text, plover_records, read_csv
from sim.fold import replay
from sim.render.chart import chart_bytes, chart_figure
from sim.render.report import report_html

ACTORS = ("qatar_pm", "us_mcgurk", "israel_war_cabinet", "hamas_gaza_leaders", "egypt_kamel")


def generated(n: int) -> tuple[Event, ...]:
    """A log of ``n`` events over seven weeks: calls, meetings, news, and blackouts over Gaza."""
    start = datetime(2023, 10, 7, tzinfo=UTC)
    step = timedelta(weeks=7) / max(n, 1)
    source = Source(document="generated", quote="اقتباس")
    events: list[Event] = [Contact(id="e0", at=start, actors=("qatar_pm",), source=source)]
    open_blackout: str | None = None
    for i in range(1, n):
        at = start + step * i
        actor = ACTORS[i % len(ACTORS)]
        other = ACTORS[(i + 2) % len(ACTORS)]
        ident = f"e{i}"
        if i % 500 == 0:
            if open_blackout is None:
                events.append(
                    BlackoutStarted(
                        id=ident, at=at, actors=("israel_army",), area="gaza", source=source
                    )
                )
                open_blackout = ident
            else:
                events.append(
                    BlackoutEnded(
                        id=ident,
                        at=at,
                        actors=("israel_army",),
                        area="gaza",
                        answers=(open_blackout,),
                        source=source,
                    )
                )
                open_blackout = None
        elif i % 3 == 0:
            events.append(
                Call(id=ident, at=at, actors=(actor,), recipients=(other,), source=source)
            )
        elif i % 3 == 1:
            events.append(Meeting(id=ident, at=at, actors=(actor, other), source=source))
        else:
            events.append(
                Information(id=ident, at=at, actors=(actor,), recipients=(other,), source=source)
            )
    return tuple(events)


def _time(step: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = step()
    return round(time.perf_counter() - started, 3), result


def main() -> None:
    """Measure each step once and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    log = generated(args.events)
    figures: dict[str, Any] = {"events": len(log)}
    figures["replay_s"], trajectory = _time(lambda: replay(log))
    figures["chart_png_s"], _ = _time(lambda: chart_bytes(chart_figure(trajectory), "png"))
    figures["chart_svg_s"], svg = _time(lambda: chart_bytes(chart_figure(trajectory), "svg"))
    figures["report_html_s"], _ = _time(
        lambda: report_html(trajectory, chart_svg=svg.decode("utf-8"))
    )
    figures["export_plover_s"], _ = _time(
        lambda: b"".join(orjson.dumps(r) for r in plover_records(trajectory, context="historical"))
    )
    figures["export_csv_s"], text = _time(lambda: csv_text(log))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.csv"
        path.write_text(text, encoding="utf-8")
        figures["import_csv_s"], _ = _time(lambda: read_csv(path))
    if args.json:
        sys.stdout.write(orjson.dumps(figures).decode() + "\n")
    else:
        for key, value in figures.items():
            sys.stdout.write(f"{key:>18}: {value}\n")


if __name__ == "__main__":
    main()

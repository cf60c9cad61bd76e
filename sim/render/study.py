"""What a study's outputs hold: charts (matplotlib, the ``charts`` extra) of the ECDF of the
deal's time, a tornado of sensitivities, and necessity and slack on the timeline; the report's
study section; and the frame as CSV or Parquet bytes.

Each chart function returns a matplotlib ``Figure`` (no pyplot, no global state); write it with
:func:`sim.render.chart.chart_bytes`.  Nothing here writes a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from sim.events import Event

__all__ = ["ecdf_figure", "frame_bytes", "study_section", "timeline_figure", "tornado_figure"]

WIDTH: Final = 10.0
DPI: Final = 110
NECESSARY: Final = "#b3261e"
SHIFT: Final = "#e0a526"
FAILURE: Final = "#7a1c16"
QUIET: Final = "#8a8a8a"
TOP: Final = 15
"""Parameters shown in a tornado."""


def _figure(height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _dates(ax: Any) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def ecdf_figure(
    frame: Any, *, recorded: datetime | None = None, title: str = "", column: str = "concluded_at"
) -> Any:
    """The share of samples that concluded by each time: a step curve that tops out at the
    share that concluded at all (the rest never did), the recorded conclusion dashed."""
    import numpy as np

    figure = _figure(4.2)
    ax = figure.add_subplot()
    values = frame[column]
    n = len(values)
    reached = values.dropna().sort_values()
    if len(reached):
        xs = reached.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
        ys = np.arange(1, len(xs) + 1) / n
        ax.step(xs, ys, where="post", color="#1f5fa8", linewidth=1.8, label="samples")
    if recorded is not None:
        ax.axvline(
            _utc(recorded),
            color="#333333",
            linestyle="--",
            linewidth=1,
            label="recorded",
        )
    share = len(reached) / n if n else 0.0
    ax.axhline(share, color=QUIET, linestyle=":", linewidth=1)
    ax.text(
        0.01,
        share,
        f" concluded in {share:.1%} of {n:,} samples",
        transform=ax.get_yaxis_transform(),
        va="bottom",
        fontsize=9,
        color="#333333",
    )
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of samples concluded by then")
    ax.set_xlabel("time of the deal (UTC)")
    ax.grid(alpha=0.3)
    if len(reached):
        _dates(ax)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(title or f"When the deal came ({column})", fontsize=11)
    figure.tight_layout()
    return figure


def tornado_figure(sensitivity: Any, *, title: str = "", measure: str | None = None) -> Any:
    """The parameters the measure is most sensitive to, largest on top: Morris ``mu_star``
    (with its 95% interval) or Sobol ``ST``."""
    figure = _figure(4.6)
    ax = figure.add_subplot()
    if sensitivity is None or sensitivity.empty:
        ax.text(0.5, 0.5, "no sensitivity indices (nothing varied)", ha="center", va="center")
        ax.set_axis_off()
        return figure
    measures = list(dict.fromkeys(sensitivity["measure"]))
    chosen = measure or ("concluded_at" if "concluded_at" in measures else measures[0])
    rows = sensitivity[sensitivity["measure"] == chosen]
    morris = "mu_star" in rows.columns and rows["mu_star"].notna().any()
    value, conf = ("mu_star", "mu_star_conf") if morris else ("ST", "ST_conf")
    rows = rows.sort_values(value, ascending=False).head(TOP).iloc[::-1]
    labels = [str(p).removeprefix("at:") for p in rows["parameter"]]
    ax.barh(labels, rows[value], xerr=rows[conf], color="#1f5fa8", alpha=0.85, capsize=2)
    unit = " (hours)" if chosen not in ("concluded", "voided") else ""
    what = "Morris μ*" if morris else "Sobol total index ST"
    ax.set_xlabel(f"{what} of {chosen}{unit if morris else ''}")
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title or f"What {chosen} is most sensitive to", fontsize=11)
    figure.tight_layout()
    return figure


def _utc(moment: datetime) -> Any:
    import numpy as np

    return np.datetime64(moment.replace(tzinfo=None) - (moment.utcoffset() or timedelta(0)), "us")


def timeline_figure(
    events: Sequence[Event],
    *,
    necessity: Any = None,
    slack: Any = None,
    recorded: datetime | None = None,
    limit: timedelta = timedelta(days=30),
    title: str = "",
) -> Any:
    """The events on the timeline, one row each in log order: a red marker where the outcome
    needs the event, bars for how long it could slip before the deal moves (amber) and before
    it fails (dark red; an arrow where nothing failed within ``limit``)."""
    import numpy as np

    height = max(4.0, 0.22 * len(events) + 1.6)
    figure = _figure(height)
    ax = figure.add_subplot()
    needed: Mapping[str, bool] = {}
    if necessity is not None:
        needed = dict(zip(necessity["id"], necessity["necessary_for_outcome"], strict=True))
    shifts: Mapping[str, Any] = {}
    failures: Mapping[str, Any] = {}
    if slack is not None:
        shifts = dict(zip(slack["id"], slack["slack_to_shift"], strict=True))
        failures = dict(zip(slack["id"], slack["slack_to_failure"], strict=True))
    day = np.timedelta64(1, "D")
    for row, event in enumerate(events):
        y = len(events) - 1 - row
        at = _utc(event.at)
        if event.id in failures:
            failure = failures[event.id]
            end = at + (np.timedelta64(limit) if _missing(failure) else np.timedelta64(failure))
            ax.plot([at, end], [y, y], color=FAILURE, linewidth=1.2, alpha=0.6)
            if _missing(failure):
                ax.annotate(
                    "",
                    xy=(end, y),
                    xytext=(end - day, y),
                    arrowprops={"arrowstyle": "->", "color": FAILURE, "alpha": 0.6},
                )
        if event.id in shifts:
            shift = shifts[event.id]
            end = at + (np.timedelta64(limit) if _missing(shift) else np.timedelta64(shift))
            ax.plot([at, end], [y, y], color=SHIFT, linewidth=4, solid_capstyle="butt")
        colour = NECESSARY if needed.get(event.id) else QUIET
        ax.plot([at], [y], marker="o", markersize=5, color=colour, zorder=3)
    ax.set_yticks(range(len(events)))
    ax.set_yticklabels([e.id for e in reversed(events)], fontsize=7)
    ax.set_ylim(-1, len(events))
    if recorded is not None:
        ax.axvline(_utc(recorded), color="#333333", linestyle="--", linewidth=1)
    _dates(ax)
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", color=NECESSARY, linestyle="", label="needed for the outcome"),
        Line2D([], [], marker="o", color=QUIET, linestyle="", label="not needed"),
    ]
    if slack is not None:
        handles += [
            Line2D([], [], color=SHIFT, linewidth=4, label="slack before the deal moves"),
            Line2D([], [], color=FAILURE, linewidth=1.2, label="slack before the deal fails"),
        ]
    if recorded is not None:
        handles.append(Line2D([], [], color="#333333", linestyle="--", label="deal (recorded)"))
    ax.legend(handles=handles, loc="lower left", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("time (UTC)")
    ax.set_title(title, fontsize=11)
    figure.tight_layout()
    return figure


def _missing(value: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def study_section(
    *, title: str, question: str, rows: Sequence[tuple[str, str]], charts: Sequence[str]
) -> dict[str, Any]:
    """The report's study section: a title, the question, a table of results, charts (SVG)."""
    from sim.render.report import inline_svg

    return {
        "title": title,
        "question": question,
        "rows": list(rows),
        "charts": [inline_svg(svg) for svg in charts],
    }


def frame_bytes(frame: Any, kind: str) -> bytes:
    """``frame`` as ``csv`` (a list in a cell as its items, space-separated) or ``parquet``."""
    if kind == "csv":
        copy = frame.copy()
        for column in copy.columns:
            if copy[column].dtype == object:
                copy[column] = copy[column].map(
                    lambda v: " ".join(v) if isinstance(v, list | tuple) else v
                )
        data: bytes = copy.to_csv(index=False).encode("utf-8")
        return data
    import io

    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", index=False)
    return buffer.getvalue()

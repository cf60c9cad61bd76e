"""An event's time in words, as every view shows it (a time, a day, or an estimate with its
bounds): plain strings, without rich, so that the notebook edge can use them without the
terminal's renderer.  :mod:`sim.render.terminal` re-exports them, as other views import them from
there.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sim.events import Alternative, Event
from sim.times import Zone, show_time

__all__ = ["date_parts", "span", "when"]


def when(event: Event, zone: Zone = UTC) -> str:
    """The event's time as a reader should take it: exact, a day, or approximate with bounds."""
    date, bounds = date_parts(event, zone)
    return f"{date} ({bounds})" if bounds else date


def date_parts(event: Event | Alternative, zone: Zone = UTC) -> tuple[str, str]:
    """The event's date as shown (``~`` marks an estimate) and, for an estimate, its bounds.

    An exact time shows hours and minutes in ``zone``, labelled (``2023-11-22 01:00 UTC``); a day
    or an estimate shows the date only, the day the record gives (in the event's own offset),
    since its hours only keep the order of events within a day.
    """
    if event.precision == "exact":
        return show_time(event.at, zone), ""
    text = event.at.strftime("%Y-%m-%d")
    if event.precision == "approx":
        if event.earliest and event.latest:
            return f"~{text}", span(event.earliest, event.latest)
        return f"~{text}", ""
    return text, ""


def span(earliest: datetime, latest: datetime) -> str:
    """A range of days, as short as it reads: ``07-20 Oct``, ``24 Oct-22 Nov``, ``15 Nov``."""
    if earliest.date() == latest.date():
        return f"{earliest:%d %b}"
    if (earliest.year, earliest.month) == (latest.year, latest.month):
        return f"{earliest:%d}–{latest:%d %b}"
    if earliest.year == latest.year:
        return f"{earliest:%d %b}–{latest:%d %b}"
    return f"{earliest:%d %b %Y}–{latest:%d %b %Y}"

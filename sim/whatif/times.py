"""The times a what-if is written in: signed durations, selector dates and retime targets.

Durations and times are parsed by :mod:`sim.times` (``parse_duration``, ``parse_time``,
``format_duration``, re-exported here); this module adds the two readings a what-if gives them:
a selector's ``since`` and ``until`` (optional times, a date meaning midnight UTC) and a
retime's ``to`` (a time, or a date meaning the start of that day in each moved event's zone).
Pure: no I/O, no clock.
"""

from __future__ import annotations

from datetime import date, datetime

from sim.times import format_duration, parse_duration, parse_time

__all__ = ["format_duration", "parse_duration", "parse_time", "retime_to", "time_or_none"]


def time_or_none(value: object) -> datetime | None:
    """A selector's ``since`` or ``until``: ``None``, or a time (a date is midnight UTC)."""
    return None if value is None else parse_time(value, what="selector date")


def retime_to(value: object) -> datetime | date:
    """A retime's ``to``: a time with its offset, or a date (the start of that day in each
    moved event's own zone)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass  # parse_time says what is wrong
    return parse_time(value, what="retime to")

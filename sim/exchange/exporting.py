"""An export of a log in one of the formats ``sim export`` writes, as bytes: PLOVER or CAMEO
records as JSON lines, or the CSV of every event.

PLOVER and CAMEO records cover the events that took effect; an event PLOVER cannot code is left
out of a PLOVER export, and the export says which and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import orjson
from attrs import frozen

from sim.errors import SimError, did_you_mean
from sim.exchange.base import Context, taken
from sim.exchange.cameo import cameo_records
from sim.exchange.csv import csv_text
from sim.exchange.plover import plover_records, uncodable
from sim.fold import Trajectory

__all__ = ["FORMATS", "Export", "check_format", "export"]

FORMATS: Final = ("plover", "cameo", "csv")
"""The formats ``sim export`` writes."""


@frozen(kw_only=True)
class Export:
    """An export: its bytes, how many records they hold, and the events left out."""

    data: bytes
    records: int
    skipped: Mapping[str, str] = {}
    """Each event that took effect but that PLOVER cannot code, in log order, with why."""


def check_format(fmt: str) -> None:
    """Refuse a format ``sim export`` does not write (``unknown-format``)."""
    if fmt not in FORMATS:
        raise SimError(
            what=f"unknown export format {fmt!r}",
            expected="one of " + ", ".join(FORMATS),
            found=fmt,
            hint=did_you_mean(fmt, FORMATS),
            code="unknown-format",
        )


def export(trajectory: Trajectory, fmt: str, *, context: Context) -> Export:
    """``trajectory`` exported as ``fmt`` (one of :data:`FORMATS`), its records in ``context``
    (``historical`` for a log, ``hypothetical`` for a what-if)."""
    check_format(fmt)
    if fmt == "csv":
        data = csv_text(trajectory.events).encode("utf-8")
        return Export(data=data, records=len(trajectory.events))
    skipped: dict[str, str] = {}
    if fmt == "plover":
        manifest = trajectory.scenario
        for event in taken(trajectory):
            reason = uncodable(event, manifest)
            if reason:
                skipped[event.id] = reason
    encode = plover_records if fmt == "plover" else cameo_records
    rows = encode(trajectory, context=context)
    data = b"".join(orjson.dumps(row) + b"\n" for row in rows)
    return Export(data=data, records=len(rows), skipped=skipped)

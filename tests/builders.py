"""A small way to write histories in tests: ``make("offer", "o1", 3, text="v1")``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sim.events import EVENT_TYPES, Event, Source

__all__ = ["T0", "make", "src"]

T0 = datetime(2023, 10, 7, tzinfo=UTC)
src = Source(document="test", paragraph=1, quote="q")


def make(kind: str, ident: str, day: float, **fields: Any) -> Event:
    """An event of ``kind`` on day ``day`` after T0, citing the test source by default."""
    fields.setdefault("source", src)
    fields.setdefault("actors", ("qatar",))
    event: Event = EVENT_TYPES[kind](id=ident, at=T0 + timedelta(days=day), **fields)
    return event

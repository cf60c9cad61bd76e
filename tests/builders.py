"""A small way to write histories in tests: ``make("offer", "o1", 3, text="v1")``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sim.events import EVENT_TYPES, Channel, Event, Requirement, Source

__all__ = ["GAZA", "T0", "make", "src", "voided_held_reply"]

T0 = datetime(2023, 10, 7, tzinfo=UTC)
src = Source(document="test", paragraph=1, quote="q")
GAZA = Channel(name="hamas-gaza>qatar", via=("gaza",))
"""A channel out of Gaza: a blackout over Gaza holds up what is sent on it."""


def make(kind: str, ident: str, day: float, **fields: Any) -> Event:
    """An event of ``kind`` on day ``day`` after T0, citing the test source by default."""
    fields.setdefault("source", src)
    fields.setdefault("actors", ("qatar",))
    event: Event = EVENT_TYPES[kind](id=ident, at=T0 + timedelta(days=day), **fields)
    return event


def voided_held_reply() -> tuple[Event, ...]:
    """A message the record's blackout holds up, voided in the run: it answers an approval that
    waited 6 hours for talks that never started; an assurance requires the message.  Found by
    random exploration: a what-if took the message for one that arrived early."""
    return (
        make("blackout_started", "dark", 0, area="gaza", actors=("israel",)),
        make("approval", "ok", 0.5, body="hamas", text="t1", patience=timedelta(hours=6)),
        make("information", "reply", 1, channel=GAZA, actors=("hamas_gaza",), answers=("ok",)),
        make("assurance", "assured", 1.5, about="x", requires=(Requirement(id="reply"),)),
    )

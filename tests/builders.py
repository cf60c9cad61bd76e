"""A small way to write histories in tests: ``make("offer", "o1", 3, text="v1")``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sim.events import EVENT_TYPES, Channel, Event, Requirement, Source

__all__ = ["GAZA", "T0", "make", "src", "stale_deadline", "voided_held_reply"]

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


def stale_deadline() -> tuple[Event, ...]:
    """An approval waits a moment for its offer, so its 14-day deadline is left over; a reply
    answers a message that a blackout which never ends holds up, and is released when the log
    runs out.  Found by random exploration: the leftover deadline moved the replay's clock 14
    days on, so the reply came then, but a what-if restarted after the approval (removing
    ``later``) never had the deadline, and released the reply at the last event's time."""
    return (
        make("contact", "hello", 0),
        make("approval", "early", 0.5, body="hamas", text="t1"),
        make("offer", "table", 0.5, text="t1"),
        make("blackout_started", "dark", 0.5, area="gaza", actors=("israel",)),
        make("announcement", "held", 0.5, channel=GAZA, of_deal=False),
        make("announcement", "reply", 0.5, answers=("held",), of_deal=False),
        make("announcement", "later", 1, of_deal=False),
        make("announcement", "last", 1, of_deal=False),
    )

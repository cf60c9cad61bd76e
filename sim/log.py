"""A log: the events of a negotiation in recorded order, with where they came from."""

from __future__ import annotations

from attrs import frozen

from sim.events import Event
from sim.manifest import Manifest

__all__ = ["Log"]


@frozen(kw_only=True)
class Log:
    """A log: its events in recorded order, a name, and the chain hash after each line.

    ``hashes`` is empty for logs built in memory; the codec fills it for logs read from disk.
    """

    events: tuple[Event, ...]
    name: str = "log"
    hashes: tuple[str, ...] = ()
    source: str | None = None
    """Where it was read from, if anywhere."""
    manifest: Manifest | None = None
    """The scenario's manifest (``scenario.toml`` beside the log), if it has one."""

    def __len__(self) -> int:
        return len(self.events)

    def __repr__(self) -> str:
        return f"<Log {self.name!r}: {len(self.events)} events>"

    def index(self, event_id: str) -> int:
        """The position of ``event_id``; ``KeyError`` if absent."""
        for i, event in enumerate(self.events):
            if event.id == event_id:
                return i
        raise KeyError(event_id)

"""Alternative records: replay with another source's dates where it disagrees with the main one.

An event may carry ``alternatives``: the same event as another record dates it, with that
record's source.  ``prefer`` swaps them in for one source and puts the log back in time order.
Pure: it returns a new log.
"""

from __future__ import annotations

import attrs

from sim.events import Alternative, Event
from sim.fold import Log

__all__ = ["alternative_sources", "prefer"]


def alternative_sources(log: Log) -> tuple[str, ...]:
    """Every source document that some event of ``log`` carries an alternative from."""
    found: dict[str, None] = {}
    for event in log.events:
        for alternative in event.alternatives:
            found[alternative.source.document] = None
    return tuple(found)


def _matches(document: str, wanted: str) -> bool:
    return wanted.casefold() in document.casefold()


def prefer(log: Log, source: str) -> Log:
    """``log`` with each event that has an alternative from ``source`` re-dated by it, and the
    events that follow it moved with it.

    ``source`` matches an alternative whose source document contains it (case-insensitive), so
    ``NPR`` picks "NPR, Reuters, 20 Oct 2023".  Each re-dated event is pinned to that record's
    time, and the scheduler places the rest as in a what-if (see "The causal model"): an event
    linked to a re-dated one keeps its recorded lag behind it, so the 24 Oct message, "a day
    after" the Raanan release (¶13), comes a day after the release as NPR dates it.  Events keep
    their ids, links and citations; the chain hashes are dropped (it is a new log).

    Both readings stay in the record: a re-dated event's own date becomes one of its
    alternatives (a timeline says "also dated 23 Oct by seed", not the date it now shows), and so
    does a moved follower's, with a note that it moved with what it follows.
    """
    chosen: dict[str, Alternative] = {}
    for event in log.events:
        found = next((a for a in event.alternatives if _matches(a.source.document, source)), None)
        if found is not None:
            chosen[event.id] = found
    name = f"{log.name} (preferring {source})"
    if not chosen:
        return attrs.evolve(log, hashes=(), name=name)
    from sim.whatif import apply_interventions, retime  # noqa: PLC0415 (whatif builds on fold)

    placed = apply_interventions(log, [retime(id=i, to=a.at) for i, a in chosen.items()])
    recorded = {event.id: event for event in log.events}
    moved = {e.id for e in placed.events if e.at != recorded[e.id].at}
    changed: list[Event] = []
    for event in placed.events:
        was = recorded[event.id]
        alternative = chosen.get(event.id)
        if alternative is not None:
            others = tuple(a for a in was.alternatives if a is not alternative)
            event = attrs.evolve(  # noqa: PLW2901 (the same event, re-dated)
                event,
                precision=alternative.precision,
                earliest=alternative.earliest,
                latest=alternative.latest,
                alternatives=(_as_recorded(was), *others),
            )
        elif event.at != was.at:
            follows = ", ".join(link for link in was.causes if link in moved) or "its links"
            note = f"the record's date; under {source}'s dates it keeps its lag behind {follows}"
            event = attrs.evolve(  # noqa: PLW2901 (the same event, moved)
                event, alternatives=(_as_recorded(was, note=note), *was.alternatives)
            )
        changed.append(event)
    return attrs.evolve(log, events=tuple(changed), hashes=(), name=name)


def _as_recorded(event: Event, *, note: str | None = None) -> Alternative:
    """The date the log records for ``event``, kept as an alternative when another replaces it."""
    source = event.source if note is None else attrs.evolve(event.source, note=note)
    return Alternative(
        source=source,
        at=event.at,
        precision=event.precision,
        earliest=event.earliest,
        latest=event.latest,
    )

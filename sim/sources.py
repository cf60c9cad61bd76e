"""Alternative records: replay with another source's dates where it disagrees with the seed.

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
    """``log`` with each event that has an alternative from ``source`` re-dated by it.

    ``source`` matches an alternative whose source document contains it (case-insensitive), so
    ``NPR`` picks "NPR, Reuters, 20 Oct 2023".  The result is stably sorted by time; events
    keep their ids, causes and citations, and the chain hashes are dropped (it is a new log).
    A re-dated event's alternatives swap too: the date its own source gave becomes one of them
    (so a timeline says "also dated 23 Oct by seed", not the date it now shows).
    """
    changed: list[Event] = []
    for event in log.events:
        chosen = next((a for a in event.alternatives if _matches(a.source.document, source)), None)
        if chosen is None:
            changed.append(event)
            continue
        recorded = Alternative(  # the date the preferred record displaces: now "also dated"
            source=event.source,
            at=event.at,
            precision=event.precision,
            earliest=event.earliest,
            latest=event.latest,
        )
        others = tuple(a for a in event.alternatives if a is not chosen)
        changed.append(
            attrs.evolve(
                event,
                at=chosen.at,
                precision=chosen.precision,
                earliest=chosen.earliest,
                latest=chosen.latest,
                alternatives=(recorded, *others),
            )
        )
    ordered = tuple(sorted(changed, key=lambda e: e.at))
    return attrs.evolve(log, events=ordered, hashes=(), name=f"{log.name} (preferring {source})")

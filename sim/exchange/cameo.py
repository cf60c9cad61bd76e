"""CAMEO records: each event that took effect with its CAMEO verb code, kept as a string
(``"045"``), and its dyad."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.codes import code_of, entities
from sim.exchange.base import Context, citation, taken
from sim.fold import Trajectory
from sim.manifest import Manifest
from sim.parties import party_of

__all__ = ["cameo_records"]


def cameo_records(trajectory: Trajectory, *, context: Context) -> list[dict[str, Any]]:
    """Each event that took effect with its CAMEO verb code (a string) and its dyad.

    ``source`` and ``target`` are the country codes of the first actor and the first recipient
    (CAMEO's dyadic convention; the first of a compound actor's codes); ``actors`` and
    ``recipients`` list them all.
    """
    records = []
    manifest = trajectory.scenario
    for event in taken(trajectory):
        code = code_of(event, manifest)
        records.append(
            {
                "id": event.id,
                "date": event.at.date().isoformat(),
                "source": _dyad_code(event.actors, manifest),
                "target": _dyad_code(event.recipients, manifest),
                "cameo": code.cameo,
                "cameo_text": code.text,
                "plover": code.plover,
                "actors": list(event.actors),
                "recipients": list(event.recipients),
                "parties": sorted({party_of(a) for a in (*event.actors, *event.recipients)}),
                "context": context,
                "event_text": event.summary,
                "citation": citation(event.source),
            }
        )
    return records


def _dyad_code(actors: Sequence[str], manifest: Manifest) -> str:
    found = entities(actors[0], manifest) if actors else []
    return found[0]["code"] if found else ""

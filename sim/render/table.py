"""The table of every event of a log, as a history's README shows it (``sim table``).

One Markdown row per event: its number, date (``~`` for an estimate, with its bounds; an exact
time in the offset it was recorded with), precision,
who spoke to whom, what happened (``★`` the milestone it reaches), where the record says so (the
main citation, then the further ones), and its id.  Generated from the data, so that the table
a reader checks against the sources is the data itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from sim.events import Event
from sim.render.terminal import cite, when

__all__ = ["HEADER", "event_rows", "event_table"]

HEADER = (
    "| # | date | precision | who → whom | what happened | source | id |\n"
    "|---|---|---|---|---|---|---|"
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _who(event: Event) -> str:
    text = ", ".join(event.actors) or "—"
    if event.recipients:
        text += " → " + ", ".join(event.recipients)
    return text


def _sources(event: Event, primary: str | None) -> str:
    cited = dict.fromkeys([cite(event.source, primary), *(cite(s, primary) for s in event.also)])
    return ", ".join(cited)


def event_rows(events: Iterable[Event], primary: str | None = None) -> list[str]:
    """One Markdown row per event, numbered from 1 (``primary``: the document cited by
    paragraph alone, ``¶13``)."""
    rows = []
    for number, event in enumerate(events, start=1):
        what = event.summary or event.kind
        if event.milestone:
            what += f" **★ {event.milestone}**"
        cells = (
            str(number),
            when(event, None),  # as the record gives it, in its own offset
            event.precision,
            _who(event),
            what,
            _sources(event, primary),
            f"`{event.id}`",
        )
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return rows


def event_table(events: Iterable[Event], primary: str | None = None) -> str:
    """The whole table, header included, ending with a newline."""
    return "\n".join([HEADER, *event_rows(events, primary)]) + "\n"

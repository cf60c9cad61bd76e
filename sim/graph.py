"""The links between events as a graph: the one rule for which link of an event is wrong, and
why.  Pure.

A link (``requires``, ``answers``, ``after``) must name an event earlier than the one that
makes it.  Where it does not, :func:`link_fault` says which of four things it is: the event
itself, a loop back to it through later events, a later event, or no event at all (with the id
it may have meant).  The store, an append, a what-if's edit, an import and the scheduler each
check links with it and word the fault for their own reader (a file's line, a CSV's column, an
intervention).  :func:`loop_from` finds a loop among events that wait on each other.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Literal

from attrs import frozen

from sim.errors import did_you_mean

__all__ = ["LinkFault", "link_fault", "loop_from", "loop_through"]

FaultKind = Literal["itself", "loop", "later", "unknown"]


@frozen
class LinkFault:
    """Why ``cause``, a link of event ``event``, is not an earlier event.

    ``loop`` is the path ``event → cause → … → event`` for a loop (``(event, event)`` for the
    event itself); ``hint`` names the ids an unknown link may have meant (``None``: none near).
    """

    event: str
    cause: str
    kind: FaultKind
    loop: tuple[str, ...] = ()
    hint: str | None = None


def link_fault(
    event: str,
    causes: Iterable[str],
    earlier: Collection[str],
    *,
    later: Mapping[str, Sequence[str]] | None = None,
    known: Callable[[], Iterable[str]] | None = None,
    quote: bool = False,
) -> LinkFault | None:
    """The first of ``causes`` (links of ``event``) that is not in ``earlier``, and why.

    ``later`` gives, for the events after this one (if known), the links each makes: a cause
    among them is *later*, or a *loop* when its links lead back to ``event``.  ``known`` lists
    the ids a misspelt cause is matched against (default: ``earlier``); it is called only for
    an unknown cause, whose hint names the nearest (``quote``: as ``'id'``)."""
    for cause in causes:
        if cause == event:
            return LinkFault(event=event, cause=cause, kind="itself", loop=(event, event))
        if cause in earlier:
            continue
        ahead = later or {}
        loop = loop_through(event, cause, ahead)
        if loop is not None:
            return LinkFault(event=event, cause=cause, kind="loop", loop=tuple(loop))
        if cause in ahead:
            return LinkFault(event=event, cause=cause, kind="later")
        choices = known() if known is not None else earlier
        hint = did_you_mean(cause, choices, most=1, quote=quote)
        return LinkFault(event=event, cause=cause, kind="unknown", hint=hint)
    return None


def loop_through(start: str, cause: str, ahead: Mapping[str, Sequence[str]]) -> list[str] | None:
    """The ids of a loop ``start → cause → … → start`` through the events of ``ahead`` (each
    with the links it makes), if there is one."""
    if cause == start:
        return [start, start]
    parent: dict[str, str] = {cause: start}
    frontier = [cause]
    while frontier:
        current = frontier.pop()
        for nxt in ahead.get(current, ()):
            if nxt == start:
                path = [current]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if nxt not in parent:
                parent[nxt] = current
                frontier.append(nxt)
    return None


def loop_from(first: str, waits_on: Mapping[str, Sequence[str]]) -> list[str]:
    """Following the first link of each event that waits on another from ``first``: the loop
    it runs into (``a → b → a``), or the path up to an event that waits on none."""
    path = [first]
    while True:
        nxt = next((link for link in waits_on.get(path[-1], ()) if link in waits_on), None)
        if nxt is None:
            return path
        if nxt in path:
            return [*path[path.index(nxt) :], nxt]
        path.append(nxt)

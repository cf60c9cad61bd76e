"""The one rule for links (``sim.graph``): what a wrong link is, and the loops it finds."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from sim.graph import link_fault, loop_from, loop_through

IDS = st.sampled_from([f"e{i}" for i in range(8)])


def test_a_link_to_an_earlier_event_is_no_fault() -> None:
    assert link_fault("c", ["a", "b"], {"a", "b"}) is None


def test_the_four_faults_are_told_apart() -> None:
    later = {"x": ["c"], "y": []}
    assert link_fault("c", ["c"], set()).kind == "itself"  # type: ignore[union-attr]
    loop = link_fault("c", ["x"], {"a"}, later=later)
    assert loop is not None
    assert loop.kind == "loop"
    assert loop.loop == ("c", "x", "c")
    assert link_fault("c", ["y"], {"a"}, later=later).kind == "later"  # type: ignore[union-attr]
    unknown = link_fault("c", ["alpah"], {"alpha", "beta"})
    assert unknown is not None
    assert unknown.kind == "unknown"
    assert unknown.hint is not None
    assert "alpha" in unknown.hint


def reaches(start: str, target: str, graph: dict[str, list[str]]) -> bool:
    seen, frontier = {start}, [start]
    while frontier:
        for nxt in graph.get(frontier.pop(), []):
            if nxt == target:
                return True
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False


@given(st.dictionaries(IDS, st.lists(IDS, max_size=3)), IDS, IDS)
def test_a_loop_is_found_exactly_when_the_cause_leads_back(
    graph: dict[str, list[str]], start: str, cause: str
) -> None:
    """``loop_through`` finds a loop iff ``start``'s link ``cause`` leads back to ``start``
    through the graph, and the loop it gives follows the graph's links."""
    loop = loop_through(start, cause, graph)
    assert (loop is not None) == (cause == start or reaches(cause, start, graph))
    if loop is not None:
        assert loop[0] == loop[-1] == start
        assert loop[1] == cause
        assert all(b in graph.get(a, []) for a, b in itertools.pairwise(loop[1:]))


@given(st.dictionaries(IDS, st.lists(IDS, max_size=3), min_size=1))
def test_a_path_of_waiting_events_ends_in_a_loop_or_at_one_that_waits_on_none(
    waits_on: dict[str, list[str]],
) -> None:
    first = min(waits_on)
    path = loop_from(first, waits_on)
    assert path[0] == first or path[0] == path[-1]
    if path[-1] in path[:-1]:  # a loop: it closes on itself
        assert path[0] == path[-1]
    else:
        assert not any(link in waits_on for link in waits_on[path[-1]])

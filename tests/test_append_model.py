"""Appends against a model: a log that ``append_event`` writes behaves like a list of events.

A state machine drives the append path users take (``sim append``, :func:`append_event`) with
its cache of what the log holds (:mod:`sim.tail`): new events, retries of events already there,
conflicting ids, stale ``--expect`` counts, another writer rewriting the log behind the cache's
back, a new process with no cache.  After every step the log read back is the model, ``verify``
finds it whole, and a cached tail the next append would trust equals a fresh read of the log.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sim import tail
from sim.append import append_event
from sim.codec import chain_hashes
from sim.errors import CONFLICT, SimError
from sim.events import Event
from sim.store import LOG_NAME, head_path, load_log, read_head, verify, write_log
from tests.profiles import PROFILE
from tests.strategies import START, events


class AppendsAgainstAList(RuleBasedStateMachine):
    """The log in one folder, appended to by :func:`append_event`, against a list of events."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="sim-append-"))
        self.file = self.folder / LOG_NAME
        self.model: list[Event] = []
        tail.REMEMBERED.clear()  # each run starts as a new process

    def teardown(self) -> None:
        tail.REMEMBERED.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _append(self, event: Event, expect: int | None) -> None:
        done = append_event(self.folder, event, expect=expect)
        self.model.append(event)
        assert done.written
        assert (done.id, done.line, done.events) == (event.id, len(self.model), len(self.model))
        assert done.head == chain_hashes(self.model)[-1] == read_head(self.file)

    @rule(data=st.data(), hours=st.integers(0, 48), expect=st.booleans())
    def append(self, data: st.DataObject, hours: int, expect: bool) -> None:
        """A new event (its id may be one a rewrite dropped: the cache must not hold it)."""
        at = (self.model[-1].at if self.model else START) + timedelta(hours=hours)
        event = data.draw(events(ident=f"e{len(self.model)}", at=at, earlier=tuple(self.model)))
        self._append(event, len(self.model) if expect or not self.model else None)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        """An event already in the log: a no-op that says where it is."""
        position = data.draw(st.integers(0, len(self.model) - 1))
        done = append_event(self.folder, self.model[position])
        assert not done.written
        assert (done.line, done.events) == (position + 1, len(self.model))
        assert done.head == chain_hashes(self.model)[-1]

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def conflict(self, data: st.DataObject) -> None:
        """Another event under an id the log holds: refused, nothing written."""
        position = data.draw(st.integers(0, len(self.model) - 1))
        other = attrs.evolve(self.model[position], summary=f"{self.model[position].summary}!")
        with pytest.raises(SimError) as caught:
            append_event(self.folder, other)
        assert (caught.value.code, caught.value.exit_code) == ("id-conflict", CONFLICT)
        assert caught.value.line == position + 1

    @precondition(lambda self: self.model)
    @rule(data=st.data(), off=st.sampled_from((-1, 1)))
    def stale_expect(self, data: st.DataObject, off: int) -> None:
        """A writer that counted another length: refused, nothing written."""
        at = self.model[-1].at
        event = data.draw(events(ident="stale", at=at, earlier=tuple(self.model)))
        with pytest.raises(SimError) as caught:
            append_event(self.folder, event, expect=len(self.model) + off)
        assert (caught.value.code, caught.value.exit_code) == ("expect-mismatch", CONFLICT)

    @precondition(lambda self: self.model)
    @rule(keep=st.integers(0, 3))
    def another_writer(self, keep: int) -> None:
        """Another process rewrites the log with fewer events (or the same ones)."""
        if keep:
            del self.model[max(1, len(self.model) - keep) :]
        write_log(self.folder, self.model)

    @precondition(lambda self: self.model)
    @rule()
    def start_over(self) -> None:
        """The log and its head are deleted: the next append creates them (``--expect 0``)."""
        self.file.unlink()
        head_path(self.file).unlink()
        self.model.clear()

    @rule()
    def new_process(self) -> None:
        """A new process: nothing is remembered."""
        tail.REMEMBERED.clear()

    @invariant()
    def the_log_read_back_is_the_model(self) -> None:
        if not self.model:
            assert not self.file.exists()
            return
        assert load_log(self.folder).events == tuple(self.model)
        report = verify(self.folder)
        assert (report.ok, report.lines) == (True, len(self.model))

    @invariant()
    def a_trusted_cache_is_a_fresh_read(self) -> None:
        remembered = tail.REMEMBERED.get(str(self.file.resolve()))
        if remembered is None or not self.model:
            return
        pinned, stamp = read_head(self.file), tail.stamp(self.file)
        trusted, lines = tail.recall(self.file, remembered, "", pinned, stamp)
        if lines is None:  # the next append would take it as it is
            fresh, _ = tail.recall(self.file, None, "", pinned, stamp)
            assert trusted == fresh


AppendsAgainstAList.TestCase.settings = settings(
    max_examples=10_000 if PROFILE == "fuzz" else 15, stateful_step_count=15, deadline=None
)
test_appends_against_a_list = AppendsAgainstAList.TestCase

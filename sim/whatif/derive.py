"""What-ifs: interventions applied to a base log, and the consequences derived from them.

:func:`prepare` replays a base log once and measures it for re-timing (a :class:`Baseline`);
:func:`whatif` applies interventions to it (:mod:`sim.whatif.editor`), re-times the result
(:mod:`sim.schedule`), folds it (:mod:`sim.fold`) reusing the base's states before the first
change and after it rejoins the base, and compares it with the base
(:func:`sim.analysis.diff`).  Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from functools import partial

from attrs import field, frozen

from sim._fast import cyclic_gc_paused
from sim.analysis import Diff, diff
from sim.events import Event
from sim.fold import Outcome, Trajectory, trajectory_of
from sim.log import Log
from sim.schedule import DEFAULT_PATIENCE, Anchors, Edit, Plan, Run, based, plan, rerun
from sim.state import EMPTY
from sim.whatif.editor import edit, out_of_calendar
from sim.whatif.interventions import Intervention

__all__ = ["Baseline", "WhatIf", "apply_interventions", "prepare", "whatif"]


def _rerun(ready: Baseline, changes: Edit, patience: timedelta) -> Run:
    """:func:`sim.schedule.rerun` of the base, with times pushed past the calendar's ends
    reported as bad input."""
    base = ready.trajectory
    try:
        return rerun(
            ready.plan,
            changes,
            released=base.events,
            states=base.states,
            initial=base.initial,
            busy=base.busy,
            aligned=len(base.events) if base.aligned < 0 else base.aligned,
            holds=base.holds,
            waits=base.waits,
            timings=base.timings,
            anchored=ready.anchors,
            patience=patience,
        )
    except OverflowError:
        raise out_of_calendar(what="re-timing would move an event") from None


@frozen(kw_only=True, repr=False)
class Baseline:
    """A base log made ready for many what-ifs: its trajectory and schedule plan, computed once."""

    log: Log
    plan: Plan
    trajectory: Trajectory
    anchors: Anchors
    """Where a what-if can restart from the base's run and rejoin it."""

    @property
    def name(self) -> str:
        """The base log's name."""
        return self.log.name

    def __repr__(self) -> str:
        return f"<Baseline {self.name!r}: {len(self.log.events)} events>"


def prepare(log: Log | Baseline, *, patience: timedelta = DEFAULT_PATIENCE) -> Baseline:
    """Replay ``log`` once and measure it for re-timing; pass the result to :func:`whatif`."""
    if isinstance(log, Baseline):
        return log
    measured = plan(log)
    with cyclic_gc_paused():  # a replay's values are acyclic (see sim.fold.replay)
        run, found = based(measured, patience=patience)
        trajectory = trajectory_of(
            run, initial=EMPTY, name=log.name, patience=patience, recorded=log.events
        )
    return Baseline(
        log=log,
        plan=measured,
        trajectory=trajectory,
        anchors=found,
    )


# a frozen value with a short repr, shaped as sim.analysis's View and the studies' records are
@frozen(kw_only=True, repr=False)
class WhatIf:
    """A what-if: its interventions, the re-timed log, its trajectory, its diff from the base."""

    name: str
    question: str
    base: Baseline
    interventions: tuple[Intervention, ...]
    log: Log
    trajectory: Trajectory
    origins: Mapping[str, str]
    """Event id to the intervention that removed, inserted, moved or amended it."""
    first_change: int
    """The index of the first event that differs from the base (states before it are reused)."""
    amended: Mapping[str, Event] = field(factory=dict)
    """The amended events, by id, as the interventions left them."""
    _compare: Callable[[], Diff] = field(eq=False, alias="compare")
    """How to compare the what-if with its base: :attr:`diff`, once asked for."""
    _diff: Diff | None = field(default=None, init=False, eq=False)

    @property
    def diff(self) -> Diff:
        """The what-if against its base (:func:`sim.analysis.diff`): milestones moved, events
        voided, restored, moved, removed, inserted, amended, the outcome.  Compared on first use
        (a what-if never changes), so a study that reads only the final state never pays for
        it."""
        found = self._diff
        if found is None:
            with cyclic_gc_paused():  # as whatif() made it: the comparison builds acyclic values
                found = self._compare()
            object.__setattr__(self, "_diff", found)
        return found

    @property
    def base_trajectory(self) -> Trajectory:
        """The base's trajectory."""
        return self.base.trajectory

    @property
    def outcome(self) -> Outcome:
        """The what-if's outcome."""
        return self.trajectory.outcome

    def __repr__(self) -> str:
        """One line that names the size: the full view is :meth:`_repr_html_`."""
        diff = self.diff
        outcome = "concluded" if self.outcome.concluded else "not concluded"
        return (
            f"<WhatIf {self.name!r} of {self.base.name!r}: {len(self.interventions)} "
            f"intervention(s), {len(self.log.events)} events; {len(diff.milestones)} milestones "
            f"moved, {len(diff.voided)} voided, {len(diff.moved)} moved, {len(diff.removed)} "
            f"removed, {len(diff.inserted)} inserted; {outcome}>"
        )

    def _repr_html_(self) -> str:
        """Jupyter's view (built by the notebook edge, :mod:`sim.render.notebook`)."""
        from sim.render.notebook import whatif_html  # noqa: PLC0415 (an edge, loaded on use)

        return whatif_html(self)


def whatif(
    base: Log | Baseline | WhatIf,
    interventions: Sequence[Intervention],
    *,
    name: str | None = None,
    question: str = "",
    patience: timedelta | None = None,
) -> WhatIf:
    """Apply ``interventions`` to ``base`` and derive the consequences.

    ``base`` is a recorded log, a :class:`Baseline` (prepared once for many what-ifs), or another
    :class:`WhatIf` (then its interventions come first).  The result holds the re-timed log,
    its trajectory (the base's states reused up to the first change and after the point where
    it rejoins the base), and the diff from the base.  ``patience`` is how long an event waits
    at a barrier unless it says otherwise (the base's, by default).
    """
    if isinstance(base, WhatIf):
        return whatif(
            base.base,
            (*base.interventions, *interventions),
            name=name or f"{base.name} + {len(interventions)} more",
            question=question or base.question,
            patience=patience,
        )
    ready = prepare(base) if patience is None else prepare(base, patience=patience)
    if patience is not None and patience != ready.trajectory.patience:
        ready = prepare(ready.log, patience=patience)
    patience = ready.trajectory.patience
    # a what-if builds only acyclic values: the cyclic collector's passes would find nothing
    with cyclic_gc_paused():
        changes = edit(ready.plan, interventions)
        result = _rerun(ready, changes, patience)
        label = name or f"what-if of {ready.name}"
        trajectory = trajectory_of(
            result,
            initial=ready.trajectory.initial,
            name=label,
            patience=patience,
            manifest=ready.log.manifest,
        )
        return WhatIf(
            name=label,
            question=question,
            base=ready,
            interventions=tuple(interventions),
            log=Log(events=trajectory.events, name=label, manifest=ready.log.manifest),
            trajectory=trajectory,
            compare=partial(
                diff,
                ready.trajectory,
                trajectory,
                same_before=result.first_change,
                same_after=result.same_tail,
                amended={k: v for k, v in changes.replaced.items() if k not in changes.removed},
                recorded=ready.plan,
                origins=changes.origins,
            ),
            origins=changes.origins,
            first_change=result.first_change,
            amended=dict(changes.replaced),
        )


def apply_interventions(log: Log | Baseline, interventions: Sequence[Intervention]) -> Log:
    """``log`` with ``interventions`` applied and re-timed: the log a what-if replays."""
    ready = prepare(log)
    result = _rerun(ready, edit(ready.plan, interventions), ready.trajectory.patience)
    return Log(events=result.events, name=f"what-if of {ready.name}", manifest=ready.log.manifest)

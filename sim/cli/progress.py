"""A progress bar for commands that may run longer than a second, on stderr and only on a tty.

:func:`progress` yields a :class:`Steps` handle; the command names each step (``steps.step(
"drawing")``) or advances a count (``steps.advance(100)``).  Nothing is shown unless stderr is a
terminal, and nothing until the work has run for ``delay`` seconds, so quick runs and pipes
stay clean.  The bar is transient: it disappears when the work is done.  Colour follows the
error console (off with ``NO_COLOR``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sim.cli.app import err_console

if TYPE_CHECKING:  # rich.progress is imported only when a bar may be shown (on a terminal)
    from rich.console import Console
    from rich.progress import Progress, TaskID

__all__ = ["DELAY", "Steps", "progress"]

DELAY = 1.0
"""Seconds of work before the bar appears (quick commands never show one)."""


class Steps:
    """The handle a command reports its progress through."""

    def __init__(self, bar: Progress | None, task: TaskID | None) -> None:
        self._bar = bar
        self._task = task

    def step(self, description: str, *, advance: float = 1) -> None:
        """Start the next step, named ``description`` (counting the previous one done)."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=description, advance=advance)

    def advance(self, amount: float = 1) -> None:
        """Count ``amount`` more units of work done."""
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, amount)

    def total(self, total: float) -> None:
        """Set the number of units the work has (once it is known)."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=total, completed=0)


@contextmanager
def progress(
    description: str,
    *,
    total: float | None = None,
    delay: float | None = None,
    console: Console | None = None,
    eta: bool = False,
) -> Iterator[Steps]:
    """A transient progress bar on stderr, shown once the work has run ``delay`` seconds.

    ``delay`` defaults to :data:`DELAY`; ``console`` to the error console.  With ``eta`` the bar
    also shows the time remaining (for work counted in units, such as a study's samples).
    """
    out = console or err_console()
    delay = DELAY if delay is None else delay
    if not out.is_terminal:
        yield Steps(None, None)
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns: list[Any] = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    if eta:
        columns += [TextColumn("eta"), TimeRemainingColumn()]
    bar = Progress(*columns, console=out, transient=True)
    task = bar.add_task(description, total=total)
    lock = threading.Lock()
    done = False

    def show() -> None:
        with lock:
            if not done:
                bar.start()

    timer = threading.Timer(delay, show)
    timer.daemon = True
    if delay <= 0:
        show()
    else:
        timer.start()
    try:
        yield Steps(bar, task)
    finally:
        timer.cancel()
        with lock:
            done = True
            bar.stop()

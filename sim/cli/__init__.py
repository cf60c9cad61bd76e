"""The ``sim`` command: a typer app, each command a thin shell over the library."""

from __future__ import annotations

import signal
from types import FrameType
from typing import NoReturn

from sim.cli import (
    analyst,  # registers its commands
    append,  # noqa: F401  (registers `sim append`)
    core,  # registers its commands
    history,  # registers new, check and table
    study,  # registers uncertainty, necessity, slack and study
    timeline,  # registers its commands
)
from sim.cli import whatif as whatif_commands  # registers whatif, explain, diff
from sim.cli.app import app
from sim.files import discard_pending

__all__ = ["analyst", "app", "core", "history", "main", "study", "timeline", "whatif_commands"]


def main() -> None:
    """Entry point of the ``sim`` console script.

    SIGTERM and SIGHUP end the command as SIGINT does (exit 128 + the signal's number) after
    the clean-up a failure runs: temporary files removed, locks released.
    """
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    try:
        app()
    finally:  # a signal may land between making a temporary file and the code that owns it
        discard_pending()


def _terminate(signum: int, _frame: FrameType | None) -> NoReturn:
    raise SystemExit(128 + signum)

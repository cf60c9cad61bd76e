"""The ``sim`` command: a typer app, each command a thin shell over the library."""

from __future__ import annotations

from sim.cli import (
    analyst,  # registers its commands
    append,  # noqa: F401  (registers `sim append`)
    core,  # registers its commands
    timeline,  # registers its commands
)
from sim.cli import whatif as whatif_commands  # registers whatif, explain, diff
from sim.cli.app import app

__all__ = ["analyst", "app", "core", "main", "timeline", "whatif_commands"]


def main() -> None:
    """Entry point of the ``sim`` console script."""
    app()

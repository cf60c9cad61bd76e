"""The ``sim`` command: a typer app, each command a thin shell over the library."""

from __future__ import annotations

from sim.cli import analyst, core  # register their commands
from sim.cli.app import app

__all__ = ["analyst", "app", "core", "main"]


def main() -> None:
    """Entry point of the ``sim`` console script."""
    app()

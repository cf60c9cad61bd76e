"""Logging configuration: structlog, set up once by the CLI; the core never logs.

On a terminal the lines are rendered for people; otherwise (or with ``--log-json``) as JSON
lines.  Either way they go to stderr, so stdout carries only results.
"""

from __future__ import annotations

import logging
import os
import sys

import structlog

from sim.text import printable

__all__ = ["configure"]


def configure(*, json: bool | None = None, level: int = logging.INFO) -> None:
    """Configure structlog for one process; ``json=None`` picks by whether stderr is a tty."""
    as_json = not sys.stderr.isatty() if json is None else json
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=_colour())
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            *(() if as_json else (_printable,)),  # JSON escapes control characters itself
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def _printable(
    _logger: object, _name: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """Show the control characters of logged text (a path, an id) instead of letting the
    terminal obey them."""
    return {k: printable(v, keep="") if isinstance(v, str) else v for k, v in event.items()}


def _colour() -> bool:
    return sys.stderr.isatty() and "NO_COLOR" not in os.environ

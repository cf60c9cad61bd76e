"""A writer process for the crash-injection and concurrency tests (``python -m tests.appender``).

It appends events to a log in a loop through :func:`sim.append.append_event` and acknowledges
each one on stdout (``<id> <line>``), flushed, only after the append returned: an acknowledged
event is one the library promised is on disk.  It prints ``ready`` once imported; with
``--wait`` it then waits for a line on stdin, so that several writers start at once.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, datetime

from sim.append import append_event
from sim.events import Information, Source

__all__ = ["AT", "main", "note"]

AT = datetime(2023, 11, 1, 12, tzinfo=UTC)
"""Every event's time: concurrent writers cannot promise each other an order in time."""


def note(ident: str, size: int) -> Information:
    """A valid event with ``size`` characters of summary (so lines span pages when large)."""
    return Information(
        id=ident,
        at=AT,
        actors=("qatar",),
        source=Source(document="generated"),
        summary="x" * size,
    )


def main(argv: list[str] | None = None) -> None:
    """Append ``--count`` events (forever if 0) with ids ``<prefix>-<n>``, acking each."""
    parser = argparse.ArgumentParser(prog="python -m tests.appender")
    parser.add_argument("log")
    parser.add_argument("prefix")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-size", type=int, default=200)
    parser.add_argument("--wait", action="store_true")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    if args.wait:
        sys.stdin.readline()
    n = 0
    while args.count == 0 or n < args.count:
        done = append_event(args.log, note(f"{args.prefix}-{n}", rng.randint(0, args.max_size)))
        out.write(f"{done.id} {done.line}\n")
        out.flush()
        n += 1


if __name__ == "__main__":
    main()

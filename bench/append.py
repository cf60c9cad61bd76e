"""Benchmark: the cost of one durable append, against the size of the log it goes to.

An append takes the writers' lock, reads and checks the whole log (every line's chain hash and
id, the pinned head, the tail), writes one line, fsyncs it, and pins the head (write, fsync,
rename, fsync of the folder): its cost grows with the log.  A process that appends again to a
log exactly as it left it skips the re-reading.  For each size this writes a log of generated
events (``bench/replay.py``'s generator), then times ``--appends`` appends *cold* (as each
``sim append`` command is: the process has not seen the log) and as many *warm* (a loop of
appends in one process, as a script makes).

Usage: ``python bench/append.py [--sizes 1000,10000,100000] [--appends 30] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from replay import generate

import sim.append
from sim import append_event, write_log
from sim.events import Information, Source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--appends", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    figures: dict[str, float] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        events = generate(size)
        last = events[-1].at
        with tempfile.TemporaryDirectory() as folder:
            write_log(folder, events)
            cold: list[float] = []
            warm: list[float] = []
            for n in range(2 * args.appends):
                event = Information(
                    id=f"bench-{n}",
                    at=last + timedelta(minutes=n + 1),
                    actors=("qatar_pm",),
                    source=Source(document="generated"),
                    summary="appended by the benchmark",
                )
                if n < args.appends:
                    sim.append._REMEMBERED.clear()
                started = time.perf_counter()
                append_event(folder, event)
                (cold if n < args.appends else warm).append(time.perf_counter() - started)
        for name, times in (("cold", cold), ("warm", warm)):
            figures[f"{name}_append_ms_at_{size}"] = round(statistics.median(times) * 1000, 2)
    if args.json:
        json.dump(figures, sys.stdout)
        sys.stdout.write("\n")
    else:
        for key, value in figures.items():
            print(f"{key:>28}: {value}")


if __name__ == "__main__":
    main()

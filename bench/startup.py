"""Benchmark: where the start-up of ``sim replay scenarios/baseline --json`` goes.

``bench/replay.py`` reports ``cli_import_ratio``: the command's CPU time against the import
floor ``python -c "import typer, structlog, attrs, cattrs"``, as whole processes (target at
most 1.5, issue 13).  This script takes the command apart, to show which part of the time over
the floor any change could still win.  It runs, taking turns, each the best of ``--processes``
whole processes (CPU time from ``os.wait4``; one untimed run of each first, with
``PYTHONDONTWRITEBYTECODE`` left out of the environment, so that all start from cached
bytecode):

- ``import_floor`` and ``cli_replay``: the two processes ``cli_import_ratio`` compares;
- one process that times, with its own CPU clock, each phase of the same command:

  - ``libs``: importing the floor's libraries;
  - ``import``: ``import sim.cli``.  Within it, ``attrs_classes``: attrs making the record
    classes the modules define (``attrs_class_count`` of them), and within that
    ``attrs_codegen``: compiling and running the methods attrs generates for them as source
    (``__init__``, ``__eq__``, ``__hash__``, ``__repr__``), at each start, since Python's
    bytecode cache keeps only modules;
  - ``load``, ``replay`` and ``json`` (building the ``--json`` object and writing it): the
    command's steps, each run twice; ``load_first_use`` and ``json_first_use`` are the first
    run less the second (the codec makes its decoder and hooks on first use, and the load
    imports ``tomllib``);
  - ``command``: the whole command through typer after that (``sim.cli.main``): typer building
    the command group, the log line, and the three steps warm.

``attrs_classes_floor_ratio`` is ``attrs_classes`` over the import floor; the target lets the
command spend ``allowed_over_floor`` (half the floor) over it, where it spends
``over_floor``.  Each phase figure is its best (least) over the instrumented processes, as each
process figure is the best of its runs.  The phases leave out the interpreter's start, which is
in both processes.

Usage: ``python bench/startup.py [--processes P] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from replay import CLI_REPLAY, FLOOR, SIM, cached_bytecode_env, process_cpu

PHASES = r"""
import contextlib, io, json, sys, time
clock = time.process_time
t0 = clock()
import typer, structlog, attrs, cattrs
t1 = clock()
spent = {"classes": 0.0, "codegen": 0.0, "count": 0}
def timing(fn, key):
    def timed(*args, **kwargs):
        start = clock()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[key] += clock() - start
            spent["count"] += key == "classes"
    return timed
try:  # attrs' private helpers (attrs 22.2 to 26.x): what attrs.define and frozen call to make a
    # class, and what compiles and runs the source of the methods it generates for it
    import attr._make as made, attr._next_gen as next_gen
    make_class, compile_and_eval = next_gen.attrs, made._compile_and_eval
except (ImportError, AttributeError):
    make_class = compile_and_eval = None
if make_class is not None:
    next_gen.attrs = timing(make_class, "classes")
    made._compile_and_eval = timing(compile_and_eval, "codegen")
import sim.cli
t2 = clock()
if make_class is not None:
    next_gen.attrs, made._compile_and_eval = make_class, compile_and_eval
from sim.analysis import milestone_names
from sim.cli.app import print_json
from sim.fold import replay
from sim.render.data import replay_data
from sim.store import load_log
path = sys.argv[1]
steps = {"load": [], "replay": [], "json": []}
for _ in range(2):
    with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
        a = clock()
        log = load_log(path)
        b = clock()
        trajectory = replay(log)
        c = clock()
        print_json(replay_data(trajectory, names=milestone_names(trajectory)))
        d = clock()
    steps["load"].append(b - a)
    steps["replay"].append(c - b)
    steps["json"].append(d - c)
sys.argv = ["sim", *sys.argv[2:]]
with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
    with contextlib.redirect_stderr(io.StringIO()):
        e = clock()
        try:
            sim.cli.main()
        except SystemExit as exit:
            assert not exit.code, exit.code
        f = clock()
figures = {
    "libs": t1 - t0,
    "import": t2 - t1,
    "attrs_classes": spent["classes"] if make_class is not None else None,
    "attrs_codegen": spent["codegen"] if make_class is not None else None,
    "attrs_class_count": spent["count"] if make_class is not None else None,
    "command": f - e,
}
for name, (first, warm) in steps.items():
    figures["first_" + name] = first
    figures["warm_" + name] = warm
print(json.dumps(figures))
"""
"""The instrumented process: ``python -c PHASES LOG ARGS...``, one JSON line of seconds."""


def measure(processes: int) -> dict[str, Any]:
    """The two processes ``cli_import_ratio`` compares, and the phases of the command, each
    process kind taking turns."""
    commands = {
        "import_floor": [sys.executable, "-c", FLOOR],
        "cli_replay": [sys.executable, "-c", SIM, *CLI_REPLAY],
        "phases": [sys.executable, "-c", PHASES, CLI_REPLAY[1], *CLI_REPLAY],
    }
    env = cached_bytecode_env()
    for command in commands.values():
        process_cpu(command, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    phases: list[dict[str, float]] = []
    for _ in range(processes):
        for name, command in commands.items():
            cpu, output = process_cpu(command, env, capture=name == "phases")
            times[name].append(cpu)
            if name == "phases":
                phases.append(json.loads(output.strip().splitlines()[-1]))
    floor, cli = min(times["import_floor"]), min(times["cli_replay"])
    ms = {
        key: round(1000 * min(p[key] for p in phases), 1)
        for key in phases[0]
        if key != "attrs_class_count" and phases[0][key] is not None
    }
    figures: dict[str, Any] = {
        "import_floor_ms": round(floor * 1000, 1),
        "cli_replay_ms": round(cli * 1000, 1),
        "cli_import_ratio": round(cli / floor, 3),
        "over_floor_ms": round((cli - floor) * 1000, 1),
        "allowed_over_floor_ms": round(0.5 * floor * 1000, 1),
        **{key + "_ms": value for key, value in ms.items()},
        "attrs_class_count": phases[0]["attrs_class_count"],
    }
    if "attrs_classes_ms" in figures:
        figures["attrs_classes_floor_ratio"] = round(
            figures["attrs_classes_ms"] / figures["import_floor_ms"], 3
        )
    for step in ("load", "json"):  # the replay makes nothing on first use
        figures[step + "_first_use_ms"] = round(ms["first_" + step] - ms["warm_" + step], 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--processes", type=int, default=7, help="whole processes per measure")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = measure(args.processes)
    if args.json:
        print(json.dumps(figures))
        return
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()

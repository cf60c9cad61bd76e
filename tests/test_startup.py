"""What a command starts with: the libraries that draw or compute are imported only by the
commands that use them (speed is measured in bench/replay.py, never in a test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "matplotlib",
    "pandas",
    "jinja2",
    "dask",
    "distributed",
    "numpy",
    "scipy",
    "SALib",
    "pyarrow",
)
BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline"
REPORT = (
    f"import sys; loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}));"
    " print('heavy:', *loaded, file=sys.stderr)"
)


def _heavy_loaded_by(code: str, *args: str) -> list[str]:
    """The heavy libraries a fresh interpreter has loaded after running ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{REPORT}", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = [line for line in done.stderr.splitlines() if line.startswith("heavy:")]
    assert len(report) == 1, done.stderr
    return report[0].split()[1:]


def test_importing_the_cli_loads_no_library_that_draws_or_computes() -> None:
    assert _heavy_loaded_by("import sim.cli") == []


@pytest.mark.parametrize("command", [["replay", "--json"], ["state", "--at", "2023-11-22"]])
def test_a_replay_loads_no_library_that_draws_or_computes(command: list[str]) -> None:
    run = (
        "import sys\n"
        "from sim.cli import main\n"
        "sys.argv[0] = 'sim'\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code"
    )
    name, *options = command
    assert _heavy_loaded_by(run, name, str(BASELINE), *options) == []


def test_the_check_sees_a_library_that_is_loaded() -> None:
    """The check above can fail: it names a heavy library once one is imported."""
    assert _heavy_loaded_by("import sim.cli, jinja2") == ["jinja2"]


def _modules_loaded_by(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(*sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_importing_the_what_if_engine_loads_neither_the_codec_nor_orjson() -> None:
    """The engine is core: the codec (and orjson, which it writes JSON with) is an edge."""
    loaded = _modules_loaded_by("import sim.whatif")
    assert "sim.whatif.derive" in loaded
    assert {"sim.codec", "orjson", "sim.scenario", "sim.scenario_spec"}.isdisjoint(loaded)


def test_the_import_check_sees_the_codec_once_an_edge_loads_it() -> None:
    """The check above can fail: reading scenario files loads the codec."""
    assert {"sim.codec", "orjson"} <= _modules_loaded_by("import sim.whatif, sim.scenario_spec")

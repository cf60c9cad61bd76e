"""Fuzzing every loader: garbage and broken logs never raise anything but :class:`SimError`.

The CI profile runs a few dozen examples per loader; ``make fuzz`` runs the ``fuzz`` profile
(10,000 examples per loader).  Each loader gets its own test, so each gets the full count.
"""

from __future__ import annotations

import functools
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from sim.append import append_event, read_event
from sim.codec import decode_event, encode_event
from sim.errors import SimError
from sim.exchange import csv_text, read_csv
from sim.recovery import repair
from sim.scenario import load_scenario
from sim.store import head_path, load_log, verify
from sim.whatif import Baseline, parse_scenario, prepare, whatif
from tests.builders import make
from tests.profiles import budget
from tests.strategies import (
    garbage,
    histories,
    json_values,
    mutated_bytes,
    mutated_record,
    mutated_scenario,
    scenario_data,
    scenario_texts,
    stored_logs,
)

HEADS = (
    st.none() | st.sampled_from(("0" * 64, "", "\u00e9", "f" * 64 + "\n" + "0" * 64)) | st.text()
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def only_sim_errors(call: Callable[[], Any], *, located: bool = True) -> None:
    """Run ``call``; a :class:`SimError` is a fine answer to bad input, anything else fails.

    The error must say something, carry an exit code the CLI knows, and (``located``) name
    the file.  Each outcome is counted (see ``--hypothesis-show-statistics``).
    """
    error: SimError | None = None
    try:
        call()
    except SimError as exc:
        error = exc
    event(f"refused: {error.code}" if error else "accepted")
    if error is not None:
        assert str(error).strip()
        assert error.exit_code in (1, 2, 3)
        assert error.path is not None or not located


def put(folder: Path, data: bytes, head: str | None) -> Path:
    path = folder / "events.jsonl"
    path.write_bytes(data)
    pinned = head_path(path)
    if head is None:
        pinned.unlink(missing_ok=True)
    else:
        pinned.write_text(head, encoding="utf-8")
    for backup in folder.glob("*.bak-*"):
        backup.unlink()
    return path


@budget(20)
@given(stored_logs(), HEADS)
@example(b'{"at":"x"', None)
@example(b"\n\n\xef\xbb\xbf{}", "0" * 64)
def test_load_log_raises_only_sim_errors(scratch: Path, data: bytes, head: str | None) -> None:
    path = put(scratch, data, head)
    only_sim_errors(lambda: load_log(path))
    only_sim_errors(lambda: load_log(path, check_chain=False))  # the path `sim seal` takes


@budget(20)
@given(stored_logs(), HEADS)
def test_verify_raises_only_sim_errors(scratch: Path, data: bytes, head: str | None) -> None:
    path = put(scratch, data, head)
    only_sim_errors(lambda: verify(path))


@budget(20)
@given(stored_logs(), HEADS)
def test_writers_on_broken_logs_raise_only_sim_errors(
    scratch: Path, data: bytes, head: str | None
) -> None:
    """Append and repair read the log first: a broken one must be refused cleanly."""
    path = put(scratch, data, head)
    only_sim_errors(lambda: append_event(path, make("call", "fuzz_new", 400)))
    path = put(scratch, data, head)
    only_sim_errors(lambda: repair(path))


@budget(20)
@given(
    garbage()
    | json_values().map(orjson.dumps)
    | mutated_record(encode_event(make("offer", "o", 1, text="v1"))).map(orjson.dumps)
)
def test_read_event_raises_only_sim_errors(data: bytes) -> None:
    only_sim_errors(lambda: read_event(data, source="event.json"))


RESPONSE = encode_event(make("response", "r", 1, to="o", decision="accepted"))


@budget(20)
@given(json_values() | mutated_record(RESPONSE))
def test_decode_event_raises_only_sim_errors(record: Any) -> None:
    only_sim_errors(lambda: decode_event(record), located=False)


# ------------------------------------------------------------------------------------ scenarios

WHATIF = Path(__file__).resolve().parent.parent / "scenarios" / "whatif"
SEED_TEXTS = tuple(path.read_bytes() for path in sorted(WHATIF.glob("*.toml")))
SEED_DATA = tuple(tomllib.loads(text.decode()) for text in SEED_TEXTS)
BASE_IDS = tuple(e.id for e in load_log(WHATIF.parent / "baseline").events)


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled scenarios folder: the baseline, and a folder for scenario files."""
    root = tmp_path_factory.mktemp("scenarios")
    shutil.copytree(WHATIF.parent / "baseline", root / "baseline")
    (root / "whatif").mkdir()
    return root / "whatif"


@functools.cache
def baseline() -> Baseline:
    """The bundled baseline, prepared once (not a fixture: Hypothesis would print it)."""
    return prepare(load_log(WHATIF.parent / "baseline"))


@budget(20)
@given(scenario_texts(SEED_TEXTS))
@example(b'[scenario]\nname = "x"\nbase = "fuzz.toml"\n')
def test_scenario_files_raise_only_sim_errors(stage: Path, data: bytes) -> None:
    path = stage / "fuzz.toml"
    path.write_bytes(data)
    before = (stage.parent / "baseline" / "events.jsonl").stat().st_mtime_ns
    only_sim_errors(lambda: load_scenario(path))
    assert (stage.parent / "baseline" / "events.jsonl").stat().st_mtime_ns == before


@budget(20)
@given(st.sampled_from(SEED_DATA).flatmap(mutated_scenario) | scenario_data(BASE_IDS))
def test_parsed_scenarios_raise_only_sim_errors(stage: Path, data: dict[str, Any]) -> None:
    """The scenario's content (what TOML parsing gives), read and run against the baseline."""

    def run() -> None:
        spec = parse_scenario(data, path=str(stage / "fuzz.toml"))
        whatif(baseline(), spec.interventions, name=spec.name)

    only_sim_errors(run, located=False)


# ------------------------------------------------------------------------------------ CSV import


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """CSV an analyst might hand over: garbage, or an export of a history with bytes broken."""
    if draw(st.booleans()):
        return draw(garbage())
    history = draw(histories(min_size=1, max_size=5))
    return draw(mutated_bytes(csv_text(history).encode()))


@budget(20)
@given(csv_files())
@example(b'kind,id,at,source.document\ncall,"x\n')
def test_csv_import_raises_only_sim_errors(scratch: Path, data: bytes) -> None:
    path = scratch / "events.csv"
    path.write_bytes(data)
    only_sim_errors(lambda: read_csv(path))

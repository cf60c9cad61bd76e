"""Fuzzing every loader: garbage and broken logs never raise anything but :class:`SimError`.

The CI profile runs a few dozen examples per loader; ``make fuzz`` runs the ``fuzz`` profile
(10,000 examples per loader).  Each loader gets its own test, so each gets the full count.

Besides broken input, each loader gets *hostile* input (issue 12): control characters in ids,
keys repeated, times out of order, nesting deeper than a parser's stack, files over the limit.
:data:`LOADERS` lists every function of sim that reads a user's file or text, with the fuzz
test that covers it; :func:`test_every_loader_is_fuzzed` fails when a new one appears without
one.  The manifest and study loaders do not exist yet: when ``sim.manifest`` or ``sim.study``
add theirs (``load_manifest``, ``load_study``, ...), that test names them, and each needs a
test here like :func:`test_scenario_files_raise_only_sim_errors` (a file of garbage, seeds cut
and spliced, and :func:`tests.strategies.hostile_scenario_texts` for a TOML one).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import itertools
import pkgutil
import shutil
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

import sim
from sim.append import append_event, read_event
from sim.codec import decode_event, decode_manifest, duplicate_fault, encode_event
from sim.errors import SimError
from sim.exchange import csv_text, read_csv
from sim.fold import Log
from sim.recovery import repair
from sim.scenario import load_scenario
from sim.store import head_path, load_log, read_manifest, verify
from sim.studies import parse_study, read_study, study
from sim.text import UNSAFE
from sim.times import parse_zone, show_time
from sim.whatif import Baseline, parse_scenario, prepare, whatif
from tests.builders import make
from tests.profiles import budget
from tests.strategies import (
    garbage,
    histories,
    hostile_events,
    hostile_logs,
    hostile_scenario_texts,
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


# ------------------------------------------------------------------------------------ studies

STUDIES = WHATIF.parent / "studies"
STUDY_TEXTS = tuple(path.read_bytes() for path in sorted(STUDIES.glob("*.toml")))
STUDY_DATA = tuple(tomllib.loads(text.decode()) for text in STUDY_TEXTS)


@budget(20)
@given(scenario_texts(STUDY_TEXTS))
@example(b'[study]\nname = "x"\nbase = "../baseline"\n[[vary]]\nretime = { all = true }\n')
def test_study_files_raise_only_sim_errors(stage: Path, data: bytes) -> None:
    path = stage / "fuzz.toml"
    path.write_bytes(data)
    only_sim_errors(lambda: read_study(path))


@budget(20)
@given(st.sampled_from(STUDY_DATA).flatmap(mutated_scenario))
@example(
    {
        "study": {"name": "x", "base": "../baseline"},
        "vary": [{"retime": {"id": "talks-resume"}, "by": {"dist": "normal", "mean": "0d"}}],
    }
)
def test_parsed_studies_raise_only_sim_errors(stage: Path, data: dict[str, Any]) -> None:
    """A study's content (what TOML parsing gives, its distributions parsed by parse_dist),
    read, made ready against the baseline and run for two samples."""

    def run() -> None:
        spec = parse_study(data, path=str(stage / "fuzz.toml"))
        study(attrs.evolve(spec, samples=2), sensitivity=None)

    only_sim_errors(run, located=False)


# ------------------------------------------------------------------------------------ manifests

MANIFESTS: tuple[bytes, ...] = tuple(
    (Path(__file__).resolve().parent.parent / "scenarios" / name / "scenario.toml").read_bytes()
    for name in ("baseline", "colombia-2016")
)
MANIFEST_DATA: tuple[dict[str, Any], ...] = tuple(tomllib.loads(m.decode()) for m in MANIFESTS)


@budget(20)
@given(scenario_texts(MANIFESTS) | hostile_scenario_texts(MANIFESTS))
def test_manifests_raise_only_sim_errors(scratch: Path, data: bytes) -> None:
    """A scenario.toml broken as text, cut and spliced, or hostile: a manifest or one
    SimError naming the file."""
    (scratch / "scenario.toml").write_bytes(data)
    only_sim_errors(lambda: read_manifest(scratch))


@budget(20)
@given(st.sampled_from(MANIFEST_DATA).flatmap(mutated_scenario))
def test_parsed_manifests_raise_only_sim_errors(data: dict[str, Any]) -> None:
    """A manifest's content with values replaced, dropped or added anywhere: a manifest, or
    one SimError naming the file and the key (``bad-manifest``)."""
    error: SimError | None = None
    try:
        decode_manifest(data, path="scenario.toml")
    except SimError as exc:
        error = exc
    event(f"refused: {error.code}" if error else "accepted")
    if error is not None:
        assert error.code == "bad-manifest"
        assert error.exit_code == 2
        assert str(error).startswith("scenario.toml: ")


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


# ------------------------------------------------------------------------------------ hostile


@given(hostile_logs(), HEADS)
def test_hostile_logs_raise_only_sim_errors_and_never_load(
    scratch: Path, data: bytes, head: str | None
) -> None:
    """Whatever loads has no id with a control character, no time out of order, no key
    repeated; every reader and writer answers the rest with a :class:`SimError`."""
    path = put(scratch, data, head)
    loaded: Log | None = None

    def load() -> None:
        nonlocal loaded
        loaded = load_log(path)

    only_sim_errors(load)
    if loaded is not None:
        assert [e.id for e in loaded.events if UNSAFE.search(e.id)] == []
        assert all(a.at <= b.at for a, b in itertools.pairwise(loaded.events))
        assert [raw for raw in data.splitlines() if duplicate_fault(raw)] == []
    only_sim_errors(lambda: verify(path))
    only_sim_errors(lambda: append_event(path, make("call", "fuzz_new", 400)))
    path = put(scratch, data, head)
    only_sim_errors(lambda: repair(path))


@given(hostile_scenario_texts(SEED_TEXTS))
def test_hostile_scenario_files_raise_only_sim_errors(stage: Path, data: bytes) -> None:
    path = stage / "fuzz.toml"
    path.write_bytes(data)
    only_sim_errors(lambda: load_scenario(path))


@given(hostile_events())
def test_hostile_event_files_raise_only_sim_errors(data: bytes) -> None:
    only_sim_errors(lambda: read_event(data, source="event.json"))


@given(st.text(max_size=80))
@example("America")  # a folder of the zone database, not a zone
@example("x" * 5000)  # longer than a file name may be
def test_any_tz_is_a_zone_or_one_sim_error(text: str) -> None:
    only_sim_errors(
        lambda: show_time(datetime.max.replace(tzinfo=UTC), parse_zone(text)), located=False
    )


# ------------------------------------------------------------------------------------ the registry

LOADERS: dict[str, str] = {
    "sim.store.load.load_log": "test_load_log_raises_only_sim_errors, test_hostile_logs_...",
    "sim.store.load.load_file": "through load_log (and seal, which loads without the chain)",
    "sim.store.load.read_manifest": "test_manifests_raise_only_sim_errors",
    "sim.store.paths.read_bytes": "through load_log and verify",
    "sim.store.paths.read_head": "through load_log and verify (HEADS: pinned heads of any text)",
    "sim.store.paths.parse_head": "an option's value, checked by a pattern (catalogue: bad-option)",
    "sim.append.read_event": "test_read_event_raises_only_sim_errors, test_hostile_event_files",
    "sim.codec.parse_json": "through read_event and load_log",
    "sim.scenario.load_scenario": "test_scenario_files_raise_only_sim_errors, hostile ones",
    "sim.scenario.read_spec": "through load_scenario",
    "sim.scenario.read_toml": "through read_spec and read_study (scenario and study files)",
    "sim.scenario.load": "load_log or load_scenario, by the path's suffix",
    "sim.times.parse_duration": "through parse_scenario (durations to the calendar's ends)",
    "sim.times.parse_time": "through parse_scenario (times to the calendar's ends)",
    "sim.times.parse_span": "through decode_event (an event's patience) and parse_scenario",
    "sim.cli.analyst.load_target": "sim.open: load_scenario or load_log (for sim.cli.study)",
    "sim.scenario_spec.parse_scenario": "test_parsed_scenarios_raise_only_sim_errors",
    "sim.exchange.read_csv": "test_csv_import_raises_only_sim_errors",
    "sim.exchange.read_csv_text": "through read_csv",
    "sim.files.read_regular": "the bounded reader under every loader above",
    "sim.cli.core.parse_point": "an option's value (--at, --from, --to), against a loaded log",
    "sim.times.parse_zone": "test_any_tz_is_a_zone_or_one_sim_error",
    "sim.studies.api.read_study": "test_study_files_raise_only_sim_errors",
    "sim.studies.spec.parse_study": "test_parsed_studies_raise_only_sim_errors",
    "sim.studies.spec.parse_dist": "through parse_study (every by = { dist = ... })",
}
"""Every function of sim that reads a user's file or text, and the fuzzing that covers it."""


def _readers() -> set[str]:
    """The public functions of sim's modules whose names say they load, read or parse."""
    found = set()
    for info in pkgutil.walk_packages(sim.__path__, "sim."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if not inspect.isfunction(value) or value.__module__ != info.name:
                continue
            if not name.startswith("_") and name.split("_")[0] in ("load", "read", "parse"):
                found.add(f"{info.name}.{name}")
    return found


def test_every_loader_is_fuzzed() -> None:
    """A new loader (the manifest's, a study's) needs a fuzz test here, and an entry above."""
    assert _readers() - set(LOADERS) == set()
    assert set(LOADERS) - _readers() == set()

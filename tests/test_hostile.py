"""Hostile files, full disks and shared folders (issue 12): no traceback, no damage, no hang.

One test (or a few) per item of the issue, each of which failed before its fix.  They run the
library or the CLI in-process where they can; a command that once hung, or that must meet file
permissions as a user does (root ignores them), runs as a subprocess with a time limit.  The
full-disk tests mount a small tmpfs and are skipped, with the reason, where that is not allowed.
``make hostile`` runs these, then ``tests/hostile_attacks.py`` (the attacks re-run end to end).
"""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from typer.testing import CliRunner, Result

from sim import append as sim_append
from sim.append import append_event
from sim.cli import app
from sim.codec import GENESIS, encode_event, line_hash, record_bytes, stored_line
from sim.errors import SimError
from sim.exchange import csv_text
from sim.recovery import repair
from sim.scenario import read_spec
from sim.store import head_path, load_log, read_head, verify, write_log
from sim.text import UNSAFE, printable
from tests.builders import make

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
MAIN = "import sys; from sim.cli import main; sys.argv[0] = 'sim'; main()"


# ------------------------------------------------------------------------------------ helpers


def sealed(folder: Path, n: int = 3) -> Path:
    """A sealed log of ``n`` calls in ``folder``, head pinned; returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    write_log(folder, [make("call", f"c{i}", i) for i in range(n)])
    return folder / "events.jsonl"


def call(ident: str, day: float = 30, **fields: Any) -> bytes:
    """A call event's JSON, as a user's event file holds it (any id: not checked here)."""
    record = encode_event(make("call", "placeholder", day, **fields))
    return orjson.dumps({**record, "id": ident})


def torn(log: Path, keep: int = 40) -> None:
    """Cut the last line to ``keep`` bytes, the head pinning the line before (a crash)."""
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:-1]) + lines[-1][:keep])
    head_path(log).write_text(json.loads(lines[-2])["hash"] + "\n")


def sim(*args: str | Path, stdin: bytes | None = None) -> Result:
    """``sim ARGS`` in-process, with the command's log line as JSON (for its code)."""
    return runner.invoke(app, ["--log-json", *(str(a) for a in args)], input=stdin)


def code_of(result: Result) -> str | None:
    """The error code the command logged, if it failed."""
    for text in reversed(result.stderr.strip().splitlines()):
        with_code: dict[str, Any] = json.loads(text) if text.startswith("{") else {}
        if "code" in with_code:
            return str(with_code["code"])
    return None


def refused(result: Result, exit_code: int, code: str, *says: str) -> None:
    """The command failed with ``exit_code`` and ``code``, one message, no traceback."""
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: "), result.stderr
    assert code_of(result) == code, result.stderr
    for words in says:
        assert words in result.stderr, f"{words!r} not in {result.stderr}"


def files(folder: Path) -> dict[str, tuple[int, bytes | str | None]]:
    """Every entry under ``folder``: its mode and bytes (a link: its target)."""
    found: dict[str, tuple[int, bytes | str | None]] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        content: bytes | str | None = None
        if stat.S_ISLNK(info.st_mode):
            content = str(path.readlink())
        elif stat.S_ISREG(info.st_mode):
            content = path.read_bytes()
        found[str(path.relative_to(folder))] = (info.st_mode, content)
    return found


def unchanged_but_locks(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether only the writers' empty lock files differ."""
    return {k: v for k, v in after.items() if not k.endswith(".lock")} == {
        k: v for k, v in before.items() if not k.endswith(".lock")
    }


def finishes(work: Callable[[], Any], seconds: float = 20.0) -> Any:
    """``work()``'s result, failing the test (not hanging it) if it takes over ``seconds``."""
    box: list[Any] = []
    thread = threading.Thread(target=lambda: box.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s: a hang"
    return box[0]


def subprocess_sim(
    *args: str | Path,
    cwd: Path,
    limited: bool = False,
    timeout: float = 40.0,
    stdin: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``sim ARGS`` as a process; ``limited``: as root without its power over file modes."""
    command = [sys.executable, "-c", MAIN, *(str(a) for a in args)]
    if limited and os.geteuid() == 0:
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
        command += [sys.executable, "-c", MAIN, *(str(a) for a in args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    with (stdin or Path(os.devnull)).open("rb") as source:
        return subprocess.run(
            command,
            cwd=cwd,
            env=env,
            stdin=source,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


_SEVERAL = """
import contextlib, io, json, sys
from sim.cli import main
results = []
for args in json.loads(sys.argv[1]):
    sys.argv = ["sim", *args]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code
    results.append([code, err.getvalue()])
sys.stdout.write(json.dumps(results))
"""


def limited_sims(commands: list[list[str]], *, cwd: Path) -> list[tuple[int, str]]:
    """Several ``sim`` commands in one process run as root without its power over file modes
    (one interpreter start for all): each command's exit code and stderr."""
    command = [sys.executable, "-c", _SEVERAL, json.dumps(commands)]
    if os.geteuid() == 0:
        command = [
            "setpriv",
            "--bounding-set=-dac_override,-dac_read_search,-fowner",
            "--",
            *command,
        ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return [(code, err) for code, err in json.loads(done.stdout)]


needs_limits = pytest.mark.skipif(
    os.geteuid() == 0 and shutil.which("setpriv") is None,
    reason="as root, meeting file permissions needs setpriv to drop root's power over them",
)


@contextmanager
def small_disk(tmp_path: Path, size: str = "256k") -> Iterator[Path]:
    """A tmpfs of ``size`` (skip where mounting is not allowed)."""
    where = tmp_path / "disk"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.strip() or 'no root'}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill ``disk`` but ``leave`` bytes with a file of zeros; return the file."""
    filler = disk / "filler"
    with filler.open("ab") as handle:
        try:
            while (free := shutil.disk_usage(disk).free - leave) > 0:
                handle.write(b"\0" * min(free, 1 << 16))
                handle.flush()
        except OSError:
            pass
    return filler


def null_device(folder: Path) -> Path:
    """A null device to write to: one made in ``folder`` where we may (as root), so that a
    bug that replaces it never replaces the system's ``/dev/null``; else ``/dev/null``, which a
    user who cannot make device nodes cannot replace either."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    node = folder / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return node


def attempt(work: Callable[..., object], *args: Any) -> SimError | None:
    """The :class:`SimError` ``work(*args)`` raised, or ``None`` if it succeeded."""
    try:
        work(*args)
    except SimError as exc:
        return exc
    return None


def refuse_temps(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Make creating sim's temporary files fail with ``code`` (a full disk, a refusal)."""
    real = os.open

    def fake(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        if str(path).endswith(".tmp") and flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path))
        return real(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", fake)


# 1 ---------------------------------------------------------------- planted links


def test_append_never_writes_through_a_link_planted_at_the_head_temp_name(tmp_path: Path) -> None:
    victim = tmp_path / "V"
    victim.write_text("precious\n")
    log = sealed(tmp_path / "log")
    (tmp_path / "log" / "events.jsonl.head.tmp").symlink_to(victim)
    append_event(log, make("call", "b", 30))
    assert victim.read_text() == "precious\n"
    assert not head_path(log).is_symlink()
    assert read_head(log) == load_log(log).hashes[-1]
    assert not (tmp_path / "log" / "events.jsonl.head.tmp").exists()  # cleaned as stale


def test_a_new_log_is_never_created_through_a_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    elsewhere = tmp_path / "elsewhere.jsonl"
    (tmp_path / "new" / "events.jsonl").symlink_to(elsewhere)
    (tmp_path / "b.json").write_bytes(call("b"))
    result = sim("append", tmp_path / "new", tmp_path / "b.json", "--expect", "0")
    refused(result, 2, "bad-path", "something is already there")
    assert not elsewhere.exists()
    assert (tmp_path / "new" / "events.jsonl").is_symlink()
    assert not head_path(tmp_path / "new" / "events.jsonl").exists()


# 2 ---------------------------------------------------------------- failures undone


def test_an_append_whose_head_cannot_be_pinned_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = sealed(tmp_path)
    before = files(tmp_path)
    refuse_temps(monkeypatch, errno.ENOSPC)
    with pytest.raises(SimError) as caught:
        append_event(log, make("call", "b", 30))
    assert caught.value.exit_code == 4
    assert caught.value.code == "disk-full"
    assert "no space left" in str(caught.value)
    assert unchanged_but_locks(before, files(tmp_path))


def test_a_line_that_cannot_be_written_whole_is_cut_off_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = sealed(tmp_path)
    before = files(tmp_path)
    real = os.write

    def half(fd: int, data: Any) -> int:  # the disk fills in the middle of the line
        if len(data) > 100:
            real(fd, bytes(data[:50]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(os, "write", half)
    with pytest.raises(SimError) as caught:
        append_event(log, make("call", "b", 30, summary="x" * 500))
    assert caught.value.exit_code == 4
    monkeypatch.undo()
    assert unchanged_but_locks(before, files(tmp_path))
    assert verify(log).ok


def test_appends_on_a_small_full_disk_fail_whole_and_lose_nothing(tmp_path: Path) -> None:
    with small_disk(tmp_path, "512k") as disk:
        log = disk / "events.jsonl"
        append_event(log, make("call", "c0", 0), expect=0)
        acked, refusals = ["c0"], 0
        for n in range(1, 40):
            before = (log.read_bytes(), head_path(log).read_bytes())
            error = attempt(append_event, log, make("call", f"c{n}", n, summary="x" * 60_000))
            if error is not None:
                assert (error.exit_code, error.code) == (4, "disk-full")
                assert (log.read_bytes(), head_path(log).read_bytes()) == before
                refusals += 1
                if refusals == 3:
                    break
            else:
                acked.append(f"c{n}")
            assert verify(log).ok
        assert refusals == 3
        assert [e.id for e in load_log(log).events] == acked
        assert not [p.name for p in disk.iterdir() if p.name.endswith(".tmp")]


def test_a_full_disk_between_the_line_and_its_head_undoes_the_line(tmp_path: Path) -> None:
    with small_disk(tmp_path) as disk:
        log = disk / "events.jsonl"
        append_event(log, make("call", "c0", 0), expect=0)
        outcomes = set()
        for n, leave in enumerate((0, 2048, 4096, 6144, 8192), start=1):
            filler = fill(disk, leave)
            before = (log.read_bytes(), head_path(log).read_bytes())
            error = attempt(append_event, log, make("call", f"c{n}", n, summary="y" * 3900))
            if error is not None:
                assert error.exit_code == 4
                assert (log.read_bytes(), head_path(log).read_bytes()) == before
                outcomes.add("refused")
            else:
                outcomes.add("appended")
            filler.unlink()
            assert verify(log).ok
        assert outcomes == {"refused", "appended"}


def test_repair_and_seal_on_a_full_disk_change_nothing(tmp_path: Path) -> None:
    with small_disk(tmp_path) as disk:
        log = sealed(disk, 30)
        torn(log)
        fill(disk)
        before = files(disk)
        result = sim("verify", "--repair", disk)
        refused(result, 4, "disk-full", "no space left", "nothing was changed")
        assert files(disk) == before
        (disk / "filler").unlink()
        repair(log)
        fill(disk)
        before = files(disk)
        refused(sim("seal", disk), 4, "disk-full")
        assert files(disk) == before


# 3 ---------------------------------------------------------------- bounded reads


def test_events_from_endless_sources_are_refused_at_once(tmp_path: Path) -> None:
    sealed(tmp_path / "log")
    result = finishes(lambda: sim("append", tmp_path / "log", "/dev/zero"))
    refused(result, 2, "unreadable", "not a regular file", "a character device")
    done = subprocess_sim("append", "log", "-", cwd=tmp_path, stdin=Path("/dev/zero"))
    assert done.returncode == 2
    assert "<stdin>: the event is too long" in done.stderr
    assert "Traceback" not in done.stderr
    result = finishes(lambda: sim("import", "/dev/zero", "-o", tmp_path / "x.jsonl"))
    refused(result, 2, "unreadable")


def test_a_head_file_linked_to_dev_zero_is_refused_by_every_reader(tmp_path: Path) -> None:
    log = sealed(tmp_path)
    head_path(log).unlink()
    head_path(log).symlink_to("/dev/zero")
    (tmp_path / "b.json").write_bytes(call("b"))
    for args in (
        ("verify", tmp_path),
        ("replay", tmp_path),
        ("append", tmp_path, tmp_path / "b.json"),
    ):
        result = finishes(lambda args=args: sim(*args))  # type: ignore[misc]
        refused(result, 2, "unreadable", "the pinned head is not a regular file")


def test_files_over_their_limit_are_refused_before_they_are_read(tmp_path: Path) -> None:
    (tmp_path / "big").mkdir()
    with (tmp_path / "big" / "events.jsonl").open("wb") as handle:
        handle.truncate((1 << 30) + 1)  # sparse: nothing is written
    refused(sim("replay", tmp_path / "big"), 2, "file-too-large", "expected at most 1 GiB")
    with (tmp_path / "big.toml").open("wb") as handle:
        handle.truncate(200 << 20)
    refused(sim("whatif", tmp_path / "big.toml"), 2, "file-too-large", "at most 1 MiB")


# 4 ---------------------------------------------------------------- OS errors


@needs_limits
def test_writes_refused_by_the_system_are_one_message_with_exit_4(tmp_path: Path) -> None:
    log = sealed(tmp_path / "log")
    sealed(tmp_path / "torn")
    torn(tmp_path / "torn" / "events.jsonl")
    (tmp_path / "b.json").write_bytes(call("b"))
    for folder in ("log", "torn"):
        (tmp_path / folder).chmod(0o555)
    before = files(tmp_path)
    commands = [
        ["append", "log", "b.json"],
        ["verify", "--repair", "torn"],
        ["seal", "log"],
        ["append", "log/new.jsonl", "b.json", "--expect", "0"],
    ]
    for args, (code, err) in zip(commands, limited_sims(commands, cwd=tmp_path), strict=True):
        assert code == 4, (args, err)
        assert err.startswith("error: ")
        assert "permission denied" in err
        assert "Traceback" not in err
    assert unchanged_but_locks(before, files(tmp_path))
    assert log.read_bytes().count(b"\n") == 3


@needs_limits
def test_a_lock_file_made_by_another_user_does_not_stop_a_writer(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving the lock file to another user needs root")
    log = sealed(tmp_path)
    lock = log.with_name("events.jsonl.lock")
    os.chown(lock, 65534, 65534)
    lock.chmod(0o644)
    (tmp_path / "b.json").write_bytes(call("b"))
    done = subprocess_sim("append", ".", "b.json", cwd=tmp_path, limited=True)
    assert done.returncode == 0, done.stderr
    assert [e.id for e in load_log(log).events][-1] == "b"


def test_a_folder_at_the_lock_name_is_one_message(tmp_path: Path) -> None:
    log = sealed(tmp_path)
    lock = log.with_name("events.jsonl.lock")
    lock.unlink()
    lock.mkdir()
    (tmp_path / "b.json").write_bytes(call("b"))
    result = sim("append", tmp_path, tmp_path / "b.json")
    refused(result, 4, "io-error", "the lock file is not a file", "found a folder")


def test_unusable_paths_are_one_message_with_exit_2(tmp_path: Path) -> None:
    long = "/".join(["d" * 250] * 20)
    for args in (("replay", long), ("verify", long), ("whatif", long + ".toml")):
        refused(sim(*args), 2, "bad-path", "the path is too long")
    (tmp_path / "e.csv").write_text(csv_text([make("call", "a", 0)]))
    null = null_device(tmp_path)
    refused(sim("import", tmp_path / "e.csv", "-o", null, "--force"), 2, "unreadable")
    refused(sim("export", tmp_path, "--format", "csv", "-o", null), 2, "unwritable")
    assert null.is_char_device()


# 5 ---------------------------------------------------------------- deep nesting


@pytest.mark.parametrize(
    "value",
    ["[" * 100_000 + "]" * 100_000, "{a = " * 5_000 + "1" + "}" * 5_000, "[" * 40 + "]" * 40],
    ids=["100000 arrays", "5000 inline tables", "40 arrays"],
)
def test_deeply_nested_scenarios_are_refused(tmp_path: Path, value: str) -> None:
    sealed(tmp_path / "base")
    path = tmp_path / "x.toml"
    path.write_text(f'[scenario]\nname = "x"\nbase = "base"\nx = {value}\n')
    with pytest.raises(SimError) as caught:
        read_spec(path)
    assert caught.value.code == "nested-too-deep"
    assert caught.value.path == str(path)


# 6 ---------------------------------------------------------------- extreme times


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("2023-11-01T12:00:00+00:00", "9999-12-31T23:59:59-14:00"),
        ("0001-01-01T00:00:00+14:00", "2023-11-01T12:00:00+00:00"),
    ],
    ids=["end of the calendar", "start of the calendar"],
)
def test_chart_and_report_draw_times_at_the_ends_of_the_calendar(
    tmp_path: Path, first: str, last: str
) -> None:
    events = [
        attrs.evolve(make("call", "a", 0), at=datetime.fromisoformat(first)),
        attrs.evolve(make("call", "b", 0), at=datetime.fromisoformat(last)),
    ]
    write_log(tmp_path, events)
    for output in ("c.svg", "r.html"):
        command = "chart" if output.endswith("svg") else "report"
        result = sim(command, tmp_path, "-o", tmp_path / output)
        assert result.exit_code == 0, result.output
        assert (tmp_path / output).stat().st_size > 1000


# 7 ---------------------------------------------------------------- repair of non-logs


@pytest.mark.parametrize(
    "data", [b"secret", b'{"secret', b"\0" * 4096], ids=["text", "half", "nul"]
)
def test_repair_never_cuts_a_file_that_is_not_a_verified_log(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(data)
    result = sim("verify", "--repair", path)
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output
    assert path.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == ["t.jsonl"]


def test_a_scenario_on_a_text_file_is_not_told_to_repair_it(tmp_path: Path) -> None:
    (tmp_path / "t.jsonl").write_bytes(b"secret")
    (tmp_path / "s.toml").write_text('[scenario]\nname = "s"\nbase = "t.jsonl"\n')
    result = sim("whatif", tmp_path / "s.toml")
    refused(result, 2, "base-invalid")
    assert "--repair" not in result.stderr


# 8 ---------------------------------------------------------------- modes


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_backup_has_the_mode_of_its_log(tmp_path: Path) -> None:
    log = sealed(tmp_path)
    torn(log)
    log.chmod(0o600)
    done = repair(log)
    assert done.backup is not None
    assert mode(Path(done.backup)) == 0o600


def test_seal_keeps_the_modes_of_the_log_and_its_head(tmp_path: Path) -> None:
    log = sealed(tmp_path)
    log.chmod(0o664)
    head_path(log).chmod(0o664)
    assert sim("seal", tmp_path).exit_code == 0
    assert (mode(log), mode(head_path(log))) == (0o664, 0o664)


def test_new_outputs_take_the_umask_and_replaced_ones_keep_their_mode(tmp_path: Path) -> None:
    sealed(tmp_path / "log")
    old = os.umask(0o022)
    try:
        for args in (
            ("export", tmp_path / "log", "--format", "csv", "-o", tmp_path / "e.csv"),
            ("import", tmp_path / "e.csv", "-o", tmp_path / "new"),
            ("chart", tmp_path / "log", "-o", tmp_path / "c.svg"),
        ):
            assert sim(*args).exit_code == 0
        for name in ("e.csv", "new/events.jsonl", "new/events.jsonl.head", "c.svg"):
            assert mode(tmp_path / name) == 0o644, name
        (tmp_path / "e.csv").chmod(0o640)
        done = sim("export", tmp_path / "log", "--format", "csv", "-o", tmp_path / "e.csv")
        assert done.exit_code == 0
        assert mode(tmp_path / "e.csv") == 0o640
    finally:
        os.umask(old)


# 9 ---------------------------------------------------------------- no head


@pytest.mark.parametrize("head", ["missing", "empty"])
def test_a_log_without_its_head_says_its_end_is_unchecked(tmp_path: Path, head: str) -> None:
    log = sealed(tmp_path, 8)
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:-3]))  # a cut tail
    if head == "missing":
        head_path(log).unlink()
    else:
        head_path(log).write_text("")
    result = sim("verify", tmp_path)
    assert result.exit_code == 0
    assert "end unchecked" in result.stdout
    assert f"no pinned head (events.jsonl.head is {head})" in result.stdout
    assert sim("verify", tmp_path, "--strict").exit_code == 1
    report = json.loads(sim("verify", tmp_path, "--json").stdout)
    assert report["tail_unchecked"].startswith("no pinned head")
    before = files(tmp_path)
    (tmp_path.parent / "b.json").write_bytes(call("b"))
    refused(sim("append", tmp_path, tmp_path.parent / "b.json"), 2, "no-head", "sim seal")
    assert unchanged_but_locks(before, files(tmp_path))


# 10 --------------------------------------------------------------- out of order


def out_of_order(folder: Path) -> None:
    info = attrs.evolve(make("information", "info", 0), at=datetime(2024, 3, 1, tzinfo=UTC))
    dark = make("blackout_started", "dark", 0, area="gaza")
    dark = attrs.evolve(dark, at=datetime(2024, 1, 1, tzinfo=UTC))
    write_log(folder, [info, dark])


def test_a_log_out_of_time_order_is_refused_with_its_line(tmp_path: Path) -> None:
    out_of_order(tmp_path)
    with pytest.raises(SimError) as caught:
        load_log(tmp_path)
    assert (caught.value.code, caught.value.line) == ("out-of-order", 2)
    assert "dated before the event on line 1 ('info')" in caught.value.what
    refused(sim("state", tmp_path, "--at", "2024-02-01"), 2, "out-of-order")
    refused(sim("seal", tmp_path), 2, "out-of-order")


def test_an_import_out_of_time_order_is_refused_with_its_row(tmp_path: Path) -> None:
    (tmp_path / "good").mkdir()
    write_log(tmp_path / "good", [make("call", "a", 0), make("call", "b", 1)])
    rows = sim("export", tmp_path / "good", "--format", "csv").stdout
    header, first, second = rows.strip("\n").split("\n")[:3]
    (tmp_path / "bad.csv").write_text(f"{header}\n{second}\n{first}\n")
    result = sim("import", tmp_path / "bad.csv", "-o", tmp_path / "new")
    assert result.exit_code == 2
    assert "bad.csv:3" in result.stderr
    assert "dated before the row above it" in result.stderr
    assert not (tmp_path / "new").exists()


# 11 --------------------------------------------------------------- FIFOs and stuck locks


@pytest.mark.parametrize("where", ["head", "log", "event", "csv", "scenario"])
def test_a_fifo_is_refused_at_once(tmp_path: Path, where: str) -> None:
    log = sealed(tmp_path / "log")
    (tmp_path / "b.json").write_bytes(call("b"))
    if where == "head":
        head_path(log).unlink()
        os.mkfifo(head_path(log))
        args: tuple[str | Path, ...] = ("verify", tmp_path / "log")
    elif where == "log":
        log.unlink()
        os.mkfifo(log)
        args = ("replay", log)
    elif where == "event":
        os.mkfifo(tmp_path / "e.json")
        args = ("append", tmp_path / "log", tmp_path / "e.json")
    elif where == "csv":
        os.mkfifo(tmp_path / "e.csv")
        args = ("import", tmp_path / "e.csv", "-o", tmp_path / "n.jsonl")
    else:
        os.mkfifo(tmp_path / "s.toml")
        args = ("whatif", tmp_path / "s.toml")
    result = finishes(lambda: sim(*args))
    refused(result, 2, "unreadable", "not a regular file", "FIFO")


def test_a_writer_waits_for_a_stuck_lock_holder_only_as_long_as_told(tmp_path: Path) -> None:
    log = sealed(tmp_path)
    holder = os.open(log.with_name("events.jsonl.lock"), os.O_RDWR)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        (tmp_path / "b.json").write_bytes(call("b"))
        result = finishes(lambda: sim("append", tmp_path, tmp_path / "b.json", "--wait", "0.3"))
        refused(result, 3, "lock-timeout", "another writer holds the log's lock", "0.3 s")
        if Path("/proc/locks").exists():
            assert f"process {os.getpid()}" in result.stderr
        torn(log)
        result = finishes(lambda: sim("verify", "--repair", tmp_path, "--wait", "0"))
        refused(result, 3, "lock-timeout")
    finally:
        os.close(holder)


# 12 --------------------------------------------------------------- leftovers


def test_writers_clean_the_temporary_files_killed_writers_left(tmp_path: Path) -> None:
    log = sealed(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    stale = [
        tmp_path / f".events.jsonl.{dead}-0123abcd.tmp",  # a seal killed by SIGKILL
        tmp_path / ".events.jsonl.k3j_9xqz.tmp",  # an earlier version's seal
        tmp_path / "events.jsonl.head.tmp",  # an earlier version's append
        tmp_path / f".events.jsonl.head.{dead}-0123abcd.tmp",
    ]
    for path in stale:
        path.write_text("partial")
    mine = tmp_path / "events.jsonl.tmp"  # not a name sim ever used: the user's
    mine.write_text("keep")
    assert sim("seal", tmp_path).exit_code == 0
    assert [p for p in stale if p.exists()] == []
    assert mine.read_text() == "keep"
    out = tmp_path / "chart.svg"
    alive = tmp_path / f".chart.svg.{os.getpid()}-0123abcd.tmp"  # a chart being written now
    gone = tmp_path / f".chart.svg.{dead}-0123abcd.tmp"
    alive.write_text("in progress")
    gone.write_text("partial")
    assert sim("chart", tmp_path, "-o", out).exit_code == 0
    assert alive.exists()
    assert not gone.exists()
    assert verify(log).ok


def test_sigterm_during_a_seal_leaves_no_temporary_file(tmp_path: Path) -> None:
    write_log(tmp_path, [make("call", f"c{i}", i / 1000, summary="z" * 300) for i in range(3000)])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", MAIN, "seal", str(tmp_path)], env=env,
                             stderr=subprocess.PIPE)  # fmt: skip
    while child.poll() is None and not list(tmp_path.glob(".*.tmp")):
        time.sleep(0.0005)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=30)
    assert child.returncode in (0, 143)
    assert b"Traceback" not in err
    assert not list(tmp_path.glob(".*.tmp"))
    assert verify(tmp_path).ok


def test_repairs_keep_the_last_three_backups_or_as_many_as_asked(tmp_path: Path) -> None:
    log = sealed(tmp_path, 3)
    kept = []
    for n in range(5):
        append_event(log, make("call", f"x{n}", 10 + n))
        torn(log, 30 + n)
        result = sim("verify", "--repair", tmp_path, "--json")
        data = json.loads(result.stdout)["repair"]
        kept.append(data["backup"])
        assert data["removed_backups"] == ([kept[n - 3]] if n >= 3 else [])
    assert sorted(p.name for p in tmp_path.glob("events.jsonl.bak-*")) == [
        "events.jsonl.bak-3",
        "events.jsonl.bak-4",
        "events.jsonl.bak-5",
    ]
    append_event(log, make("call", "y", 20))
    torn(log)
    result = sim("verify", "--repair", tmp_path, "--keep-backups", "1")
    assert "removed 3 older backup(s), keeping the last 1" in result.stdout
    assert [p.name for p in tmp_path.glob("events.jsonl.bak-*")] == ["events.jsonl.bak-6"]


# 13 --------------------------------------------------------------- control characters


@pytest.mark.parametrize("ident", ["a\x1b[31m", "b\x00c", "d\u202ee", "f\x9bg"])
def test_ids_with_control_characters_are_refused_with_the_line(tmp_path: Path, ident: str) -> None:
    log = sealed(tmp_path)
    (tmp_path / "i.json").write_bytes(call(ident))
    result = sim("append", tmp_path, tmp_path / "i.json")
    refused(result, 2, "invalid-event", "without control characters")
    assert "\x1b" not in result.stderr
    assert "\x9b" not in result.stderr
    content = record_bytes(make("call", "ok", 40))
    bad = content.replace(b'"id":"ok"', b'"id":' + orjson.dumps(ident))
    head = line_hash(load_log(log).hashes[-1], bad)
    with log.open("ab") as handle:
        handle.write(stored_line(bad, head) + b"\n")
    head_path(log).write_text(head + "\n")
    result = sim("replay", tmp_path)
    refused(result, 2, "invalid-event")
    assert ":4:" in result.stderr


ESC = "\x1b]0;owned\x07\x1b[2J\x1b[31m"


def test_every_rendered_string_shows_control_characters_instead_of_obeying_them(
    tmp_path: Path,
) -> None:
    write_log(
        tmp_path,
        [
            make(
                "blackout_started",
                "dark",
                0,
                area="gaza",
                summary=f"cut {ESC} [/x] [bold]loud",
                actors=(f"qatar{ESC}",),
                milestone=f"m{ESC}",
            ),
            make("information", "quiet", 1, summary=f"q {ESC}", actors=()),
        ],
    )
    for args in (
        ("replay", tmp_path),
        ("timeline", tmp_path, "--quotes"),
        ("state", tmp_path, "--at", "quiet"),
        ("export", tmp_path, "--format", "plover", "-o", tmp_path / "p.jsonl"),
    ):
        result = sim(*args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output
        assert "\x07" not in result.output
    assert "cut \\x1b]0;owned\\x07" in sim("replay", tmp_path).stdout
    assert "[/x] [bold]loud" in sim("replay", tmp_path).stdout


def test_paths_with_markup_and_escapes_are_shown_as_they_are(tmp_path: Path) -> None:
    for name in ("[/x]", "a\x1b[2Jb"):
        sealed(tmp_path / name)
        result = sim("seal", tmp_path / name)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output
        result = sim("replay", tmp_path / name / "nope")
        refused(result, 2, "no-such-path")
        assert "\x1b" not in result.stderr


def test_a_look_alike_id_is_told_apart_by_its_code_points(tmp_path: Path) -> None:
    write_log(tmp_path, [make("call", "ev-0", 0), make("call", "ev-1", 1)])
    result = sim("state", tmp_path, "--at", "\u0435v-0")
    assert result.exit_code == 2
    assert "U+0065 LATIN SMALL LETTER E where yours has U+0435 CYRILLIC SMALL LETTER IE" in (
        result.stderr
    )


def test_printable_escapes_every_control_and_format_character() -> None:
    unsafe = [
        chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp")
    ]
    assert [c for c in unsafe if not UNSAFE.fullmatch(c)] == []
    assert printable("a\x1bb\u202ec\nd") == "a\\x1bb\\u202ec\nd"
    assert printable("\U000e0001", keep="") == "\\U000e0001"


# 14 --------------------------------------------------------------- misleading answers


def test_verify_head_option_is_checked_as_an_option(tmp_path: Path) -> None:
    log = sealed(tmp_path)
    refused(sim("verify", tmp_path, "--head", "zzz"), 2, "bad-option", "--head is not a head")
    head = read_head(log)
    assert head is not None
    assert sim("verify", tmp_path, "--head", head.upper()).exit_code == 0


@pytest.mark.parametrize("data", [b"\0" * 1000, b"hello\nworld"], ids=["NUL", "text"])
def test_a_file_that_is_not_a_log_is_called_so_not_torn(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "x.jsonl").write_bytes(data)
    result = sim("verify", tmp_path / "x.jsonl")
    refused(result, 2, "not-a-log", "not a sim log")
    assert "torn" not in result.stderr


def test_a_nul_filled_log_says_nul(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_bytes(b"\0" * 1000)
    refused(sim("replay", tmp_path / "x.jsonl"), 2, "invalid-utf8", "NUL bytes")


def test_a_device_given_as_a_scenario_is_called_so(tmp_path: Path) -> None:
    (tmp_path / "x.toml").symlink_to(null_device(tmp_path))
    refused(sim("whatif", tmp_path / "x.toml"), 2, "unreadable", "not a regular file", "device")


def test_a_log_without_a_suffix_takes_appends(tmp_path: Path) -> None:
    log = sealed(tmp_path)
    plain = tmp_path / "mylog"
    shutil.copy(log, plain)
    shutil.copy(head_path(log), head_path(plain))
    (tmp_path / "b.json").write_bytes(call("b"))
    assert sim("verify", plain).exit_code == 0
    result = sim("append", plain, tmp_path / "b.json")
    assert result.exit_code == 0, result.output
    assert [e.id for e in load_log(plain).events][-1] == "b"
    assert sim("seal", plain).exit_code == 0


def test_a_new_log_named_like_a_version_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_bytes(call("b"))
    result = sim("append", tmp_path / "proj.v2", tmp_path / "b.json", "--expect", "0")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "proj.v2" / "events.jsonl").is_file()


def test_append_refuses_scenario_files_and_empty_files_not_named_as_logs(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_bytes(call("b"))
    for name in ("s.toml", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
        refused(sim("append", tmp_path / name, tmp_path / "b.json"), 2, "not-a-log")
        assert (tmp_path / name).read_bytes() == b""


# 15 --------------------------------------------------------------- duplicate keys


def test_duplicate_keys_are_refused_with_their_line(tmp_path: Path) -> None:
    log = sealed(tmp_path)
    (tmp_path / "d.json").write_bytes(
        b'{"kind": "call", "id": "d",\n "at": "2023-11-01T12:00:00+00:00",\n'
        b' "id": "e", "source": {"document": "x"}}'
    )
    refused(sim("append", tmp_path, tmp_path / "d.json"), 2, "duplicate-key", "d.json:3:2",
            "the key 'id' appears twice")  # fmt: skip
    content = record_bytes(make("call", "x", 40))
    repeated = content[:-1] + b',"summary":"one","summary":"two"}'
    head = line_hash(load_log(log).hashes[-1], repeated)
    with log.open("ab") as handle:
        handle.write(stored_line(repeated, head) + b"\n")
    head_path(log).write_text(head + "\n")
    result = sim("replay", tmp_path)
    refused(result, 2, "duplicate-key", "events.jsonl:4:", "'summary' appears twice")


def test_a_repeated_key_in_a_csv_cell_is_refused(tmp_path: Path) -> None:
    alternative = {"source": {"document": "x"}, "at": "2023-10-08T00:00:00+00:00"}
    rows = list(csv.reader(io.StringIO(csv_text([make("call", "a", 0)]))))
    cell = orjson.dumps([alternative]).decode().replace('"at"', '"at":"x","at"', 1)
    rows[1][rows[0].index("alternatives")] = cell
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    (tmp_path / "d.csv").write_text(out.getvalue())
    result = sim("import", tmp_path / "d.csv", "-o", tmp_path / "n.jsonl")
    assert result.exit_code == 2
    assert "column 'alternatives': the key 'at' appears twice" in result.stderr


def test_the_empty_head_of_a_new_log_is_pinned_before_its_first_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So a crash before a new log's first pin leaves a torn tail, which repair cuts off."""
    log = tmp_path / "events.jsonl"
    real = sim_append._write_durably
    seen: list[tuple[str | None, bool]] = []

    def spy(target: Path, data: bytes, *, created: bool) -> int:
        seen.append((read_head(target), target.exists()))
        return real(target, data, created=created)

    monkeypatch.setattr(sim_append, "_write_durably", spy)
    append_event(log, make("call", "a", 0), expect=0)
    assert seen == [(GENESIS, False)]
    head_path(log).write_text(GENESIS + "\n")  # as a crash before the first pin leaves it
    assert verify(log).only_torn
    assert repair(log).repaired
    assert log.read_bytes() == b""

"""The attacks of issue 12, re-run against the real CLI (``python -m tests.hostile_attacks``).

Each attack sets up a folder of hostile files (planted links, FIFOs, devices, full disks,
folders nobody may write, stuck lock holders, escape sequences, ...) and runs ``sim`` commands
against it as subprocesses.  For every command it counts:

- a **traceback** on stderr;
- a **hang**: a command still running after its ``--wait`` (or 30 s) and a grace period,
  then killed;
- **damage**: a command that failed (any exit code but 0) and changed the user's files (their
  bytes, modes, links; the writers' empty lock file and sim's own temporary files aside);
- **lost events**: an append acknowledged (exit 0) whose event is not in the log afterwards;

and whether the command did what the attack expects of a fixed ``sim`` (its exit code, words
in its message, the state of the files after it): those are **wrong** answers.

``make hostile`` runs it after ``tests/test_hostile.py``.  ``--root DIR`` runs another checkout
of sim (the figures before the fix came from ``git archive main``; attacks that write to a
device write to nodes made in their own folder, never to the system's ``/dev``); ``--only WORD``
runs the attacks whose name holds WORD; ``--json`` prints the figures as one JSON object.
Attacks that need root (meeting file modes as a user through ``setpriv``, mounting a small
tmpfs) are skipped, with the reason, where the machine does not allow them.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
from attrs import define, field

from sim.codec import encode_event, line_hash, record_bytes, stored_line
from sim.store import write_log
from tests.builders import make

ROOT = Path(__file__).resolve().parent.parent
NOBODY = 65534
LIMITED = ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--")
"""A prefix that runs a command as root without the power to ignore file permissions: root
then meets modes as any user does (its own files by their owner bits, others' by the rest)."""
MEMORY = 4 << 30
"""The address space each command may use (``prlimit``): an unbounded read of ``/dev/zero`` by a
sim without bounded reads ends in MemoryError, not in the machine's out-of-memory killer."""
GRACE = 15.0
"""Seconds a command may take beyond its --wait (or 30 s) before it counts as hung."""
TRACEBACK = "Traceback (most recent call last)"


# ------------------------------------------------------------------------------------ records


@define
class Run:
    """One command and what came of it."""

    args: list[str]
    code: int | None
    out: str
    err: str
    seconds: float
    hung: bool

    @property
    def text(self) -> str:
        return self.out + self.err


@define
class Tally:
    """What one attack found."""

    name: str
    item: str
    commands: int = 0
    tracebacks: int = 0
    hangs: int = 0
    damaged: list[str] = field(factory=list)
    lost: int = 0
    wrong: list[str] = field(factory=list)
    skipped: str | None = None
    seconds: float = 0.0


class Skip(Exception):  # noqa: N818 (a reason to skip, not an error)
    """The machine cannot run this attack (no root, no mount)."""


# ------------------------------------------------------------------------------------ files


def snapshot(folder: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry under ``folder``: kind, mode, and the digest of a file or a link's target."""
    found: dict[str, tuple[Any, ...]] = {}
    for base, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = Path(base) / name
            try:
                info = path.lstat()
            except OSError:
                continue
            key = str(path.relative_to(folder))
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISLNK(info.st_mode):
                found[key] = ("link", str(path.readlink()))
            elif stat.S_ISREG(info.st_mode):
                digest = _digest(path, info.st_size)
                found[key] = ("file", mode, info.st_uid, digest)
            elif stat.S_ISDIR(info.st_mode):
                found[key] = ("dir", mode, info.st_uid)
            else:
                found[key] = ("other", mode)
    return found


def _digest(path: Path, size: int) -> str:
    if size > 64 << 20:
        return f"{size} bytes (sparse or large: size only)"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable: {exc.strerror}"


def _ours(name: str) -> bool:
    """sim's own files a failed writer may leave or remove: its empty lock, temporary files."""
    base = Path(name).name
    return base.endswith(".lock") or (base.startswith(".") and base.endswith(".tmp"))


def changed(before: dict[str, tuple[Any, ...]], after: dict[str, tuple[Any, ...]]) -> list[str]:
    """The user's entries that differ between two snapshots."""
    names = set(before) | set(after)
    return sorted(n for n in names if before.get(n) != after.get(n) and not _ours(n))


def event(ident: str, at: str = "2023-11-01T12:00:00+00:00", **extra: Any) -> bytes:
    """A valid call event as JSON bytes."""
    record: dict[str, Any] = {
        "kind": "call",
        "id": ident,
        "at": at,
        "actors": ["qatar"],
        "source": {"document": "test"},
    }
    record.update(extra)
    return json.dumps(record, ensure_ascii=False).encode()


def sample_log(folder: Path, n: int = 3) -> Path:
    """A sealed log of ``n`` calls in ``folder`` (head pinned); returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    write_log(folder, [make("call", f"c{i}", i) for i in range(n)])
    return folder / "events.jsonl"


def tear(log: Path, keep: int = 40) -> None:
    """Cut the last line short to ``keep`` bytes and pin the head before it (a crash)."""
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:-1]) + lines[-1][:keep])
    head = json.loads(lines[-2])["hash"] if len(lines) > 1 else "0" * 64
    log.with_name(log.name + ".head").write_text(head + "\n")


def chained(records: Sequence[bytes]) -> bytes:
    """Raw record texts chained as sim chains lines (any text, even one sim would refuse)."""
    previous = "0" * 64
    out = b""
    for content in records:
        previous = line_hash(previous, content)
        out += stored_line(content, previous) + b"\n"
    return out


def own(path: Path, uid: int = NOBODY) -> None:
    """Give ``path`` and everything under it to ``uid``."""
    os.chown(path, uid, uid, follow_symlinks=False)
    if path.is_dir() and not path.is_symlink():
        for base, dirs, files in os.walk(path):
            for name in [*dirs, *files]:
                os.chown(Path(base) / name, uid, uid, follow_symlinks=False)


# ------------------------------------------------------------------------------------ the lab


class Lab:
    """A fresh folder for one attack, and a way to run ``sim`` commands in it."""

    def __init__(self, tally: Tally, folder: Path, code: Path, has_wait: bool) -> None:
        self.tally = tally
        self.dir = folder
        self.code = code
        self.has_wait = has_wait
        self.mounts: list[Path] = []

    def path(self, name: str) -> Path:
        return self.dir / name

    def wait(self, seconds: float) -> list[str]:
        """``--wait SECONDS`` where this sim has the option (the figures before it had not)."""
        return ["--wait", f"{seconds:g}"] if self.has_wait else []

    def sim(
        self,
        *args: str | Path,
        expect: int | set[int] | None = None,
        says: Sequence[str] = (),
        not_says: Sequence[str] = (),
        stdin: bytes | Path | None = None,
        limited: bool = False,
        umask: int | None = None,
        wait: float | None = None,
        watch: Path | None = None,
    ) -> Run:
        """Run ``sim ARGS``; count a traceback, a hang, damage; check the expectations."""
        argv = [str(a) for a in args]
        folder = watch or self.dir
        before = snapshot(folder)
        limit = (wait if wait is not None and self.has_wait else 30.0) + GRACE
        run = self._run(argv, stdin=stdin, limited=limited, umask=umask, timeout=limit)
        self.tally.commands += 1
        if TRACEBACK in run.err or TRACEBACK in run.out:
            self.tally.tracebacks += 1
            self.note(f"traceback in `sim {' '.join(argv)}`: {run.err.strip().splitlines()[-1]}")
        if run.hung:
            self.tally.hangs += 1
            self.note(f"hung: `sim {' '.join(argv)}` after {limit:g} s")
        if run.code != 0:
            damage = changed(before, snapshot(folder))
            if damage:
                self.tally.damaged.append(f"`sim {' '.join(argv)}` changed {', '.join(damage)}")
        if expect is not None:
            allowed = {expect} if isinstance(expect, int) else expect
            if run.code not in allowed:
                self.note(
                    f"`sim {' '.join(argv)}` exited {run.code}, expected {sorted(allowed)}: "
                    f"{(run.err or run.out).strip()[:300]}"
                )
        for words in says:
            if words not in run.text:
                self.note(f"`sim {' '.join(argv)}` did not say {words!r}: {run.text[:300]!r}")
        for words in not_says:
            if words in run.text:
                self.note(f"`sim {' '.join(argv)}` said {words!r}")
        return run

    def _run(
        self,
        argv: list[str],
        *,
        stdin: bytes | Path | None,
        limited: bool = False,
        umask: int | None = None,
        timeout: float = 30.0 + GRACE,
    ) -> Run:
        env = {
            **os.environ,
            "PYTHONPATH": str(self.code),
            "COLUMNS": "120",
            "NO_COLOR": "1",
            "HYPOTHESIS_PROFILE": "ci",
        }
        command = [*_bounded(), sys.executable, "-c", _MAIN, *argv]
        if limited and os.geteuid() == 0:
            command = [*LIMITED, *command]
        extra: dict[str, Any] = {}
        if umask is not None:
            extra["umask"] = umask
        started = time.monotonic()
        source: Any = subprocess.DEVNULL
        opened = None
        if isinstance(stdin, Path):
            opened = stdin.open("rb")
            source = opened
        elif stdin is not None:
            source = subprocess.PIPE
        child = subprocess.Popen(
            command,
            cwd=self.dir,
            env=env,
            stdin=source,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            **extra,
        )
        hung = False
        try:
            out, err = child.communicate(
                input=stdin if isinstance(stdin, bytes) else None, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            hung = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            out, err = child.communicate()
        finally:
            if opened is not None:
                opened.close()
        return Run(
            args=argv,
            code=None if hung else child.returncode,
            out=out.decode("utf-8", "replace"),
            err=err.decode("utf-8", "replace"),
            seconds=time.monotonic() - started,
            hung=hung,
        )

    def spawn(self, *args: str | Path) -> subprocess.Popen[bytes]:
        """Start ``sim ARGS`` and return at once (for attacks that kill or race it)."""
        env = {**os.environ, "PYTHONPATH": str(self.code), "NO_COLOR": "1"}
        return subprocess.Popen(
            [*_bounded(), sys.executable, "-c", _MAIN, *(str(a) for a in args)],
            cwd=self.dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def note(self, text: str) -> None:
        self.tally.wrong.append(text)

    def check(self, ok: bool, text: str) -> None:
        """An expectation about the files after a command."""
        if not ok:
            self.note(text)

    def limited(self, *, chown: bool = False) -> None:
        """Skip unless commands can meet file permissions: as a user, or as root without its
        power over them (``setpriv``); ``chown``: the attack also needs to give a file away."""
        if os.geteuid() != 0:
            if chown:
                msg = "needs root, to give a file to another user"
                raise Skip(msg)
            return
        if shutil.which("setpriv") is None:
            msg = "needs setpriv, to run a command as root without its power over permissions"
            raise Skip(msg)

    @contextlib.contextmanager
    def tmpfs(self, name: str, size: str) -> Iterator[Path]:
        """A tmpfs of ``size`` mounted at ``name`` in the lab (skip where mounting fails)."""
        where = self.path(name)
        where.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            msg = f"cannot mount a tmpfs here: {done.stderr.decode().strip() or 'not root'}"
            raise Skip(msg)
        self.mounts.append(where)
        try:
            yield where
        finally:
            subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)
            self.mounts.remove(where)


_MAIN = "import sys; from sim.cli import main; sys.argv[0] = 'sim'; main()"


def _bounded() -> list[str]:
    """The prefix that bounds a command's memory, where ``prlimit`` exists."""
    return ["prlimit", f"--as={MEMORY}", "--"] if shutil.which("prlimit") else []


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill the file system at ``disk`` up to ``leave`` free bytes with a file of zeros."""
    filler = disk / "filler"
    with filler.open("ab") as handle:
        chunk = b"\0" * 65536
        try:
            while True:
                free = shutil.disk_usage(disk).free - leave
                if free <= 0:
                    break
                handle.write(chunk[: min(len(chunk), free)])
                handle.flush()
        except OSError:
            pass
    return filler


@contextlib.contextmanager
def lock_held(log: Path) -> Iterator[int]:
    """A process that takes the writers' lock of ``log`` and sits on it (a stuck writer)."""
    code = (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o666)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(600)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(log.with_name(log.name + ".lock"))],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "held\n"
    try:
        yield child.pid
    finally:
        child.kill()
        child.wait()


# ------------------------------------------------------------------------------------ attacks

Attack = Callable[[Lab], None]
ATTACKS: list[tuple[str, str, Attack]] = []


def attack(item: str) -> Callable[[Attack], Attack]:
    def register(fn: Attack) -> Attack:
        ATTACKS.append((fn.__name__.removeprefix("a_"), item, fn))
        return fn

    return register


# 1 ---------------------------------------------------------------- planted links


@attack("1")
def a_symlink_at_the_head_temp_name(lab: Lab) -> None:
    victim = lab.path("V")
    victim.write_text("precious\n")
    log = sample_log(lab.path("LOG"))
    lab.path("LOG/events.jsonl.head.tmp").symlink_to(victim)
    lab.path("b.json").write_bytes(event("b"))
    lab.sim("append", "LOG", "b.json", expect=0)
    lab.check(victim.read_text() == "precious\n", "V was overwritten through the planted link")
    head = log.with_name("events.jsonl.head")
    lab.check(not head.is_symlink(), "the head file became a symbolic link")


@attack("1")
def a_symlink_as_the_lock_file(lab: Lab) -> None:
    victim = lab.path("V")
    victim.write_text("precious\n")
    log = sample_log(lab.path("LOG"))
    lock = log.with_name("events.jsonl.lock")
    lock.unlink()
    lock.symlink_to(victim)
    lab.path("b.json").write_bytes(event("b"))
    lab.sim("append", "LOG", "b.json", expect={0, 2})
    lab.check(victim.read_text() == "precious\n", "V was changed through the lock link")


@attack("1")
def a_dangling_link_as_a_new_log(lab: Lab) -> None:
    lab.path("NEW").mkdir()
    lab.path("elsewhere").mkdir()
    lab.path("NEW/events.jsonl").symlink_to(lab.path("elsewhere/made.jsonl"))
    lab.path("b.json").write_bytes(event("b"))
    lab.sim("append", "NEW", "b.json", "--expect", "0", expect=2)
    lab.check(not lab.path("elsewhere/made.jsonl").exists(), "the link's target was created")


@attack("1")
def a_symlink_at_a_backup_name(lab: Lab) -> None:
    victim = lab.path("V")
    victim.write_text("precious\n")
    log = sample_log(lab.path("LOG"))
    tear(log)
    lab.path("LOG/events.jsonl.bak-1").symlink_to(victim)
    lab.sim("verify", "--repair", "LOG", expect=0)
    lab.check(victim.read_text() == "precious\n", "V was overwritten by a backup")


@attack("1")
def a_symlink_at_an_old_temp_name(lab: Lab) -> None:
    victim = lab.path("V")
    victim.write_text("precious\n")
    sample_log(lab.path("LOG"))
    lab.path("LOG/.events.jsonl.abcdefgh.tmp").symlink_to(victim)
    lab.sim("seal", "LOG", expect=0)
    lab.check(victim.read_text() == "precious\n", "V was changed by seal")


@attack("1")
def a_symlink_as_the_chart_output(lab: Lab) -> None:
    victim = lab.path("V")
    victim.write_text("precious\n")
    sample_log(lab.path("LOG"))
    lab.path("out.svg").symlink_to(victim)
    lab.sim("chart", "LOG", "-o", "out.svg", expect=0)
    lab.check(victim.read_text() == "precious\n", "V was overwritten through the output link")


# 2 ---------------------------------------------------------------- full disks


@attack("2")
def a_appends_until_the_disk_is_full(lab: Lab) -> None:
    with lab.tmpfs("disk", "1m") as disk:
        log = disk / "events.jsonl"
        lab.path("e0.json").write_bytes(event("e0"))
        lab.sim("append", log, "e0.json", "--expect", "0", expect=0)
        acked = {"e0"}
        failures = 0
        for n in range(1, 30):
            name = f"e{n}.json"
            lab.path(name).write_bytes(event(f"e{n}", summary="x" * 100_000))
            run = lab.sim("append", log, name, expect={0, 4}, watch=disk)
            if run.code == 0:
                acked.add(f"e{n}")
                continue
            if "disk" not in run.err:
                lab.note(f"a full disk was not named as such: {run.err[:200]}")
            failures += 1
            lab.sim("verify", log, expect=0, watch=disk)
            if failures >= 3:
                break
        lab.check(failures >= 1, "the disk never filled")
        lab.tally.lost += _lost(log, acked)


@attack("2")
def a_full_disk_between_the_line_and_its_head(lab: Lab) -> None:
    with lab.tmpfs("disk", "256k") as disk:
        log = disk / "events.jsonl"
        lab.path("e0.json").write_bytes(event("e0"))
        lab.sim("append", log, "e0.json", "--expect", "0", expect=0)
        acked = {"e0"}
        outcomes: set[int | None] = set()
        for n, leave in enumerate((0, 1024, 3000, 4096, 6000, 8192, 12288), start=1):
            filler = fill(disk, leave)
            name = f"e{n}.json"
            lab.path(name).write_bytes(event(f"e{n}", summary="y" * 3900))
            run = lab.sim("append", log, name, expect={0, 4}, watch=disk)
            outcomes.add(run.code)
            if run.code == 0:
                acked.add(f"e{n}")
            filler.unlink()
            lab.sim("verify", log, expect=0, watch=disk)
        lab.check(
            not list(disk.glob(".*.tmp")) and not list(disk.glob("*.head.tmp")),
            "temporary files left on the disk",
        )
        lab.tally.lost += _lost(log, acked)


@attack("2")
def a_repair_on_a_full_disk(lab: Lab) -> None:
    with lab.tmpfs("disk", "256k") as disk:
        log = sample_log(disk, 20)
        tear(log)
        fill(disk)
        lab.sim("verify", "--repair", log, expect=4, says=("space",), watch=disk)
        lab.check(not list(disk.glob("events.jsonl.bak-*")), "a backup was left on a full disk")


@attack("2")
def a_seal_on_a_full_disk(lab: Lab) -> None:
    with lab.tmpfs("disk", "256k") as disk:
        sample_log(disk, 50)
        fill(disk)
        lab.sim("seal", disk, expect=4, watch=disk)


@attack("2")
def a_import_on_a_full_disk(lab: Lab) -> None:
    sample_log(lab.path("SRC"), 50)
    lab.sim("export", "SRC", "--format", "csv", "-o", "events.csv", expect=0)
    with lab.tmpfs("disk", "128k") as disk:
        fill(disk)
        lab.sim("import", "events.csv", "-o", disk / "new", expect=4, watch=disk)
        lab.check(not (disk / "new").exists(), "import left a folder on the full disk")
        lab.sim("import", "events.csv", "-o", disk / "x.jsonl", expect=4, watch=disk)


@attack("2")
def a_outputs_on_a_full_disk(lab: Lab) -> None:
    sample_log(lab.path("LOG"), 20)
    with lab.tmpfs("disk", "128k") as disk:
        fill(disk)
        for args in (
            # every field of every event (a PLOVER export of a log with no manifest leaves every
            # event out: its parties have no codes, and an empty file fits on a full disk)
            ("export", "LOG", "--format", "csv", "-o", disk / "x.csv"),
            ("chart", "LOG", "-o", disk / "x.svg"),
            ("report", "LOG", "-o", disk / "x.html"),
        ):
            lab.sim(*args, expect=4, watch=disk)


@attack("4")
def a_read_only_file_system(lab: Lab) -> None:
    with lab.tmpfs("disk", "1m") as disk:
        log = sample_log(disk)
        tear(log)
        lab.path("b.json").write_bytes(event("b"))
        remount = ["mount", "-o", "remount,ro", str(disk)]
        if subprocess.run(remount, capture_output=True, check=False).returncode != 0:
            msg = "cannot remount a tmpfs read-only"
            raise Skip(msg)
        lab.sim("append", disk, "b.json", expect={2, 4}, watch=disk)
        lab.sim("verify", "--repair", disk, expect=4, watch=disk)
        lab.sim("seal", disk, expect={2, 4}, watch=disk)


# 3 ---------------------------------------------------------------- unbounded reads


@attack("3")
def a_events_from_dev_zero(lab: Lab) -> None:
    sample_log(lab.path("LOG"))
    lab.sim("append", "LOG", "/dev/zero", expect=2)
    lab.sim("append", "LOG", "-", stdin=Path("/dev/zero"), expect=2)
    lab.sim("import", "/dev/zero", "-o", "x.jsonl", expect=2)
    lab.sim("import", "/dev/urandom", "-o", "y.jsonl", expect=2)


@attack("3")
def a_head_file_linked_to_dev_zero(lab: Lab) -> None:
    log = sample_log(lab.path("LOG"))
    head = log.with_name("events.jsonl.head")
    head.unlink()
    head.symlink_to("/dev/zero")
    lab.path("b.json").write_bytes(event("b"))
    for args in (("verify", "LOG"), ("replay", "LOG"), ("append", "LOG", "b.json")):
        lab.sim(*args, expect=2, says=("not a regular file",))


@attack("3")
def a_huge_sparse_files(lab: Lab) -> None:
    log = lab.path("BIG/events.jsonl")
    log.parent.mkdir()
    with log.open("wb") as handle:
        handle.truncate(2 << 30)
    lab.sim("replay", "BIG", expect=2, says=("too large",))
    lab.sim("verify", "BIG", expect=2)
    toml = lab.path("big.toml")
    with toml.open("wb") as handle:
        handle.truncate(200 << 20)
    lab.sim("whatif", "big.toml", expect=2, says=("too large",))
    csv = lab.path("big.csv")
    with csv.open("wb") as handle:
        handle.truncate(3 << 30)
    lab.sim("import", "big.csv", "-o", "z.jsonl", expect=2)


@attack("3")
def a_logs_and_scenarios_linked_to_devices(lab: Lab) -> None:
    lab.path("L").mkdir()
    lab.path("L/events.jsonl").symlink_to("/dev/urandom")
    lab.path("x.toml").symlink_to("/dev/zero")
    lab.path("n.jsonl").symlink_to(null_device(lab))
    lab.sim("replay", "L", expect=2)
    lab.sim("verify", "L/events.jsonl", expect=2)
    lab.sim("whatif", "x.toml", expect=2, says=("not a regular file",))
    lab.sim("replay", "n.jsonl", expect=2)
    lab.sim("seal", "n.jsonl", expect=2)


# 4 ---------------------------------------------------------------- OS errors


@attack("4")
def a_a_folder_nobody_may_write(lab: Lab) -> None:
    lab.limited()
    log = sample_log(lab.path("LOG"))
    sample_log(lab.path("TORN"))
    tear(lab.path("TORN/events.jsonl"))
    lab.path("b.json").write_bytes(event("b"))
    sample_log(lab.path("SRC"))
    lab.sim("export", "SRC", "--format", "csv", "-o", "events.csv", expect=0)
    lab.path("NEW").mkdir()
    for folder in ("LOG", "TORN", "NEW"):
        lab.path(folder).chmod(0o555)
    lab.sim("append", "LOG", "b.json", limited=True, expect=4, says=("permission",))
    lab.check(
        log.read_bytes().count(b"\n") == 3, "the append left its line in a folder it could not pin"
    )
    lab.sim("verify", "--repair", "TORN", limited=True, expect=4)
    lab.sim("seal", "LOG", limited=True, expect=4)
    lab.sim("import", "events.csv", "-o", "LOG", "--force", limited=True, expect=4)
    lab.sim("append", "NEW", "b.json", "--expect", "0", limited=True, expect=4)


@attack("4")
def a_a_read_only_log(lab: Lab) -> None:
    lab.limited()
    log = sample_log(lab.path("LOG"))
    log.chmod(0o444)
    lab.path("b.json").write_bytes(event("b"))
    lab.sim("append", "LOG", "b.json", limited=True, expect=4, says=("permission",))


@attack("4")
def a_a_lock_file_of_another_user(lab: Lab) -> None:
    lab.limited(chown=True)
    log = sample_log(lab.path("LOG"))
    lock = log.with_name("events.jsonl.lock")
    own(lock, NOBODY)
    lock.chmod(0o644)
    lab.path("b.json").write_bytes(event("b"))
    lab.sim("append", "LOG", "b.json", limited=True, expect=0)
    tear(log)
    lab.sim("verify", "--repair", "LOG", limited=True, expect=0)


@attack("4")
def a_a_folder_of_mode_000(lab: Lab) -> None:
    lab.limited()
    sample_log(lab.path("LOG"))
    lab.path("LOG").chmod(0)
    lab.sim("verify", "LOG/events.jsonl", limited=True, expect=4)
    lab.sim("replay", "LOG", limited=True, expect={2, 4})  # click itself may refuse it


@attack("4")
def a_unreadable_log_and_head(lab: Lab) -> None:
    lab.limited()
    log = sample_log(lab.path("A"))
    log.chmod(0)
    sample_log(lab.path("B"))
    lab.path("B/events.jsonl.head").chmod(0)
    lab.sim("replay", "A", limited=True, expect=4, says=("permission",))
    lab.sim("replay", "B", limited=True, expect=4, says=("permission",))


@attack("4")
def a_a_folder_at_the_lock_name(lab: Lab) -> None:
    log = sample_log(lab.path("LOG"))
    lock = log.with_name("events.jsonl.lock")
    lock.unlink()
    lock.mkdir()
    lab.path("b.json").write_bytes(event("b"))
    lab.sim("append", "LOG", "b.json", expect=4, says=("lock",))
    lab.sim("seal", "LOG", expect=4)
    tear(log)
    lab.sim("verify", "--repair", "LOG", expect=4)


@attack("4")
def a_a_5000_character_path(lab: Lab) -> None:
    long = "/".join(["d" * 250] * 20)
    lab.path("b.json").write_bytes(event("b"))
    for args in (
        ("replay", long),
        ("verify", long),
        ("append", long, "b.json", "--expect", "0"),
        ("whatif", long + ".toml"),
        ("chart", "x", "-o", long + ".svg"),
        ("import", long + ".csv", "-o", "y.jsonl"),
    ):
        lab.sim(*args, expect=2)


def null_device(lab: Lab, name: str = "null") -> Path:
    """A null device to write to: made in the lab where we may (root), so that a sim that
    replaces it replaces that one, never the system's ``/dev/null``; else ``/dev/null``, which
    a user who cannot make device nodes cannot replace either."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    node = lab.path(name)
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return node


@attack("4")
def a_import_into_dev_null(lab: Lab) -> None:
    sample_log(lab.path("SRC"))
    lab.sim("export", "SRC", "--format", "csv", "-o", "events.csv", expect=0)
    null = null_device(lab)
    lab.sim("import", "events.csv", "-o", null, "--force", expect=2)
    lab.sim("import", "events.csv", "-o", null, expect=2)
    lab.sim("chart", "SRC", "-o", null_device(lab, "null.svg"), expect=2)
    lab.sim("export", "SRC", "--format", "csv", "-o", null, expect=2)
    lab.check(null.is_char_device(), f"{null} was replaced")


@attack("4")
def a_outputs_into_a_folder_nobody_may_write(lab: Lab) -> None:
    lab.limited()
    sample_log(lab.path("SRC"))
    lab.path("OUT").mkdir()
    lab.path("OUT").chmod(0o555)
    for args in (
        ("export", "SRC", "--format", "csv", "-o", "OUT/x.csv"),
        ("chart", "SRC", "-o", "OUT/x.png"),
        ("report", "SRC", "-o", "OUT/x.html"),
    ):
        lab.sim(*args, limited=True, expect=4)


# 5 ---------------------------------------------------------------- deep nesting


SCENARIO = '[scenario]\nname = "x"\nbase = "LOG"\n'


@attack("5")
def a_deeply_nested_scenarios(lab: Lab) -> None:
    sample_log(lab.path("LOG"))
    lab.path("arrays.toml").write_text(SCENARIO + "x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    lab.path("tables.toml").write_text(SCENARIO + "x = " + "{a = " * 5_000 + "1" + "}" * 5_000)
    lab.path("forty.toml").write_text(SCENARIO + "x = " + "[" * 40 + "]" * 40 + "\n")
    for name in ("arrays.toml", "tables.toml", "forty.toml"):
        lab.sim("whatif", name, expect=2, says=("deep",))


@attack("5")
def a_deeply_nested_json(lab: Lab) -> None:
    sample_log(lab.path("LOG"))
    lab.path("deep.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    lab.sim("append", "LOG", "deep.json", expect=2)
    nested = event("d")[:-1] + b', "summary": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    lab.path("deep2.json").write_bytes(nested)
    lab.sim("append", "LOG", "deep2.json", expect=2)


# 6 ---------------------------------------------------------------- extreme times


@attack("6")
def a_times_at_the_ends_of_the_calendar(lab: Lab) -> None:
    for name, at in (("LATE", "9999-12-31T23:59:59-14:00"), ("EARLY", "0001-01-01T00:00:00+14:00")):
        folder = lab.path(name)
        folder.mkdir()
        lab.path(f"{name}.json").write_bytes(event("end", at=at))
        lab.path(f"{name}0.json").write_bytes(event("mid", at="2023-11-01T12:00:00+00:00"))
        first, second = (f"{name}.json", f"{name}0.json")
        if name == "LATE":
            first, second = second, first
        lab.sim("append", name, first, "--expect", "0", expect=0)
        lab.sim("append", name, second, expect=0)
        lab.sim("chart", name, "-o", f"{name}.png", expect=0)
        lab.sim("chart", name, "-o", f"{name}.svg", expect=0)
        lab.sim("report", name, "-o", f"{name}.html", expect=0)
        lab.sim("timeline", name, expect=0)
        lab.sim("state", name, "--at", at, expect=0)


# 7 ---------------------------------------------------------------- repairs of non-logs


@attack("7")
def a_repair_of_files_that_are_not_logs(lab: Lab) -> None:
    lab.path("t.jsonl").write_bytes(b"secret")
    lab.path("u.jsonl").write_bytes(b'{"secret')
    lab.path("z.jsonl").write_bytes(b"\0" * 4096)
    lab.sim("verify", "--repair", "t.jsonl", expect={1, 2}, not_says=("torn",))
    lab.sim("verify", "--repair", "u.jsonl", expect={1, 2})
    lab.sim("verify", "--repair", "z.jsonl", expect={1, 2}, not_says=("torn",))
    lab.check(lab.path("t.jsonl").read_bytes() == b"secret", "t.jsonl was truncated")
    lab.path("s.toml").write_text('[scenario]\nname = "x"\nbase = "t.jsonl"\n')
    lab.sim("whatif", "s.toml", expect=2, not_says=("--repair",))


# 8 ---------------------------------------------------------------- permissions


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@attack("8")
def a_modes_of_backups_seals_and_outputs(lab: Lab) -> None:
    log = sample_log(lab.path("PRIVATE"))
    tear(log)
    log.chmod(0o600)
    lab.sim("verify", "--repair", "PRIVATE", expect=0)
    backup = lab.path("PRIVATE/events.jsonl.bak-1")
    lab.check(backup.exists() and _mode(backup) == 0o600, "the backup of a 0600 log is not 0600")
    shared = sample_log(lab.path("SHARED"))
    shared.chmod(0o664)
    shared.with_name("events.jsonl.head").chmod(0o664)
    lab.sim("seal", "SHARED", expect=0)
    lab.check(_mode(shared) == 0o664, "seal changed the log's mode")
    lab.check(_mode(shared.with_name("events.jsonl.head")) == 0o664, "seal changed the head's mode")
    lab.sim("export", "SHARED", "--format", "csv", "-o", "e.csv", umask=0o022, expect=0)
    lab.sim("import", "e.csv", "-o", "NEW", umask=0o022, expect=0)
    lab.sim("chart", "SHARED", "-o", "c.svg", umask=0o022, expect=0)
    for name in ("e.csv", "NEW/events.jsonl", "NEW/events.jsonl.head", "c.svg"):
        lab.check(_mode(lab.path(name)) == 0o644, f"{name} is not 0644 under umask 022")
    lab.path("kept.jsonl").write_text("old\n")
    lab.path("kept.jsonl").chmod(0o640)
    lab.sim("export", "SHARED", "--format", "plover", "-o", "kept.jsonl", expect=0)
    lab.check(_mode(lab.path("kept.jsonl")) == 0o640, "export changed the mode it replaced")


# 9 ---------------------------------------------------------------- no head


@attack("9")
def a_a_cut_tail_without_its_head(lab: Lab) -> None:
    log = sample_log(lab.path("LOG"), 8)
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:-3]))
    log.with_name("events.jsonl.head").unlink()
    lab.sim("verify", "LOG", expect=0, says=("unchecked",))
    lab.sim("verify", "LOG", "--strict", expect=1)
    lab.path("b.json").write_bytes(event("b", at="2023-10-30T00:00:00+00:00"))
    lab.sim("append", "LOG", "b.json", expect=2, says=("no pinned head",))
    log.with_name("events.jsonl.head").write_text("")
    lab.sim("verify", "LOG", expect=0, says=("empty",))
    lab.sim("append", "LOG", "b.json", expect=2)


# 10 --------------------------------------------------------------- out of order


@attack("10")
def a_events_out_of_time_order(lab: Lab) -> None:
    folder = lab.path("LOG")
    folder.mkdir()
    info = make("information", "info", 0, summary="news")
    dark = make("blackout_started", "dark", 0, area="gaza")
    info = attrs.evolve(info, at=datetime(2024, 3, 1, tzinfo=UTC))
    dark = attrs.evolve(dark, at=datetime(2024, 1, 1, tzinfo=UTC))
    write_log(folder, [info, dark])
    lab.sim("replay", "LOG", expect=2, says=("dated before",))
    lab.sim("state", "LOG", "--at", "2024-02-01", expect=2)
    lab.sim("seal", "LOG", expect=2)
    (folder / "events.jsonl").rename(lab.path("o.jsonl"))
    (folder / "events.jsonl.head").unlink()
    lines = [
        json.dumps({k: v for k, v in encode_event(e).items() if k != "schema"}).encode()
        for e in (info, dark)
    ]
    lab.path("o.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    lab.sim("seal", "o.jsonl", expect=2)
    lab.path("GOOD").mkdir()
    write_log(lab.path("GOOD"), [dark, info])
    lab.sim("export", "GOOD", "--format", "csv", "-o", "good.csv", expect=0)
    rows = lab.path("good.csv").read_text().splitlines(keepends=True)
    lab.path("bad.csv").write_text(rows[0] + rows[2] + rows[1])
    lab.sim("import", "bad.csv", "-o", "IMPORTED", expect=2)


# 11 --------------------------------------------------------------- FIFOs, devices, stuck locks


@attack("11")
def a_fifos_where_files_belong(lab: Lab) -> None:
    log = sample_log(lab.path("LOG"))
    head = log.with_name("events.jsonl.head")
    head.unlink()
    os.mkfifo(head)
    lab.path("b.json").write_bytes(event("b"))
    for args in (("verify", "LOG"), ("replay", "LOG"), ("append", "LOG", "b.json")):
        lab.sim(*args, expect=2)
    sample_log(lab.path("OK"))
    os.mkfifo(lab.path("e.json"))
    os.mkfifo(lab.path("e.csv"))
    lab.sim("append", "OK", "e.json", expect=2)
    lab.sim("import", "e.csv", "-o", "N", expect=2)
    lab.path("P").mkdir()
    os.mkfifo(lab.path("P/events.jsonl"))
    for args in (
        ("replay", "P"),
        ("verify", "P"),
        ("seal", "P"),
        ("append", "P", "b.json"),
        ("verify", "--repair", "P"),
    ):
        lab.sim(*args, expect=2)
    os.mkfifo(lab.path("s.toml"))
    lab.sim("whatif", "s.toml", expect=2, says=("not a regular file",))


@attack("11")
def a_a_stuck_lock_holder(lab: Lab) -> None:
    log = sample_log(lab.path("LOG"))
    lab.path("b.json").write_bytes(event("b"))
    sample_log(lab.path("SRC"))
    lab.sim("export", "SRC", "--format", "csv", "-o", "e.csv", expect=0)
    with lock_held(log) as pid:
        lab.sim("append", "LOG", "b.json", *lab.wait(2), wait=2, expect=3, says=(str(pid),))
        lab.sim("seal", "LOG", *lab.wait(2), wait=2, expect=3)
        lab.sim("import", "e.csv", "-o", "LOG", "--force", *lab.wait(1), wait=1, expect=3)
        lab.sim("replay", "LOG", expect=0)
        tear(log)
        lab.sim("verify", "--repair", "LOG", *lab.wait(2), wait=2, expect=3)


# 12 --------------------------------------------------------------- leftovers


@attack("12")
def a_seal_killed_midway(lab: Lab) -> None:
    folder = lab.path("LOG")
    folder.mkdir()
    write_log(folder, [make("call", f"c{i}", i / 1000, summary="z" * 300) for i in range(6000)])
    rng = random.Random(12)
    left = 0
    for _ in range(10):
        child = lab.spawn("seal", "LOG")
        while child.poll() is None and not list(folder.glob(".*.tmp")):
            time.sleep(0.0005)  # kill it while its temporary file is being written
        child.send_signal(signal.SIGKILL)
        child.communicate()
        lab.tally.commands += 1
        left += len(list(folder.glob(".*.tmp")))
        lab.sim("verify", "LOG", expect=0)
    lab.sim("seal", "LOG", expect=0)
    lab.check(not list(folder.glob(".*.tmp")), "temporary files stayed after the next seal")
    lab.check(left > 0, "no kill landed during a seal's write (nothing to clean)")
    for _ in range(3):
        child = lab.spawn("seal", "LOG")
        time.sleep(rng.uniform(0.4, 1.2))
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate()
        lab.tally.commands += 1
        if TRACEBACK in err.decode("utf-8", "replace"):
            lab.tally.tracebacks += 1
        lab.check(not list(folder.glob(".*.tmp")), "SIGTERM left a temporary file")
        lab.sim("verify", "LOG", expect=0)


@attack("12")
def a_repairs_in_a_row(lab: Lab) -> None:
    log = sample_log(lab.path("LOG"), 4)
    for n in range(6):
        lab.path(f"x{n}.json").write_bytes(event(f"x{n}", at="2023-11-01T00:00:00+00:00"))
        lab.sim("append", "LOG", f"x{n}.json", expect=0)
        tear(log, 30 + n)
        lab.sim("verify", "--repair", "LOG", expect=0)
    kept = list(log.parent.glob("events.jsonl.bak-*"))
    lab.check(len(kept) == 3, f"{len(kept)} backups kept, expected the last 3")


# 13 --------------------------------------------------------------- escapes and look-alikes


ESC = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"


@attack("13")
def a_control_characters_in_ids(lab: Lab) -> None:
    sample_log(lab.path("LOG"))
    for n, ident in enumerate(("a\x1b[31m", "b\x00c", "d\u202ee", "f\x9bg")):
        lab.path(f"i{n}.json").write_bytes(event(ident))
        lab.sim("append", "LOG", f"i{n}.json", expect=2, not_says=("\x1b", "\x9b"))
    raw = chained([record_bytes(make("call", "ok", 0)), event("e\x1bx")])
    lab.path("ESC").mkdir()
    lab.path("ESC/events.jsonl").write_bytes(raw)
    lab.sim("replay", "ESC", expect=2, not_says=("\x1b",))


@attack("13")
def a_control_characters_in_rendered_text(lab: Lab) -> None:
    folder = lab.path("LOG")
    folder.mkdir()
    dark = make(
        "blackout_started",
        "dark",
        0,
        area="gaza",
        summary=f"cut {ESC} [/x] [bold]loud",
        actors=(f"qatar{ESC}",),
        milestone=f"m{ESC}",
    )
    quiet = make("information", "quiet", 1, summary=f"q {ESC}", actors=())
    write_log(folder, [dark, quiet])
    for args in (
        ("replay", "LOG"),
        ("timeline", "LOG", "--quotes"),
        ("state", "LOG", "--at", "quiet"),
        ("export", "LOG", "--format", "plover"),
        ("export", "LOG", "--format", "plover", "-o", "p.jsonl"),
        ("explain", "LOG", "--milestone", f"m{ESC}"),
    ):
        lab.sim(*args, expect={0, 2}, not_says=("\x1b", "\x07"))
    lab.path("s.toml").write_text(
        '[scenario]\nname = "s"\nbase = "LOG"\nquestion = "why \\u001b[2J"\n'
        '[[intervention]]\nremove = { id = "quiet" }\n'
    )
    lab.sim("whatif", "s.toml", expect=0, not_says=("\x1b",))


@attack("13")
def a_markup_and_escapes_in_paths(lab: Lab) -> None:
    for name in ("[/x]", "a\x1b[2Jb", "[bold]x[/bold]"):
        sample_log(lab.path(name))
        lab.sim("seal", name, expect=0, not_says=("\x1b",))
        lab.sim("replay", name, expect=0, not_says=("\x1b",))
        lab.sim("replay", name + "/nope", expect=2, not_says=("\x1b",))


@attack("13")
def a_look_alike_ids(lab: Lab) -> None:
    lab.path("LOG").mkdir()
    write_log(lab.path("LOG"), [make("call", "ev-0", 0), make("call", "ev-1", 1)])
    lab.sim("state", "LOG", "--at", "\u0435v-0", expect=2, says=("U+0435",))


# 14 --------------------------------------------------------------- misleading answers


@attack("14")
def a_misleading_answers(lab: Lab) -> None:
    log = sample_log(lab.path("LOG"))
    head = log.with_name("events.jsonl.head").read_text().strip()
    lab.sim("verify", "LOG", "--head", "zzz", expect=2, not_says=("DAMAGED",))
    lab.sim("verify", "LOG", "--head", head.upper(), expect=0)
    lab.path("nul.jsonl").write_bytes(b"\0" * 1000)
    lab.path("text.jsonl").write_bytes(b"hello\nworld")
    lab.sim("verify", "nul.jsonl", expect=2, not_says=("torn",))
    lab.sim("verify", "text.jsonl", expect=2, not_says=("torn",))
    lab.sim("replay", "nul.jsonl", expect=2, says=("NUL",))
    os.mkfifo(lab.path("f.toml"))
    lab.sim("whatif", "f.toml", expect=2, not_says=("no such",))
    lab.sim("whatif", null_device(lab), expect=2, not_says=("no such",))
    plain = lab.path("PLAIN")
    plain.mkdir()
    shutil.copy(log, plain / "mylog")
    shutil.copy(log.with_name("events.jsonl.head"), plain / "mylog.head")
    lab.path("b.json").write_bytes(event("b"))
    lab.sim("verify", "PLAIN/mylog", expect=0)
    lab.sim("append", "PLAIN/mylog", "b.json", expect=0)
    lab.path("w").mkdir()
    lab.sim("append", "w/proj.v2", "b.json", "--expect", "0", expect=0)
    lab.check((lab.path("w/proj.v2") / "events.jsonl").is_file(), "proj.v2 is not a folder")
    lab.path("empty.toml").write_bytes(b"")
    lab.sim("append", "empty.toml", "b.json", expect=2)
    lab.check(lab.path("empty.toml").read_bytes() == b"", "append wrote into a .toml file")


# 15 --------------------------------------------------------------- duplicate keys


@attack("15")
def a_duplicate_keys(lab: Lab) -> None:
    sample_log(lab.path("LOG"))
    lab.path("d.json").write_bytes(
        b'{"kind": "call", "id": "d",\n "at": "2023-11-01T12:00:00+00:00",\n'
        b' "id": "e", "source": {"document": "x"}}'
    )
    lab.sim("append", "LOG", "d.json", expect=2, says=("twice", ":3"))
    content = record_bytes(make("call", "x", 0))
    repeated = content[:-1] + b',"summary":"one","summary":"two"}'
    lab.path("DUP").mkdir()
    lab.path("DUP/events.jsonl").write_bytes(chained([repeated]))
    lab.sim("replay", "DUP", expect=2, says=("twice",))
    lab.sim("seal", "DUP", expect=2)


# the promises that held ------------------------------------------------------------------


def _lost(log: Path, acked: set[str]) -> int:
    """How many acknowledged ids are not in the log (read without sim: line by line)."""
    present: set[str] = set()
    with contextlib.suppress(OSError):
        for raw in log.read_bytes().splitlines():
            with contextlib.suppress(ValueError):
                record = json.loads(raw)
                if isinstance(record, dict) and isinstance(record.get("id"), str):
                    present.add(record["id"])
    return len(acked - present)


@attack("core")
def a_killed_appends(lab: Lab) -> None:
    lab.path("LOG").mkdir()
    lab.path("e0.json").write_bytes(event("k0"))
    first = lab.sim("append", "LOG", "e0.json", "--expect", "0", expect=0)
    log = lab.path("LOG/events.jsonl")
    acked = {"k0"} if first.code == 0 else set()
    rng = random.Random(50)
    for n in range(1, 51):
        lab.path(f"k{n}.json").write_bytes(event(f"k{n}", summary="k" * rng.randint(0, 4000)))
        child = lab.spawn("append", "LOG", f"k{n}.json")
        time.sleep(rng.uniform(0.2, 1.2))
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signal.SIGKILL)
        _, err = child.communicate()
        lab.tally.commands += 1
        if TRACEBACK in err.decode("utf-8", "replace"):
            lab.tally.tracebacks += 1
        if child.returncode == 0:
            acked.add(f"k{n}")
        report = lab.sim("verify", "LOG", expect={0, 1})
        if report.code == 1:
            lab.sim("verify", "--repair", "LOG", expect=0)
    lab.sim("verify", "LOG", expect=0)
    lab.tally.lost += _lost(log, acked)


@attack("core")
def a_concurrent_appends_and_readers(lab: Lab) -> None:
    lab.path("LOG").mkdir()
    lab.path("o.json").write_bytes(event("origin"))
    lab.sim("append", "LOG", "o.json", "--expect", "0", expect=0)
    acked: set[str] = set()
    guard = threading.Lock()
    failures: list[str] = []

    def writer(k: int) -> None:
        for n in range(20):
            name = f"w{k}-{n}"
            lab.path(f"{name}.json").write_bytes(event(name))
            run = lab._run(["append", "LOG", f"{name}.json"], stdin=None, timeout=60)
            with guard:
                lab.tally.commands += 1
                if run.code == 0:
                    acked.add(name)
                else:
                    failures.append(f"append {name}: {run.code} {run.err[:200]}")
                if TRACEBACK in run.err:
                    lab.tally.tracebacks += 1

    def reader() -> None:
        for _ in range(15):
            run = lab._run(["verify", "LOG"], stdin=None, timeout=60)
            with guard:
                lab.tally.commands += 1
                if run.code != 0:
                    failures.append(f"a reader failed: {run.code} {run.text[:200]}")

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    threads.append(threading.Thread(target=reader))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for failure in failures:
        lab.note(failure)
    lab.sim("verify", "LOG", expect=0)
    lab.tally.lost += _lost(lab.path("LOG/events.jsonl"), acked)
    lab.check(len(acked) == 80, f"{len(acked)} of 80 concurrent appends acknowledged")


@attack("core")
def a_conflicts_and_interrupts(lab: Lab) -> None:
    log = sample_log(lab.path("LOG"))
    lab.path("b.json").write_bytes(event("b"))
    lab.sim("append", "LOG", "b.json", "--expect", "7", expect=3)
    lab.path("c1.json").write_bytes(event("c1"))
    lab.sim("append", "LOG", "c1.json", expect=3)
    with lock_held(log):
        child = lab.spawn("append", "LOG", "b.json", *lab.wait(20))
        time.sleep(2.0)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate()
        lab.tally.commands += 1
        if TRACEBACK in err.decode("utf-8", "replace"):
            lab.tally.tracebacks += 1
        lab.check(child.returncode == 130, f"SIGINT during a lock wait exited {child.returncode}")
        child = lab.spawn("append", "LOG", "b.json", *lab.wait(20))
        time.sleep(2.0)
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate()
        lab.tally.commands += 1
        lab.check(child.returncode == 143, f"SIGTERM during a lock wait exited {child.returncode}")


# ------------------------------------------------------------------------------------ runner


def _supports_wait(code: Path) -> bool:
    done = subprocess.run(
        [sys.executable, "-c", _MAIN, "append", "--help"],
        cwd=code,  # not this checkout's folder: `python -c` imports from the working folder first
        env={**os.environ, "PYTHONPATH": str(code), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        check=False,
    )
    return "--wait" in done.stdout


def run_all(code: Path, only: str | None = None) -> list[Tally]:
    has_wait = _supports_wait(code)
    tallies = []
    for name, item, fn in ATTACKS:
        if only and only not in name:
            continue
        tally = Tally(name=name, item=item)
        folder = Path(tempfile.mkdtemp(prefix=f"hostile-{name[:20]}-"))
        lab = Lab(tally, folder, code, has_wait)
        started = time.monotonic()
        try:
            fn(lab)
        except Skip as skip:
            tally.skipped = str(skip)
        except Exception as exc:  # noqa: BLE001 (the harness reports and goes on)
            tally.wrong.append(f"the attack itself failed: {type(exc).__name__}: {exc}")
        finally:
            for mount in list(lab.mounts):
                subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)
            _remove(folder)
        tally.seconds = time.monotonic() - started
        tallies.append(tally)
        status = "skipped" if tally.skipped else ("ok" if _clean(tally) else "FAILED")
        print(f"{status:8} {item:>4} {name} ({tally.commands} commands)", file=sys.stderr)
    return tallies


def _clean(tally: Tally) -> bool:
    return not (tally.tracebacks or tally.hangs or tally.damaged or tally.lost or tally.wrong)


def _remove(folder: Path) -> None:
    for base, dirs, _ in os.walk(folder):
        for name in dirs:
            with contextlib.suppress(OSError):
                (Path(base) / name).chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)


def figures(tallies: Sequence[Tally]) -> dict[str, Any]:
    ran = [t for t in tallies if t.skipped is None]
    return {
        "attacks": len(ran),
        "commands": sum(t.commands for t in ran),
        "tracebacks": sum(t.tracebacks for t in ran),
        "hangs": sum(t.hangs for t in ran),
        "files_changed_by_failed_commands": sum(len(t.damaged) for t in ran),
        "acknowledged_events_lost": sum(t.lost for t in ran),
        "wrong_answers": sum(len(t.wrong) for t in ran),
        "skipped": {t.name: t.skipped for t in tallies if t.skipped},
        "seconds": round(sum(t.seconds for t in tallies), 1),
        "by_attack": {
            t.name: {
                "item": t.item,
                "commands": t.commands,
                "tracebacks": t.tracebacks,
                "hangs": t.hangs,
                "damaged": len(t.damaged),
                "lost": t.lost,
                "wrong": len(t.wrong),
            }
            for t in tallies
            if t.skipped is None
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hostile_attacks")
    parser.add_argument("--root", type=Path, default=ROOT, help="the sim checkout to attack")
    parser.add_argument("--only", help="run only the attacks whose name holds this")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    # A shell starts a background job with SIGINT ignored, and children inherit that: handle it
    # here (a handler is reset to the default in a child), so that the commands can be
    # interrupted as a user at a terminal would.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    tallies = run_all(args.root.resolve(), args.only)
    result = figures(tallies)
    for tally in tallies:
        for text in [*tally.damaged, *tally.wrong]:
            print(f"  {tally.name}: {text}", file=sys.stderr)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            if key != "by_attack":
                print(f"{key}: {value}")
    bad = ("tracebacks", "hangs", "files_changed_by_failed_commands", "acknowledged_events_lost")
    return 1 if any(result[k] for k in bad) or result["wrong_answers"] else 0


if __name__ == "__main__":
    sys.exit(main())

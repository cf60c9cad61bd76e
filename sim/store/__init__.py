"""The store: logs on disk as hash-chained JSON Lines, read with every line checked.

A log is a file of JSON Lines (see :mod:`sim.codec` for the line format).  A scenario directory
holds its log as ``events.jsonl``; every function here takes the directory or the file.  The
head hash may be pinned beside the log in ``<log>.head``: ``verify`` then also catches a tail
cut off the log.  Writes go to a temporary file that is flushed, synced and renamed into place,
so a reader sees the old log or the new one, never half of one.

Appends (:mod:`sim.append`) write one line at the end and then pin the new head, under the
writers' lock (:mod:`sim.lock`).  A crash can leave a *torn tail*, reported distinctly by
:func:`load_log` and :func:`verify`, and cut off by ``sim verify --repair`` (:mod:`sim.recovery`).
Reading never writes: not the log, not its head, not even the lock file.

This package re-exports its parts, one job each:

- :mod:`sim.store.paths`: where a log and its head are, and reading them, bounded;
- :mod:`sim.store.torn`: torn tails, and a snapshot that waits out an append in progress;
- :mod:`sim.store.chain`: the hash chain, written and walked;
- :mod:`sim.store.check`: every fault of a log's chain and head, for ``sim verify``;
- :mod:`sim.store.load`: loading a log, every line decoded and checked, with its manifest;
- :mod:`sim.store.write`: whole logs, heads and outputs written atomically.
"""

from __future__ import annotations

from sim.files import fsync_dir, write_all
from sim.store.chain import encode_lines
from sim.store.check import VerifyReport, check_log, damaged, verify
from sim.store.load import MANIFEST_NAME, load_log, read_manifest
from sim.store.paths import (
    LOG_NAME,
    MAX_HEAD,
    MAX_LINE,
    MAX_LOG,
    head_path,
    head_status,
    log_path,
    log_target,
    parse_head,
    read_bytes,
    read_head,
)
from sim.store.torn import TornTail, split_log, torn_error
from sim.store.write import check_output_folder, pin_head, seal, write_file, write_log

__all__ = [
    "LOG_NAME",
    "MANIFEST_NAME",
    "MAX_HEAD",
    "MAX_LINE",
    "MAX_LOG",
    "TornTail",
    "VerifyReport",
    "check_log",
    "check_output_folder",
    "damaged",
    "encode_lines",
    "fsync_dir",
    "head_path",
    "head_status",
    "load_log",
    "log_path",
    "log_target",
    "parse_head",
    "pin_head",
    "read_bytes",
    "read_head",
    "read_manifest",
    "seal",
    "split_log",
    "torn_error",
    "verify",
    "write_all",
    "write_file",
    "write_log",
]

"""The hash chain: a stored line is an event's canonical record with its chain hash appended.

``hash`` is SHA-256 over the previous line's hash (:data:`GENESIS` for the first line), a
newline, and the line's canonical record (the line without its ``hash`` key).  So any change,
deletion, insertion or reordering of lines breaks the chain, and the last hash (the *head*) pins
the whole log.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Final

import orjson

from sim.codec.records import encode_event
from sim.events import Event

__all__ = [
    "GENESIS",
    "chain_hashes",
    "line_hash",
    "linked_hash",
    "record_bytes",
    "split_line",
    "stored_line",
]

GENESIS: Final = "0" * 64
"""The hash before the first line."""

_HASH_TAIL: Final = len(b',"hash":"') + 64 + len(b'"}')
_HEX: Final = re.compile(rb"[0-9a-f]{64}")


def record_bytes(event: Event) -> bytes:
    """The canonical bytes of an event's record, the content its line hash covers."""
    return orjson.dumps(encode_event(event), option=orjson.OPT_SORT_KEYS)


def line_hash(previous: str, content: bytes) -> str:
    """The chain hash of a line whose canonical record is ``content``."""
    return hashlib.sha256(previous.encode("ascii") + b"\n" + content).hexdigest()


def stored_line(content: bytes, digest: str) -> bytes:
    """A complete line (without its newline): the record with ``hash`` appended."""
    return content[:-1] + b',"hash":"' + digest.encode("ascii") + b'"}'


def split_line(line: bytes) -> tuple[bytes, str] | None:
    """``(canonical record, stored hash)`` of a line, or ``None`` when it has no hash key."""
    if len(line) <= _HASH_TAIL or not line.endswith(b'"}'):
        return None
    tail = line[-_HASH_TAIL:]
    if not tail.startswith(b',"hash":"'):
        return None
    digest = tail[9:-2]
    if _HEX.fullmatch(digest) is None:
        return None
    return line[:-_HASH_TAIL] + b"}", digest.decode("ascii")


def linked_hash(line: bytes, previous: str) -> str | None:
    """The stored hash of ``line`` if it is a whole line that continues the chain at
    ``previous``, else ``None`` (:func:`split_line` and :func:`line_hash` then say why).

    The same check as splitting the line and comparing hashes, without the regular expression
    and the copies: a line is accepted only if it ends with exactly the hash key and the
    expected digest, so a malformed tail never passes.
    """
    if len(line) <= _HASH_TAIL:
        return None
    digest = hashlib.sha256(
        previous.encode("ascii") + b"\n" + line[:-_HASH_TAIL] + b"}"
    ).hexdigest()
    if line.endswith(b',"hash":"' + digest.encode("ascii") + b'"}'):
        return digest
    return None


def chain_hashes(events: Iterable[Event], previous: str = GENESIS) -> tuple[str, ...]:
    """The chain hash after each event, as a store would write them."""
    hashes: list[str] = []
    for event in events:
        previous = line_hash(previous, record_bytes(event))
        hashes.append(previous)
    return tuple(hashes)

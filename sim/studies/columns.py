"""The vocabulary of a study's rows (pure): times as whole microseconds since the epoch, the
value that stands for no time, and the typed columns a block of rows is made of.

A task returns a few numpy arrays, never trajectories: :data:`Columns`, one array per column,
each of a :class:`Column`'s type.  A row runs on the prepared base its :data:`Key` names.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
from attrs import frozen

__all__ = [
    "EPOCH",
    "MICRO",
    "NAT",
    "Column",
    "ColumnType",
    "Columns",
    "Floats",
    "Ints",
    "Key",
    "micros",
    "moment",
]

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
MICRO: Final = timedelta(microseconds=1)
NAT: Final = np.iinfo(np.int64).min
"""The int64 that stands for no time (numpy's and pandas' NaT)."""

Floats: TypeAlias = npt.NDArray[np.float64]
Ints: TypeAlias = npt.NDArray[np.int64]
Columns: TypeAlias = dict[str, npt.NDArray[Any]]
"""A block of rows, column by column: what a task returns (a few arrays, never trajectories)."""
ColumnType: TypeAlias = Literal["time", "span", "text", "flag", "count"]
Key: TypeAlias = tuple[str, ...]
"""Which record each ``prefer`` factor chose: the key of the prepared base a row runs on."""


def micros(moment: datetime) -> int:
    """``moment`` as whole microseconds since the epoch."""
    return (moment - EPOCH) // MICRO


def moment(us: int) -> datetime:
    """The UTC time ``us`` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=us)


@frozen(kw_only=True)
class Column:
    """A column of a study's frame: ``time`` (UTC, microseconds), ``span`` (a duration in
    microseconds), ``text``, ``flag`` (true or false) or ``count``."""

    name: str
    type: ColumnType

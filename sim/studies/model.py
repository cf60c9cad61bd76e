"""A study's content as values (pure): the :class:`StudySpec` a study file describes, its
``[[vary]]`` entries (:data:`Vary`) and the distributions a ``by`` draws from.

These are checked values, built by :func:`sim.studies.spec.parse_study` from a study file or
directly by a caller (``sim.uncertainty`` builds one); nothing here reads a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Final, Literal, TypeAlias

from attrs import frozen

from sim.errors import SimError
from sim.times import format_span
from sim.whatif import Selector

__all__ = [
    "DISTRIBUTIONS",
    "MEASURES",
    "RECORD",
    "Decide",
    "Dist",
    "DistKind",
    "Draw",
    "Drop",
    "Prefer",
    "RetimeBy",
    "StudySpec",
    "Vary",
    "Within",
]

DistKind: TypeAlias = Literal["uniform", "triangular", "normal", "lognormal"]
DISTRIBUTIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
}
"""Each distribution of a ``by`` with the parameters it takes (durations, but ``sigma``)."""
MEASURES: Final = ("concluded", "concluded_at", "milestone:NAME", "voided")
"""What a study can measure in each sample."""
Draw: TypeAlias = Literal["triangular", "uniform"]
RECORD: Final = "record"
"""The name a ``prefer`` entry gives the log's own dates."""


@frozen(kw_only=True)
class Dist:
    """A distribution of a duration (seconds), its parameters checked on construction.

    ``uniform`` (``low`` < ``high``), ``triangular`` (``low`` <= ``mode`` <= ``high``, ``low`` <
    ``high``), ``normal`` (``mean``, ``sd`` > 0), ``lognormal`` (``median`` > 0 and ``sigma`` > 0,
    the standard deviation of the duration's logarithm: a delay that is never negative).
    """

    kind: DistKind
    params: Mapping[str, float]
    """Seconds for durations; ``sigma`` as a plain number."""

    def __attrs_post_init__(self) -> None:
        p = self.params
        problem = None
        if self.kind == "uniform" and not p["low"] < p["high"]:
            problem = "low must be less than high"
        elif self.kind == "triangular" and not (p["low"] <= p["mode"] <= p["high"]):
            problem = "low <= mode <= high must hold"
        elif self.kind == "triangular" and not p["low"] < p["high"]:
            problem = "low must be less than high"
        elif self.kind == "normal" and not p["sd"] > 0:
            problem = "sd must be a positive duration"
        elif self.kind == "lognormal" and not p["median"] > 0:
            problem = "median must be a positive duration"
        elif self.kind == "lognormal" and not p["sigma"] > 0:
            problem = "sigma must be a positive number"
        if problem is not None:
            raise SimError(what=f"bad {self.kind} distribution: {problem}", code="bad-study")

    def describe(self) -> str:
        """The distribution in words: ``uniform(low=0s, high=5d)``."""
        shown = ", ".join(
            f"{name}={value:g}" if name == "sigma" else f"{name}={_span(value)}"
            for name, value in self.params.items()
        )
        return f"{self.kind}({shown})"


def _span(seconds: float) -> str:
    sign = "-" if seconds < 0 else ""
    return sign + format_span(timedelta(seconds=abs(round(seconds))))


@frozen(kw_only=True)
class _Entry:
    """What every ``[[vary]]`` entry has besides its action (each entry type adds its own)."""

    name: str | None = None
    """The label of its columns (else its selector's id)."""
    line: int | None = None
    """The line of its ``[[vary]]`` table in the study file."""


@frozen(kw_only=True)
class RetimeBy(_Entry):
    """Move the selected events (together) by one duration: drawn from ``by``, or one of
    ``values`` (a grid factor)."""

    target: Selector | None
    """``None``: every event of the base."""
    by: Dist | None = None
    values: tuple[timedelta, ...] | None = None


@frozen(kw_only=True)
class Within(_Entry):
    """Move each selected event that the record leaves uncertain (``approx`` with bounds, or
    ``day``) to a time drawn within its bounds, in log order, never before a linked event's
    draw; ``draw``: ``triangular`` with the recorded time as its mode, or ``uniform``."""

    target: Selector | None
    draw: Draw = "triangular"


@frozen(kw_only=True)
class Decide(_Entry):
    """Set the decision of the selected responses: drawn with probabilities ``p``, or one of
    ``values``."""

    target: Selector | None
    p: tuple[tuple[str, float], ...] | None = None
    values: tuple[str, ...] | None = None


@frozen(kw_only=True)
class Drop(_Entry):
    """Remove the selected events with probability ``p``, or as ``values`` says (true/false)."""

    target: Selector | None
    p: float | None = None
    values: tuple[bool, ...] | None = None


@frozen(kw_only=True)
class Prefer(_Entry):
    """Use the log's own dates (``"record"``) or one of ``sources``' where records disagree:
    drawn with probabilities ``p``, or one of ``values``."""

    sources: tuple[str, ...]
    p: tuple[tuple[str, float], ...] | None = None
    values: tuple[str, ...] | None = None


Vary: TypeAlias = RetimeBy | Within | Decide | Drop | Prefer


@frozen(kw_only=True)
class StudySpec:
    """A study file's content: the base (as written), the question, what varies, what is
    measured, how many samples and the seed."""

    name: str
    base: str
    question: str = ""
    samples: int = 1000
    seed: int = 0
    measures: tuple[str, ...] = ("concluded", "concluded_at")
    vary: tuple[Vary, ...] = ()
    path: str = "<study>"

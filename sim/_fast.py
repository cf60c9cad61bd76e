"""Tuning that does not change results: the one place that reaches under the interpreter.

Everything here has a plain equivalent (named in each docstring); a property test holds them to
it.  The core imports these helpers instead of repeating the tricks.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final, Self, TypeVar

import attrs

__all__ = ["Replaceable", "cyclic_gc_paused", "evolved"]

T = TypeVar("T")

_PROMOTE_AFTER: Final = 10_000
"""Young objects a pause must leave before they are promoted (a pass over fewer is cheap)."""


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large acyclic structure is built.

    The plain equivalent is to do nothing.  A trajectory (or a decoded log) is a tree of
    immutable values with no reference cycles, so the collector's passes over it while it grows
    find nothing to free.  Pausing alone only defers them: the young generation keeps counting,
    and the first allocation after the pause would trigger one pass over everything built
    during it (about a third of a 100,000-event replay).  So on exit the survivors go straight
    to the oldest generation (``gc.freeze`` then ``gc.unfreeze`` moves them there without a
    pass), where long-lived data ends up anyway and only the rare full collections look at it.
    That is skipped for small builds (a pass over them is cheap), and when something else uses
    the permanent generation (``gc.get_freeze_count()`` is not 0), so objects a caller froze
    stay frozen.  Reference counting frees everything as usual, the previous setting is
    restored, and results are unaffected; the one cost is that garbage cycles made just before
    the pause wait for a full collection instead of a young one.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] > _PROMOTE_AFTER and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


_set: Final = object.__setattr__


def evolved(instance: T, **changes: Any) -> T:
    """``attrs.evolve(instance, **changes)`` for frozen slotted records, without validators.

    The plain equivalent is ``attrs.evolve``, which runs ``__init__`` again (every validator
    and converter): most of its cost.  Use it only where the changes cannot break what the
    validators check (a time moved by a duration stays timezone-aware) and leave derived fields
    (``init=False``) as they are, since they are copied, not recomputed.
    """
    cls = type(instance)
    copy = object.__new__(cls)
    for name in _slots_of(cls):
        _set(copy, name, changes[name] if name in changes else getattr(instance, name))
    return copy


_SLOTS: dict[type[Any], tuple[str, ...]] = {}


def _slots_of(cls: type[Any]) -> tuple[str, ...]:
    found = _SLOTS.get(cls)
    if found is None:
        found = _SLOTS[cls] = tuple(a.name for a in attrs.fields(cls))
    return found


_new: Final = object.__new__


class Replaceable:
    """A cheap ``replace`` for frozen attrs records without slots: the state's records, the
    fold's hot path.

    The plain equivalent is ``attrs.evolve(record, **changes)``.  Such a record keeps its fields
    in the instance dict, so a changed copy is one C-level dict copy instead of
    ``attrs.evolve``'s walk over the fields and a fresh ``__init__`` (about four times faster),
    and attrs' ``__init__`` for such a class fills that dict directly, which is also cheaper than
    slotted ``__setattr__``.  Use it only on records without validators or converters (nothing
    is checked again) and without derived fields.
    """

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied (what ``attrs.evolve`` does, without re-validating);
        ``TypeError`` names a field the record does not have."""
        fields = self.__dict__.copy()
        size = len(fields)
        fields.update(changes)
        if len(fields) != size:
            unknown = ", ".join(sorted(changes.keys() - self.__dict__.keys()))
            msg = f"{type(self).__name__} has no field(s) {unknown}"
            raise TypeError(msg)
        new = _new(type(self))
        _set(new, "__dict__", fields)
        return new

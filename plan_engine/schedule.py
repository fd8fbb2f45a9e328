"""Give every plan item a month: after its prerequisites, inside a date window, within the hours.

Capacity rule: by the end of every month the hours planned so far never
exceed ``hours_per_month × months elapsed``. A learner with 8 h/month can
therefore take a 16 h workshop in month two of a quiet start, but never two
in the same month. Self-paced modules (no dates) start at the beginning of
a month and are expected to take ``ceil(hours / hours_per_month)`` months.
Items are placed in the given (topological) order, each in its first slot
that fits; when a later item finds no room, earlier items try their later
slots (depth-first, at most ``SEARCH_NODES`` placements, so a plan that does
not fit is refused quickly). A plan that cannot be placed is reported as
unschedulable and the selection drops the module it was trying to add.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from plan_engine.catalogue import CatalogueArrays
from plan_engine.constraints import Window
from plan_engine.texts import month_of

EPS = 1e-6
SEARCH_NODES = 256  # placements tried per schedule before giving up


@dataclass(frozen=True)
class Slot:
    month_index: int
    start: int  # date ordinal
    finish: int  # date ordinal of the last day

    def month(self, window: Window) -> str:
        return month_of(window.month_start(self.month_index))


@dataclass(frozen=True)
class Fixed:
    """A month the learner already agreed to (accepted/enrolled), or a not-before month (postponed)."""

    month_index: int
    exact: bool


def schedule(
    order: Sequence[int],
    arrays: CatalogueArrays,
    window: Window,
    hours_per_month: float,
    after: Mapping[int, Sequence[int]],
    not_before_start: Mapping[int, Sequence[int]] | None = None,
    fixed: Mapping[int, Fixed] | None = None,
) -> dict[int, Slot] | None:
    """Slots for all items in ``order`` (catalogue positions), or None if one does not fit.

    ``after[i]``: items that must *finish* before ``i`` starts (prerequisites);
    ``not_before_start[i]``: items ``i`` must not start before (Basis before Intensiv).
    """
    months = window.months
    capacity = hours_per_month * np.arange(1, months + 1)
    load = np.zeros(months)
    slots: dict[int, Slot] = {}
    budget = [SEARCH_NODES]

    def options(i: int) -> list[Slot]:
        """The slots ``i`` may take given the items placed before it, earliest first."""
        hours = float(arrays.hours[i])
        earliest = window.start_ordinal
        for dep in after.get(i, ()):
            earliest = max(earliest, slots[dep].finish + 1)
        first_month = window.month_index(_date(earliest))
        for dep in (not_before_start or {}).get(i, ()):
            first_month = max(first_month, slots[dep].month_index)
        pin = (fixed or {}).get(i)
        if pin is not None and pin.exact:
            month = min(max(pin.month_index, 0), months - 1)
            return [_slot_for_month(arrays, i, window, month, hours, hours_per_month)]
        if pin is not None:
            first_month = max(first_month, pin.month_index)
        return _fits_all(arrays, i, window, hours, hours_per_month, earliest, first_month, load, capacity)

    def place(k: int) -> bool:
        """Depth-first over the items' slots: the first fit of each, a later window only when a later item
        found no room (a workshop in February can block the only March date of the next item)."""
        if k == len(order):
            return True
        i = order[k]
        hours = float(arrays.hours[i])
        for slot in options(i):
            if budget[0] <= 0:
                return False
            budget[0] -= 1
            slots[i] = slot
            load[slot.month_index] += hours
            if place(k + 1):
                return True
            load[slot.month_index] -= hours
            del slots[i]
        return False

    return slots if place(0) else None


def _date(ordinal: int) -> date:
    return date.fromordinal(ordinal)


def _fits(load: npt.NDArray[np.float64], capacity: npt.NDArray[np.floating[Any]], month: int, hours: float) -> bool:
    """Plain Python: a horizon has a dozen months, where numpy calls cost more than they save."""
    if not 0 <= month < len(load):
        return False
    total = hours
    for m, (planned, limit) in enumerate(zip(load.tolist(), capacity.tolist(), strict=True)):
        total += planned
        if m >= month and total > limit + EPS:
            return False
    return True


def _fits_all(arrays: CatalogueArrays, i: int, window: Window, hours: float, per_month: float, earliest: int,
              first_month: int, load: npt.NDArray[np.float64],
              capacity: npt.NDArray[np.floating[Any]]) -> list[Slot]:
    """Every slot that fits: each date window from ``earliest`` on, or each month for a self-paced module."""
    out: list[Slot] = []
    starts, ends = arrays.windows(i)
    if len(starts):
        for start, end in zip(starts, ends, strict=True):
            if start < earliest or start >= window.end_ordinal:
                continue
            month = window.month_index(_date(int(start)))
            if month >= first_month and _fits(load, capacity, month, hours):
                out.append(Slot(month, int(start), int(end)))
        return out
    for month in range(max(first_month, 0), len(load)):
        if _fits(load, capacity, month, hours):
            out.append(_slot_for_month(arrays, i, window, month, hours, per_month, earliest))
    return out


def _slot_for_month(arrays: CatalogueArrays, i: int, window: Window, month: int, hours: float, per_month: float,
                    earliest: int | None = None) -> Slot:
    starts, ends = arrays.windows(i)
    first_day = max(window.month_start(month).toordinal(), earliest or 0)
    for start, end in zip(starts, ends, strict=True):
        if window.month_index(_date(int(start))) == month:
            return Slot(month, int(start), int(end))
    duration = max(1, math.ceil(hours / per_month - EPS))
    last = window.month_end(month + duration - 1).toordinal()
    return Slot(month, first_day, last)

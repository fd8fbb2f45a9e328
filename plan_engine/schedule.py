"""Give every plan item a month: after its prerequisites, inside a date window, within the hours.

Capacity rule: by the end of every month the hours planned so far never
exceed ``hours_per_month × months elapsed``. A learner with 8 h/month can
therefore take a 16 h workshop in month two of a quiet start, but never two
in the same month. Self-paced modules (no dates) start at the beginning of
a month and are expected to take ``ceil(hours / hours_per_month)`` months.
Items are placed in the given (topological) order; a module that has no
window left is reported as unschedulable and the selection drops it.
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
    for i in order:
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
            slots[i] = _slot_for_month(arrays, i, window, month, hours, hours_per_month)
            load[month] += hours
            continue
        if pin is not None:
            first_month = max(first_month, pin.month_index)
        slot = _first_fit(arrays, i, window, hours, hours_per_month, earliest, first_month, load, capacity)
        if slot is None:
            return None
        slots[i] = slot
        load[slot.month_index] += hours
    return slots


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


def _first_fit(arrays: CatalogueArrays, i: int, window: Window, hours: float, per_month: float, earliest: int,
               first_month: int, load: npt.NDArray[np.float64],
               capacity: npt.NDArray[np.floating[Any]]) -> Slot | None:
    starts, ends = arrays.windows(i)
    if len(starts):
        for start, end in zip(starts, ends, strict=True):
            if start < earliest or start >= window.end_ordinal:
                continue
            month = window.month_index(_date(int(start)))
            if month >= first_month and _fits(load, capacity, month, hours):
                return Slot(month, int(start), int(end))
        return None
    for month in range(max(first_month, 0), len(load)):
        if _fits(load, capacity, month, hours):
            return _slot_for_month(arrays, i, window, month, hours, per_month, earliest)
    return None


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

"""What a learner can take at all: format, region, dates, horizon and size limits, as boolean masks.

Rules (and why):

* ``online`` preferred → online modules only: the interview does not ask
  such learners for a region, so we could not promise them a reachable
  presence date. ``presence`` → everything, but online modules get a small
  penalty (the learner *prefers* meeting people). ``blended`` or no answer
  → anything.
* Presence and blended modules must be nationwide or in the learner's
  region: the state they name, a town in it (``data/regions.yml``) or a
  town the module is held in.
* Only date windows that start on or after ``max(today, earliest_start)``
  and before the horizon ends count; modules without dates are self-paced.
* A yearly budget in euros (``budget_eur``) is kept per plan year by the
  selection (``plan_engine.budget``), since it depends on the months the
  items are planned in; it never makes a module unavailable here.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from plan_engine.catalogue import FORMAT_CODE, ONLINE, CatalogueArrays
from plan_engine.texts import regions

Mask = npt.NDArray[np.bool_]  # one flag per catalogue module


@dataclass(frozen=True)
class Preferences:
    format: str | None = None  # online | presence | blended | None
    hours_per_month: float = 8.0
    region: str | None = None
    earliest_start: date | None = None
    horizon_months: int = 12
    member: bool = False  # employee of a member administration: member prices apply
    budget_eur: float | None = None  # most the plan may cost per plan year (None: no limit)

    @property
    def budget_hours(self) -> float:
        return self.hours_per_month * self.horizon_months


@dataclass(frozen=True)
class Window:
    """The planning period: from the first possible day to the end of the horizon."""

    start: date
    end: date  # exclusive: first day after the horizon
    months: int

    @property
    def start_ordinal(self) -> int:
        return self.start.toordinal()

    @property
    def end_ordinal(self) -> int:
        return self.end.toordinal()

    def month_index(self, day: date) -> int:
        return (day.year - self.start.year) * 12 + day.month - self.start.month

    def month_start(self, index: int) -> date:
        total = self.start.month - 1 + index
        return date(self.start.year + total // 12, total % 12 + 1, 1)

    def month_end(self, index: int) -> date:
        first = self.month_start(index)
        return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])


def planning_window(preferences: Preferences, today: date) -> Window:
    start = max(today, preferences.earliest_start or today)
    months = preferences.horizon_months
    total = start.month - 1 + months
    return Window(start, date(start.year + total // 12, total % 12 + 1, 1), months)


@lru_cache
def _town_to_state() -> dict[str, str]:
    out: dict[str, str] = {}
    for state, towns in regions().items():
        out[state.lower()] = state.lower()
        for town in towns:
            out.setdefault(town.lower(), state.lower())
    return out


def region_keys(region: str | None) -> tuple[str, ...]:
    """The places a learner's region answer stands for: the text itself and, for a known town, its state."""
    if not region or not region.strip():
        return ()
    key = region.strip().lower()
    state = _town_to_state().get(key)
    return (key,) if state in (None, key) else (key, state)


def needs_region_check(preferences: Preferences) -> bool:
    return bool(preferences.region) and preferences.format != "online"


def format_mask(arrays: CatalogueArrays, preferences: Preferences) -> Mask:
    if preferences.format == "online":
        online: Mask = arrays.format_code == ONLINE  # numpy types ``==`` as Any
        return online
    return np.ones(len(arrays), dtype=bool)


def format_adjustment(format_code: npt.NDArray[np.int8], preferences: Preferences,
                      penalty: float) -> npt.NDArray[np.float32]:
    """Preference part of the score: presence-minded learners get online modules slightly lower."""
    if preferences.format == "presence":
        return np.where(format_code == FORMAT_CODE["online"], -penalty, 0.0).astype(np.float32)
    return np.zeros(format_code.shape[0], dtype=np.float32)


def region_mask(arrays: CatalogueArrays, preferences: Preferences) -> Mask:
    if not needs_region_check(preferences):
        return np.ones(len(arrays), dtype=bool)
    keep = arrays.everywhere.copy()
    for key in region_keys(preferences.region):
        rows = arrays.places.get(key)
        if rows is not None:
            keep[rows] = True
    return keep


def date_mask(arrays: CatalogueArrays, window: Window) -> Mask:
    """Self-paced, or at least one window starting inside the planning period."""
    ok = (arrays.win_start >= window.start_ordinal) & (arrays.win_start < window.end_ordinal)
    with_ok_window = np.bincount(arrays.win_module[ok], minlength=len(arrays)) > 0
    has_dates = np.diff(arrays.win_offsets) > 0
    return ~has_dates | with_ok_window


def available(arrays: CatalogueArrays, preferences: Preferences, window: Window, max_units: int) -> Mask:
    return (
        format_mask(arrays, preferences)
        & region_mask(arrays, preferences)
        & date_mask(arrays, window)
        & (arrays.units <= max_units)
        & (arrays.hours <= preferences.budget_hours + 1e-6)
    )

"""The yearly budget in euros: what the items planned in one plan year may cost the learner together.

A plan year is twelve months from the start of the planning window (the
default horizon is exactly one). Each item counts with the price that
applies to the learner (member or non-member) in the year its slot starts.
Rules (and why):

* Without a budget nothing is limited: the plan is the same as if prices
  did not exist.
* Free modules always fit, even when the budget is spent.
* Items the learner agreed to stay, whatever they cost; a year they already
  fill beyond the budget takes only free modules more (and the plan says so).
* A module the selection wanted most at some step but could not afford is
  remembered; the plan names it with the nearest alternative: an item on
  the same competencies that the plan took instead, else the closest
  affordable module teaching one of them (cosine of the passage vectors).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from campus.learners.prices import price_label
from campus.store.wording import euro
from plan_engine.catalogue import CatalogueArrays
from plan_engine.schedule import Slot
from plan_engine.texts import messages

YEAR_MONTHS = 12
EPS = 1e-6
MAX_NAMED = 2  # modules left out for the budget that the plan names (the best-scoring ones)


@dataclass
class YearlyBudget:
    limit: float | None
    prices: npt.NDArray[np.float64]  # what each catalogue module costs this learner
    years: int = 1
    # spend per plan year of the items that stay whatever they cost (agreed items and their prerequisites)
    base: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(1))
    # catalogue position -> selection score of modules left out because they did not fit the budget
    left_out: dict[int, float] = field(default_factory=dict)

    @classmethod
    def of(cls, limit: float | None, prices: npt.NDArray[np.float64], months: int) -> YearlyBudget:
        years = max(1, -(-months // YEAR_MONTHS))
        return cls(limit, prices, years, np.zeros(years))

    @property
    def active(self) -> bool:
        return self.limit is not None

    def spend(self, members: Iterable[int], slots: Mapping[int, Slot]) -> npt.NDArray[np.float64]:
        """What ``members`` cost per plan year (an item without a slot counts in the first year)."""
        out = np.zeros(self.years)
        for m in members:
            slot = slots.get(m)
            year = min(self.years - 1, slot.month_index // YEAR_MONTHS) if slot is not None else 0
            out[year] += self.prices[m]
        return out

    def allowed(self) -> npt.NDArray[np.float64]:
        """Per year: the budget, or what the agreed items already cost if that is more."""
        return np.maximum(float(self.limit or 0.0), self.base)

    def fix_base(self, members: Iterable[int], slots: Mapping[int, Slot]) -> None:
        self.base = self.spend(members, slots)

    def fits(self, members: Iterable[int], slots: Mapping[int, Slot]) -> bool:
        if not self.active:
            return True
        return bool((self.spend(members, slots) <= self.allowed() + EPS).all())

    def room(self, members: Iterable[int], slots: Mapping[int, Slot]) -> float:
        """The most a further module may cost: the most that is left in any plan year."""
        if not self.active:
            return float("inf")
        return float((self.allowed() - self.spend(members, slots)).max())

    def later_year_starts(self) -> range:
        """The first month (index in the window) of each plan year after the first."""
        return range(YEAR_MONTHS, self.years * YEAR_MONTHS, YEAR_MONTHS)

    def affordable(self, rows: npt.NDArray[np.intp], room: float) -> npt.NDArray[np.bool_]:
        prices = self.prices[rows]
        cheap: npt.NDArray[np.bool_] = (prices <= room + EPS) | (prices <= 0)
        return cheap

    def note(self, position: int, score: float) -> None:
        if self.active and position not in self.left_out:
            self.left_out[position] = score


def budget_warnings(budget: YearlyBudget, arrays: CatalogueArrays, chosen: list[int], slots: Mapping[int, Slot],
                    available: npt.NDArray[np.bool_], excluded: set[int], member: bool) -> list[str]:
    """What the plan says about the budget: agreed items beyond it, and wanted modules left out for it."""
    if not budget.active:
        return []
    wording = messages()["warnings"]
    limit = euro(float(budget.limit or 0.0))
    out: list[str] = []
    if (budget.base > float(budget.limit or 0.0) + EPS).any():
        out.append(wording["budget_pinned"].format(spent=euro(float(budget.base.max())), budget=limit))
    room = budget.room(chosen, slots)
    named = sorted((p for p in budget.left_out if p not in chosen), key=lambda p: (-budget.left_out[p], p))
    for position in named[:MAX_NAMED]:
        title, price = arrays.modules[position].title, euro(float(budget.prices[position]))
        instead, other = nearest_alternative(arrays, position, chosen, budget, room, available, excluded)
        if instead is not None:
            out.append(wording["budget_instead"].format(
                title=title, price=price, budget=limit, alternative=arrays.modules[instead].title,
                alternative_price=price_label(float(budget.prices[instead]), member)))
        elif other is not None:
            out.append(wording["budget_alternative"].format(
                title=title, price=price, budget=limit, alternative=arrays.modules[other].title,
                alternative_price=price_label(float(budget.prices[other]), member)))
        else:
            out.append(wording["budget_no_alternative"].format(title=title, price=price, budget=limit))
    return out


def nearest_alternative(arrays: CatalogueArrays, position: int, chosen: list[int], budget: YearlyBudget,
                        room: float, available: npt.NDArray[np.bool_],
                        excluded: set[int]) -> tuple[int | None, int | None]:
    """(a plan item on the same competencies, else None; else the closest affordable module on one of them)."""
    own = {int(c) for c in arrays.comp[position] if c >= 0}
    vector = arrays.vectors[position]

    def closest(rows: Iterable[int]) -> int | None:
        ranked = sorted(rows, key=lambda j: (-float(arrays.vectors[j] @ vector), int(arrays.ids[j])))
        return ranked[0] if ranked else None

    in_plan = [j for j in chosen if own & {int(c) for c in arrays.comp[j] if c >= 0}]
    if in_plan:
        return closest(in_plan), None
    sharing = {int(j) for c in own for j in arrays.by_competency[c][0]} - {position} - set(chosen) - excluded
    rows = np.array(sorted(sharing), dtype=np.intp)
    if not len(rows):
        return None, None
    affordable = rows[budget.affordable(rows, room) & available[rows]]
    return None, closest(int(j) for j in affordable)

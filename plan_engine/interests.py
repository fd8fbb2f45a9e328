"""Named interests: a plan takes a module for each topic the learner named, or says exactly why it cannot.

The selection gives a module that raises a named interest priority over any
other (``Selector._greedy``). An interest still open after the selection has
a reason, found by looking at the approved modules that teach it beyond the
learner's level, nearest obstacle first: the plan is full, the yearly
budget, the dates, a prerequisite the learner cannot take, the region, the
format, the module's length. The sentence names the module, so the learner
knows the nearest alternative and can change a preference in the chat.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from campus.store.wording import euro
from plan_engine.catalogue import CatalogueArrays
from plan_engine.constraints import Preferences, Window, date_mask, format_mask, region_mask
from plan_engine.gaps import Gap
from plan_engine.texts import messages, reasons

MAX_EXPLAINED = 3  # open interests the plan explains (a learner names two or three topics)
# nearest obstacle first: what the learner could most easily accept or change
OBSTACLES = ("full", "budget", "dates", "prerequisite", "region", "format", "hours")


def open_interests(gaps: Mapping[str, Gap], competency_index: Mapping[str, int]) -> npt.NDArray[np.bool_]:
    """Per catalogue competency: the learner named it and has something left to learn in it."""
    out = np.zeros(len(competency_index), dtype=bool)
    for cid, gap in gaps.items():
        if gap.from_interest and gap.size > 0 and cid in competency_index:
            out[competency_index[cid]] = True
    return out


def own_words(gaps: Mapping[str, Gap], competency_index: Mapping[str, int]) -> npt.NDArray[np.bool_]:
    """Per catalogue competency: a gap whose level the learner gave (or evidence proved) or that they named."""
    out = np.zeros(len(competency_index), dtype=bool)
    for cid, gap in gaps.items():
        if (gap.assessed or gap.from_interest) and gap.size > 0 and cid in competency_index:
            out[competency_index[cid]] = True
    return out


@dataclass(frozen=True)
class Obstacles:
    """What the selection knows when it ends, for explaining the interests it could not serve."""

    arrays: CatalogueArrays
    preferences: Preferences
    window: Window
    max_units: int
    chosen: frozenset[int]
    excluded: frozenset[int]
    left_out_for_budget: frozenset[int]
    prices: npt.NDArray[np.float64]
    semantic: npt.NDArray[np.float32]  # how well each module's text fits the learner's needs
    prerequisite_blocked: Callable[[int], bool]

    def of(self, row: int, masks: dict[str, npt.NDArray[np.bool_]]) -> str:
        if not masks["format"][row]:
            return "format"
        if not masks["region"][row]:
            return "region"
        if not masks["dates"][row]:
            return "dates"
        arrays = self.arrays
        if arrays.units[row] > self.max_units or arrays.hours[row] > self.preferences.budget_hours + 1e-6:
            return "hours"
        budget = self.preferences.budget_eur
        if row in self.left_out_for_budget or (budget is not None and self.prices[row] > budget + 1e-6):
            return "budget"
        if self.prerequisite_blocked(row):
            return "prerequisite"
        return "full"


def interest_warnings(open_mask: npt.NDArray[np.bool_], gaps: Mapping[str, Gap], labels: Mapping[str, str],
                      obstacles: Obstacles) -> list[str]:
    """One sentence per named interest no plan item raises, naming the nearest module and what stops it."""
    arrays = obstacles.arrays
    names = {i: cid for cid, i in arrays.competency_index.items()}
    masks = {"format": format_mask(arrays, obstacles.preferences),
             "region": region_mask(arrays, obstacles.preferences),
             "dates": date_mask(arrays, obstacles.window)}
    wording = messages()["interests"]
    ranked = sorted((int(c) for c in np.nonzero(open_mask)[0]), key=lambda c: (-gaps[names[c]].need, names[c]))
    out: list[str] = []
    for c in ranked[:MAX_EXPLAINED]:
        gap = gaps[names[c]]
        label = labels.get(gap.competency_id, gap.competency_id)
        rows, _, level_to = arrays.by_competency[c]
        beyond = [int(r) for r, lt in zip(rows, level_to, strict=True)
                  if lt > gap.current and int(r) not in obstacles.excluded and int(r) not in obstacles.chosen]
        if not beyond:
            out.append(wording["none"].format(label=label))
            continue
        found = [(OBSTACLES.index(obstacles.of(r, masks)), -float(obstacles.semantic[r]), r) for r in beyond]
        rank, _, row = min(found)
        reason = OBSTACLES[rank]
        if reason == "budget" and row in obstacles.left_out_for_budget:
            continue  # the budget sentence already names this module and its alternative
        details = _details(obstacles, row)
        if reason == "dates" and not details["next_date"]:
            reason = "dates_none"
        out.append(wording[reason].format(label=label, **details))
    return out


def _details(obstacles: Obstacles, row: int) -> dict[str, str]:
    arrays, prefs = obstacles.arrays, obstacles.preferences
    module = arrays.modules[row]
    formats = reasons()["formats"]
    starts, _ = arrays.windows(row)
    later = [int(s) for s in starts if s >= obstacles.window.end_ordinal]
    places = ", ".join(module.locations) or (module.region or "")
    return {
        "title": module.title,
        "format": formats.get(module.format, module.format),
        "wish": formats.get(prefs.format or "", prefs.format or ""),
        "places": places,
        "region": prefs.region or "",
        "next_date": date.fromordinal(later[0]).strftime("%d.%m.%Y") if later else "",
        "hours": f"{float(arrays.hours[row]):g}",
        "budget_hours": f"{prefs.budget_hours:g}",
        "price": euro(float(obstacles.prices[row])),
        "budget": euro(float(prefs.budget_eur or 0.0)),
    }

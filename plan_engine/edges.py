"""Which plan items must come before which: prerequisites (hard) and Basis before Intensiv (soft).

Kept apart from the selection, which only asks for the edges of a set of
chosen modules when it orders and schedules them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np
import numpy.typing as npt

from plan_engine.catalogue import CatalogueArrays, PrerequisiteCheck

Edge = tuple[int, int]  # (before, after), catalogue positions


def order_edges(arrays: CatalogueArrays, members: Iterable[int], completed: Collection[int],
                initial: npt.NDArray[np.int16]) -> tuple[list[Edge], list[Edge]]:
    """Hard edges (a prerequisite, or an item teaching its levels → dependant); soft ones (Basis → Intensiv).

    ``initial`` holds the learner's levels before the plan: a prerequisite
    they already meet by level needs no item before the dependant.
    """
    members = list(members)
    inside = set(members)
    hard, soft = [], []
    for b in members:
        for check in arrays.prerequisites[b]:
            if check.index in inside:
                hard.append((check.index, b))
            elif _needs_equivalent(arrays, check, completed, initial):
                # met through levels other items teach: those items are prerequisites too
                needed = dict(check.levels)
                for e in members:
                    if e != b and any(c["id"] in needed for c in arrays.modules[e].competencies):
                        hard.append((e, b))
    comps = {m: {int(c) for c in arrays.comp[m] if c >= 0} for m in members}
    for a in members:
        for b in members:
            if arrays.category_rank[a] < arrays.category_rank[b] and comps[a] & comps[b]:
                soft.append((a, b))
    return hard, soft


def _needs_equivalent(arrays: CatalogueArrays, check: PrerequisiteCheck, completed: Collection[int],
                      initial: npt.NDArray[np.int16]) -> bool:
    """A prerequisite met only through levels that other plan items teach: those items come first."""
    if check.module_id is None or check.module_id in completed or not check.levels:
        return False
    index = arrays.competency_index
    return not all(cid in index and int(initial[index[cid]]) >= lvl for cid, lvl in check.levels)

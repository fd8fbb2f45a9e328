"""One learner, one catalogue, one plan: selection, order, months and reasons, with no database involved.

This is the function the benchmark times and the property tests exercise;
:mod:`plan_engine.planner` wraps it with loading and saving.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import numpy.typing as npt

from plan_engine.budget import budget_warnings
from plan_engine.catalogue import CatalogueArrays
from plan_engine.constraints import Preferences, planning_window
from plan_engine.interests import Obstacles, interest_warnings
from plan_engine.paths import path_numbers
from plan_engine.recommend import Recommendation, explain
from plan_engine.request import Limits, PlanRequest, PlanResult, Step
from plan_engine.select import Selector
from plan_engine.texts import messages

IN_PERSON = ("presence", "blended")  # formats with days on site
STATUS_OF_PIN = {"accepted": "accepted", "enrolled": "enrolled", "postponed": "postponed"}


def make_plan(request: PlanRequest, arrays: CatalogueArrays, today: date, limits: Limits = Limits()) -> PlanResult:
    window = planning_window(request.preferences, today)
    selector = Selector(arrays, request, window, limits)
    sel = selector.run()
    pins = {p.module_id: p for p in request.pinned}
    warnings = list(sel.warnings)
    topo = {m: k for k, m in enumerate(sel.order)}
    ordered = sorted(sel.chosen, key=lambda m: (sel.slots[m].month_index if m in sel.slots else 10**6,
                                                topo.get(m, 10**6)))
    unknown_prereq = messages()["warnings"]["unknown_prerequisite"]
    items: list[Recommendation] = []
    for m in ordered:
        module = arrays.modules[m]
        module_id = int(arrays.ids[m])
        dependant = sel.prerequisite_for.get(m)
        score = sel.score[m]
        slot = sel.slots.get(m)
        if slot is None:
            warnings.append(messages()["warnings"]["pinned_unscheduled"].format(title=module.title))
        for check in arrays.prerequisites[m]:
            if check.module_id is None:
                warnings.append(unknown_prereq.format(title=module.title, ref=check.ref))
        pin = pins.get(module_id)
        items.append(Recommendation(
            module_id=module_id, title=module.title,
            match_percent=int(round(100 * min(1.0, max(0.0, score)))),
            reasons=explain(
                module, request.gaps, sel.covered[m], request.labels, request.role_title,
                career_title=request.career_title,
                prerequisite_for=arrays.modules[dependant].title if dependant is not None else None,
                preferred=module_id in request.preferred, levels_before=sel.levels_before[m],
                price=float(selector.budget.prices[m]), member=request.preferences.member,
            ),
            coverage=sel.coverage[m], semantic=float(selector.scores.semantic[m]), covered=sel.covered[m],
            planned_month=slot.month(window) if slot else (pin.month if pin else None),
            starts_on=date.fromordinal(slot.start).isoformat() if slot else None,
            ends_on=date.fromordinal(slot.finish).isoformat() if slot else None,
            category=module.category, learning_units=int(module.learning_units),
            hours=float(module.duration_hours), format=module.format,
            status=STATUS_OF_PIN.get(pin.status, "proposed") if pin else "proposed",
            role=sel.role[m], score=score,
            prerequisite_ids=sorted(int(arrays.ids[a]) for a in sel.after.get(m, [])),
            price_eur=float(selector.budget.prices[m]),
        ))
    for rec, number in zip(items, path_numbers([rec.learning_units or 0 for rec in items], limits.max_units),
                           strict=True):
        rec.path = number
    warnings += budget_warnings(selector.budget, arrays, sel.chosen, sel.slots, selector.scores.available,
                                selector.excluded, request.preferences.member)
    warnings += format_warnings(request.preferences, [arrays.modules[m].format for m in sel.chosen])
    warnings += interest_warnings(selector.open_interest, request.gaps, request.labels, Obstacles(
        arrays, request.preferences, window, limits.max_units, frozenset(sel.chosen), frozenset(selector.excluded),
        frozenset(selector.budget.left_out), selector.budget.prices, selector.scores.semantic,
        selector.prerequisite_blocked))
    selected = [sel.score[m] for m in sel.chosen if sel.role[m] == "selected"]
    return PlanResult(
        items=items, warnings=list(dict.fromkeys(warnings)),
        threshold=min(selected) if selected else None,
        units_left=max(0, limits.unit_budget - sel.units),
        hours_left=max(0.0, request.preferences.budget_hours - sel.hours),
        items_left=max(0, limits.max_items - len(sel.chosen)),
        reached=_raised(request, arrays, selector.reached),
        taught=sorted({(c["id"], int(c["level_to"])) for m in sel.chosen for c in arrays.modules[m].competencies}),
        steps=[Step(st.score, st.units, st.hours, _raised(request, arrays, st.reached), _pairs(arrays, st.keys),
                    st.tier)
               for st in sel.steps],
    )


def format_warnings(preferences: Preferences, formats: list[str]) -> list[str]:
    """Why a learner who asked for Präsenz or gemischt sees only online modules (never silently)."""
    if preferences.format not in IN_PERSON or not formats or any(f in IN_PERSON for f in formats):
        return []
    wording = messages()["warnings"]
    if preferences.region:
        return [wording["format_unavailable_region"].format(region=preferences.region)]
    return [wording["format_unavailable"]]


def _raised(request: PlanRequest, arrays: CatalogueArrays, reached: npt.NDArray[np.int16]) -> dict[str, int]:
    """Gap competencies the plan has raised above the learner's level."""
    index = arrays.competency_index
    return {cid: int(reached[index[cid]]) for cid, gap in request.gaps.items()
            if cid in index and int(reached[index[cid]]) > gap.current}


def _pairs(arrays: CatalogueArrays, keys: Iterable[int]) -> list[tuple[str, int]]:
    names = {i: cid for cid, i in arrays.competency_index.items()}
    return sorted((names[k // 8], int(k % 8)) for k in keys)

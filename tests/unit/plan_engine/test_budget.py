"""The yearly budget in euros: never exceeded per plan year, free modules always fit, no budget changes nothing,
member prices count for members, and a wanted module left out for the budget is named with an alternative."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import event, given
from hypothesis import strategies as st

from plan_engine.catalogue import KnownModule, build_arrays
from plan_engine.constraints import Preferences, planning_window
from plan_engine.engine import make_plan
from plan_engine.gaps import analyse_gaps
from plan_engine.needs import ModuleFeatures, NeedMatrix
from plan_engine.request import Limits, PinnedItem, PlanRequest
from tests.unit.plan_engine.plan_kit import synthetic_module as module
from tests.unit.plan_engine.test_plan_properties import (
    COMPETENCIES,
    DIM,
    SETTINGS,
    TODAY,
    catalogue_arrays,
    catalogues,
    check_invariants,
    learners,
    limits,
    module_specs,
    plan_cases,
)

PRICES = [0.0, 0.0, 90.0, 250.0, 400.0, 700.0, 1200.0]
ROLE = [{"competency": "e_akte", "level": 4, "weight": 1.0}, {"competency": "ozg", "level": 3, "weight": 0.8}]
LABELS = {"e_akte": "E-Akte", "ozg": "OZG", "gis": "GIS"}


def price_all(modules, data) -> None:
    for m in modules:
        m.price_non_member_eur = data.draw(st.sampled_from(PRICES))
        m.price_member_eur = data.draw(st.sampled_from([0.0, m.price_non_member_eur * 0.75]))


def with_budget(request: PlanRequest, budget: float | None, member: bool = False) -> PlanRequest:
    prefs = request.preferences
    request.preferences = Preferences(prefs.format, prefs.hours_per_month, prefs.region, prefs.earliest_start,
                                      prefs.horizon_months, member=member, budget_eur=budget)
    return request


def plan_key(result) -> list[tuple]:
    return [(i.module_id, i.planned_month, i.match_percent) for i in result.items]


def spend_per_year(modules, request: PlanRequest, result) -> dict[int, float]:
    by_id = {m.id: m for m in modules}
    window = planning_window(request.preferences, TODAY)
    spend: dict[int, float] = {}
    for item in result.items:
        year, month = (int(x) for x in item.planned_month.split("-"))
        plan_year = window.month_index(date(year, month, 1)) // 12
        m = by_id[item.module_id]
        price = m.price_member_eur if request.preferences.member else m.price_non_member_eur
        assert item.price_eur == price
        spend[plan_year] = spend.get(plan_year, 0.0) + price
    return spend


@SETTINGS
@given(plan_cases, st.sampled_from([0.0, 100.0, 300.0, 500.0, 1000.0, 2500.0]), st.booleans(), st.data())
def test_the_budget_is_never_exceeded_in_any_plan_year(case, budget, member, data) -> None:
    (modules, vectors), request, plan_limits = case
    price_all(modules, data)
    request = with_budget(request, budget, member)
    result = make_plan(request, catalogue_arrays(modules, vectors), TODAY, plan_limits)
    check_invariants(modules, request, plan_limits, result)  # every other rule still holds
    spend = spend_per_year(modules, request, result)
    assert all(total <= budget + 1e-6 for total in spend.values()), (spend, budget)
    event(f"budget binds: {'yes' if any(w.startswith('„') and 'Jahresbudget' in w for w in result.warnings) else 'no'}")
    for warning in result.warnings:
        if "Jahresbudget" in warning:  # a module named as left out is not in the plan
            named = warning.split("“")[0].lstrip("„")
            assert named not in {i.title for i in result.items}


@SETTINGS
@given(plan_cases, st.data())
def test_without_a_budget_prices_change_nothing(case, data) -> None:
    (modules, vectors), request, plan_limits = case
    free = make_plan(request, catalogue_arrays(modules, vectors), TODAY, plan_limits)
    price_all(modules, data)
    priced = make_plan(with_budget(request, None, data.draw(st.booleans())), catalogue_arrays(modules, vectors),
                       TODAY, plan_limits)
    assert plan_key(priced) == plan_key(free) and priced.warnings == free.warnings


@SETTINGS
@given(plan_cases, st.sampled_from([0.0, 50.0, 800.0]))
def test_free_modules_always_fit_whatever_the_budget(case, budget) -> None:
    (modules, vectors), request, plan_limits = case  # synthetic modules are free
    unlimited = make_plan(request, catalogue_arrays(modules, vectors), TODAY, plan_limits)
    limited = make_plan(with_budget(request, budget), catalogue_arrays(modules, vectors), TODAY, plan_limits)
    assert plan_key(limited) == plan_key(unlimited)
    assert not [w for w in limited.warnings if "Jahresbudget" in w]


@SETTINGS
@given(catalogues(min_size=2, refs_to_new=True), st.lists(learners(), min_size=1, max_size=3), limits(), st.data())
def test_the_replanning_matrix_misses_no_learner_with_a_budget(catalogue, requests, plan_limits, data) -> None:
    modules, vectors = catalogue
    price_all(modules, data)
    new = data.draw(module_specs(len(modules), len(modules) + 1))
    new.status = "approved"
    new.price_non_member_eur = new.price_member_eur = data.draw(st.sampled_from(PRICES))
    waiting = [m for m in modules if m.status == "approved"]
    known = [KnownModule(m.id, m.provider_id, m.external_id, m.status,
                         tuple((c["id"], c["level_to"]) for c in m.competencies)) for m in [*modules, new]]
    # before its approval the new module is known as submitted (modules waiting for it wait, as in the store)
    pending = module(new.id, [(c["id"], c["level_from"], c["level_to"]) for c in new.competencies],
                     **{k: v for k, v in vars(new).items() if k not in ("id", "competencies", "status")},
                     status="submitted")
    before = catalogue_arrays(modules, vectors, extra_known=[pending])
    after = build_arrays(waiting + [new], np.vstack([vectors[[m.id - 1 for m in waiting]], vectors[:1]]), known)
    matrix = NeedMatrix(DIM, COMPETENCIES, steps=plan_limits.max_items)
    plans = []
    for k, request in enumerate(requests):
        with_budget(request, data.draw(st.sampled_from([None, 0.0, 300.0, 900.0])), data.draw(st.booleans()))
        plans.append(make_plan(request, before, TODAY, plan_limits))
        matrix.upsert(f"L{k}", request, plans[-1])
    position = after.position[new.id]
    reach = [position] + after.dependants.get(position, [])
    flagged = matrix.affected([ModuleFeatures.from_arrays(after, p) for p in reach], plan_limits, TODAY)
    for k, request in enumerate(requests):
        rebuilt = make_plan(request, after, TODAY, plan_limits)
        same = [(i.module_id, i.planned_month) for i in rebuilt.items] == \
            [(i.module_id, i.planned_month) for i in plans[k].items]
        event("plan changed" if not same else "unchanged")
        assert same or flagged[k], f"learner {k}: plan changed but the matrix did not flag it"


# -- examples -------------------------------------------------------------------------------------------------


def plan(modules, budget: float | None, member: bool = False, limits: Limits = Limits(min_score=0.0), **fields):
    """Every module text fits the learner equally well: gaps, prices and the budget decide."""
    vecs = np.ones((len(modules), DIM), dtype=np.float32) / np.sqrt(DIM)
    request = PlanRequest(gaps=analyse_gaps(ROLE, {}), levels={}, need_vector=vecs[0], labels=LABELS,
                          preferences=Preferences(hours_per_month=40, member=member, budget_eur=budget), **fields)
    return make_plan(request, build_arrays(modules, vecs), TODAY, limits)


def paid(mid: int, levels: list[tuple[str, int, int]], price: float, member_price: float | None = None, **kw):
    return module(mid, levels, price_non_member_eur=price,
                  price_member_eur=price if member_price is None else member_price, **kw)


def test_the_best_module_over_budget_is_named_with_the_cheaper_one_planned_instead() -> None:
    catalogue = [paid(1, [("e_akte", 0, 4)], 1500.0, title="E-Akte Zertifikat"),
                 paid(2, [("e_akte", 0, 2)], 300.0, title="E-Akte Basis"),
                 paid(3, [("ozg", 0, 3)], 400.0, title="OZG kompakt")]
    unlimited = plan(catalogue, None)
    assert 1 in [i.module_id for i in unlimited.items]
    result = plan(catalogue, 800.0)
    assert sorted(i.module_id for i in result.items) == [2, 3]
    assert sum(i.price_eur for i in result.items) == 700.0
    assert any(w.startswith("„E-Akte Zertifikat“ (1.500 €)") and "Jahresbudget von 800 €" in w
               and "Stattdessen ist „E-Akte Basis“ (300 €) eingeplant" in w for w in result.warnings), result.warnings


def test_members_plan_with_member_prices() -> None:
    catalogue = [paid(1, [("e_akte", 0, 4)], 1500.0, member_price=700.0), paid(2, [("ozg", 0, 3)], 400.0, 0.0)]
    assert [i.module_id for i in plan(catalogue, 800.0).items] == [2]
    member = plan(catalogue, 800.0, member=True)
    assert sorted(i.module_id for i in member.items) == [1, 2]
    by_id = {i.module_id: i for i in member.items}
    assert {m: i.price_eur for m, i in by_id.items()} == {1: 700.0, 2: 0.0}
    assert by_id[1].reason_line.endswith("700 € Mitgliedspreis") and by_id[2].reason_line.endswith("kostenfrei")


def test_an_alternative_outside_the_plan_or_none_at_all() -> None:
    catalogue = [paid(1, [("e_akte", 0, 4)], 1500.0, title="E-Akte Zertifikat"),
                 paid(2, [("ozg", 0, 3)], 100.0, title="OZG kompakt"),
                 paid(3, [("e_akte", 3, 4)], 200.0, title="E-Akte für Fortgeschrittene")]
    one = plan(catalogue, 500.0, limits=Limits(min_score=0.0, max_items=1))
    assert [i.module_id for i in one.items] == [2]
    assert any("Eine günstigere Alternative zum selben Thema ist „E-Akte für Fortgeschrittene“ (200 €)" in w
               for w in one.warnings), one.warnings
    alone = plan(catalogue[:2], 500.0)
    assert any("gibt es im Katalog gerade nicht" in w for w in alone.warnings), alone.warnings


def test_agreed_items_stay_over_budget_and_only_free_modules_join_them() -> None:
    catalogue = [paid(1, [("e_akte", 0, 4)], 1500.0), paid(2, [("ozg", 0, 3)], 300.0), paid(3, [("gis", 0, 2)], 0.0)]
    result = plan(catalogue, 800.0, pinned=(PinnedItem(1, "accepted", "2027-01"),))
    assert sorted(i.module_id for i in result.items) == [1, 3]
    assert any("schon angenommen" in w and "1.500 €" in w for w in result.warnings), result.warnings


def test_a_longer_horizon_has_a_budget_per_plan_year() -> None:
    catalogue = [paid(1, [("e_akte", 0, 2)], 500.0, dates=[{"start": "2027-01-11", "end": "2027-02-12"}]),
                 paid(2, [("e_akte", 2, 4)], 500.0, dates=[{"start": "2027-03-08", "end": "2027-04-09"},
                                                           {"start": "2028-01-10", "end": "2028-02-11"}]),
                 paid(3, [("ozg", 0, 3)], 500.0, dates=[{"start": "2027-05-03", "end": "2027-06-04"}])]
    vecs = np.ones((3, DIM), dtype=np.float32) / np.sqrt(DIM)
    request = PlanRequest(gaps=analyse_gaps(ROLE, {}), levels={}, need_vector=vecs[0], labels=LABELS,
                          preferences=Preferences(hours_per_month=40, horizon_months=24, budget_eur=600.0))
    result = make_plan(request, build_arrays(catalogue, vecs), TODAY, Limits(min_score=0.0))
    months = {i.module_id: i.planned_month for i in result.items}
    # 500 € in each of the two plan years (Nov 2026 – Oct 2027, Nov 2027 – Oct 2028), never 1.000 € in one:
    # module 2 has a run in March 2027 but waits for the second year, module 1 runs only in the spent first one
    assert months == {3: "2027-05", 2: "2028-01"}, months
    unlimited = make_plan(with_budget(request, None), build_arrays(catalogue, vecs), TODAY, Limits(min_score=0.0))
    assert sorted(i.module_id for i in unlimited.items) == [1, 3]  # both in the first year: 1.000 €
    assert all(i.planned_month < "2027-06" for i in unlimited.items)

"""Property-based tests of the plan engine over random catalogues and learners (hypothesis).

Invariants: only approved modules; never over the units, items or hours budget
(overall and month by month); prerequisites in the plan always come first and
finish before their dependants start; no two items teach the same competency to
the same level; the same input always gives the same plan; prerequisite cycles
terminate; and the replanning matrix never misses a learner whose plan a new
module would change.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plan_engine.catalogue import KnownModule, build_arrays, find_cycles
from plan_engine.constraints import Preferences, planning_window
from plan_engine.engine import make_plan
from plan_engine.gaps import analyse_gaps
from plan_engine.needs import ModuleFeatures, NeedMatrix
from plan_engine.request import Limits, PlanRequest
from tests.unit.plan_engine.plan_kit import synthetic_module

TODAY = date(2026, 11, 23)
COMPETENCIES = ["c0", "c1", "c2", "c3", "c4", "c5"]
CATEGORIES = ["Basismodul", "Intensivmodul", "Bonusmodul"]
FORMATS = ["online", "presence", "blended"]
REGIONS = ["bundesweit", "Hessen", "Bayern"]
DIM = 8
# KC_HYPOTHESIS_EXAMPLES=2000 for a long run; the default keeps the unit suite fast
EXAMPLES = int(os.environ.get("KC_HYPOTHESIS_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def module_specs(draw, mid: int, count: int):
    comps = draw(st.lists(st.sampled_from(COMPETENCIES), min_size=1, max_size=3, unique=True))
    levels = []
    for cid in comps:
        lf = draw(st.integers(0, 3))
        levels.append((cid, lf, draw(st.integers(lf + 1, 4))))
    windows = []
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        start = TODAY + timedelta(days=draw(st.integers(-30, 400)))
        windows.append({"start": start.isoformat(),
                        "end": (start + timedelta(days=draw(st.integers(0, 70)))).isoformat()})
    prereqs = draw(st.lists(st.integers(0, count - 1).filter(lambda j: j != mid), max_size=2, unique=True)
                   if draw(st.integers(0, 3)) == 0 else st.just([]))
    return synthetic_module(
        mid + 1, levels, category=draw(st.sampled_from(CATEGORIES)), format=draw(st.sampled_from(FORMATS)),
        region=draw(st.sampled_from(REGIONS)), locations=["Kassel"] if draw(st.booleans()) else [],
        learning_units=draw(st.integers(1, 3)), duration_hours=float(draw(st.sampled_from([4, 8, 16, 24, 40]))),
        dates=windows, prerequisites=[f"m{j + 1}" for j in prereqs],
        status=draw(st.sampled_from(["approved"] * 4 + ["submitted", "withdrawn"])),
    )


@st.composite
def catalogues(draw, min_size: int = 1, max_size: int = 24):
    count = draw(st.integers(min_size, max_size))
    modules = [draw(module_specs(i, count)) for i in range(count)]
    seed = draw(st.integers(0, 2**31 - 1))
    vectors = np.random.default_rng(seed).normal(size=(count, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return modules, vectors


@st.composite
def learners(draw):
    targets = [{"competency": c, "level": draw(st.integers(1, 4)), "weight": draw(st.sampled_from([0.5, 0.8, 1.0]))}
               for c in draw(st.lists(st.sampled_from(COMPETENCIES), min_size=1, max_size=4, unique=True))]
    assessed = draw(st.lists(st.sampled_from(COMPETENCIES), max_size=4, unique=True))
    levels = {c: draw(st.integers(0, 3)) for c in assessed}
    interests = draw(st.lists(st.sampled_from(COMPETENCIES), max_size=2, unique=True))
    start = draw(st.sampled_from([None, date(2027, 1, 1), date(2027, 6, 1)]))
    prefs = Preferences(format=draw(st.sampled_from([None, *FORMATS])),
                        hours_per_month=float(draw(st.sampled_from([2, 8, 16, 24]))),
                        region=draw(st.sampled_from([None, "Kassel", "Bayern"])), earliest_start=start,
                        horizon_months=draw(st.integers(3, 18)))
    need = np.random.default_rng(draw(st.integers(0, 2**31 - 1))).normal(size=DIM).astype(np.float32)
    return PlanRequest(gaps=analyse_gaps(targets, levels, interests), levels=levels,
                       need_vector=need / np.linalg.norm(need), preferences=prefs)


@st.composite
def limits(draw):
    return Limits(max_units=draw(st.integers(2, 10)), max_items=draw(st.integers(1, 5)),
                  min_score=draw(st.sampled_from([0.0, 0.1, 0.2])))


def catalogue_arrays(modules, vectors, extra_known=()):
    """What the index would hold (approved only), with every module known for prerequisite resolution."""
    keep = [i for i, m in enumerate(modules) if m.status == "approved"]
    known = [KnownModule(m.id, m.provider_id, m.external_id, m.status,
                         tuple((c["id"], c["level_to"]) for c in m.competencies)) for m in [*modules, *extra_known]]
    return build_arrays([modules[i] for i in keep], vectors[keep] if keep else np.zeros((0, DIM), np.float32), known)


def check_invariants(modules, request: PlanRequest, plan_limits: Limits, result) -> None:
    by_id = {m.id: m for m in modules}
    items = result.items
    prefs = request.preferences
    window = planning_window(prefs, TODAY)
    # only approved modules, each once
    assert all(by_id[i.module_id].status == "approved" for i in items)
    assert len({i.module_id for i in items}) == len(items) <= plan_limits.max_items
    # budgets: units, hours, and month by month
    assert sum(by_id[i.module_id].learning_units for i in items) <= plan_limits.max_units
    assert sum(by_id[i.module_id].duration_hours for i in items) <= prefs.budget_hours + 1e-6
    load = np.zeros(window.months)
    for item in items:
        year, month = (int(x) for x in item.planned_month.split("-"))
        index = window.month_index(date(year, month, 1))
        assert 0 <= index < window.months, (item.planned_month, window)
        load[index] += by_id[item.module_id].duration_hours
    assert np.all(np.cumsum(load) <= prefs.hours_per_month * np.arange(1, window.months + 1) + 1e-6)
    # no redundancy: one (competency, level reached) pair per plan
    pairs = [(c["id"], c["level_to"]) for i in items for c in by_id[i.module_id].competencies]
    assert len(pairs) == len(set(pairs))
    # prerequisites first: in the plan and finished before the dependant starts, or their levels already
    # reached (by the learner, or by items earlier in the plan)
    position = {i.module_id: k for k, i in enumerate(items)}
    for k, item in enumerate(items):
        reached = dict(request.levels)
        for earlier in items[:k]:
            for c in by_id[earlier.module_id].competencies:
                reached[c["id"]] = max(reached.get(c["id"], 0), c["level_to"])
        own = {x["id"] for x in by_id[item.module_id].competencies}
        for ref in by_id[item.module_id].prerequisites:
            pre = next(m for m in modules if m.external_id == ref)
            if pre.id in position:
                assert position[pre.id] < k
                assert items[position[pre.id]].ends_on < item.starts_on
            else:
                needed = [c for c in pre.competencies if c["id"] in own] or pre.competencies
                assert all(reached.get(c["id"], 0) >= c["level_to"] for c in needed), (item.module_id, pre.id)
    # preferences
    for item in items:
        module = by_id[item.module_id]
        assert window.start.isoformat() <= item.starts_on and item.starts_on[:7] == item.planned_month
        if prefs.format == "online":
            assert module.format == "online"
        if module.dates:
            assert item.starts_on in {w["start"] for w in module.dates}
    assert all(0 <= i.match_percent <= 100 and i.reasons for i in items)


@SETTINGS
@given(catalogues(), learners(), limits())
def test_plan_invariants_hold_for_random_catalogues(catalogue, request, plan_limits) -> None:
    modules, vectors = catalogue
    result = make_plan(request, catalogue_arrays(modules, vectors), TODAY, plan_limits)
    check_invariants(modules, request, plan_limits, result)


@SETTINGS
@given(catalogues(), learners(), limits())
def test_same_input_same_plan(catalogue, request, plan_limits) -> None:
    modules, vectors = catalogue
    first = make_plan(request, catalogue_arrays(modules, vectors), TODAY, plan_limits)
    second = make_plan(request, catalogue_arrays(modules, vectors), TODAY, plan_limits)
    assert [(i.module_id, i.planned_month, i.match_percent, i.reasons) for i in first.items] == \
        [(i.module_id, i.planned_month, i.match_percent, i.reasons) for i in second.items]
    assert first.warnings == second.warnings


@SETTINGS
@given(st.integers(2, 12), st.data())
def test_prerequisite_cycles_terminate_and_are_reported(size, data) -> None:
    """Every module requires the next one, the last requires the first: a ring the planner must not walk forever."""
    modules = [synthetic_module(i + 1, [("c0", min(i, 3), min(i, 3) + 1)], prerequisites=[f"m{(i + 1) % size + 1}"])
               for i in range(size)]
    vectors = np.ones((size, DIM), dtype=np.float32) / np.sqrt(DIM)
    arrays = catalogue_arrays(modules, vectors)
    assert arrays.cycles == [[m.id for m in modules]]
    request = PlanRequest(gaps=analyse_gaps([{"competency": "c0", "level": 4}], {}), levels={},
                          need_vector=vectors[0], preferences=Preferences(hours_per_month=40))
    result = make_plan(request, arrays, TODAY, Limits(max_units=50, max_items=5, min_score=0.0))
    assert result.items == []  # nobody can start a ring
    assert any("im Kreis" in w for w in result.warnings)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 9).flatmap(lambda n: st.lists(st.lists(st.integers(0, n - 1), max_size=3), min_size=n,
                                                    max_size=n)))
def test_find_cycles_matches_networkx(adjacency) -> None:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(adjacency)))
    graph.add_edges_from((a, b) for a, targets in enumerate(adjacency) for b in targets)
    expected = sorted(sorted(c) for c in nx.strongly_connected_components(graph)
                      if len(c) > 1 or any(graph.has_edge(n, n) for n in c))
    assert sorted(find_cycles([sorted(set(t)) for t in adjacency])) == expected


@SETTINGS
@given(catalogues(min_size=2), st.lists(learners(), min_size=1, max_size=4), limits(), st.data())
def test_replanning_matrix_never_misses_an_affected_learner(catalogue, requests, plan_limits, data) -> None:
    """A module the matrix does not flag for a learner must leave that learner's plan exactly as it was."""
    modules, vectors = catalogue
    new = data.draw(module_specs(len(modules), len(modules) + 1))
    new.status = "approved"
    new_vector = vectors[0] if data.draw(st.booleans()) else -vectors[0]
    waiting = [m for m in modules if m.status == "approved"]
    pending = synthetic_module(new.id, [(c["id"], c["level_from"], c["level_to"]) for c in new.competencies],
                               **{k: v for k, v in vars(new).items() if k not in ("id", "competencies", "status")},
                               status="submitted")
    before = catalogue_arrays(modules, vectors, extra_known=[pending])
    after = build_arrays(waiting + [new], np.vstack([vectors[[m.id - 1 for m in waiting]], new_vector[None, :]]),
                         [KnownModule(m.id, m.provider_id, m.external_id, m.status,
                                      tuple((c["id"], c["level_to"]) for c in m.competencies))
                          for m in [*modules, new]])
    matrix = NeedMatrix(DIM, COMPETENCIES, steps=plan_limits.max_items)
    plans = []
    for k, request in enumerate(requests):
        result = make_plan(request, before, TODAY, plan_limits)
        matrix.upsert(f"L{k}", request, result)
        plans.append(result)
    position = after.position[new.id]
    reach = [position] + after.dependants.get(position, [])
    flagged = matrix.affected([ModuleFeatures.from_arrays(after, p) for p in reach], plan_limits, TODAY)
    for k, request in enumerate(requests):
        rebuilt = make_plan(request, after, TODAY, plan_limits)
        same = [(i.module_id, i.planned_month) for i in rebuilt.items] == \
            [(i.module_id, i.planned_month) for i in plans[k].items]
        assert same or flagged[k], f"learner {k}: plan changed but the matrix did not flag it"

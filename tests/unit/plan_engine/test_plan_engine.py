"""Example-based tests of the plan engine without a database: gaps, selection, order, months, reasons."""

from __future__ import annotations

from datetime import date

import numpy as np

from plan_engine.catalogue import build_arrays
from plan_engine.constraints import Preferences
from plan_engine.engine import make_plan
from plan_engine.gaps import analyse_gaps
from plan_engine.request import Limits, PinnedItem, PlanRequest
from tests.unit.plan_engine.plan_kit import synthetic_module as module

TODAY = date(2026, 11, 23)
LABELS = {"e_akte": "E-Akte", "process": "Prozessdigitalisierung", "ozg": "OZG", "gis": "GIS"}
ROLE = [{"competency": "e_akte", "level": 3, "weight": 1.0}, {"competency": "ozg", "level": 2, "weight": 0.5}]


def vectors(count: int, dim: int = 8) -> np.ndarray:
    rng = np.random.default_rng(7)
    out = rng.normal(size=(count, dim)).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def plan(modules, levels=None, prefs=None, limits=Limits(), **request_fields):
    """Every module text fits the learner equally well here, so only gaps and constraints decide."""
    vecs = np.tile(vectors(1), (len(modules), 1))
    levels = levels or {}
    request = PlanRequest(
        gaps=analyse_gaps(ROLE, levels, request_fields.pop("interests", ())), levels=levels, need_vector=vecs[0],
        preferences=prefs or Preferences(), labels=LABELS, **request_fields)
    return make_plan(request, build_arrays(modules, vecs), TODAY, limits)


def test_gaps_weight_role_career_and_interest_and_trust_evidence_more() -> None:
    gaps = analyse_gaps(
        ROLE, {"e_akte": 1, "ozg": 0}, ["gis"],
        career_targets=[{"competency": "e_akte", "level": 4, "weight": 1.0}, {"competency": "process", "level": 2}],
        sources={"e_akte": "completed_module", "ozg": "self_assessment"},
    )
    assert gaps["e_akte"].target == 4 and gaps["e_akte"].from_career and gaps["e_akte"].evidence
    # two role levels at weight 1, one career level at 0.5
    assert abs(gaps["e_akte"].weight - (2 * 1.0 + 1 * 0.5) / 3) < 1e-9
    assert gaps["process"].weight == 0.5 and gaps["process"].from_career and not gaps["process"].from_role
    assert gaps["e_akte"].confidence == 1.0 and gaps["ozg"].confidence == 0.9
    # unassessed but named as an interest: the learner's own words count like a self-assessment
    assert gaps["gis"].confidence == 0.9 and gaps["gis"].interest_only
    unnamed = analyse_gaps(ROLE, {"e_akte": 1})["ozg"]
    assert unnamed.confidence == 0.5 and not unnamed.assessed  # a role competency nobody asked about: half
    assert gaps["ozg"].need == 2 * 0.5 * 0.9


def test_match_percentage_is_calibrated() -> None:
    """Closing the biggest gap with a perfectly matching text is 100 %, an unrelated module 0 %."""
    modules = [module(1, [("e_akte", 1, 3)]), module(2, [("gis", 0, 2)])]
    vecs = vectors(2)
    request = PlanRequest(gaps=analyse_gaps(ROLE, {"e_akte": 1, "ozg": 2}), levels={"e_akte": 1, "ozg": 2},
                          need_vector=vecs[0], labels=LABELS)
    result = make_plan(request, build_arrays(modules, vecs), TODAY, Limits(min_score=0.0))
    by_id = {i.module_id: i for i in result.items}
    assert by_id[1].match_percent == 100
    # module 2 closes no gap and its text is far below the similarity floor; min_score 0 lets it in at 0 %
    assert by_id[2].match_percent == 0 and by_id[2].coverage == 0.0 and by_id[2].semantic == 0.0


def test_reason_reads_like_the_example_and_names_the_price_that_applies() -> None:
    modules = [module(1, [("e_akte", 1, 3), ("process", 0, 1)], duration_hours=8.0, price_member_eur=450.0,
                      price_non_member_eur=1200.0)]
    result = plan(modules, {"e_akte": 1}, interests=["process"])
    assert result.items[0].reason_line == (
        "Schließt Ihre Lücke bei E-Akte (Stufe 1 → 3), passt zu Ihrem Interesse an Prozessdigitalisierung, "
        "online, 8 Std., 1.200 €")
    assert result.items[0].price_eur == 1200.0
    member = plan(modules, {"e_akte": 1}, prefs=Preferences(member=True), interests=["process"]).items[0]
    assert member.reason_line.endswith("online, 8 Std., 450 € Mitgliedspreis") and member.price_eur == 450.0
    free = plan([module(1, [("e_akte", 1, 3)])], {"e_akte": 1}).items[0]
    assert free.reason_line.endswith(", kostenfrei")


def test_intensive_module_brings_its_basis_first_and_levels_count_from_there() -> None:
    basis = module(1, [("e_akte", 0, 2)], external_id="eakte-basis", dates=[{"start": "2027-02-01",
                                                                            "end": "2027-03-15"}])
    intensive = module(2, [("e_akte", 2, 3)], category="Intensivmodul", prerequisites=["eakte-basis"],
                       dates=[{"start": "2027-01-11", "end": "2027-01-29"}, {"start": "2027-05-03",
                                                                             "end": "2027-06-25"}])
    result = plan([basis, intensive], limits=Limits(max_units=4, min_score=0.0))
    assert [i.module_id for i in result.items] == [1, 2]
    first, second = result.items
    assert first.planned_month == "2027-02" and second.planned_month == "2027-05"  # the January run is too early
    assert first.ends_on < second.starts_on and second.prerequisite_ids == [1]
    assert "Schließt Ihre Lücke bei E-Akte (Stufe 2 → 3)" in second.reasons[0]


def test_prerequisite_met_by_levels_is_not_added_and_unavailable_one_blocks() -> None:
    basis = module(1, [("e_akte", 0, 2)], external_id="eakte-basis")
    intensive = module(2, [("e_akte", 2, 3)], category="Intensivmodul", prerequisites=["eakte-basis"])
    assert [i.module_id for i in plan([basis, intensive], {"e_akte": 2}).items] == [2]
    # the basis is not recommendable (e.g. back in review) and the learner is at level 0: no intensive module
    from plan_engine.catalogue import KnownModule

    vecs = vectors(1)
    arrays = build_arrays([intensive], vecs, [KnownModule(1, "p", "eakte-basis", "submitted", (("e_akte", 2),)),
                                              KnownModule(2, "p", "m2", "approved", (("e_akte", 3),))])
    request = PlanRequest(gaps=analyse_gaps(ROLE, {}), levels={}, need_vector=vecs[0])
    assert make_plan(request, arrays, TODAY, Limits(min_score=0.0)).items == []


def test_prerequisite_cycle_is_reported_not_followed() -> None:
    a = module(1, [("e_akte", 0, 2)], prerequisites=["m2"])
    b = module(2, [("e_akte", 2, 3)], prerequisites=["m1"])
    c = module(3, [("ozg", 0, 2)])
    result = plan([a, b, c], limits=Limits(min_score=0.0))
    assert [i.module_id for i in result.items] == [3]
    assert any("im Kreis" in w and "Modul 1" in w for w in result.warnings)


def test_format_region_and_dates_are_respected() -> None:
    online = module(1, [("e_akte", 1, 3)], format="online")
    hessen = module(2, [("e_akte", 1, 3)], format="presence", region="Hessen", locations=["Frankfurt am Main"])
    bayern = module(3, [("e_akte", 1, 3)], format="blended", region="Bayern", locations=["München"])
    early = module(4, [("e_akte", 1, 3)], dates=[{"start": "2027-01-11", "end": "2027-02-01"}])
    modules = [online, hessen, bayern, early]
    levels = {"e_akte": 1}
    only_online = plan(modules, levels, Preferences(format="online", earliest_start=date(2027, 3, 1)),
                       Limits(max_items=5, max_units=10, min_score=0.0))
    assert {i.module_id for i in only_online.items} == {1}  # presence is out, the January run is too early
    # Kassel lies in Hessen (data/regions.yml): the Frankfurt module counts, the Munich one does not
    presence = plan(modules, levels, Preferences(format="presence", region="Kassel"), Limits(max_units=10))
    assert presence.items[0].module_id == 2  # presence preferred over the equal online module
    chosen = {i.module_id for i in presence.items}
    assert 3 not in chosen


def test_hours_per_month_spread_the_plan() -> None:
    modules = [module(1, [("e_akte", 1, 3)], duration_hours=16.0), module(2, [("ozg", 0, 2)], duration_hours=16.0)]
    result = plan(modules, {"e_akte": 1}, Preferences(hours_per_month=8, earliest_start=date(2027, 1, 1)),
                  Limits(min_score=0.0))
    assert [i.planned_month for i in result.items] == ["2027-02", "2027-04"]  # 16 h each at 8 h a month
    # a budget of 3 months × 8 h leaves room for one 16 h module only
    short = plan(modules, {"e_akte": 1}, Preferences(hours_per_month=8, horizon_months=3), Limits(min_score=0.0))
    assert len(short.items) == 1 and short.hours_left == 8


def test_learning_units_limit_the_path() -> None:
    modules = [module(i, [(c, 0, 2)], learning_units=3) for i, c in enumerate(["e_akte", "ozg", "gis"], 1)]
    result = plan(modules, limits=Limits(max_units=5, min_score=0.0))
    assert len(result.items) == 1 and result.units_left == 2


def test_no_two_items_teach_the_same_level() -> None:
    modules = [module(1, [("e_akte", 1, 3)]), module(2, [("e_akte", 0, 3), ("ozg", 0, 2)]), module(3, [("ozg", 0, 2)])]
    result = plan(modules, {"e_akte": 1}, limits=Limits(max_units=10, min_score=0.0))
    pairs = [(c["id"], c["level_to"]) for i in result.items for c in modules[i.module_id - 1].competencies]
    assert len(pairs) == len(set(pairs))


def test_pinned_item_stays_with_its_month_and_preferred_module_is_boosted() -> None:
    modules = [module(1, [("e_akte", 1, 3)]), module(2, [("gis", 0, 1)]), module(3, [("ozg", 0, 2)])]
    pinned = plan(modules, {"e_akte": 1}, Preferences(earliest_start=date(2027, 1, 1)),
                  pinned=(PinnedItem(2, "accepted", "2027-06"),))
    by_id = {i.module_id: i for i in pinned.items}
    assert by_id[2].status == "accepted" and by_id[2].planned_month == "2027-06" and by_id[2].role == "pinned"
    boosted = plan(modules, {"e_akte": 1}, preferred=frozenset({3}), limits=Limits(max_items=1))
    assert [i.module_id for i in boosted.items] == [3]
    assert "von Ihrer Personalverwaltung vorgesehen" in boosted.items[0].reasons


def test_rejected_and_completed_modules_are_never_planned() -> None:
    modules = [module(1, [("e_akte", 1, 3)]), module(2, [("e_akte", 1, 3)])]
    result = plan(modules, {"e_akte": 1}, excluded=frozenset({1}))
    assert [i.module_id for i in result.items] == [2]


def test_a_role_competency_never_asked_about_is_explained_without_a_level() -> None:
    """The learner rated E-Akte only: a reason "OZG (Stufe 0 → 2)" would cite a level nobody gave."""
    modules = [module(1, [("ozg", 0, 2)]), module(2, [("e_akte", 1, 3)])]
    result = plan(modules, {"e_akte": 1}, limits=Limits(max_units=4, min_score=0.0))
    reasons = {item.module_id: item.reasons[0] for item in result.items}
    assert reasons[2] == "Schließt Ihre Lücke bei E-Akte (Stufe 1 → 3)"
    assert reasons[1].startswith("Wichtig für Ihre Tätigkeit: OZG") and "Stufe" not in reasons[1]


def test_a_wish_for_presence_that_nothing_meets_is_explained() -> None:
    online = module(1, [("e_akte", 0, 2)])
    for wanted in ("presence", "blended"):
        result = plan([online], prefs=Preferences(format=wanted, region="Bremerhaven"),
                      limits=Limits(max_units=4, min_score=0.0))
        assert [i.module_id for i in result.items] == [1]
        assert any("Bremerhaven" in w and "Online-Module" in w for w in result.warnings)
    assert not plan([online], prefs=Preferences(format="online"), limits=Limits(min_score=0.0)).warnings


def test_a_year_of_hours_fills_several_learning_paths_of_at_most_five_units() -> None:
    """8 hours a month for twelve months: not two modules, but paths one after the other, each ≤ 5 units."""
    from plan_engine.paths import path_numbers

    modules = [module(n, [(cid, 0, 2)], learning_units=2, duration_hours=16)
               for n, cid in enumerate(["e_akte", "ozg", "gis", "process"] * 2, start=1)]
    result = plan(modules, {"e_akte": 0, "ozg": 0, "gis": 0, "process": 0}, prefs=Preferences(hours_per_month=8),
                  limits=Limits(max_units=5, max_items=15, max_paths=3, min_score=0.0),
                  interests=["gis", "process"])
    assert len(result.items) >= 4 and sum(i.learning_units or 0 for i in result.items) > 5
    for number in {i.path for i in result.items}:
        assert sum(i.learning_units or 0 for i in result.items if i.path == number) <= 5
    assert path_numbers([2, 2, 2, 1, 3, 5], 5) == [1, 1, 2, 2, 3, 4]


def test_beyond_the_first_path_every_item_closes_a_gap() -> None:
    """A module that teaches nothing the learner needs may not fill the later months, however well it reads."""
    needed = [module(n, [(cid, 0, 2)]) for n, cid in enumerate(["e_akte", "ozg", "gis"], start=1)]
    unrelated = module(9, [("ki_recht", 0, 2)])
    limits = Limits(max_units=5, max_items=15, max_paths=3, min_score=0.0)
    result = plan([*needed, unrelated], {"e_akte": 0, "ozg": 0, "gis": 0}, prefs=Preferences(hours_per_month=8),
                  limits=limits, interests=["gis"])
    assert {i.module_id for i in result.items} == {1, 2, 3}
    # within the first path it may still come (no gap left to close there)
    alone = plan([needed[0], unrelated], {"e_akte": 0}, prefs=Preferences(hours_per_month=8), limits=limits)
    assert {i.module_id for i in alone.items} == {1, 9}

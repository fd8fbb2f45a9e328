"""The learner's own words first: a named interest, then a self-rated gap, before what only the role asks for;
a named interest the plan cannot serve is explained; a later date of one item makes room for another."""

from __future__ import annotations

from datetime import date

from plan_engine.constraints import Preferences
from plan_engine.request import Limits
from tests.unit.plan_engine.plan_kit import synthetic_module as module
from tests.unit.plan_engine.test_plan_engine import plan

ONE = Limits(max_items=1, min_score=0.0)


def test_a_named_interest_comes_before_a_larger_role_gap() -> None:
    modules = [module(1, [("e_akte", 0, 3)]), module(2, [("gis", 0, 2)])]
    assert [i.module_id for i in plan(modules, limits=ONE).items] == [1]
    assert [i.module_id for i in plan(modules, limits=ONE, interests=["gis"]).items] == [2]


def test_a_self_rated_gap_comes_before_a_role_gap_nobody_asked_about() -> None:
    modules = [module(1, [("e_akte", 0, 3)]), module(2, [("ozg", 0, 2)])]
    assert [i.module_id for i in plan(modules, {"ozg": 0}, limits=ONE).items] == [2]


def test_a_named_interest_the_plan_cannot_serve_is_explained_with_the_nearest_module() -> None:
    modules = [module(1, [("e_akte", 0, 3)]),
               module(2, [("gis", 0, 2)], format="presence", region="Bayern", locations=["München"])]
    result = plan(modules, prefs=Preferences(format="online"), limits=Limits(min_score=0.0), interests=["gis"])
    assert [i.module_id for i in result.items] == [1]
    assert any("„GIS“" in w and "„Modul 2“" in w and "Präsenz" in w for w in result.warnings)


def test_an_earlier_item_moves_to_its_later_date_to_make_room() -> None:
    """At 8 h a month, a February workshop leaves no room for the only March date of the next module."""
    feb_or_july = module(1, [("e_akte", 0, 2)], dates=[{"start": "2027-02-22", "end": "2027-04-22"},
                                                      {"start": "2027-07-12", "end": "2027-09-09"}])
    march = module(2, [("ozg", 0, 2)], dates=[{"start": "2027-03-22", "end": "2027-05-06"}])
    result = plan([feb_or_july, march], prefs=Preferences(hours_per_month=8, earliest_start=date(2027, 1, 1)),
                  limits=Limits(max_units=10, min_score=0.0))
    assert {i.module_id: i.planned_month for i in result.items} == {1: "2027-07", 2: "2027-03"}

from plan_engine.gaps import analyse_gaps

TARGETS = [
    {"competency": "e_akte", "level": 3, "weight": 1.0},
    {"competency": "ozg", "level": 2, "weight": 0.5},
]


def test_interest_adds_a_gap_with_lower_weight() -> None:
    gaps = analyse_gaps(TARGETS, {"e_akte": 1}, ["gis"])
    assert gaps["gis"].target == 2 and gaps["gis"].weight == 0.5 and gaps["gis"].from_interest

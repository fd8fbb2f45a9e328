import numpy as np

from plan_engine.gaps import analyse_gaps
from plan_engine.recommend import CandidateModule, closing_fraction, recommend

TARGETS = [
    {"competency": "e_akte", "level": 3, "weight": 1.0},
    {"competency": "ozg", "level": 2, "weight": 0.5},
]
LABELS = {"e_akte": "E-Akte", "ozg": "OZG", "gis": "GIS"}


def module(mid, comp, lf, lt, title="M"):
    return CandidateModule(mid, f"{title}{mid}", [{"id": comp, "level_from": lf, "level_to": lt}], "online", 16)


def test_closing_fraction() -> None:
    gaps = analyse_gaps(TARGETS, {"e_akte": 1})
    assert closing_fraction(gaps["e_akte"], 1, 3) == (1.0, 3)
    assert closing_fraction(gaps["e_akte"], 0, 2) == (0.5, 2)
    fraction, _ = closing_fraction(gaps["e_akte"], 2, 4)  # starts above the learner
    assert fraction == 0.25


def test_interest_adds_a_gap_with_lower_weight() -> None:
    gaps = analyse_gaps(TARGETS, {"e_akte": 1}, ["gis"])
    assert gaps["gis"].target == 2 and gaps["gis"].weight == 0.5 and gaps["gis"].from_interest


def test_biggest_gap_scores_high_unrelated_low_and_no_redundancy() -> None:
    modules = [
        module(1, "e_akte", 1, 3),
        module(2, "e_akte", 1, 3),  # redundant with 1
        module(3, "ozg", 0, 2),
        module(4, "gis", 0, 2),  # unrelated to any gap
    ]
    vectors = np.eye(4, dtype=np.float32)
    need = np.full(4, 0.5, dtype=np.float32)
    gaps = analyse_gaps(TARGETS, {"e_akte": 1, "ozg": 0})
    recs = recommend(modules, vectors, gaps, need, LABELS, limit=2)
    # module 2 teaches exactly what module 1 already closes, so the OZG module is chosen instead
    assert {r.module_id for r in recs} == {1, 3}
    assert recs[0].module_id == 1
    assert recs[0].match_percent >= 60
    assert "Schließt Ihre Lücke bei E-Akte (Stufe 1 → 3)" in recs[0].reasons[0]
    assert recs[0].reasons[-1] == "online, 16 Std."
    unrelated = recommend([module(4, "gis", 0, 2)], vectors[3:], gaps, need, LABELS)
    assert unrelated[0].match_percent < 10


def test_semantic_fit_lifts_matching_module() -> None:
    modules = [module(1, "gis", 0, 2), module(2, "gis", 0, 2)]
    need = np.array([1.0, 0.0], dtype=np.float32)
    vectors = np.array([[0.95, 0.31], [0.70, 0.71]], dtype=np.float32)
    recs = recommend(modules, vectors, analyse_gaps([], {}), need, LABELS, limit=2)
    assert recs[0].module_id == 1 and recs[0].match_percent > recs[1].match_percent


def test_empty_catalogue() -> None:
    assert recommend([], np.zeros((0, 4)), analyse_gaps(TARGETS, {}), np.zeros(4), LABELS) == []

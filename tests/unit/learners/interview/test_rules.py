"""Interview rules: unusable answers, role and level decisions from matches, competencies in free text."""

from __future__ import annotations

from campus.catalogue.models import RoleProfile
from campus.learners.interview.rules import (
    assessment_questions,
    decide_level,
    decide_role,
    interest_competencies,
    match_competencies,
    text_problem,
)
from tests.unit.learners.interview.kit import Cand


class FakeMatcher:
    def __init__(self, candidates):
        self.candidates = candidates

    def match(self, text, top_k=3):
        return self.candidates[:top_k]


def test_text_problems() -> None:
    assert text_problem("", 100) == "empty"
    assert text_problem("   ", 100) == "empty"
    assert text_problem(None, 100) == "empty"
    assert text_problem("a" * 101, 100) == "too_long"
    assert text_problem("🙂👍🎉", 100) == "no_words"
    assert text_problem("1234", 100) == "no_words"
    assert text_problem("Ich arbeite im Bürgerbüro", 100) is None


def test_assessment_questions_rank_by_weighted_target() -> None:
    role = RoleProfile(id="r", title="R", description="d", targets=[
        {"competency": "a", "level": 2, "weight": 0.5},
        {"competency": "b", "level": 4, "weight": 1.0},
        {"competency": "c", "level": 3, "weight": 0.9},
        {"competency": "d", "level": 1, "weight": 1.0},
    ])
    assert assessment_questions(role) == ["b", "c", "a"]


def test_lexical_role_match_is_accepted() -> None:
    decision = decide_role("Bürgerbüro", FakeMatcher([Cand("bb", "Bürgerbüro", 1.0, True)]))
    assert decision.role_id == "bb"


def test_clear_dense_match_is_accepted_and_close_call_is_offered() -> None:
    clear = FakeMatcher([Cand("a", "A", 0.90, False), Cand("b", "B", 0.85, False)])
    assert decide_role("x", clear).role_id == "a"
    close = FakeMatcher([Cand("a", "A", 0.87, False), Cand("b", "B", 0.865, False), Cand("c", "C", 0.7, False)])
    decision = decide_role("x", close)
    assert decision.role_id is None
    assert [c.id for c in decision.suggestions] == ["a", "b"]


def test_weak_match_gives_no_suggestions() -> None:
    decision = decide_role("x", FakeMatcher([Cand("a", "A", 0.70, False)]))
    assert decision.role_id is None and decision.suggestions == []


def test_interest_competencies_keep_lexical_and_close_paraphrases() -> None:
    matcher = FakeMatcher([Cand("a", "A", 1.0, True), Cand("b", "B", 0.88, False), Cand("c", "C", 0.87, False),
                           Cand("d", "D", 0.85, False)])
    assert interest_competencies("x", matcher, limit=4) == ["a", "b", "c"]
    far_behind = FakeMatcher([Cand("b", "B", 0.90, False), Cand("c", "C", 0.86, False)])
    assert interest_competencies("x", far_behind) == ["b"]


def test_paraphrased_role_is_accepted_but_marked_for_confirmation() -> None:
    lexical = decide_role("Bürgerbüro", FakeMatcher([Cand("bb", "Bürgerbüro", 1.0, True)]))
    assert lexical.certain
    dense = decide_role("x", FakeMatcher([Cand("a", "A", 0.90, False), Cand("b", "B", 0.85, False)]))
    assert dense.role_id == "a" and not dense.certain and dense.score == 0.90


def test_level_guess_needs_a_clear_winner_among_other_levels() -> None:
    # several self-descriptions of the same level do not count as a close runner-up
    same_level = FakeMatcher([Cand("2", "A", 0.90, False), Cand("2", "A", 0.899, False), Cand("3", "B", 0.86, False)])
    assert decide_level("x", same_level) == (2, 0.90)
    close = FakeMatcher([Cand("2", "A", 0.90, False), Cand("3", "B", 0.899, False)])
    assert decide_level("x", close) is None
    weak = FakeMatcher([Cand("1", "A", 0.80, False), Cand("3", "B", 0.70, False)])
    assert decide_level("x", weak) is None
    assert decide_level("x", FakeMatcher([Cand("0", "A", 1.0, True)])) == (0, 1.0)


def test_competency_match_merges_nlu_entities_with_the_matcher() -> None:
    matcher = FakeMatcher([Cand("data_protection", "DS", 1.0, True), Cand("ai_basics", "KI", 0.87, False)])
    nlu = "CompetencyEntityExtractor"
    entities = [
        {"entity": "competency", "value": "e_akte", "confidence_entity": 1.0, "extractor": nlu},
        {"entity": "competency", "value": "online_services", "confidence_entity": 0.88, "extractor": nlu},
        {"entity": "competency", "value": "Datenschutz", "confidence_entity": 0.99, "extractor": "DIETClassifier"},
        {"entity": "role", "value": "x"},
    ]
    found = match_competencies("Datenschutz und E-Akte", matcher, entities, limit=4)
    assert found.certain == ["e_akte", "data_protection"]
    assert found.uncertain == ["online_services", "ai_basics"]
    assert match_competencies("nichts", FakeMatcher([]), []).all == []

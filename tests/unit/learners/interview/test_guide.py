"""The interview guide as data: parsing, walking, conditions, answer judging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
import yaml

from campus.learners.interview.guide import (
    Answer,
    GuideError,
    Step,
    answered,
    go_back,
    judge,
    load_guide,
    new_state,
    next_step,
    parse_guide,
    parse_month,
    pending_for,
    profile_fields,
    propose,
    record,
    skip,
)
from campus.store.settings import get_settings

GUIDE_PATH = get_settings().data_dir / "interview_guide.yml"


@dataclass
class Cand:
    id: str
    label: str
    score: float
    lexical: bool


class FakeRoles:
    def match(self, text, top_k=3):
        if "rechnung" in text.lower():
            return [Cand("kaemmerei", "Kämmerei", 0.9, False), Cand("bauamt", "Bauamt", 0.8, False)]
        return [Cand("ordnungsamt", "Ordnungsamt", 0.83, False), Cand("bauamt", "Bauamt", 0.825, False)]


def walk(guide, state, answers: dict[str, object]):
    """Answer steps in order from a dict keyed by step key; returns the final state and the keys asked."""
    asked = []
    while (step := next_step(guide, state, {})) is not None:
        asked.append(step.key)
        value = answers.get(step.key, answers.get(step.question.type))
        if value == "skip":
            state = skip(state, step)
            continue
        queue = ["e_akte", "data_protection", "ozg_basics"] if step.question.field == "role_id" else None
        state = record(state, step, value, queue)
    return state, asked


def test_committed_guide_covers_the_required_topics() -> None:
    guide = load_guide(GUIDE_PATH)
    fields = {q.field for q in guide.questions}
    assert {"organisation", "role_id", "main_tasks", "levels", "interest_text", "career_goal_role_id",
            "format_preference", "hours_per_month", "region", "earliest_start", "consent"} <= fields
    assert all(q.why for q in guide.questions)


def test_conditions_decide_which_questions_are_asked() -> None:
    guide = load_guide(GUIDE_PATH)
    base = {"organisation": "Stadt X", "role": "kaemmerei", "main_tasks": "Haushalt", "interest": "KI",
            "career_goal": "none", "hours_per_month": 8, "earliest_start": "2027-01", "consent": "yes",
            "competency_scales": 1}
    _, asked = walk(guide, new_state(guide), {**base, "leads_staff": "no", "format_preference": "online"})
    assert "leadership_level" not in asked and "region" not in asked and "depth_goal" not in asked
    assert asked.count("levels:e_akte") == 1 and "levels:ozg_basics" in asked
    _, asked = walk(guide, new_state(guide), {**base, "leads_staff": "yes", "format_preference": "presence",
                                              "scale": 3, "competency_scales": 3, "depth_goal": "deepen",
                                              "region": "Kassel"})
    assert {"leadership_level", "region", "depth_goal"} <= set(asked)


def test_a_changed_guide_asks_the_new_question(tmp_path) -> None:
    data = yaml.safe_load(GUIDE_PATH.read_text(encoding="utf-8"))
    data["sections"][0]["questions"].insert(1, {
        "id": "years", "text": "Seit wie vielen Jahren arbeiten Sie in der Verwaltung?", "why": "Erfahrung.",
        "type": "number", "field": "years_in_service", "min": 0, "max": 50,
    })
    path = tmp_path / "guide.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    guide = load_guide(path)
    state = record(new_state(guide), next_step(guide, new_state(guide), {}), "Stadt X")
    step = next_step(guide, state, {})
    assert step.key == "years" and step.question.text.startswith("Seit wie vielen Jahren")


def test_invalid_guides_are_refused() -> None:
    with pytest.raises(GuideError):
        parse_guide({"sections": [{"id": "s", "questions": [
            {"id": "a", "text": "?", "type": "telepathy", "field": "x"}]}]})
    with pytest.raises(GuideError):
        parse_guide({"sections": [{"id": "s", "questions": [
            {"id": "a", "text": "?", "type": "free_text", "field": "x", "when": {"answer": "later"}},
            {"id": "later", "text": "?", "type": "free_text", "field": "y"}]}]})


def test_back_and_skip() -> None:
    guide = load_guide(GUIDE_PATH)
    state = new_state(guide)
    first = next_step(guide, state, {})
    state = skip(state, first)
    assert not answered(state, first.key) and next_step(guide, state, {}).key == "role"
    state, reopened = go_back(state)
    assert reopened == first.key and next_step(guide, state, {}).key == first.key
    assert go_back(new_state(guide)) == (new_state(guide), None)


def test_judging_every_answer_type() -> None:
    guide = load_guide(GUIDE_PATH)
    by_id = {q.id: q for q in guide.questions}

    def j(qid, text, **kw):
        q = by_id[qid]
        return judge(Step(qid, q, q.competency), text, 2000, lambda: FakeRoles(), date(2026, 11, 23), **kw)

    assert j("leads_staff", "ja, ich leite ein Team").value == "yes"
    assert j("leads_staff", "Banane").problem == "not_understood"
    assert j("format_preference", "am liebsten von zu Hause").value == "online"
    assert j("hours_per_month", "so etwa 8 Stunden").value == 8
    assert j("hours_per_month", "zehn").value == 10
    assert j("hours_per_month", "500").problem == "out_of_range"
    assert j("earliest_start", "ab März").value == "2027-03"
    assert j("earliest_start", "sofort").value == "2026-11"
    assert j("earliest_start", "irgendwann").problem == "not_understood"
    assert j("role", "Kämmerei").value == "kaemmerei"  # a button label
    assert j("role", "ich mache Rechnungen").value == "kaemmerei"  # paraphrase via the matcher
    unclear = j("role", "ich arbeite gern")
    assert unclear.problem == "role_unclear" and [c.id for c in unclear.suggestions] == ["ordnungsamt", "bauamt"]
    assert j("career_goal", "keine Veränderung").value == "none"
    assert j("organisation", "").problem == "empty"
    assert j("organisation", "🙂🙂").problem == "no_words"
    assert j("organisation", "x" * 5000).problem == "too_long"
    assert j("interest", "Ich will KI verstehen").value == "Ich will KI verstehen"


@pytest.mark.parametrize(("text", "month"), [("2027-04", "2027-04"), ("04/2027", "2027-04"),
                                             ("Januar", "2027-01"), ("Dezember 2026", "2026-12"),
                                             ("nächsten Monat", "2026-12"), ("nächstes Jahr", "2027-01")])
def test_month_parsing(text, month) -> None:
    assert parse_month(text, date(2026, 11, 23)) == month


def test_profile_fields_from_answers() -> None:
    guide = load_guide(GUIDE_PATH)
    state, _ = walk(guide, new_state(guide), {
        "organisation": "Stadt X", "role": "kaemmerei", "leads_staff": "yes", "main_tasks": "Haushalt",
        "competency_scales": 2, "scale": 1, "depth_goal": "skip", "interest": "KI", "career_goal": "none",
        "format_preference": "online", "hours_per_month": 6, "earliest_start": "2027-02", "consent": "yes"})
    fields, levels, consent = profile_fields(guide, state)
    assert consent is True and fields["leads_staff"] is True and fields["career_goal_role_id"] is None
    assert fields["role_id"] == "kaemmerei" and fields["hours_per_month"] == 6
    assert levels == {"e_akte": 2, "data_protection": 2, "ozg_basics": 2, "digital_leadership": 1}
    assert "depth_preference" not in fields


class FakeLevels:
    def match(self, text, top_k=3):
        if "schulungen" in text.lower():
            return [Cand("4", "Expertenwissen", 0.90, False), Cand("2", "Anwendung", 0.86, False)]
        return [Cand("1", "Grundkenntnisse", 0.80, False)]


def test_level_described_in_own_words_is_a_guess_to_confirm() -> None:
    guide = load_guide(GUIDE_PATH)
    step = Step("levels:e_akte", next(q for q in guide.questions if q.type == "competency_scales"), "e_akte")
    exact = judge(step, "3", 2000, level_matcher=lambda: FakeLevels())
    assert exact.ok and exact.certain and exact.value == 3
    guess = judge(step, "Ich halte dazu Schulungen", 2000, level_matcher=lambda: FakeLevels())
    assert guess.ok and not guess.certain and guess.value == 4 and guess.confidence == 0.90
    unclear = judge(step, "Mein Hund heißt Bello", 2000, level_matcher=lambda: FakeLevels())
    assert unclear.problem == "not_understood"
    assert judge(step, "7", 2000, level_matcher=lambda: FakeLevels()).problem == "out_of_range"
    # button payloads and single words are never guessed from
    assert judge(step, "/nonexistent_payload schulungen", 2000, level_matcher=lambda: FakeLevels()).problem \
        == "not_understood"
    assert judge(step, "Schulungen", 2000, level_matcher=lambda: FakeLevels()).problem == "not_understood"


def test_pending_guess_is_kept_until_confirmed_and_dropped_by_any_move() -> None:
    guide = load_guide(GUIDE_PATH)
    state = new_state(guide)
    step = next_step(guide, state, {})
    guess = judge(step, "Stadt Musterstadt", 2000)
    state = propose(state, step, Answer("Stadt Musterstadt", certain=False, confidence=0.9))
    assert pending_for(state, step)["value"] == "Stadt Musterstadt"
    assert not answered(state, step.key)
    assert pending_for(record(state, step, guess.value), step) is None
    assert pending_for(skip(state, step), step) is None
    assert pending_for(go_back(state)[0], step) is None


def test_free_text_with_competency_field_fills_both_profile_fields() -> None:
    guide = load_guide(GUIDE_PATH)
    interest = guide.question("interest")
    assert interest.competency_field == "interest_competencies"
    state = record(new_state(guide), Step("interest", interest),
                   {"text": "KI und Datenschutz", "competencies": ["ai_basics", "data_protection"],
                    "certain": ["data_protection"]})
    fields, _, _ = profile_fields(guide, state)
    assert fields["interest_text"] == "KI und Datenschutz"
    assert fields["interest_competencies"] == ["ai_basics", "data_protection"]

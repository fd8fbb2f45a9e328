"""Judging replies: every answer type, months, level guesses, topics, corrections, cues."""

from __future__ import annotations

from datetime import date

import pytest

from campus.learners.interview.answers import (
    Answer,
    asks_about_levels,
    certain_topics,
    correction_for,
    gives_no_reason,
    judge,
    parse_month,
    with_topics,
)
from campus.learners.interview.guide import load_guide
from campus.learners.interview.state import Step, new_state, record, skip, step_for
from tests.unit.learners.interview.kit import GUIDE_PATH, Cand, FakeLevels, FakeRoles


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
    # the question's own example has no letters: it is still an answer (it looped on "in Worten")
    assert j("earliest_start", "2027-04").value == "2027-04" and j("earliest_start", "02/2027").value == "2027-02"
    assert j("earliest_start", "12345").problem == "no_words"
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


def test_next_month_in_december_is_january() -> None:
    assert parse_month("nächsten Monat", date(2026, 12, 5)) == "2027-01"


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


class FakeTopics:
    def match(self, text, top_k=3):
        return [Cand("data_protection", "Datenschutz", 1.0, True), Cand("ai_basics", "KI", 0.9, False)]


def test_free_text_with_a_competency_field_gets_its_topics_and_guesses_make_it_uncertain() -> None:
    guide = load_guide(GUIDE_PATH)
    interest = step_for(guide, "interest")
    answer = with_topics(interest, Answer("KI und Datenschutz"), lambda: FakeTopics())
    assert answer.value == {"text": "KI und Datenschutz", "competencies": ["data_protection", "ai_basics"],
                            "certain": ["data_protection"]}
    assert not answer.certain and answer.confidence == 0.5
    assert certain_topics(answer.value)["competencies"] == ["data_protection"]
    organisation = step_for(guide, "organisation")
    assert with_topics(organisation, Answer("Stadt X"), lambda: FakeTopics()) == Answer("Stadt X")


def test_a_correction_changes_the_latest_answered_choice_it_fits() -> None:
    guide = load_guide(GUIDE_PATH)
    state = record(new_state(guide), step_for(guide, "organisation"), "Stadt X")
    state = record(state, step_for(guide, "role"), "kaemmerei", ["e_akte"])
    state = record(state, step_for(guide, "leads_staff"), "no")

    def judge_step(step, text):
        return judge(step, text, 2000, lambda: FakeRoles())

    step, answer = correction_for(guide, state, "Doch, ich leite ein Team", "main_tasks", judge_step)
    assert step.key == "leads_staff" and answer.value == "yes"
    assert correction_for(guide, state, "Doch, ich leite ein Team", "leads_staff", judge_step) is None
    skipped = skip(state, step_for(guide, "leads_staff"))
    assert correction_for(guide, skipped, "ich mache Rechnungen", "main_tasks", judge_step) is None  # same role


@pytest.mark.parametrize(("text", "asks"), [("Was bedeutet Stufe 3?", True), ("Was heisst das", True),
                                            ("Erklären Sie die Skala", True), ("3", False),
                                            ("sehr gut", False), ("Grundkenntnisse", False)])
def test_questions_about_the_scale_are_told_from_levels(text, asks) -> None:
    assert asks_about_levels(text) is asks


@pytest.mark.parametrize(("text", "none"), [("ohne Angabe", True), (" - ", True), ("Keine Angabe", True),
                                            ("Nein", True), ("Zu teuer", False), ("", False)])
def test_a_reply_without_a_reason(text, none) -> None:
    assert gives_no_reason(text) is none

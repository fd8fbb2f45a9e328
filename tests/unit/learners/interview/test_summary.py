"""The answers as the learner reads them (summary, corrections) and as the profile stores them."""

from __future__ import annotations

from campus.learners.interview.guide import load_guide
from campus.learners.interview.state import Step, new_state, record, step_for
from campus.learners.interview.summary import describe, join_topics, profile_fields, short_question, summary_lines
from tests.unit.learners.interview.kit import GUIDE_PATH, walk

LEVEL_NAMES = {0: "keine", 1: "Grundkenntnisse", 2: "Anwendung", 3: "Vertiefung", 4: "Expertenwissen"}


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


def test_summary_lines_follow_the_guide() -> None:
    guide = load_guide(GUIDE_PATH)
    state = record(new_state(guide), step_for(guide, "organisation"), "Stadt X")
    state = record(state, step_for(guide, "role"), "kaemmerei", ["e_akte", "data_protection"])
    state = record(state, step_for(guide, "levels:e_akte"), 2)
    state = record(state, step_for(guide, "hours_per_month"), 6)
    lines = summary_lines(guide, state, {"e_akte": "E-Akte"}, {}, LEVEL_NAMES)
    assert lines == ["• In welcher Verwaltung und in welchem Fachbereich arbeiten Sie: Stadt X",
                     "• Welche Tätigkeit üben Sie aus: Kämmerei",
                     "• E-Akte: Stufe 2 (Anwendung)",
                     f"• {short_question(guide.question('hours_per_month').text)}: 6 Stunden pro Monat"]
    assert summary_lines(guide, new_state(guide), {}, {}, LEVEL_NAMES) == []


def test_answers_read_as_words() -> None:
    guide = load_guide(GUIDE_PATH)
    assert describe(None, guide.question("organisation"), {}) == "–"
    assert describe("fuehrungskraft_fachbereich", guide.question("role"), {}) == "Führungskraft Fachbereich"
    assert describe("bauamt", guide.question("role"), {"bauamt": "Bauamt"}) == "Bauamt"
    assert describe("online", guide.question("format_preference"), {}) == "Online"
    assert describe({"text": "KI", "competencies": []}, guide.question("interest"), {}) == "KI"


def test_long_questions_are_shortened_at_a_word() -> None:
    assert short_question("Welche Tätigkeit üben Sie aus? Beschreiben Sie sie gern") == "Welche Tätigkeit üben Sie aus"
    long = "Wie viele Stunden im Monat können Sie sich neben Ihrer Arbeit für Weiterbildung nehmen und wann genau"
    short = short_question(long)
    assert short.endswith(" …") and len(short) <= 70 and long.startswith(short[:-2])


def test_topics_read_as_a_german_list() -> None:
    assert join_topics(["KI"]) == "„KI“"
    assert join_topics(["KI", "E-Akte", "Datenschutz"]) == "„KI“, „E-Akte“ und „Datenschutz“"

"""The interview guide as data: parsing, checking, re-reading a changed file."""

from __future__ import annotations

import pytest
import yaml

from campus.learners.interview.guide import GuideError, load_guide, parse_guide
from campus.learners.interview.state import new_state, next_step, record
from tests.unit.learners.interview.kit import GUIDE_PATH


def test_committed_guide_covers_the_required_topics() -> None:
    guide = load_guide(GUIDE_PATH)
    fields = {q.field for q in guide.questions}
    assert {"organisation", "role_id", "main_tasks", "levels", "interest_text", "career_goal_role_id",
            "format_preference", "hours_per_month", "region", "earliest_start", "consent"} <= fields
    assert all(q.why for q in guide.questions)


def test_the_default_guide_is_the_committed_file() -> None:
    assert load_guide() == load_guide(GUIDE_PATH)


def test_a_changed_guide_asks_the_new_question(tmp_path) -> None:
    data = yaml.safe_load(GUIDE_PATH.read_text(encoding="utf-8"))
    data["sections"][0]["questions"].insert(1, {
        "id": "years", "text": "Seit wie vielen Jahren arbeiten Sie in der Verwaltung?", "why": "Erfahrung.",
        "type": "number", "field": "years_in_service", "min": 0, "max": 50,
    })
    path = tmp_path / "guide.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    guide = load_guide(path)
    state = record(new_state(guide), next_step(guide, new_state(guide)), "Stadt X")
    step = next_step(guide, state)
    assert step.key == "years" and step.question.text.startswith("Seit wie vielen Jahren")


def test_invalid_guides_are_refused() -> None:
    with pytest.raises(GuideError):
        parse_guide({"sections": [{"id": "s", "questions": [
            {"id": "a", "text": "?", "type": "telepathy", "field": "x"}]}]})
    with pytest.raises(GuideError):
        parse_guide({"sections": [{"id": "s", "questions": [
            {"id": "a", "text": "?", "type": "free_text", "field": "x", "when": {"answer": "later"}},
            {"id": "later", "text": "?", "type": "free_text", "field": "y"}]}]})

"""Walking the guide with a typed state: conditions, back and skip, pending guesses, the slot form."""

from __future__ import annotations

import json

import pytest

from campus.learners.interview.answers import Answer, judge
from campus.learners.interview.guide import load_guide
from campus.learners.interview.state import (
    InterviewState,
    Pending,
    answered,
    go_back,
    new_state,
    next_step,
    pending_for,
    propose,
    record,
    role_step,
    skip,
    step_for,
)
from tests.unit.learners.interview.kit import GUIDE_PATH, walk

SLOT_KEYS = {"guide_version", "answers", "levels", "queue", "asked", "skipped", "current", "pending"}


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


def test_back_and_skip() -> None:
    guide = load_guide(GUIDE_PATH)
    state = new_state(guide)
    first = next_step(guide, state)
    state = skip(state, first)
    assert not answered(state, first.key) and next_step(guide, state).key == "role"
    state, reopened = go_back(state)
    assert reopened == first.key and next_step(guide, state).key == first.key
    assert go_back(new_state(guide)) == (new_state(guide), None)


def test_pending_guess_is_kept_until_confirmed_and_dropped_by_any_move() -> None:
    guide = load_guide(GUIDE_PATH)
    state = new_state(guide)
    step = next_step(guide, state)
    guess = judge(step, "Stadt Musterstadt", 2000)
    state = propose(state, step, Answer("Stadt Musterstadt", certain=False, confidence=0.9))
    assert pending_for(state, step).value == "Stadt Musterstadt"
    assert not answered(state, step.key)
    assert pending_for(record(state, step, guess.value), step) is None
    assert pending_for(skip(state, step), step) is None
    assert pending_for(go_back(state)[0], step) is None


def test_moves_never_change_the_state_they_start_from() -> None:
    guide = load_guide(GUIDE_PATH)
    start = record(new_state(guide), step_for(guide, "organisation"), "Stadt X")
    before = start.to_slot()
    record(start, step_for(guide, "role"), "kaemmerei", ["e_akte"])
    skip(start, step_for(guide, "organisation"))
    go_back(start)
    assert start.to_slot() == before


def test_steps_of_the_guide_and_unknown_keys() -> None:
    guide = load_guide(GUIDE_PATH)
    levels = step_for(guide, "levels:e_akte")
    assert levels.question.type == "competency_scales" and levels.competency == "e_akte"
    assert role_step(guide).key == "role"
    with pytest.raises(KeyError):
        step_for(guide, "no_such_question")


# -- the slot form ------------------------------------------------------------------------------


def test_the_slot_form_keeps_its_keys_and_survives_json() -> None:
    guide = load_guide(GUIDE_PATH)
    state = record(new_state(guide), step_for(guide, "role"), "kaemmerei", ["e_akte", "data_protection"])
    state = record(state, step_for(guide, "levels:e_akte"), 2)
    state = propose(state, step_for(guide, "levels:data_protection"), Answer(3, certain=False, confidence=0.8712))
    slot = state.to_slot()
    assert set(slot) == SLOT_KEYS and set(new_state(guide).to_slot()) == SLOT_KEYS
    assert slot["pending"] == {"step": "levels:data_protection", "value": 3, "confidence": 0.871}
    assert InterviewState.from_slot(json.loads(json.dumps(slot)), guide) == state


def test_an_old_slot_value_resumes_where_it_was() -> None:
    """A state as the dict-based interview stored it (in the slot or a paused InterviewSession)."""
    guide = load_guide(GUIDE_PATH)
    old = {"guide_version": 1, "answers": {"organisation": "Stadt X", "role": "kaemmerei"},
           "levels": {"e_akte": 2}, "queue": ["e_akte", "ozg_basics"],
           "asked": ["organisation", "role", "leads_staff", "main_tasks", "levels:e_akte"], "skipped": ["leads_staff"],
           "current": "levels:ozg_basics",
           "pending": {"step": "levels:ozg_basics", "value": 1, "confidence": 0.84}}
    state = InterviewState.from_slot(old, guide)
    assert state.answers == old["answers"] and state.levels == {"e_akte": 2} and state.queue == ("e_akte", "ozg_basics")
    assert state.current == "levels:ozg_basics" and state.pending == Pending("levels:ozg_basics", 1, 0.84)
    assert not answered(state, "leads_staff") and next_step(guide, state).key == "levels:ozg_basics"
    assert state.to_slot() == old


def test_an_early_slot_value_without_the_later_keys_gets_their_defaults() -> None:
    guide = load_guide(GUIDE_PATH)
    state = InterviewState.from_slot({"answers": {"organisation": "Stadt X"}, "asked": ["organisation"]}, guide)
    assert state.guide_version == guide.version and state.levels == {} and state.skipped == ()
    assert state.pending is None and state.current is None and next_step(guide, state).key == "role"


@pytest.mark.parametrize("value", [None, "", "kaputt", 42, [], ["answers"], {}, {"answers": None},
                                   {"answers": "Stadt X"}, {"answers": {}, "asked": "organisation"},
                                   {"answers": {}, "levels": ["e_akte"]}, {"answers": {}, "levels": {"e_akte": "hoch"}},
                                   {"answers": {}, "guide_version": "eins"}, {"answers": {}, "queue": 3}])
def test_a_missing_or_damaged_slot_value_is_a_new_interview(value) -> None:
    guide = load_guide(GUIDE_PATH)
    assert InterviewState.from_slot(value, guide) == new_state(guide)


@pytest.mark.parametrize("pending", ["levels:e_akte", {"value": 2}, {"step": 5}, {"step": "role", "confidence": "x"}])
def test_a_damaged_pending_guess_is_dropped(pending) -> None:
    guide = load_guide(GUIDE_PATH)
    state = InterviewState.from_slot({"answers": {"organisation": "Stadt X"}, "asked": ["organisation"],
                                      "pending": pending}, guide)
    assert state.pending is None and state.answers == {"organisation": "Stadt X"}


def test_a_competency_already_self_assessed_is_not_asked_again_by_its_own_scale_question() -> None:
    """A team leader rated "Digitale Führung" among the role's competencies: the leadership scale is not asked."""
    guide = load_guide(GUIDE_PATH)
    state = new_state(guide)
    state = record(state, step_for(guide, "levels:digital_leadership"), 1)
    state = record(state, step_for(guide, "leads_staff"), "yes")
    keys = []
    while (step := next_step(guide, state)) is not None and len(keys) < 30:
        keys.append(step.key)
        state = skip(state, step) if not step.question.required else record(state, step, _any_value(step))
    assert "leadership_level" not in keys


def _any_value(step) -> object:
    if step.question.type in ("scale", "competency_scales"):
        return 1
    return step.question.options[0].value if step.question.options else "x"

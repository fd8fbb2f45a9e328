"""The interview form: one generic slot (`answer`) asked until the guide is complete."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlmodel import Session

from actions.common import (
    confirmation_verdict,
    current_step,
    entities_of,
    guide,
    labels,
    level_names,
    max_chars,
    role_titles,
    scale_buttons,
    state_of,
    today,
    utter_problem,
)
from campus.catalogue.models import RoleProfile
from campus.learners.interview.guide import (
    Answer,
    Step,
    buttons,
    drop_pending,
    judge,
    match_option,
    new_state,
    next_step,
    pending_for,
    propose,
    question_text,
    record,
)
from campus.learners.interview.rules import assessment_questions, match_competencies
from campus.store.db import get_engine
from embeddings.framework_matchers import competency_matcher, level_matcher, role_matcher

DONE = "__done__"


def advance(state: dict[str, Any]) -> list[dict[str, Any]]:
    """Slot events for the next step, or for completion."""
    step = next_step(guide(), state, labels())
    if step is None:
        return [SlotSet("interview_state", state), SlotSet("current_step", None), SlotSet("answer", DONE)]
    return [SlotSet("interview_state", state), SlotSet("current_step", step.key), SlotSet("answer", None)]


class ActionResetInterview(Action):
    def name(self) -> str:
        return "action_reset_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        return [SlotSet("requested_slot", None), SlotSet("awaiting_confirmation", False),
                SlotSet("has_paused_interview", False), *advance(new_state(guide()))]


class ActionAskAnswer(Action):
    """Asks the current step's question in the guide's wording, with its buttons."""

    def name(self) -> str:
        return "action_ask_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        state = state_of(tracker)
        step = current_step(tracker) or next_step(guide(), state, labels())
        if step is None:
            return []
        pending = pending_for(state, step)
        if pending is not None:
            ask_confirmation(dispatcher, step, pending["value"])
        else:
            dispatcher.utter_message(text=question_text(step, labels()),
                                     buttons=buttons(step, scale_buttons()) or None)
        return [SlotSet("current_step", step.key)]


def ask_confirmation(dispatcher: CollectingDispatcher, step: Step, value: Any) -> None:
    """'Habe ich Sie richtig verstanden …?' for an answer inferred from a paraphrase."""
    if step.question.type in ("scale", "competency_scales"):
        dispatcher.utter_message(response="utter_confirm_level", level=value, level_name=level_names()[int(value)],
                                 competency=labels().get(step.competency or "", step.competency or ""))
    elif step.question.type == "role":
        dispatcher.utter_message(response="utter_confirm_role", role=role_titles().get(value, value))
    elif isinstance(value, dict):
        names = [labels().get(c, c) for c in value.get("competencies", [])]
        dispatcher.utter_message(response="utter_confirm_topics", topics=join_german(names))


def join_german(items: list[str]) -> str:
    quoted = [f"„{item}“" for item in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " und " + quoted[-1]


def judge_with_topics(step: Step, text: str, entities: list[dict]) -> Answer:
    """Judge an answer; free text with a competency field also gets its competencies (guesses: uncertain)."""
    answer = judge(step, text, max_chars(), role_matcher, today(), level_matcher)
    if not answer.ok or not step.question.competency_field:
        return answer
    found = match_competencies(answer.value, competency_matcher(), entities)
    value = {"text": answer.value, "competencies": found.all, "certain": found.certain}
    return Answer(value, certain=not found.uncertain, confidence=1.0 if not found.uncertain else 0.5)


async def answer_step(step: Step, state: dict[str, Any], text: str, dispatcher: CollectingDispatcher,
                      quiet: bool = False, entities: list[dict] | None = None) -> dict[str, Any] | None:
    """Judge ``text`` for ``step``; slot values for the next step, or None (after a helpful reply unless quiet).

    An answer inferred from a paraphrase is held as pending; the form then
    asks for confirmation instead of the question (see ActionAskAnswer).
    """
    answer = await asyncio.to_thread(judge_with_topics, step, text, entities or [])
    if not answer.ok:
        if not quiet:
            utter_problem(dispatcher, step, answer.problem, answer.suggestions)
        return None
    if not answer.certain:
        return {"interview_state": propose(state, step, answer), "current_step": step.key, "answer": None}
    if step.question.type == "role" and not quiet and not match_option(step.question.options, text):
        # recognised from the learner's own words: say what we understood, so a mismatch is noticed
        dispatcher.utter_message(response="utter_role_understood", role=role_titles().get(answer.value, answer.value))
    return store_answer(step, state, answer.value)


def store_answer(step: Step, state: dict[str, Any], value: Any) -> dict[str, Any]:
    new = record(state, step, value, queue_for(step, value))
    return {e["name"]: e["value"] for e in advance(new)}




def queue_for(step, value: Any) -> list[str] | None:
    """The competencies to self-assess when ``step`` sets the role; None for any other step."""
    if step.question.field != "role_id":
        return None
    with Session(get_engine()) as session:
        role = session.get(RoleProfile, value)
        return assessment_questions(role, scale_count()) if role else []


class ValidateInterviewForm(FormValidationAction):
    def name(self) -> str:
        return "validate_interview_form"

    async def validate_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == DONE:
            return {"answer": DONE}
        state = state_of(tracker)
        step = current_step(tracker)
        if step is None:  # first turn of a fresh form
            return {e["name"]: e["value"] for e in advance(state)}
        text = value if isinstance(value, str) else ""
        pending = pending_for(state, step)
        if pending is not None:
            verdict = confirmation_verdict(text)
            if verdict is True:
                return store_answer(step, state, pending["value"])
            state = drop_pending(state)
            if verdict is False:
                return declined(step, state, pending["value"], dispatcher)
        slots = await answer_step(step, state, text, dispatcher, entities=entities_of(tracker))
        return slots if slots is not None else {"answer": None, "interview_state": state}


def declined(step: Step, state: dict[str, Any], value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """A 'no' to a guess: topics keep only the certain ones; anything else is asked again."""
    if isinstance(value, dict):
        dispatcher.utter_message(response="utter_topics_declined")
        return store_answer(step, state, {**value, "competencies": list(value.get("certain", []))})
    dispatcher.utter_message(response="utter_confirmation_declined")
    return {"interview_state": state, "answer": None}


def scale_count() -> int:
    scales = next((q for q in guide().questions if q.type == "competency_scales"), None)
    return scales.count if scales else 3

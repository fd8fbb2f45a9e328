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
    current_step,
    guide,
    labels,
    max_chars,
    scale_buttons,
    state_of,
    today,
    utter_problem,
)
from campus.db import get_engine
from campus.guide import buttons, judge, new_state, next_step, question_text, record
from campus.interview import assessment_questions
from campus.models import RoleProfile
from embeddings.framework_matchers import role_matcher

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
        step = current_step(tracker) or next_step(guide(), state_of(tracker), labels())
        if step is None:
            return []
        dispatcher.utter_message(text=question_text(step, labels()), buttons=buttons(step, scale_buttons()) or None)
        return [SlotSet("current_step", step.key)]


async def answer_step(step, state: dict[str, Any], text: str, dispatcher: CollectingDispatcher,
                      quiet: bool = False) -> dict[str, Any] | None:
    """Judge ``text`` for ``step``; slot values for the next step, or None (after a helpful reply unless quiet)."""
    answer = await asyncio.to_thread(judge, step, text, max_chars(), role_matcher, today())
    if not answer.ok:
        if not quiet:
            utter_problem(dispatcher, step, answer.problem, answer.suggestions)
        return None
    new = record(state, step, answer.value, queue_for(step, answer.value))
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
        slots = await answer_step(step, state, text, dispatcher)
        return slots if slots is not None else {"answer": None}


def scale_count() -> int:
    scales = next((q for q in guide().questions if q.type == "competency_scales"), None)
    return scales.count if scales else 3

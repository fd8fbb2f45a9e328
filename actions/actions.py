"""Interview form validation and plan delivery.

Every decision (is this answer usable, which role is meant, which level) is
made in ``campus``/``plan_engine``; these classes only translate between
Rasa's slots and events and those functions, and pick the response to send.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlmodel import Session

from campus.catalogue import competencies
from campus.db import get_engine
from campus.interview import assessment_questions, decide_role, text_problem
from campus.levels import parse_level
from campus.models import RoleProfile
from campus.settings import get_settings
from embeddings.framework_matchers import competency_matcher, role_matcher
from embeddings.index import get_module_index
from plan_engine.onboarding import InterviewAnswers, complete_interview

log = logging.getLogger(__name__)

INTERVIEW_SLOTS = (
    "role", "level", "interest", "role_id", "competency_queue", "assessments",
    "current_competency", "current_competency_label", "interest_competencies",
)


def warm_up() -> None:
    """Load the model and matchers at server start, not on a learner's first turn."""
    role_matcher()
    competency_matcher()
    with Session(get_engine()) as session:
        get_module_index().snapshot(session)


def _label(competency_id: str | None) -> str | None:
    if not competency_id:
        return None
    with Session(get_engine()) as session:
        comp = competencies(session).get(competency_id)
    return comp.label if comp else competency_id


def _problem_response(problem: str, dispatcher: CollectingDispatcher) -> None:
    if problem == "too_long":
        dispatcher.utter_message(response="utter_answer_too_long", max_chars=get_settings().max_message_chars)
    else:
        dispatcher.utter_message(response=f"utter_answer_{problem}")


class ActionResetInterview(Action):
    def name(self) -> str:
        return "action_reset_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        return [SlotSet(slot, None) for slot in INTERVIEW_SLOTS] + [SlotSet("requested_slot", None)]


class ValidateInterviewForm(FormValidationAction):
    def name(self) -> str:
        return "validate_interview_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot("role_id") and not tracker.get_slot("competency_queue"):
            return [slot for slot in domain_slots if slot != "level"]
        return domain_slots

    async def validate_role(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = value if isinstance(value, str) else ""
        problem = text_problem(text, get_settings().max_message_chars)
        if problem:
            _problem_response(problem, dispatcher)
            return {"role": None}
        decision = await asyncio.to_thread(decide_role, text, role_matcher())
        if decision.role_id is None:
            response = "utter_role_unclear" if decision.suggestions else "utter_role_unknown"
            buttons = [{"title": c.label, "payload": c.label} for c in decision.suggestions]
            dispatcher.utter_message(response=response, buttons=buttons or None)
            if not decision.suggestions:
                dispatcher.utter_message(response="utter_ask_role")
            return {"role": None}
        with Session(get_engine()) as session:
            role = session.get(RoleProfile, decision.role_id)
            queue = assessment_questions(role)
        dispatcher.utter_message(response="utter_role_confirmed", role_title=role.title, count=len(queue))
        return {
            "role": text,
            "role_id": role.id,
            "competency_queue": queue,
            "assessments": {},
            "current_competency": queue[0] if queue else None,
            "current_competency_label": _label(queue[0]) if queue else None,
        }

    async def validate_level(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        queue = list(tracker.get_slot("competency_queue") or [])
        if not queue:
            return {"level": None}
        text = value if isinstance(value, str) else ""
        problem = text_problem(text, get_settings().max_message_chars)
        if problem in ("empty", "too_long"):  # digits alone are a fine answer here
            _problem_response(problem, dispatcher)
            return {"level": None}
        answer = parse_level(text)
        if not answer.ok:
            dispatcher.utter_message(response=f"utter_level_{answer.problem}")
            return {"level": None}
        assessments = dict(tracker.get_slot("assessments") or {})
        assessments[queue.pop(0)] = answer.level
        following = queue[0] if queue else None
        return {
            "level": None if queue else str(answer.level),
            "assessments": assessments,
            "competency_queue": queue,
            "current_competency": following,
            "current_competency_label": _label(following),
        }

    async def validate_interest(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = value if isinstance(value, str) else ""
        problem = text_problem(text, get_settings().max_message_chars)
        if problem:
            _problem_response(problem, dispatcher)
            return {"interest": None}
        return {"interest": text.strip()}


class ActionSubmitInterview(Action):
    def name(self) -> str:
        return "action_submit_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        answers = InterviewAnswers(
            role_id=tracker.get_slot("role_id"),
            role_text=tracker.get_slot("role") or "",
            levels={k: int(v) for k, v in (tracker.get_slot("assessments") or {}).items()},
            interest_text=tracker.get_slot("interest") or "",
        )
        channel = tracker.get_latest_input_channel() or "rest"
        try:
            _, recommendations = await asyncio.to_thread(complete_interview, channel, tracker.sender_id, answers)
        except Exception:
            log.exception("completing the interview failed")
            dispatcher.utter_message(response="utter_technical_problem")
            return []
        if not recommendations:
            dispatcher.utter_message(response="utter_plan_empty")
            return []
        dispatcher.utter_message(response="utter_plan_intro", count=len(recommendations))
        for position, rec in enumerate(recommendations, start=1):
            dispatcher.utter_message(
                response="utter_plan_item", position=position, title=rec.title,
                match_percent=rec.match_percent, reason=rec.reason_line,
            )
        dispatcher.utter_message(response="utter_plan_outro")
        return []


try:
    warm_up()
except Exception:  # the server must still start; the first request will report the problem
    log.exception("warm-up failed")

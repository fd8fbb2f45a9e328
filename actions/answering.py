"""Taking a message as the answer to the current step: judge it, hold a guess, store it, move on.

The form validation and every digression that turns out to be an answer
("3" classified as a question about the scale, say) go through here, so an
answer is treated the same whichever way it reached the action server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlmodel import Session

from actions.common import Events, Slots, guide, max_chars, role_titles, slots_of, today, utter_problem
from campus.catalogue.models import RoleProfile
from campus.hr.organisation_matching import OrganisationMatcher
from campus.hr.organisations import organisation_matcher
from campus.learners.interview.answers import Answer, judge, match_option, with_organisation, with_topics
from campus.learners.interview.rules import QUESTIONS_PER_ROLE, assessment_questions
from campus.learners.interview.state import InterviewState, Step, next_step, propose, record
from campus.store.db import get_engine
from embeddings.framework_matchers import competency_matcher, level_matcher, role_matcher

DONE = "__done__"


def advance(state: InterviewState) -> Events:
    """Slot events for the next step, or for completion."""
    step = next_step(guide(), state)
    if step is None:
        return [SlotSet("interview_state", state.to_slot()), SlotSet("current_step", None), SlotSet("answer", DONE)]
    return [SlotSet("interview_state", state.to_slot()), SlotSet("current_step", step.key), SlotSet("answer", None)]


def judge_reply(step: Step, text: str, entities: Sequence[Mapping[str, Any]]) -> Answer:
    """Judge an answer with the platform's matchers; free text with a competency field also gets its topics,
    with an organisation field the registered organisation it names."""
    answer = judge(step, text, max_chars(), role_matcher, today(), level_matcher)
    return with_organisation(step, with_topics(step, answer, competency_matcher, entities), organisation_finder)


def organisation_finder() -> OrganisationMatcher:
    with Session(get_engine()) as session:
        return organisation_matcher(session)


async def answer_step(step: Step, state: InterviewState, text: str, dispatcher: CollectingDispatcher,
                      quiet: bool = False, entities: list[dict[str, Any]] | None = None) -> Slots | None:
    """Judge ``text`` for ``step``; slot values for the next step, or None (after a helpful reply unless quiet).

    An answer inferred from a paraphrase is held as pending; the form then
    asks for confirmation instead of the question (see ActionAskAnswer).
    """
    answer = await asyncio.to_thread(judge_reply, step, text, entities or [])
    if not answer.ok:
        if not quiet:
            utter_problem(dispatcher, step, answer.problem or "not_understood", answer.suggestions)
        return None
    if not answer.certain:
        return {"interview_state": propose(state, step, answer).to_slot(), "current_step": step.key, "answer": None}
    if step.question.type == "role" and not quiet and not match_option(step.question.options, text):
        # recognised from the learner's own words: say what we understood, so a mismatch is noticed
        dispatcher.utter_message(response="utter_role_understood", role=role_titles().get(answer.value, answer.value))
    return store_answer(step, state, answer.value)


def store_answer(step: Step, state: InterviewState, value: Any) -> Slots:
    return slots_of(advance(record(state, step, value, queue_for(step, value))))


def queue_for(step: Step, value: Any) -> list[str] | None:
    """The competencies to self-assess when ``step`` sets the role; None for any other step."""
    if step.question.field != "role_id":
        return None
    with Session(get_engine()) as session:
        role = session.get(RoleProfile, value)
        return assessment_questions(role, scale_count()) if role else []


def scale_count() -> int:
    scales = guide().scales()
    return scales.count if scales else QUESTIONS_PER_ROLE

"""Plan delivery after the interview, and warm-up of the models at server start.

Every decision is made in ``campus``/``plan_engine``; these classes only
translate between Rasa's slots and events and those functions.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlmodel import Session

from actions.common import channel_of, guide, state_of
from campus.hr.campaigns import mark_completed
from campus.learners.interview.guide import profile_fields
from campus.store.db import get_engine, session_scope
from embeddings.framework_matchers import competency_matcher, role_matcher
from embeddings.index import get_module_index
from plan_engine.onboarding import InterviewAnswers, complete_interview

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Load the model and matchers at server start, not on a learner's first turn."""
    role_matcher()
    competency_matcher()
    with Session(get_engine()) as session:
        get_module_index().snapshot(session)


def _complete_invitations(learner_id: str) -> None:
    with session_scope() as session:
        mark_completed(session, learner_id)


class ActionSubmitInterview(Action):
    def name(self) -> str:
        return "action_submit_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        fields, levels, consent = profile_fields(guide(), state_of(tracker))
        answers = InterviewAnswers(fields=fields, levels=levels, consent=consent)
        try:
            learner_id, recommendations = await asyncio.to_thread(
                complete_interview, channel_of(tracker), tracker.sender_id, answers)
            if learner_id is not None:  # only a stored (consented) profile counts for an HR campaign
                await asyncio.to_thread(_complete_invitations, learner_id)
        except Exception:
            log.exception("completing the interview failed")
            dispatcher.utter_message(response="utter_technical_problem")
            return []
        done = [SlotSet("awaiting_confirmation", False)]
        if not recommendations:
            dispatcher.utter_message(response="utter_plan_empty")
            return done
        intro = "utter_plan_intro" if consent else "utter_plan_intro_no_consent"
        dispatcher.utter_message(response=intro, count=len(recommendations))
        for position, rec in enumerate(recommendations, start=1):
            dispatcher.utter_message(
                response="utter_plan_item", position=position, title=rec.title,
                match_percent=rec.match_percent, reason=rec.reason_line,
            )
        dispatcher.utter_message(response="utter_plan_outro")
        return done


try:
    warm_up()
except Exception:  # the server must still start; the first request will report the problem
    log.exception("warm-up failed")

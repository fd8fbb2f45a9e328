"""Plan delivery after the interview.

Every decision is made in ``campus``/``plan_engine``; this class only
translates between Rasa's slots and events and those functions.
"""

# mypy: allow-subclassing-any
# (rasa-sdk ships no type information: its Action is Any to mypy)

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlmodel import Session

from actions.common import Events, channel_of, guide, state_of
from campus.learners.interview.summary import profile_fields
from campus.learners.prices import budget_note, membership_after_interview
from campus.store.db import get_engine
from campus.store.settings import get_settings
from campus.store.texts import text as wording
from plan_engine.onboarding import InterviewAnswers, complete_interview

log = logging.getLogger(__name__)


class ActionSubmitInterview(Action):
    def name(self) -> str:
        return "action_submit_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        fields, levels, consent = profile_fields(guide(), state_of(tracker))
        answers = InterviewAnswers(fields=fields, levels=levels, consent=consent)
        try:
            # one transaction: profile, first plan and the HR invitation (consented profiles only)
            learner_id, plan = await asyncio.to_thread(
                complete_interview, channel_of(tracker), tracker.sender_id, answers)
        except Exception:
            log.exception("completing the interview failed")
            dispatcher.utter_message(response="utter_technical_problem")
            return []
        recommendations = plan.items
        done = [SlotSet("awaiting_confirmation", False)]
        with Session(get_engine()) as session:
            note = budget_note(membership_after_interview(session, learner_id, fields))
        notes = ([note] if note else []) + plan.warnings  # the budget kept, and what it left out
        if not recommendations:
            dispatcher.utter_message(response="utter_plan_empty")
            for text in plan.warnings:  # e.g. nothing on the learner's topics fits the budget
                dispatcher.utter_message(text=text)
            return done
        intro = "utter_plan_intro" if consent else "utter_plan_intro_no_consent"
        dispatcher.utter_message(response=intro, count=len(recommendations))
        paths = recommendations[-1].path > 1
        for position, rec in enumerate(recommendations, start=1):
            if paths and (position == 1 or recommendations[position - 2].path != rec.path):
                units = sum(r.learning_units or 0 for r in recommendations if r.path == rec.path)
                dispatcher.utter_message(text=wording("plan_chat.path_header", number=rec.path, units=units,
                                                   max=get_settings().plan_max_learning_units))
            dispatcher.utter_message(
                response="utter_plan_item", position=position, title=rec.title,
                match_percent=rec.match_percent, reason=rec.reason_line,
            )
        for text in notes:
            dispatcher.utter_message(text=text)
        dispatcher.utter_message(response="utter_plan_outro")
        return done

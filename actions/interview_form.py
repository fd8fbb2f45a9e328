"""The interview form: one generic slot (`answer`) asked until the guide is complete."""

# mypy: allow-subclassing-any
# (rasa-sdk ships no type information: its Action is Any to mypy)

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answering import DONE, advance, store_answer
from actions.channel_link import answer_or_redeem
from actions.common import (
    Events,
    Slots,
    current_step,
    guide,
    labels,
    level_names,
    role_titles,
    scale_buttons,
    slots_of,
    state_of,
)
from campus.learners.interview.answers import certain_topics, confirmation_verdict, without_organisation
from campus.learners.interview.state import (
    InterviewState,
    Step,
    buttons,
    drop_pending,
    new_state,
    next_step,
    pending_for,
    question_text,
)
from campus.learners.interview.summary import join_topics
from campus.store.texts import texts


class ActionResetInterview(Action):
    def name(self) -> str:
        return "action_reset_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        return [SlotSet("requested_slot", None), SlotSet("awaiting_confirmation", False),
                SlotSet("has_paused_interview", False), *advance(new_state(guide()))]


class ActionAskAnswer(Action):
    """Asks the current step's question in the guide's wording, with its buttons."""

    def name(self) -> str:
        return "action_ask_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        state = state_of(tracker)
        step = current_step(tracker) or next_step(guide(), state)
        if step is None:
            return []
        pending = pending_for(state, step)
        if pending is not None:
            ask_confirmation(dispatcher, step, pending.value)
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
    elif step.question.organisation_field and isinstance(value, dict):
        wording = texts("organisations")
        dispatcher.utter_message(text=str(wording["confirm"]).format(organisation=value.get("organisation") or ""),
                                 buttons=[dict(b) for b in wording["confirm_buttons"]])
    elif isinstance(value, dict):
        names = [labels().get(c, c) for c in value.get("competencies", [])]
        dispatcher.utter_message(response="utter_confirm_topics", topics=join_topics(names))


class ValidateInterviewForm(FormValidationAction):
    def name(self) -> str:
        return "validate_interview_form"

    async def validate_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if value == DONE:
            return {"answer": DONE}
        state = state_of(tracker)
        step = current_step(tracker)
        if step is None:  # first turn of a fresh form
            return slots_of(advance(state))
        text = value if isinstance(value, str) else ""
        pending = pending_for(state, step)
        if pending is not None:
            verdict = confirmation_verdict(text)
            if verdict is True:
                return store_answer(step, state, pending.value)
            state = drop_pending(state)
            if verdict is False:
                return declined(step, state, pending.value, dispatcher)
        slots = await answer_or_redeem(dispatcher, tracker, step, state, text)
        return slots if slots is not None else {"answer": None, "interview_state": state.to_slot()}


def declined(step: Step, state: InterviewState, value: Any, dispatcher: CollectingDispatcher) -> Slots:
    """A 'no' to a guess: an organisation stays the learner's own words, topics keep only the certain ones;
    anything else is asked again."""
    if step.question.organisation_field and isinstance(value, dict):
        dispatcher.utter_message(text=str(texts("organisations")["declined"]))
        return store_answer(step, state, without_organisation(value))
    if isinstance(value, dict):
        dispatcher.utter_message(response="utter_topics_declined")
        return store_answer(step, state, certain_topics(value))
    dispatcher.utter_message(response="utter_confirmation_declined")
    return {"interview_state": state.to_slot(), "answer": None}

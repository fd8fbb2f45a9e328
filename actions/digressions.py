"""Digressions inside the interview: why, level meaning, back, skip, summary, correction, asides.

Each first checks whether the message really is the digression the
classifier took it for; if it is an answer to the current question after
all, it is handled as one (a link code in it is redeemed, see
``channel_link.answer_or_redeem``).
"""

# mypy: allow-subclassing-any
# (rasa-sdk ships no type information: its Action is Any to mypy)

from __future__ import annotations

import asyncio

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answering import advance, queue_for
from actions.channel_link import answer_or_redeem
from actions.common import (
    Events,
    current_step,
    events_of,
    guide,
    in_interview,
    labels,
    level_descriptor,
    level_names,
    max_chars,
    role_titles,
    state_of,
    text_of,
    today,
)
from campus.learners.interview.answers import Answer, asks_about_levels, correction_for, judge, says_command
from campus.learners.interview.levels import parse_level
from campus.learners.interview.state import Step, go_back, record, skip
from campus.learners.interview.summary import describe, short_question, summary_lines
from campus.store.texts import texts
from embeddings.framework_matchers import role_matcher

# Commands ("zurück", "überspringen", "Warum fragen Sie das?") are short. A long message the classifier
# took for one is an answer (or too long to be one), never a reason to skip or go back.
COMMAND_MAX_CHARS = 200


async def answer_instead(tracker: Tracker, dispatcher: CollectingDispatcher,
                         command: str | None = None) -> Events | None:
    """Slot events for handling a would-be command as the answer it is; None if it really is a command.

    A long message is an answer; so is one that names none of the ``command``'s words
    (``data/texts/interview_control.yml``): the classifier heard "go back" in "Stadt Osnabrück,
    Fachbereich Schule" at the first question, which then never moved on.
    """
    text = text_of(tracker)
    step = current_step(tracker)
    if step is None or not in_interview(tracker):
        return None
    if len(text) <= COMMAND_MAX_CHARS and (command is None or says_command(command, text)):
        return None
    return events_of(await answer_or_redeem(dispatcher, tracker, step, state_of(tracker), text))


class ActionExplainQuestion(Action):
    def name(self) -> str:
        return "action_explain_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if (events := await answer_instead(tracker, dispatcher)) is not None:
            return events
        step = current_step(tracker)
        if step is not None and step.question.why:
            dispatcher.utter_message(response="utter_why", why=step.question.why)
        return []


class ActionExplainLevel(Action):
    def name(self) -> str:
        return "action_explain_level"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        step = current_step(tracker)
        text = text_of(tracker)
        if step is not None and not asks_about_levels(text):
            # "3" or "sehr gut" is an answer, whatever the classifier thought
            return events_of(await answer_or_redeem(dispatcher, tracker, step, state_of(tracker), text))
        level = parse_level(text)
        competency = step.competency if step else None
        if competency and level.ok and level.level is not None \
                and (descriptor := level_descriptor(competency, level.level)):
            dispatcher.utter_message(response="utter_level_meaning", level=level.level,
                                     level_name=level_names()[level.level],
                                     competency=labels().get(competency, competency), descriptor=descriptor)
        else:
            dispatcher.utter_message(response="utter_level_scale")
        return []


class ActionGoBack(Action):
    def name(self) -> str:
        return "action_go_back"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if (events := await answer_instead(tracker, dispatcher, "go_back")) is not None:
            return events
        state, reopened = go_back(state_of(tracker))
        if reopened is None:
            dispatcher.utter_message(response="utter_nothing_to_go_back")
            return []
        dispatcher.utter_message(response="utter_went_back")
        return [SlotSet("interview_state", state.to_slot()), SlotSet("current_step", reopened),
                SlotSet("answer", None)]


class ActionSkipQuestion(Action):
    def name(self) -> str:
        return "action_skip_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if (events := await answer_instead(tracker, dispatcher, "skip")) is not None:
            return events
        step = current_step(tracker)
        if step is None:
            return []
        if step.question.required and not step.competency:
            # a level may stay unknown ("weiß ich nicht"): the plan then weighs that competency lower and
            # never cites a level for it; the role or the consent cannot be left out
            dispatcher.utter_message(response="utter_cannot_skip")
            return []
        dispatcher.utter_message(response="utter_skipped")
        return advance(skip(state_of(tracker), step))


class ActionShowSummary(Action):
    def name(self) -> str:
        return "action_show_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        lines = summary_lines(guide(), state_of(tracker), labels(), role_titles(), level_names())
        dispatcher.utter_message(response="utter_summary_intro")
        dispatcher.utter_message(text="\n".join(lines) or texts("summary")["empty"])
        if in_interview(tracker):
            return []  # a look at the answers so far; the interview goes on
        dispatcher.utter_message(response="utter_confirm_summary")
        return [SlotSet("awaiting_confirmation", True)]


def _judge_correction(step: Step, text: str) -> Answer:
    return judge(step, text, max_chars(), role_matcher, today())


class ActionCorrectAnswer(Action):
    """Apply a correction like "Nein, ich bin doch Führungskraft" to the answered question it fits."""

    def name(self) -> str:
        return "action_correct_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        text = text_of(tracker)
        state = state_of(tracker)
        found = await asyncio.to_thread(correction_for, guide(), state, text, tracker.get_slot("current_step"),
                                        _judge_correction)
        if found is not None:
            step, answer = found
            new = record(state, step, answer.value, queue_for(step, answer.value))
            dispatcher.utter_message(response="utter_corrected", question=short_question(step.question.text),
                                     value=describe(answer.value, step.question, role_titles()))
            return [SlotSet("awaiting_confirmation", False), *advance(new)]
        asked = current_step(tracker)
        if asked is not None and in_interview(tracker):
            # not a correction after all: the learner answered the current question
            slots = await answer_or_redeem(dispatcher, tracker, asked, state, text, quiet=True)
            if slots is not None:
                return events_of(slots)
        dispatcher.utter_message(response="utter_correction_not_understood")
        return []


ASIDE_RESPONSES = {
    "out_of_scope": "utter_out_of_scope", "bot_challenge": "utter_iamabot", "help": "utter_help_interview",
}
ASIDE_MIN_CONFIDENCE = 0.8


class ActionInterviewAside(Action):
    """An off-topic question, "are you a bot?" or "help" during the interview: answer it, then ask again.

    Only when the classifier is sure; otherwise the message is taken as the answer it most likely is.
    """

    def name(self) -> str:
        return "action_interview_aside"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        intent = tracker.latest_message.get("intent") or {}
        step = current_step(tracker)
        if step is not None and float(intent.get("confidence") or 0) < ASIDE_MIN_CONFIDENCE:
            return events_of(await answer_or_redeem(dispatcher, tracker, step, state_of(tracker), text_of(tracker)))
        dispatcher.utter_message(response=ASIDE_RESPONSES.get(str(intent.get("name")), "utter_out_of_scope"))
        return []

"""Digressions inside the interview: why, level meaning, back, skip, pause, resume, cancel, summary, correction."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    channel_of,
    current_step,
    entities_of,
    guide,
    labels,
    level_descriptor,
    level_names,
    max_chars,
    role_titles,
    state_of,
    summary_texts,
    today,
)
from actions.interview_form import advance, answer_step, queue_for
from actions.resume import resumed_events
from campus.channels.outbox import take_pending
from campus.learners.interview.guide import answered, describe, go_back, judge, new_state, record, skip, step_for
from campus.learners.interview.levels import parse_level
from campus.learners.interview.sessions import close, pause, paused_state
from campus.store.db import session_scope
from embeddings.framework_matchers import role_matcher

# Commands ("zurück", "überspringen", "Warum fragen Sie das?") are short. A long message the classifier
# took for one is an answer (or too long to be one), never a reason to skip or go back.
COMMAND_MAX_CHARS = 200


async def answer_instead(tracker: Tracker, dispatcher: CollectingDispatcher) -> list[dict] | None:
    """Slot events for handling a would-be command as the answer it is; None if it really is a command."""
    text = tracker.latest_message.get("text") or ""
    step = current_step(tracker)
    if len(text) <= COMMAND_MAX_CHARS or step is None or tracker.active_loop_name != "interview_form":
        return None
    slots = await answer_step(step, state_of(tracker), text, dispatcher, entities=entities_of(tracker))
    return [SlotSet(name, value) for name, value in (slots or {}).items()]


class ActionExplainQuestion(Action):
    def name(self) -> str:
        return "action_explain_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        if (events := await answer_instead(tracker, dispatcher)) is not None:
            return events
        step = current_step(tracker)
        if step is not None and step.question.why:
            dispatcher.utter_message(response="utter_why", why=step.question.why)
        return []


QUESTION_CUES = re.compile(r"\?|bedeut|hei(ß|ss)t|meint|gemeint|erklär|steht|unterschied|skala|stufen\b|was is",
                           re.IGNORECASE)


class ActionExplainLevel(Action):
    def name(self) -> str:
        return "action_explain_level"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        step = current_step(tracker)
        text = tracker.latest_message.get("text", "")
        if step is not None and not QUESTION_CUES.search(text):
            # "3" or "sehr gut" is an answer, whatever the classifier thought
            slots = await answer_step(step, state_of(tracker), text, dispatcher, entities=entities_of(tracker))
            return [SlotSet(name, value) for name, value in (slots or {}).items()]
        level = parse_level(text)
        competency = step.competency if step else None
        descriptor = level_descriptor(competency, level.level) if competency and level.ok else None
        if descriptor:
            dispatcher.utter_message(response="utter_level_meaning", level=level.level,
                                     level_name=level_names()[level.level],
                                     competency=labels().get(competency, competency), descriptor=descriptor)
        else:
            dispatcher.utter_message(response="utter_level_scale")
        return []


class ActionGoBack(Action):
    def name(self) -> str:
        return "action_go_back"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        if (events := await answer_instead(tracker, dispatcher)) is not None:
            return events
        state, reopened = go_back(state_of(tracker))
        if reopened is None:
            dispatcher.utter_message(response="utter_nothing_to_go_back")
            return []
        dispatcher.utter_message(response="utter_went_back")
        return [SlotSet("interview_state", state), SlotSet("current_step", reopened), SlotSet("answer", None)]


class ActionSkipQuestion(Action):
    def name(self) -> str:
        return "action_skip_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        if (events := await answer_instead(tracker, dispatcher)) is not None:
            return events
        step = current_step(tracker)
        if step is None:
            return []
        if step.question.required:
            dispatcher.utter_message(response="utter_cannot_skip")
            return []
        dispatcher.utter_message(response="utter_skipped")
        return advance(skip(state_of(tracker), step))


class ActionPauseInterview(Action):
    def name(self) -> str:
        return "action_pause_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        state = {**state_of(tracker), "current": tracker.get_slot("current_step")}
        with session_scope() as session:
            pause(session, channel_of(tracker), tracker.sender_id, state)
        dispatcher.utter_message(response="utter_paused")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("has_paused_interview", True)]


class ActionCheckPausedInterview(Action):
    def name(self) -> str:
        return "action_check_paused_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        with session_scope() as session:
            state = paused_state(session, channel_of(tracker), tracker.sender_id)
            # news queued while the learner was away (e.g. "Ihr Lernplan wurde aktualisiert")
            for text in take_pending(session, channel_of(tracker), tracker.sender_id):
                dispatcher.utter_message(text=text)
        return [SlotSet("has_paused_interview", state is not None)]


class ActionResumeInterview(Action):
    def name(self) -> str:
        return "action_resume_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        with session_scope() as session:
            state = paused_state(session, channel_of(tracker), tracker.sender_id)
            if state is not None:
                close(session, channel_of(tracker), tracker.sender_id, "resumed")
        if state is None:
            dispatcher.utter_message(response="utter_nothing_to_resume")
            return [SlotSet("has_paused_interview", False), *advance(new_state(guide()))]
        dispatcher.utter_message(response="utter_resumed")
        return resumed_events(state)


class ActionCancelInterview(Action):
    def name(self) -> str:
        return "action_cancel_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        with session_scope() as session:
            close(session, channel_of(tracker), tracker.sender_id, "cancelled")
        dispatcher.utter_message(response="utter_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("interview_state", None),
                SlotSet("current_step", None), SlotSet("answer", None), SlotSet("awaiting_confirmation", False)]


def summary_lines(state: dict[str, Any]) -> list[str]:
    the_guide, names, titles, level_name = guide(), labels(), role_titles(), level_names()
    wording = summary_texts()
    lines = []
    for question in the_guide.questions:
        if question.type == "competency_scales":
            for competency in state.get("queue", []):
                if competency in state["levels"]:
                    level = state["levels"][competency]
                    lines.append(wording["level_line"].format(competency=names.get(competency, competency),
                                                              level=level, level_name=level_name[level]))
            continue
        if question.type == "scale":
            if question.competency in state["levels"] and answered(state, question.id):
                level = state["levels"][question.competency]
                lines.append(wording["level_line"].format(
                    competency=names.get(question.competency, question.competency), level=level,
                    level_name=level_name[level]))
            continue
        if question.id in state["answers"]:
            value = describe(state["answers"][question.id], step_for(the_guide, question.id), names, titles)
            lines.append(wording["answer_line"].format(question=_short(question.text), value=value))
    return lines


def _short(text: str) -> str:
    first = text.split("?")[0].split("(")[0].strip()
    return first if len(first) <= 70 else first[:67].rsplit(" ", 1)[0] + " …"


class ActionShowSummary(Action):
    def name(self) -> str:
        return "action_show_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        state = state_of(tracker)
        dispatcher.utter_message(response="utter_summary_intro")
        dispatcher.utter_message(text="\n".join(summary_lines(state)) or summary_texts()["empty"])
        if tracker.active_loop_name == "interview_form":
            return []  # a look at the answers so far; the interview goes on
        dispatcher.utter_message(response="utter_confirm_summary")
        return [SlotSet("awaiting_confirmation", True)]


class ActionCorrectAnswer(Action):
    """Apply a correction like "Nein, ich bin doch Führungskraft" to the answered question it fits."""

    def name(self) -> str:
        return "action_correct_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        text = tracker.latest_message.get("text", "")
        state = state_of(tracker)
        the_guide = guide()
        current = tracker.get_slot("current_step")
        for key in reversed(state["asked"]):
            step = step_for(the_guide, key)
            if key == current or step.question.type not in ("role", "single_choice", "multi_choice"):
                continue
            if not answered(state, key):
                continue
            answer = await asyncio.to_thread(judge, step, text, max_chars(), role_matcher, today())
            if answer.ok and answer.value != state["answers"].get(step.question.id):
                new = record(state, step, answer.value, queue_for(step, answer.value))
                dispatcher.utter_message(response="utter_corrected", question=_short(step.question.text),
                                         value=describe(answer.value, step, labels(), role_titles()))
                return [SlotSet("awaiting_confirmation", False), *advance(new)]
        step = current_step(tracker)
        if step is not None and tracker.active_loop_name == "interview_form":
            # not a correction after all: the learner answered the current question
            slots = await answer_step(step, state, text, dispatcher, quiet=True, entities=entities_of(tracker))
            if slots is not None:
                return [SlotSet(name, value) for name, value in slots.items()]
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

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        intent = tracker.latest_message.get("intent") or {}
        step = current_step(tracker)
        if step is not None and float(intent.get("confidence") or 0) < ASIDE_MIN_CONFIDENCE:
            slots = await answer_step(step, state_of(tracker), tracker.latest_message.get("text", ""), dispatcher,
                                      entities=entities_of(tracker))
            return [SlotSet(name, value) for name, value in (slots or {}).items()]
        dispatcher.utter_message(response=ASIDE_RESPONSES.get(intent.get("name"), "utter_out_of_scope"))
        return []

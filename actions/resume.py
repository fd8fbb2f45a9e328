"""Pausing, resuming and cancelling the interview; the slot events that put a paused one back."""

# mypy: allow-subclassing-any
# (rasa-sdk ships no type information: its Action is Any to mypy)

from __future__ import annotations

from dataclasses import replace

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answering import advance
from actions.common import Events, channel_of, guide, state_of
from campus.channels.outbox import take_pending
from campus.learners.interview.sessions import close, pause, paused_state
from campus.learners.interview.state import InterviewState, new_state
from campus.store.db import session_scope


def resumed_events(paused: InterviewState) -> Events:
    """The paused state in the slots, asked on at the step the learner left (or the next one)."""
    events = advance(replace(paused, current=None))
    if paused.current:
        events = [e for e in events if e["name"] != "current_step"] + [SlotSet("current_step", paused.current)]
    return [SlotSet("has_paused_interview", False), SlotSet("awaiting_confirmation", False), *events]


class ActionPauseInterview(Action):
    def name(self) -> str:
        return "action_pause_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        state = replace(state_of(tracker), current=tracker.get_slot("current_step") or None)
        with session_scope() as session:
            pause(session, channel_of(tracker), tracker.sender_id, state.to_slot())
        dispatcher.utter_message(response="utter_paused")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("has_paused_interview", True)]


class ActionCheckPausedInterview(Action):
    def name(self) -> str:
        return "action_check_paused_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        with session_scope() as session:
            stored = paused_state(session, channel_of(tracker), tracker.sender_id)
            # news queued while the learner was away (e.g. "Ihr Lernplan wurde aktualisiert")
            for text in take_pending(session, channel_of(tracker), tracker.sender_id):
                dispatcher.utter_message(text=text)
        return [SlotSet("has_paused_interview", stored is not None)]


class ActionResumeInterview(Action):
    def name(self) -> str:
        return "action_resume_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        with session_scope() as session:
            stored = paused_state(session, channel_of(tracker), tracker.sender_id)
            if stored is not None:
                close(session, channel_of(tracker), tracker.sender_id, "resumed")
        if stored is None:
            dispatcher.utter_message(response="utter_nothing_to_resume")
            return [SlotSet("has_paused_interview", False), *advance(new_state(guide()))]
        dispatcher.utter_message(response="utter_resumed")
        return resumed_events(InterviewState.from_slot(stored, guide()))

"""Continue on another channel: hand out a one-time code here, redeem it there."""

# mypy: allow-subclassing-any
# (rasa-sdk ships no type information: its Action is Any to mypy)

from __future__ import annotations

from dataclasses import replace

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answering import answer_step
from actions.common import (
    Events,
    Slots,
    channel_of,
    current_step,
    entities_of,
    events_of,
    guide,
    in_interview,
    slots_of,
    state_of,
    text_of,
)
from actions.resume import resumed_events
from campus.channels.link_codes import DEFAULT_TTL, find_code, issue_code, redeem_code
from campus.learners.interview.sessions import close, pause, paused_state
from campus.learners.interview.state import InterviewState, Step
from campus.store.db import session_scope


class ActionIssueLinkCode(Action):
    """Pauses a running interview (so the other channel can pick it up) and shows a code."""

    def name(self) -> str:
        return "action_issue_link_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        events: Events = []
        with session_scope() as session:
            if in_interview(tracker):
                state = replace(state_of(tracker), current=tracker.get_slot("current_step") or None)
                pause(session, channel_of(tracker), tracker.sender_id, state.to_slot())
                events = [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("has_paused_interview", True)]
            code = issue_code(session, channel_of(tracker), tracker.sender_id)
        dispatcher.utter_message(response="utter_link_code", code=code,
                                 minutes=int(DEFAULT_TTL.total_seconds() // 60))
        return events


def redeem_link(dispatcher: CollectingDispatcher, tracker: Tracker, text: str, interviewing: bool) -> Events:
    """Connect this channel to the code's learner and offer (or, in an interview, resume) their paused interview.

    One transaction: redeeming the code and taking over the paused interview
    happen together or not at all.
    """
    with session_scope() as session:
        result = redeem_code(session, channel_of(tracker), tracker.sender_id, text)
        stored = paused_state(session, channel_of(tracker), tracker.sender_id) if result.learner else None
        if stored is not None and interviewing:
            close(session, channel_of(tracker), tracker.sender_id, "resumed")
    if result.problem in ("unknown", "expired", "used"):
        dispatcher.utter_message(response=f"utter_link_{result.problem}")
        return []
    dispatcher.utter_message(response="utter_link_done" if result.ok else "utter_link_same_channel")
    if interviewing:
        if stored is None:  # nothing to take over: the interview begun here goes on
            return []
        # the interview begun on this channel gives way to the learner's own, at the question they left
        dispatcher.utter_message(response="utter_resumed")
        return resumed_events(InterviewState.from_slot(stored, guide()))
    dispatcher.utter_message(response="utter_offer_resume" if stored is not None else "utter_link_no_interview")
    return [SlotSet("has_paused_interview", stored is not None)]


async def answer_or_redeem(dispatcher: CollectingDispatcher, tracker: Tracker, step: Step, state: InterviewState,
                           text: str, quiet: bool = False) -> Slots | None:
    """A message at an interview question: a link code in it is redeemed, anything else is the answer.

    Whatever the classifier made of "Mein Code ist abcd-ef23", the code is
    never stored as an answer. Slot values (``answer`` stays empty after a
    code), or None for an answer that could not be used.
    """
    if find_code(text) is not None:
        return {"answer": None, **slots_of(redeem_link(dispatcher, tracker, text, interviewing=True))}
    return await answer_step(step, state, text, dispatcher, quiet=quiet, entities=entities_of(tracker))


class ActionRedeemLinkCode(Action):
    """Connects this channel to the code's learner and offers their paused interview."""

    def name(self) -> str:
        return "action_redeem_link_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        text, interviewing, step = text_of(tracker), in_interview(tracker), current_step(tracker)
        if find_code(text) is None and interviewing and step is not None:
            # no code in it after all: it was an answer to the current question
            return events_of(await answer_step(step, state_of(tracker), text, dispatcher,
                                               entities=entities_of(tracker)))
        return redeem_link(dispatcher, tracker, text, interviewing)

"""Continue on another channel: hand out a one-time code here, redeem it there."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, current_step, entities_of, state_of
from actions.interview_form import answer_step
from actions.resume import resumed_events
from campus.channels.link_codes import DEFAULT_TTL, find_code, issue_code, redeem_code
from campus.learners.interview.sessions import close, pause, paused_state
from campus.store.db import session_scope


class ActionIssueLinkCode(Action):
    """Pauses a running interview (so the other channel can pick it up) and shows a code."""

    def name(self) -> str:
        return "action_issue_link_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        events: list[dict] = []
        with session_scope() as session:
            if tracker.active_loop_name == "interview_form":
                state = {**state_of(tracker), "current": tracker.get_slot("current_step")}
                pause(session, channel_of(tracker), tracker.sender_id, state)
                events = [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("has_paused_interview", True)]
            code = issue_code(session, channel_of(tracker), tracker.sender_id)
        dispatcher.utter_message(response="utter_link_code", code=code,
                                 minutes=int(DEFAULT_TTL.total_seconds() // 60))
        return events


class ActionRedeemLinkCode(Action):
    """Connects this channel to the code's learner and offers their paused interview."""

    def name(self) -> str:
        return "action_redeem_link_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        text = tracker.latest_message.get("text") or ""
        in_interview = tracker.active_loop_name == "interview_form"
        step = current_step(tracker)
        if find_code(text) is None and in_interview and step is not None:
            # no code in it after all: it was an answer to the current question
            slots = await answer_step(step, state_of(tracker), text, dispatcher, entities=entities_of(tracker))
            return [SlotSet(name, value) for name, value in (slots or {}).items()]
        with session_scope() as session:
            result = redeem_code(session, channel_of(tracker), tracker.sender_id, text)
            paused = paused_state(session, channel_of(tracker), tracker.sender_id) if result.learner else None
            if paused is not None and in_interview:
                close(session, channel_of(tracker), tracker.sender_id, "resumed")
        if result.problem in ("unknown", "expired", "used"):
            dispatcher.utter_message(response=f"utter_link_{result.problem}")
            return []
        dispatcher.utter_message(response="utter_link_done" if result.ok else "utter_link_same_channel")
        if in_interview:
            if paused is None:  # nothing to take over: the interview begun here goes on
                return []
            # the interview begun on this channel gives way to the learner's own, at the question they left
            dispatcher.utter_message(response="utter_resumed")
            return resumed_events(paused)
        dispatcher.utter_message(response="utter_offer_resume" if paused is not None else "utter_link_no_interview")
        return [SlotSet("has_paused_interview", paused is not None)]

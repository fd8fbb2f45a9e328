"""Cancelling the interview, which throws its answers away: only when the learner says so in words."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.channel_link import answer_or_redeem
from actions.common import Events, channel_of, current_step, events_of, state_of, text_of
from campus.learners.interview.answers import says_command
from campus.learners.interview.sessions import close
from campus.store.db import session_scope


class ActionCancelInterview(Action):
    def name(self) -> str:
        return "action_cancel_interview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if not says_command("cancel", text_of(tracker)) and (step := current_step(tracker)) is not None:
            # the classifier heard "cancel" in a reply that does not say so ("… mehr nicht"): it is the
            # answer it most likely is, as with an unsure aside, and the interview goes on
            answered = await answer_or_redeem(dispatcher, tracker, step, state_of(tracker), text_of(tracker))
            return [*events_of(answered), FollowupAction("interview_form")]
        with session_scope() as session:
            close(session, channel_of(tracker), tracker.sender_id, "cancelled")
        dispatcher.utter_message(response="utter_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("interview_state", None),
                SlotSet("current_step", None), SlotSet("answer", None), SlotSet("awaiting_confirmation", False)]

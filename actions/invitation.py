"""An HR campaign invitation opened in the chat: mark it started and begin the interview for that role."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, guide
from actions.interview_form import advance, queue_for
from campus.hr.campaigns import mark_started
from campus.learners.identity import learner_for
from campus.learners.interview.guide import new_state, record, step_for
from campus.store.db import session_scope


def invitation_token(tracker: Tracker) -> str:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "invitation_token" and entity.get("value"):
            return str(entity["value"])
    return (tracker.latest_message.get("text") or "").strip()


class ActionAcceptInvitation(Action):
    """The widget (``?kc_invite=``) and Telegram (``/start <token>``) send the token as a payload."""

    def name(self) -> str:
        return "action_accept_invitation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        token = invitation_token(tracker)
        with session_scope() as session:
            learner = learner_for(session, channel_of(tracker), tracker.sender_id)
            check = mark_started(session, token, learner.id)
        state = new_state(guide())
        if not check.ok:
            dispatcher.utter_message(text=check.message_de)
            dispatcher.utter_message(response="utter_invitation_start_anyway")
        else:
            info = check.invitation
            dispatcher.utter_message(response="utter_invitation_welcome", campaign=info.campaign_name,
                                     role=info.role_title)
            if info.message:
                dispatcher.utter_message(text=info.message)
            # the campaign names the role profile: the interview does not ask for it
            role_step = next((step_for(guide(), q.id) for q in guide().questions if q.field == "role_id"), None)
            if role_step is not None and info.role_profile_id:
                state = record(state, role_step, info.role_profile_id, queue_for(role_step, info.role_profile_id))
        return [SlotSet("requested_slot", None), SlotSet("awaiting_confirmation", False),
                SlotSet("has_paused_interview", False), *advance(state)]

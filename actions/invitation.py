"""An HR campaign invitation opened in the chat: mark it started and begin the interview for that role
(and, when the campaign's organisation is registered, for that organisation)."""

# mypy: allow-subclassing-any
# (rasa-sdk ships no type information: its Action is Any to mypy)

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answering import advance, queue_for
from actions.common import Events, channel_of, entities_of, guide, text_of
from campus.hr.invitation_flow import mark_started
from campus.hr.organisations import find_organisation
from campus.learners.identity import learner_for
from campus.learners.interview.state import new_state, organisation_step, record, role_step
from campus.store.db import session_scope


def invitation_token(tracker: Tracker) -> str:
    for entity in entities_of(tracker):
        if entity.get("entity") == "invitation_token" and entity.get("value"):
            return str(entity["value"])
    return text_of(tracker).strip()


class ActionAcceptInvitation(Action):
    """The widget (``?kc_invite=``) and Telegram (``/start <token>``) send the token as a payload."""

    def name(self) -> str:
        return "action_accept_invitation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        token = invitation_token(tracker)
        with session_scope() as session:
            learner = learner_for(session, channel_of(tracker), tracker.sender_id)
            check = mark_started(session, token, learner.id)
            organisation = find_organisation(session, check.invitation.org) if check.invitation else None
        state = new_state(guide())
        info = check.invitation if check.ok else None
        if info is None:
            dispatcher.utter_message(text=check.message_de)
            dispatcher.utter_message(response="utter_invitation_start_anyway")
        else:
            dispatcher.utter_message(response="utter_invitation_welcome", campaign=info.campaign_name,
                                     role=info.role_title)
            if info.message:
                dispatcher.utter_message(text=info.message)
            # the campaign names the role profile: the interview does not ask for it
            step = role_step(guide())
            if step is not None and info.role_profile_id:
                state = record(state, step, info.role_profile_id, queue_for(step, info.role_profile_id))
            # and, when it is registered, the organisation (which decides the prices): not asked either
            asked = organisation_step(guide())
            if asked is not None and organisation is not None:
                state = record(state, asked, {"text": organisation.name, "organisation_id": organisation.id,
                                              "organisation": organisation.name})
        return [SlotSet("requested_slot", None), SlotSet("awaiting_confirmation", False),
                SlotSet("has_paused_interview", False), *advance(state)]

"""'Meine Daten löschen' and 'Einwilligung widerrufen' in the chat."""

# mypy: allow-subclassing-any
# (rasa-sdk ships no type information: its Action is Any to mypy)

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, Restarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events, channel_of
from campus.learners.privacy import erase_learner, withdraw_consent
from campus.store.db import session_scope


class ActionDeleteMyData(Action):
    """Runs only after the learner confirmed; erases the learner on every linked channel."""

    def name(self) -> str:
        return "action_delete_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        with session_scope() as session:
            report = erase_learner(session, channel_of(tracker), tracker.sender_id)
        dispatcher.utter_message(response="utter_data_deleted" if report.learner_id else "utter_no_data_stored")
        return [AllSlotsReset(), Restarted()]


class ActionWithdrawConsent(Action):
    def name(self) -> str:
        return "action_withdraw_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        with session_scope() as session:
            report = withdraw_consent(session, channel_of(tracker), tracker.sender_id)
        dispatcher.utter_message(response="utter_consent_withdrawn" if report.total else "utter_no_data_stored")
        return [AllSlotsReset()]

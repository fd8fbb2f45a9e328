"""Two-stage fallback: ask back in German what an unclear message meant."""

# mypy: allow-subclassing-any
# (rasa-sdk ships no type information: its Action is Any to mypy)

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events
from campus.store.texts import texts


class ActionAskAffirmation(Action):
    """Replaces Rasa's English default: offers the most likely meaning, or asks to rephrase."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        wording = texts("intent_descriptions")
        ranking = tracker.latest_message.get("intent_ranking") or []
        candidates = [r["name"] for r in ranking if r.get("name") in wording["intents"]]
        if not candidates:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        best = candidates[0]
        description = wording["intents"][best]
        dispatcher.utter_message(
            text=wording["question"].format(description=description),
            buttons=[{"title": description, "payload": f"/{best}"},
                     {"title": wording["other"], "payload": "/out_of_scope"}],
        )
        return []

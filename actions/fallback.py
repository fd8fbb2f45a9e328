"""Two-stage fallback: ask back in German what an unclear message meant."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from campus.store.settings import get_settings


@lru_cache
def _texts(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class ActionAskAffirmation(Action):
    """Replaces Rasa's English default: offers the most likely meaning, or asks to rephrase."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        texts = _texts(get_settings().data_dir / "texts" / "intent_descriptions.yml")
        ranking = tracker.latest_message.get("intent_ranking") or []
        candidates = [r["name"] for r in ranking if r.get("name") in texts["intents"]]
        if not candidates:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        best = candidates[0]
        description = texts["intents"][best]
        dispatcher.utter_message(
            text=texts["question"].format(description=description),
            buttons=[{"title": description, "payload": f"/{best}"},
                     {"title": texts["other"], "payload": "/out_of_scope"}],
        )
        return []

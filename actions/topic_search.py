"""'Gibt es etwas zu KI für Führungskräfte?': modules on a topic, with match percentages and the learner's price."""

# mypy: allow-subclassing-any
# (rasa-sdk ships no type information: its Action is Any to mypy)

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlmodel import Session

from actions.common import Events, channel_of, labels, max_chars, text_of
from campus.catalogue.models import Module
from campus.learners.identity import find_learner
from campus.learners.prices import Membership, membership_of, short_price
from campus.store.db import get_engine
from campus.store.settings import get_settings
from campus.store.texts import texts
from campus.store.wording import hours_label
from embeddings.encoder import get_encoder
from embeddings.framework_matchers import competency_matcher
from embeddings.index import get_module_index
from embeddings.search import FusionWeights
from plan_engine.topic_search import TopicHit, topic_search

log = logging.getLogger(__name__)


def named_competencies(entities: list[dict[str, Any]]) -> list[str]:
    """Framework ids the NLU's competency extractor found (its values are ids already)."""
    known = labels()
    return [e["value"] for e in entities if e.get("entity") == "competency" and e.get("value") in known]


def search(text: str, named: list[str], channel: str, sender: str) -> list[tuple[TopicHit, str]]:
    """The hits, each with the price that applies to this learner (member or non-member price)."""
    s = get_settings()
    weights = FusionWeights(s.search_weight_dense, s.search_weight_lexical, s.search_weight_competency,
                            s.search_rrf_k, s.search_fusion)
    with Session(get_engine()) as session:
        hits = topic_search(session, text[: max_chars()], named, get_encoder(), get_module_index(),
                            competency_matcher(), weights)
        learner = find_learner(session, channel, sender)
        who = membership_of(session, learner.id) if learner is not None else Membership()
        priced = []
        for hit in hits:
            module = session.get(Module, hit.module_id)
            priced.append((hit, short_price(module, who) if module is not None else ""))
        return priced


class ActionSearchModules(Action):
    def name(self) -> str:
        return "action_search_modules"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        text = text_of(tracker)
        named = named_competencies(tracker.latest_message.get("entities") or [])
        hits = await asyncio.to_thread(search, text, named, channel_of(tracker), tracker.sender_id)
        if not hits:
            dispatcher.utter_message(response="utter_search_nothing")
            return []
        wording = texts("reasons")
        topic = str(wording["joiner"]).join(labels()[c] for c in dict.fromkeys(named)) or text.strip()
        dispatcher.utter_message(response="utter_search_intro", topic=topic)
        for hit, price in hits:
            hours = hours_label(hit.duration_hours)
            dispatcher.utter_message(response="utter_search_hit", title=hit.title, match_percent=hit.match_percent,
                                     format=wording["formats"].get(hit.format, hit.format), hours=hours,
                                     category=hit.category, price=price)
        return []

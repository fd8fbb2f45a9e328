"""Shared glue between Rasa trackers and the interview: reading slots, names from the catalogue, replies."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlmodel import Session

from campus.catalogue.framework import competencies, role_profiles
from campus.learners.interview.guide import Guide, load_guide
from campus.learners.interview.rules import Candidate
from campus.learners.interview.state import InterviewState, Step, step_for
from campus.store.db import get_engine
from campus.store.settings import get_settings
from campus.store.texts import data_file, texts

log = logging.getLogger(__name__)

Events = list[dict[str, Any]]
Slots = dict[str, Any]


def guide() -> Guide:
    return load_guide()


def level_names() -> dict[int, str]:
    data = data_file("seed/competencies.yml")
    return {int(k): str(v) for k, v in data["level_names"].items()}


def scale_buttons() -> list[dict[str, str]]:
    title = str(texts("summary")["level_button"])
    return [{"title": title.format(level=level, name=name), "payload": str(level)}
            for level, name in level_names().items()]


def labels() -> dict[str, str]:
    with Session(get_engine()) as session:
        return {cid: c.label for cid, c in competencies(session).items()}


def level_descriptor(competency_id: str, level: int) -> str | None:
    with Session(get_engine()) as session:
        comp = competencies(session).get(competency_id)
    return comp.levels.get(str(level)) if comp else None


def role_titles() -> dict[str, str]:
    with Session(get_engine()) as session:
        return {r.id: r.title for r in role_profiles(session)}


def state_of(tracker: Tracker) -> InterviewState:
    """The interview in the ``interview_state`` slot; a new one if the slot is empty or unusable."""
    return InterviewState.from_slot(tracker.get_slot("interview_state"), guide())


def current_step(tracker: Tracker) -> Step | None:
    key = tracker.get_slot("current_step")
    if not key:
        return None
    try:
        return step_for(guide(), str(key))
    except KeyError:
        return None


def text_of(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def entities_of(tracker: Tracker) -> list[dict[str, Any]]:
    return list(tracker.latest_message.get("entities") or [])


def channel_of(tracker: Tracker) -> str:
    return str(tracker.get_latest_input_channel() or "rest")


def in_interview(tracker: Tracker) -> bool:
    return bool(tracker.active_loop_name == "interview_form")


def max_chars() -> int:
    return get_settings().max_message_chars


def today() -> date:
    return date.today()


def slots_of(events: Events) -> Slots:
    """Slot events as the slot values a form validation returns."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def events_of(slots: Slots | None) -> Events:
    return [SlotSet(name, value) for name, value in (slots or {}).items()]


def utter_problem(dispatcher: CollectingDispatcher, step: Step, problem: str,
                  suggestions: list[Candidate] | None = None) -> None:
    """The helpful German reply for an answer that could not be used."""
    question = step.question
    if problem in ("empty", "too_long", "no_words"):
        kwargs = {"max_chars": max_chars()} if problem == "too_long" else {}
        dispatcher.utter_message(response=f"utter_answer_{problem}", **kwargs)
    elif question.type in ("scale", "competency_scales"):
        dispatcher.utter_message(response=f"utter_level_{problem}")
    elif question.type == "number":
        if problem == "out_of_range":
            dispatcher.utter_message(response="utter_number_out_of_range", min=int(question.min or 0),
                                     max=int(question.max or 0), unit=question.unit or "")
        else:
            dispatcher.utter_message(response="utter_number_not_understood")
    elif question.type == "month":
        dispatcher.utter_message(response="utter_month_not_understood")
    elif question.type == "role":
        if suggestions:
            dispatcher.utter_message(response="utter_role_unclear",
                                     buttons=[{"title": c.label, "payload": c.label} for c in suggestions])
        else:
            dispatcher.utter_message(response="utter_role_unknown")
    else:
        dispatcher.utter_message(response="utter_choice_not_understood")

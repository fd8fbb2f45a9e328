"""Shared glue between Rasa trackers and the interview guide."""

from __future__ import annotations

import logging
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlmodel import Session

from campus.catalogue.framework import competencies, role_profiles
from campus.learners.interview.guide import Guide, Step, load_guide, new_state, step_for
from campus.store.db import get_engine
from campus.store.settings import get_settings

log = logging.getLogger(__name__)


def guide() -> Guide:
    return load_guide(get_settings().data_dir / "interview_guide.yml")


@lru_cache
def read_yaml(path: Path) -> dict[str, Any]:
    """A data file (German texts, word lists), read once per process."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def level_names() -> dict[int, str]:
    data = read_yaml(get_settings().seed_dir / "competencies.yml")
    return {int(k): v for k, v in data["level_names"].items()}


def summary_texts() -> dict[str, str]:
    return read_yaml(get_settings().data_dir / "texts" / "summary.yml")


def confirmation_verdict(text: str) -> bool | None:
    """True for a plain yes, False for a plain no, None for anything else (a new answer).

    The words live in data/texts/confirmation.yml.
    """
    data = read_yaml(get_settings().data_dir / "texts" / "confirmation.yml")
    yes, no, filler = set(data["affirm"]), set(data["deny"]), set(data["filler"])
    words = set(re.findall(r"\w+", (text or "").lower()))
    if words & no and words <= no | yes | filler:
        return False
    if words & yes and words <= yes | filler:
        return True
    return None


def scale_buttons() -> list[dict[str, str]]:
    return [{"title": f"{level} – {name}", "payload": str(level)} for level, name in level_names().items()]


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


def state_of(tracker: Tracker) -> dict[str, Any]:
    state = tracker.get_slot("interview_state")
    return state if isinstance(state, dict) and "answers" in state else new_state(guide())


def current_step(tracker: Tracker) -> Step | None:
    key = tracker.get_slot("current_step")
    if not key:
        return None
    try:
        return step_for(guide(), key)
    except (KeyError, StopIteration):
        return None


def entities_of(tracker: Tracker) -> list[dict[str, Any]]:
    return list(tracker.latest_message.get("entities") or [])


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def max_chars() -> int:
    return get_settings().max_message_chars


def today() -> date:
    return date.today()


def utter_problem(dispatcher: CollectingDispatcher, step: Step, problem: str, suggestions: list | None = None) -> None:
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

"""A link code typed at an interview question is redeemed, whichever way the classifier took the message."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any
from uuid import uuid4

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlmodel import Session

from actions.channel_link import ActionRedeemLinkCode
from actions.common import events_of, slots_of
from actions.interview_form import ValidateInterviewForm
from campus.channels.link_codes import issue_code
from campus.learners.identity import find_learner
from campus.learners.interview.guide import load_guide
from campus.learners.interview.sessions import pause
from campus.learners.interview.state import InterviewState, new_state, record, step_for
from campus.learners.models import InterviewSession
from campus.store.db import get_engine, session_scope


def tracker(sender: str, state: InterviewState, step: str, text: str) -> Tracker:
    """The phone's conversation: an interview of its own running, at ``step``."""
    return Tracker(sender, {"interview_state": state.to_slot(), "current_step": step, "answer": text},
                   {"text": text, "intent": {"name": "inform", "confidence": 0.5}, "entities": []},
                   [{"event": "user", "text": text, "input_channel": "rest"}], False, None,
                   {"name": "interview_form"}, "action_listen")


@pytest.fixture
def paused_elsewhere() -> tuple[str, str]:
    """A learner who paused at the role question on another device and got a code: (sender, code)."""
    guide = load_guide()
    sender = f"desk-{uuid4().hex[:8]}"
    state = record(new_state(guide), step_for(guide, "organisation"), "Stadt Musterstadt, Bürgeramt")
    with session_scope() as session:
        pause(session, "rest", sender, replace(state, current="role").to_slot())
        code = issue_code(session, "rest", sender)
    return sender, code


def validate(text: str, phone: str) -> tuple[dict[str, Any], list[str]]:
    guide = load_guide()
    dispatcher = CollectingDispatcher()
    slots = asyncio.run(ValidateInterviewForm().validate_answer(
        text, dispatcher, tracker(phone, new_state(guide), "organisation", text), {}))
    return slots, [m.get("response") for m in dispatcher.messages]


def test_a_code_at_the_organisation_question_takes_over_the_paused_interview(paused_elsewhere) -> None:
    desk, code = paused_elsewhere
    phone = f"phone-{uuid4().hex[:8]}"
    slots, replies = validate(f"Mein Code ist {code.lower()}", phone)
    assert replies == ["utter_link_done", "utter_resumed"]
    assert slots["answer"] is None and slots["current_step"] == "role"
    assert slots["interview_state"]["answers"] == {"organisation": "Stadt Musterstadt, Bürgeramt"}
    with Session(get_engine()) as session:
        learner = find_learner(session, "rest", phone)
        assert learner is not None and learner.id == find_learner(session, "rest", desk).id
        assert session.get(InterviewSession, learner.id).status == "resumed"


def test_an_unknown_code_is_refused_and_never_stored_as_the_answer() -> None:
    slots, replies = validate("Mein Code ist ZZ9Z-ZZ9Z", f"phone-{uuid4().hex[:8]}")
    assert replies == ["utter_link_unknown"] and slots == {"answer": None}


def test_an_answer_without_a_code_is_still_an_answer() -> None:
    slots, replies = validate("Stadt Musterstadt, Bürgeramt", f"phone-{uuid4().hex[:8]}")
    assert replies == [] and slots["current_step"] == "role"
    # stored with the registered organisation it names, if any (tests/unit/learners test the matching)
    assert list(slots["interview_state"]["answers"]) == ["organisation"]
    assert slots["interview_state"]["answers"]["organisation"]["text"] == "Stadt Musterstadt, Bürgeramt"


def test_the_form_and_the_redeem_action_handle_a_code_alike(paused_elsewhere) -> None:
    """The same shared redemption, whether the NLU saw an answer or the redeem_link_code intent."""
    _, code = paused_elsewhere
    phone = f"phone-{uuid4().hex[:8]}"
    guide = load_guide()
    text = f"Mein Code ist {code}"
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionRedeemLinkCode().run(
        dispatcher, tracker(phone, new_state(guide), "organisation", text), {}))
    assert [m.get("response") for m in dispatcher.messages] == ["utter_link_done", "utter_resumed"]
    resumed = slots_of(events)
    assert resumed["current_step"] == "role" and resumed["answer"] is None
    assert events_of({"answer": None}) == [e for e in events if e["name"] == "answer"]

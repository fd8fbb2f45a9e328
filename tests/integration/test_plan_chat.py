"""The learning plan inside the chat, through the real servers: show, details, why, accept, reject, next, done."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from campus.catalogue.models import Module
from campus.learners.identity import find_learner
from campus.learners.models import CompetencyLevel, LearnerModuleState, Plan
from campus.store.db import get_engine
from tests.integration.conftest import texts
from tests.integration.test_conversation import ITEM, start, through_levels

CARD = re.compile(r"^(\d)\. \*\*(.+?)\*\* – ")

pytestmark = pytest.mark.integration


def interview(chat) -> None:
    start(chat)
    through_levels(chat)
    for level in ("1", "0", "1"):
        chat.say(level)
    assert "berufliches Ziel" in texts(chat.say("Mich interessiert vor allem Datenschutz"))
    for answer in ("keine Veränderung", "Online", "40", "kein Budget", "sofort", "Ja, speichern"):
        chat.say(answer)
    assert "Ihr Profil ist gespeichert" in texts(chat.say("/affirm"))


def test_plan_in_the_chat(chat) -> None:
    assert "noch keinen Lernplan" in texts(chat.say("Zeig mir meinen Lernplan"))
    interview(chat)
    shown = chat.say("Zeig mir meinen Lernplan")
    cards = [m for m in (ITEM.match(x.get("text", "")) for x in shown) if m]
    assert "Ihr Lernplan" in texts(shown) and len(cards) >= 2
    assert any(b["payload"].startswith("/accept_item") for m in shown for b in m.get("buttons", []))
    first, second = cards[0]["title"], cards[1]["title"]

    details = texts(chat.say("Erzähl mir mehr über das zweite Modul"))
    assert second in details and "Lernziele" in details and "Preis" in details
    assert "Mitglied der Kooperation" in details or "Preis: kostenfrei" in details  # Musterstadt is a member
    why = texts(chat.say("Warum?"))  # the item in focus
    assert second in why and "Übereinstimmung" in why

    assert "angenommen" in texts(chat.say('/accept_item{"item_position": "2"}'))
    assert "warum das Modul nicht passt" in texts(chat.say("Das erste Modul will ich nicht machen"))
    assert "aus Ihrem Plan genommen" in texts(chat.say("Zu teuer"))
    shown_again = chat.say("Zeig mir meinen Lernplan")
    again = texts(shown_again)
    assert first not in again and second in again  # rejected stays out, accepted stays in
    # where the accepted module now stands depends on what the new plan put into the freed slot
    position = next(m.group(1) for m in (CARD.match(x.get("text", "")) for x in shown_again)
                    if m and m.group(2) == second)
    assert "Als Nächstes" in texts(chat.say("Was kommt als Nächstes?"))
    done = texts(chat.say(f'/mark_completed{{"item_position": "{position}"}}'))
    assert "Glückwunsch" in done and "Stufe" in done
    if len(cards) > 2:
        assert "Welches Modul meinen Sie" in texts(chat.say("Ich habe ein Modul abgeschlossen"))

    with Session(get_engine()) as session:
        learner = find_learner(session, "rest", chat.sender)
        states = {s.status: s for s in session.exec(
            select(LearnerModuleState).where(LearnerModuleState.learner_id == learner.id)).all()}
        # the accepted module was completed
        assert set(states) == {"rejected", "completed"}
        assert session.get(Module, states["completed"].module_id).title == second
        assert states["rejected"].reason == "Zu teuer"
        triggers = [p.trigger for p in session.exec(select(Plan).where(Plan.learner_id == learner.id)
                                                    .order_by(Plan.version)).all()]
        assert triggers[0] == "interview_completed"
        assert {"item_accepted", "item_rejected", "module_completed"} <= set(triggers)
        assert session.exec(select(CompetencyLevel).where(CompetencyLevel.learner_id == learner.id,
                                                          CompetencyLevel.source == "completed_module")).first()
        rejected = [p for p in session.exec(select(Plan).where(Plan.learner_id == learner.id)).all()
                    if p.trigger == "item_rejected"][0]
        assert rejected.diff["removed"], "the rejected module left the plan"

"""One real conversation end to end: REST channel → Rasa → actions → store."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from campus.catalogue import role_profiles
from campus.db import get_engine
from campus.identity import find_learner
from campus.models import Module, Plan, PlanItem
from campus.profiles import load_profile
from tests.integration.conftest import texts

pytestmark = pytest.mark.integration
ITEM = re.compile(r"^\d\. \*\*(?P<title>.+)\*\* – (?P<percent>\d{1,3}) % Übereinstimmung\. (?P<reason>.+)$")


def test_interview_to_plan_with_bad_input_along_the_way(chat) -> None:
    reply = chat.say("Hallo")
    assert "Weiterbildungsassistent" in texts(reply)
    assert any(m.get("buttons") for m in reply), "role question offers buttons"

    reply = texts(chat.say("Ich arbeite im Bürgerbüro"))
    assert "Sachbearbeitung Bürgerbüro" in reply
    assert "Wie schätzen Sie Ihre Kenntnisse" in reply

    for bad, expected in [
        ("", "keine Antwort"),
        ("7", "zwischen 0"),
        ("🙂🎉👍", "keiner Stufe zuordnen"),
        ("x" * 10_000, "sehr lang"),
    ]:
        reply = texts(chat.say(bad))
        assert expected in reply, (bad[:20], reply)
        assert "Wie schätzen Sie Ihre Kenntnisse" in reply, "the same question is asked again"

    chat.say("2")
    chat.say("damit kenne ich mich gut aus")
    reply = texts(chat.say("1 – Grundkenntnisse"))
    assert "Welche Themen interessieren Sie" in reply

    reply = texts(chat.say("🙂"))
    assert "in Worten" in reply

    messages = chat.say("Ich möchte unsere Papierakten loswerden und Vorgänge digital bearbeiten")
    lines = [m["text"] for m in messages if "text" in m]
    assert "Ihr Profil ist gespeichert" in lines[0]
    items = [ITEM.match(line) for line in lines if ITEM.match(line)]
    assert len(items) == 5
    percents = [int(m["percent"]) for m in items]
    assert all(0 <= p <= 100 for p in percents) and percents == sorted(percents, reverse=True)
    assert all(m["reason"].endswith("Std.") for m in items)

    with Session(get_engine()) as session:
        learner = find_learner(session, "rest", chat.sender)
        assert learner is not None
        profile = load_profile(session, learner.id)
        assert profile.role_id == "sachbearbeitung_buergerbuero"
        assert sorted(profile.levels.values()) == [1, 2, 3]
        assert profile.interest_text.startswith("Ich möchte unsere Papierakten")
        assert profile.interest_competencies, "the free-text interest was matched to competencies"
        plan = session.exec(select(Plan).where(Plan.learner_id == learner.id)).one()
        stored = session.exec(select(PlanItem).where(PlanItem.plan_id == plan.id).order_by(PlanItem.position)).all()
        assert [i.match_percent for i in stored] == percents
        titles = [session.get(Module, i.module_id).title for i in stored]
        assert titles == [m["title"] for m in items]
        assert all(session.get(Module, i.module_id).status == "approved" for i in stored)


def test_paraphrased_role_is_understood(chat) -> None:
    chat.say("Guten Tag")
    reply = texts(chat.say("Ich kümmere mich um Rechnungen und den Haushalt der Gemeinde"))
    with Session(get_engine()) as session:
        titles = [r.title for r in role_profiles(session)]
    assert any(t in reply for t in titles), reply


def test_nonsense_role_gets_help_and_interview_goes_on(chat) -> None:
    chat.say("Hallo")
    reply = texts(chat.say("asdfgh qwertz"))
    assert "Rolle" in reply or "Tätigkeit" in reply
    reply = texts(chat.say("Kämmerei"))
    assert "Wie schätzen Sie Ihre Kenntnisse" in reply


def test_restart_after_plan_starts_a_new_interview(chat) -> None:
    chat.say("Hallo")
    chat.say("Personalverwaltung")
    for level in ("1", "2", "3"):
        chat.say(level)
    reply = texts(chat.say("Digitale Personalakte und Datenschutz"))
    assert "Übereinstimmung" in reply
    reply = texts(chat.say("neu anfangen"))
    assert "Welche Tätigkeit üben Sie aus" in reply

"""The Telegram bridge delivers outbox rows: sent, a 429 waited out, a blocked bot, rows it must leave alone."""

from __future__ import annotations

from sqlmodel import Session

from campus.channels.models import Outbox
from campus.store.db import get_engine
from tests.integration.telegram_support import (
    RunningBridge,
    chat_row,
    enqueue,
    outbox_row,
    wait_for,
)


def test_an_outbox_row_is_delivered_and_marked_sent(bridge: RunningBridge) -> None:
    bridge.reply_to(1060, "Hallo")
    row_id = enqueue(1060, "Ihr Lehrplan hat sich geändert: **Neues Modul**",
                     {"buttons": [{"title": "Plan ansehen", "payload": "/show_plan"}]})
    row = wait_for(lambda: (r := outbox_row(row_id)).status != "pending" and r, "the outbox row to be handled")
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None and row.last_error is None
    message = bridge.api.messages_to(1060)[-1]
    assert message["text"] == "Ihr Lehrplan hat sich geändert: <b>Neues Modul</b>"
    assert message["reply_markup"]["inline_keyboard"][0][0]["text"] == "Plan ansehen"


def test_a_429_is_waited_out_and_retried_not_lost(bridge: RunningBridge) -> None:
    bridge.reply_to(1070, "Hallo")
    with bridge.api.cond:
        bridge.api.scripted[1070] = [(429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry "
                                            "after 1", "parameters": {"retry_after": 1}})]
    row_id = enqueue(1070, "Erinnerung: Ihre Einladung läuft bald ab.")
    row = wait_for(lambda: (r := outbox_row(row_id)).status != "pending" and r, "the outbox row to be handled")
    assert row.status == "sent" and row.attempts == 2
    delivered = [m for m in bridge.api.messages_to(1070) if m["text"].startswith("Erinnerung")]
    assert len(delivered) == 1
    assert len([c for c in bridge.api.calls_of("sendMessage")
                if int(c["chat_id"]) == 1070 and c["text"].startswith("Erinnerung")]) == 2


def test_a_blocked_bot_marks_the_chat_unreachable_and_the_bridge_keeps_running(bridge: RunningBridge) -> None:
    bridge.reply_to(1080, "Hallo")
    with bridge.api.cond:
        bridge.api.blocked.add(1080)
    first, second = enqueue(1080, "Erste Nachricht"), enqueue(1080, "Zweite Nachricht")

    def handled() -> list[Outbox] | None:
        rows = [outbox_row(first), outbox_row(second)]
        return rows if all(r.status != "pending" for r in rows) else None

    rows = wait_for(handled, "both outbox rows to be handled")
    assert [r.status for r in rows] == ["failed", "failed"]
    assert rows[0].attempts == 1 and "bot blocked" in (rows[0].last_error or "")
    assert rows[1].attempts == 0  # not even tried: the chat was known to be unreachable
    chat = chat_row(1080)
    assert chat is not None and not chat.reachable and chat.unreachable_since is not None

    assert bridge.alive()
    assert bridge.service.healthy()
    bridge.reply_to(1081, "Ich bin noch da")  # others are still served

    with bridge.api.cond:
        bridge.api.blocked.discard(1080)
    bridge.reply_to(1080, "Wieder da")  # writing again makes the chat reachable again
    wait_for(lambda: (c := chat_row(1080)) is not None and c.reachable, "the chat to be reachable again")


def test_rows_of_other_channels_and_without_a_chat_are_left_alone_or_failed(bridge: RunningBridge) -> None:
    from campus.learners.identity import learner_for

    with Session(get_engine()) as session:
        learner = learner_for(session, "telegram", "tg-never-wrote")  # an identity whose chat the bridge never saw
        web = Outbox(learner_id=learner.id, channel="socketio", text="nur für das Widget")
        orphan = Outbox(learner_id=learner.id, channel="telegram", text="kein Chat")
        session.add_all([web, orphan])
        session.commit()
        web_id, orphan_id = web.id, orphan.id
    row = wait_for(lambda: (r := outbox_row(orphan_id)).status != "pending" and r, "the orphan row")
    assert row.status == "failed" and row.attempts == 0
    assert outbox_row(web_id).status == "pending"

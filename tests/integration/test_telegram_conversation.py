"""The Telegram bridge relays a conversation: safe HTML, hashed senders, deep links, buttons, long texts, notices."""

from __future__ import annotations

import re

from campus.channels.telegram import decrypt_chat_id, sender_id
from campus.channels.telegram_format import TELEGRAM_LIMIT, bridge_texts, render_chunks, utf16_len
from tests.integration.telegram_support import (
    LONG_PAYLOAD,
    FakeRasa,
    RunningBridge,
    chat_row,
    expected_sender,
    visible,
    wait_for,
)


def test_text_goes_to_rasa_and_the_answer_comes_back_as_safe_html(bridge: RunningBridge) -> None:
    [answer] = bridge.reply_to(1001, "Hallo Bot")
    assert answer["text"] == "Sie schrieben: <b>Hallo Bot</b> &amp; &lt;mehr&gt;"
    assert answer["parse_mode"] == "HTML"
    assert any(int(c["chat_id"]) == 1001 for c in bridge.api.calls_of("sendChatAction"))
    request = [r for r in bridge.rasa.received if r.get("message") == "Hallo Bot"][-1]
    assert request["path"] == "/webhooks/telegram/webhook"


def test_sender_ids_are_keyed_hashes_and_the_chat_id_is_stored_encrypted(bridge: RunningBridge) -> None:
    bridge.reply_to(1010, "Guten Morgen")
    sender = expected_sender(1010)
    assert sender == sender_id(1010)
    assert bridge.rasa.messages_from(sender) == ["Guten Morgen"]
    senders = {r["sender"] for r in bridge.rasa.received}
    assert all(re.fullmatch(r"tg-[0-9a-f]{40}", s) for s in senders)
    assert not any("1010" in s for s in senders)
    chat = chat_row(1010)
    assert chat is not None and chat.reachable
    assert "1010" not in chat.chat_id_encrypted and decrypt_chat_id(chat.chat_id_encrypted) == 1010


def test_start_and_deep_link_payload_and_other_commands(bridge: RunningBridge) -> None:
    sender = expected_sender(1020)
    bridge.reply_to(1020, "/start")
    bridge.reply_to(1020, "/start K7P4-QX2M")
    bridge.reply_to(1020, "/hilfe@kc_test_bot")
    assert bridge.rasa.messages_from(sender) == [bridge_texts()["start_message"], "K7P4-QX2M", "hilfe"]


def test_rasa_buttons_become_an_inline_keyboard_and_a_press_sends_the_payload(bridge: RunningBridge) -> None:
    [question] = bridge.reply_to(1030, "buttons")
    assert question["text"] == "Wie gut kennen Sie sich mit <b>digitaler Verwaltung</b> aus?"
    keyboard = question["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in keyboard] == [["Stufe 3 – fortgeschritten"], ["Stufe 1"]]
    data = keyboard[0][0]["callback_data"]
    assert len(data.encode()) <= 64 and LONG_PAYLOAD not in data  # the long payload stays in the bridge

    sender = expected_sender(1030)
    query_id = bridge.api.press(1030, question, data)
    wait_for(lambda: LONG_PAYLOAD in bridge.rasa.messages_from(sender), "the button's payload at Rasa")
    wait_for(lambda: any(c["callback_query_id"] == query_id for c in bridge.api.calls_of("answerCallbackQuery")),
             "the callback query to be answered")
    wait_for(lambda: any(int(c["message_id"]) == question["message_id"]
                         for c in bridge.api.calls_of("editMessageReplyMarkup")), "the keyboard to be removed")
    wait_for(lambda: any(LONG_PAYLOAD in visible(m["text"]) for m in bridge.api.messages_to(1030)),
             "Rasa's answer to the payload")

    before = len(bridge.api.messages_to(1030))
    bridge.api.press(1030, question, "f" * 64)  # a button the bridge never made (or forgot in a restart)
    wait_for(lambda: len(bridge.api.messages_to(1030)) > before, "the notice for an expired button")
    assert visible(bridge.api.messages_to(1030)[-1]["text"]) == bridge_texts()["button_expired"]


def test_a_long_text_is_split_at_paragraphs_within_telegrams_limit(bridge: RunningBridge) -> None:
    chunks = bridge.reply_to(1040, "lang", count=3)
    wait_for(lambda: "".join(visible(m["text"]) for m in bridge.api.messages_to(1040)).count("Absatz") == 6,
             "all paragraphs")
    texts = [visible(m["text"]) for m in bridge.api.messages_to(1040)]
    assert len(texts) >= 3 and all(utf16_len(t) <= TELEGRAM_LIMIT for t in texts)
    assert all(t.startswith("Absatz") for t in texts)  # every cut is at a paragraph break
    assert "\n\n".join(texts) == FakeRasa.LONG.strip()
    assert "reply_markup" not in chunks[0]


def test_rasa_down_and_unsupported_messages_get_a_german_notice(bridge: RunningBridge) -> None:
    [notice] = bridge.reply_to(1050, "kaputt")
    assert visible(notice["text"]) == bridge_texts()["unavailable"]
    before = len(bridge.api.messages_to(1050))
    bridge.api.push(bridge.api.user_message(1050, location={"latitude": 53.55, "longitude": 9.99}))
    wait_for(lambda: len(bridge.api.messages_to(1050)) > before, "the notice for a location")
    assert visible(bridge.api.messages_to(1050)[-1]["text"]) == bridge_texts()["unsupported"]




def test_render_chunks_respects_the_limit_in_utf16_units_and_keeps_bold_valid() -> None:
    emoji = "😀" * 3000  # two UTF-16 units each
    assert [utf16_len(c) for c in render_chunks(emoji)] == [4096, 1904]
    bold = render_chunks("**" + "wort " * 2000 + "ende**")
    assert len(bold) == 3 and all(c.startswith("<b>") and c.endswith("</b>") for c in bold)
    assert render_chunks("a < b & **c** und * d ** e") == ["a &lt; b &amp; <b>c</b> und * d ** e"]
    sentences = render_chunks("Ein Satz. " * 500, limit=100)
    assert all(c.endswith("Satz.") and len(c) <= 100 for c in sentences)
    assert render_chunks("") == [] and render_chunks("   \n ") == []

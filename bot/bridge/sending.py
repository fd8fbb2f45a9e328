"""Send one of Rasa's bot messages to a Telegram chat: HTML chunks, buttons as an inline keyboard.

Rasa button payloads ("/inform{\"level\": 3}") often exceed the 64 bytes a
Telegram ``callback_data`` may hold, so the application runs with PTB's
arbitrary callback data: the payload stays in the bridge's cache and
Telegram only sees a key.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode

from bot.bridge.retry import RetryPolicy, Tries
from campus.channels.telegram_format import bridge_texts, render_chunks


def inline_keyboard(buttons: Sequence[Mapping[str, Any]]) -> InlineKeyboardMarkup | None:
    """One button per row: Rasa titles are often whole phrases ("Ich leite ein Team")."""
    rows = []
    for button in buttons:
        title = str(button.get("title") or button.get("payload") or "").strip()
        if not title:
            continue
        if button.get("url"):
            rows.append([InlineKeyboardButton(title, url=str(button["url"]))])
        else:
            rows.append([InlineKeyboardButton(title, callback_data=str(button.get("payload") or title))])
    return InlineKeyboardMarkup(rows) if rows else None


def message_text(message: Mapping[str, Any]) -> str:
    """The text of a Rasa bot message; an image is shown as its link (Telegram previews it)."""
    parts = [str(message.get("text") or "")]
    if message.get("image"):
        parts.append(str(message["image"]))
    return "\n\n".join(part for part in parts if part)


async def send_text(bot: Bot, chat_id: int, text: str, buttons: Sequence[Mapping[str, Any]], policy: RetryPolicy,
                    tries: Tries | None = None) -> list[Message]:
    """Every chunk of `text` in order, the keyboard under the last one."""
    markup = inline_keyboard(buttons)
    chunks = render_chunks(text)
    if not chunks and markup is not None:
        chunks = [html.escape(bridge_texts()["buttons_only"], quote=False)]
    sent = []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        sent.append(await policy.call(
            tries, bot.send_message, chat_id=chat_id, text=chunk, parse_mode=ParseMode.HTML,
            reply_markup=markup if last else None, link_preview_options=LinkPreviewOptions(is_disabled=not last),
        ))
    return sent


async def send_rasa_message(bot: Bot, chat_id: int, message: Mapping[str, Any], policy: RetryPolicy,
                            tries: Tries | None = None) -> list[Message]:
    return await send_text(bot, chat_id, message_text(message), list(message.get("buttons") or []), policy, tries)

"""Telegram updates → Rasa → Telegram messages.

The bridge relays; it does not converse. What the learner types, a button
they press (its Rasa payload) or a deep-link payload (``/start K7P4-QX2M``,
a link code the bot understands) goes to Rasa under a hashed sender id, and
Rasa's answers come back as HTML messages with inline keyboards. Only private
chats are served: an interview about one's competencies does not belong in a
group.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.bridge.application import BridgeApplication
from bot.bridge.rasa_client import RasaClient, RasaUnavailable
from bot.bridge.retry import RetryPolicy
from bot.bridge.sending import send_rasa_message, send_text
from campus.channels.telegram import mark_unreachable, remember_chat, sender_id
from campus.channels.telegram_format import bridge_texts
from campus.hr.tokens import TOKEN_PATTERN
from campus.store.db import session_scope

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE


def start_message(payload: str) -> str:
    """A campaign invitation token becomes the invitation intent; anything else (a link code) goes as text."""
    if TOKEN_PATTERN.match(payload):
        return "/accept_invitation" + json.dumps({"invitation_token": payload})
    return payload


class KeyedLocks:
    """One lock per sender, so one learner's messages reach Rasa in order while others go on in parallel."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._holders: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key], self._locks[key]


def command_as_text(text: str) -> str:
    """"/hilfe@KommunalCampusBot" → "hilfe": Rasa would read a leading slash as an intent name."""
    word, _, rest = text.lstrip("/").partition(" ")
    return " ".join(part for part in (word.split("@", 1)[0], rest.strip()) if part)


class Bridge:
    def __init__(self, rasa: RasaClient, policy: RetryPolicy) -> None:
        self.rasa = rasa
        self.policy = policy
        self.locks = KeyedLocks()

    def register(self, application: BridgeApplication) -> None:
        message = filters.UpdateType.MESSAGE & PRIVATE  # edits of old messages are not sent again
        application.add_handler(CommandHandler("start", self.on_start, filters=message))
        application.add_handler(MessageHandler(message & filters.TEXT, self.on_text))
        application.add_handler(MessageHandler(message & ~filters.TEXT, self.on_unsupported))
        application.add_handler(CallbackQueryHandler(self.on_callback))
        application.add_error_handler(self.on_error)

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/start`` greets; ``/start <payload>`` (a deep link) hands the payload, e.g. a link code, to Rasa."""
        payload = " ".join(context.args or []).strip()
        await self.relay(update, context, start_message(payload) or bridge_texts()["start_message"])

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = (update.effective_message.text or "").strip() if update.effective_message else ""
        if text.startswith("/"):
            text = command_as_text(text)
        if text:
            await self.relay(update, context, text)

    async def on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat:
            await self._say(context, update.effective_chat.id, bridge_texts()["unsupported"])

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed button: answer the query (stops the spinner), remove the keyboard, send its payload."""
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()
        except TelegramError as exc:
            log.warning("answerCallbackQuery failed: %s", exc)
        chat_id = query.message.chat.id if query.message else query.from_user.id
        if query.message is not None and query.message.chat.type != "private":
            return
        if not isinstance(query.data, str):  # InvalidCallbackData: the bridge no longer knows this button
            await self._say(context, chat_id, bridge_texts()["button_expired"])
            return
        payload = query.data
        if query.message is not None:
            try:  # so an answer cannot be given twice by pressing an old button
                await query.edit_message_reply_markup(reply_markup=None)
            except TelegramError as exc:
                log.info("keyboard not removed: %s", exc)
        context.drop_callback_data(query)
        await self.relay(update, context, payload, chat_id=chat_id)

    async def relay(self, update: Update, context: ContextTypes.DEFAULT_TYPE, message: str,
                    chat_id: int | None = None) -> None:
        user = update.effective_user
        if user is None:
            return
        chat_id = chat_id if chat_id is not None else (update.effective_chat.id if update.effective_chat else user.id)
        sender = sender_id(user.id)
        async with self.locks.hold(sender):
            await self._remember(sender, chat_id)
            try:
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as exc:
                log.info("typing indicator not sent: %s", exc)
            try:
                replies: list[dict[str, Any]] = await self.rasa.send(sender, message)
            except RasaUnavailable:
                replies = [{"text": bridge_texts()["unavailable"]}]
            try:
                for reply in replies:
                    await send_rasa_message(context.bot, chat_id, reply, self.policy)
            except Forbidden:
                await asyncio.to_thread(self._store, mark_unreachable, sender)

    async def _say(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str) -> None:
        try:
            await send_text(context.bot, chat_id, text, [], self.policy)
        except TelegramError as exc:
            log.warning("notice not sent: %s", exc)

    async def _remember(self, sender: str, chat_id: int) -> None:
        """The chat is needed for proactive messages; a store problem must not stop the conversation."""
        try:
            await asyncio.to_thread(self._store, remember_chat, sender, chat_id)
        except Exception:  # noqa: BLE001 - logged, and the learner still gets an answer
            log.exception("Telegram chat not stored")

    @staticmethod
    def _store(func: Any, *args: Any) -> None:
        with session_scope() as session:
            func(session, *args)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log and carry on: one failing update must never stop the bridge."""
        log.error("error while handling a Telegram update", exc_info=context.error)

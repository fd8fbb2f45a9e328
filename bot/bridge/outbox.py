"""Deliver proactive messages (plan updates, invitations, reminders) from the outbox to Telegram.

The plan engine and the campaigns only write ``Outbox`` rows; this loop picks
up the pending Telegram rows every few seconds. One chat's rows go out in
order, different chats in parallel; the rate limiter keeps the bot within
Telegram's flood limits and the retry policy absorbs 429s and network trouble.
What each outcome does to the row and the chat is decided in
``campus.channels.telegram``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.bridge.retry import RetryPolicy, Tries
from bot.bridge.sending import send_text
from campus.channels.telegram import Delivery, due_deliveries, mark_blocked, mark_failed, mark_sent, mark_transient
from campus.store.db import session_scope
from campus.store.settings import Settings

log = logging.getLogger(__name__)


def _in_transaction(func: Callable[..., Any], *args: Any) -> Any:
    with session_scope() as session:
        return func(session, *args)


class OutboxDelivery:
    def __init__(self, bot: Bot, policy: RetryPolicy, settings: Settings, concurrency: int = 8) -> None:
        self.bot = bot
        self.policy = policy
        self.batch = settings.telegram_outbox_batch
        self.max_attempts = settings.telegram_outbox_max_attempts
        self.interval = settings.telegram_outbox_interval
        self._slots = asyncio.Semaphore(concurrency)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; an error in one round is logged and the next round comes anyway."""
        while not stop.is_set():
            try:
                await self.deliver_due()
            except Exception:  # noqa: BLE001 - the loop must outlive a database hiccup
                log.exception("outbox round failed")
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)

    async def deliver_due(self) -> int:
        """One round; returns how many rows were handled."""
        deliveries: list[Delivery] = await asyncio.to_thread(_in_transaction, due_deliveries, self.batch)
        per_chat: dict[int, list[Delivery]] = {}
        for delivery in deliveries:
            if delivery.chat_id is None:
                await asyncio.to_thread(_in_transaction, mark_failed, delivery.outbox_id, 0,
                                        delivery.problem or "")
            else:
                per_chat.setdefault(delivery.chat_id, []).append(delivery)
        await asyncio.gather(*(self._deliver_chat(rows) for rows in per_chat.values()))
        return len(deliveries)

    async def _deliver_chat(self, rows: list[Delivery]) -> None:
        async with self._slots:
            for delivery in rows:
                if not await self._deliver(delivery):
                    return  # the rest of this chat waits for the next round, in order

    async def _deliver(self, delivery: Delivery) -> bool:
        """Send one row and record the outcome; False when this chat should get nothing more this round."""
        assert delivery.chat_id is not None
        tries = Tries()
        try:
            await send_text(self.bot, delivery.chat_id, delivery.text, delivery.buttons, self.policy, tries)
        except Forbidden as exc:
            log.info("outbox %s: bot blocked, chat marked unreachable", delivery.outbox_id)
            await asyncio.to_thread(_in_transaction, mark_blocked, delivery.outbox_id, tries.count,
                                    delivery.address_hash, str(exc))
            return False
        except BadRequest as exc:
            await asyncio.to_thread(_in_transaction, mark_failed, delivery.outbox_id, tries.count, str(exc))
            return True
        except (RetryAfter, NetworkError) as exc:
            status = await asyncio.to_thread(_in_transaction, mark_transient, delivery.outbox_id, tries.count,
                                             repr(exc), self.max_attempts)
            log.warning("Outbox %s: %r, Status %s", delivery.outbox_id, exc, status)
            return False
        except TelegramError as exc:
            await asyncio.to_thread(_in_transaction, mark_failed, delivery.outbox_id, tries.count, repr(exc))
            return True
        await asyncio.to_thread(_in_transaction, mark_sent, delivery.outbox_id, tries.count)
        return True

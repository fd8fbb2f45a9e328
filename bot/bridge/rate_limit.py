"""Telegram's flood limits, enforced before a request leaves the bridge.

PTB's ``AIORateLimiter`` (aiolimiter) limits the whole bot (about 30 messages
per second) and groups (20 per minute). Telegram also asks for no more than
about one message per second in a single private chat, with short bursts
allowed; that limit is added here, as a leaky bucket per chat. When Telegram
answers 429 anyway, every further request waits out ``retry_after`` (the
flood wait applies to the whole bot); the retry itself is the caller's
(``bot.bridge.retry``), so attempts can be counted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.bridge.retry import retry_after_seconds

MAX_IDLE_LIMITERS = 512


class _RetriedElsewhere(logging.Filter):
    """AIORateLimiter logs every 429 as an error with a traceback when it does not retry itself; we do."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Rate limit hit after maximum")


_FILTER = _RetriedElsewhere()


class ChatRateLimiter(AIORateLimiter):
    def __init__(self, overall_per_second: float, chat_per_second: float, chat_burst: int) -> None:
        super().__init__(overall_max_rate=overall_per_second, overall_time_period=1, max_retries=0)
        self._chat_burst = chat_burst
        self._chat_period = chat_burst / chat_per_second
        self._chat_limiters: dict[int, AsyncLimiter] = {}
        self._resume_at = 0.0
        logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_FILTER)  # same object: added once

    def _chat_limiter(self, endpoint: str, data: dict[str, Any]) -> AsyncLimiter | None:
        """Only messages to private chats (positive ids); edits, answers and chat actions are not messages."""
        if not endpoint.startswith("send") or endpoint == "sendChatAction":
            return None
        try:
            chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if chat_id <= 0:
            return None  # groups and channels: AIORateLimiter's group limit
        if len(self._chat_limiters) > MAX_IDLE_LIMITERS:
            for key, limiter in list(self._chat_limiters.items()):
                if key != chat_id and limiter.has_capacity(self._chat_burst):
                    del self._chat_limiters[key]
        if chat_id not in self._chat_limiters:
            self._chat_limiters[chat_id] = AsyncLimiter(self._chat_burst, self._chat_period)
        return self._chat_limiters[chat_id]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        pause = self._resume_at - loop.time()
        if pause > 0:
            await asyncio.sleep(pause)
        limiter = self._chat_limiter(endpoint, data)
        try:
            if limiter is None:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            async with limiter:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        except RetryAfter as exc:
            self._resume_at = max(self._resume_at, loop.time() + retry_after_seconds(exc))
            raise

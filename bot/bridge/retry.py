"""How the bridge retries Bot API calls: tenacity, with Telegram's own hints.

A 429 says how long to wait (``retry_after``); we wait exactly that. Network
errors and time-outs are retried with exponential backoff and jitter. A 400
(bad request) or 403 (bot blocked) will not get better by retrying, so those
surface at once. Every try is counted, so the outbox can record its attempts.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential_jitter
from tenacity.wait import wait_base

from campus.store.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


def retry_after_seconds(exc: RetryAfter) -> float:
    """``RetryAfter.retry_after`` is an int or a timedelta depending on PTB's migration switch; seconds here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, RetryAfter):
        return True
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


class wait_telegram(wait_base):  # noqa: N801 - tenacity's naming for wait strategies
    """Wait what a 429 asks for, else fall back to the given strategy."""

    def __init__(self, fallback: wait_base) -> None:
        self.fallback = fallback

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RetryAfter):
            return retry_after_seconds(exc)
        return self.fallback(retry_state)


@dataclass
class Tries:
    """Counts calls to the Bot API, retries included."""

    count: int = 0


@dataclass(frozen=True)
class RetryPolicy:
    retries: int
    backoff: float
    backoff_max: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(settings.telegram_send_retries, settings.telegram_backoff_seconds,
                   settings.telegram_backoff_max_seconds)

    def retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            retry=retry_if_exception(is_transient),
            wait=wait_telegram(wait_exponential_jitter(initial=self.backoff, max=self.backoff_max,
                                                       jitter=self.backoff)),
            stop=stop_after_attempt(self.retries + 1),
            before_sleep=lambda state: log.warning("Telegram call failed (%s), retrying",
                                                   state.outcome.exception() if state.outcome else "?"),
            reraise=True,
        )

    async def call(self, tries: Tries | None, func: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """``await func(*args, **kwargs)`` with retries; the last error is raised as it is."""
        counter = tries if tries is not None else Tries()

        async def counted() -> T:
            counter.count += 1
            return await func(*args, **kwargs)

        return await self.retrying()(counted)

"""Talk to Rasa's REST-style channel for Telegram (``bot.channels.TelegramBridgeInput``).

Only a request that never reached Rasa (connection refused, connect time-out)
is retried: a turn that Rasa started must not be sent twice, or the learner's
answer would count twice.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/webhooks/telegram/webhook"


class RasaUnavailable(Exception):
    """Rasa did not answer usefully; the learner is told to try again later."""


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 120.0, connect_attempts: int = 3) -> None:
        self.url = base_url.rstrip("/") + WEBHOOK_PATH
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=5.0))
        self._connect_attempts = connect_attempts

    async def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        """Rasa's bot messages for this user message ({"text", "buttons", "image", "custom"})."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type((httpx.ConnectError, httpx.ConnectTimeout)),
            stop=stop_after_attempt(self._connect_attempts),
            wait=wait_exponential(multiplier=0.5, max=4),
            reraise=True,
        )
        try:
            body = {"sender": sender, "message": message}
            response: httpx.Response = await retrying(self._client.post, self.url, json=body)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.error("Rasa unreachable: %r", exc)
            raise RasaUnavailable(str(exc)) from exc
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    async def aclose(self) -> None:
        await self._client.aclose()

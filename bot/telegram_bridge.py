"""The Telegram bridge process: Telegram ⇄ Rasa's REST channel, plus the outbox.

Started by ``make run`` when ``KC_TELEGRAM_TOKEN`` is set
(``python -m bot.telegram_bridge``). It receives updates by long polling
(default; no public address needed) or by webhook (``KC_TELEGRAM_MODE=webhook``
with ``KC_TELEGRAM_WEBHOOK_URL``, forwarded by a reverse proxy to
``KC_TELEGRAM_PORT``), relays them to Rasa (``bot.bridge.handlers``), and
delivers pending Telegram rows of the outbox (``bot.bridge.outbox``). Its port
also serves ``/health``, which turns 200 once the bot is connected.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from datetime import timedelta

import uvicorn
from telegram import Update
from telegram.ext import ApplicationBuilder

from bot.bridge.application import BridgeApplication
from bot.bridge.handlers import Bridge
from bot.bridge.outbox import OutboxDelivery
from bot.bridge.rasa_client import RasaClient
from bot.bridge.rate_limit import ChatRateLimiter
from bot.bridge.retry import RetryPolicy
from bot.bridge.web import WEBHOOK_PATH, create_web_app
from campus.channels.telegram import webhook_secret
from campus.store.settings import Settings, get_settings
from campus.store.texts import text

log = logging.getLogger("telegram_bridge")
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the bridge shuts down PTB and the outbox first."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def build_application(settings: Settings) -> BridgeApplication:
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_base_url)
        .rate_limiter(ChatRateLimiter(settings.telegram_rate_per_second, settings.telegram_chat_rate_per_second,
                                      settings.telegram_chat_burst))
        .arbitrary_callback_data(True)
        .concurrent_updates(32)  # different learners in parallel; one learner in order (Bridge's locks)
    )
    if settings.telegram_mode == "webhook":
        builder = builder.updater(None)
    return builder.build()


async def run(settings: Settings) -> None:
    if not settings.telegram_token:
        raise SystemExit(text("cli.telegram.no_token"))
    if settings.telegram_mode == "webhook" and not settings.telegram_webhook_url:
        raise SystemExit(text("cli.telegram.webhook_needs_url"))
    policy = RetryPolicy.from_settings(settings)
    application = build_application(settings)
    rasa = RasaClient(settings.rasa_url)
    Bridge(rasa, policy).register(application)
    secret = settings.telegram_webhook_secret or webhook_secret()
    ready = False
    server = _Server(uvicorn.Config(
        create_web_app(application, lambda: ready, settings.telegram_mode, secret),
        host="0.0.0.0", port=settings.telegram_port, log_level="warning", lifespan="off",
    ))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    server_task = asyncio.create_task(server.serve())
    async with application:  # initialize (getMe) … shutdown
        await application.start()
        if application.updater is not None:
            await application.updater.start_polling(timeout=timedelta(seconds=settings.telegram_poll_timeout),
                                                    allowed_updates=ALLOWED_UPDATES)
        else:
            await application.bot.set_webhook(settings.telegram_webhook_url.rstrip("/") + WEBHOOK_PATH,
                                              secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        outbox_task = asyncio.create_task(OutboxDelivery(application.bot, policy, settings).run(stop))
        ready = True
        log.info("Telegram bridge running (%s) as @%s", settings.telegram_mode, application.bot.username)
        await stop.wait()
        ready = False
        server.should_exit = True
        try:  # a round stuck in a long flood wait must not hold up the shutdown
            await asyncio.wait_for(outbox_task, timeout=10)
        except TimeoutError:
            log.warning("outbox round cut short at shutdown; open rows stay pending")
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        await application.stop()
    await rasa.aclose()
    await server_task


def main() -> None:
    parser = argparse.ArgumentParser(description=text("cli.telegram.description"))
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args()
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(run(get_settings()))


if __name__ == "__main__":
    main()

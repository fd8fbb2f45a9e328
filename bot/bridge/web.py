"""The bridge's own small HTTP server: ``/health`` for ``make run``, and Telegram's webhook in webhook mode.

Webhook mode uses this server (Starlette on uvicorn, both already in the
stack) rather than PTB's Tornado-based one, so one port serves both and no
further web framework is needed. Telegram proves each call with the secret
token set at ``setWebhook``; calls without it are refused.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.bridge.application import BridgeApplication

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def create_web_app(application: BridgeApplication, is_ready: Callable[[], bool], mode: str,
                   webhook_secret: str | None = None) -> Starlette:
    async def health(_: Request) -> Response:
        ready = is_ready()
        return JSONResponse({"status": "ok" if ready else "starting", "mode": mode}, status_code=200 if ready else 503)

    async def webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not webhook_secret or not hmac.compare_digest(given, webhook_secret):
            return Response(status_code=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except ValueError:
            return Response(status_code=400)
        if update is None:
            return Response(status_code=400)
        application.bot.insert_callback_data(update)  # button keys → Rasa payloads, as polling does
        await application.update_queue.put(update)
        return Response(status_code=200)

    routes = [Route("/health", health)]
    if mode == "webhook":
        routes.append(Route(WEBHOOK_PATH, webhook, methods=["POST"]))
    return Starlette(routes=routes)

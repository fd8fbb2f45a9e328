"""Rasa channel fix-ups (runs in the Rasa venv).

Rasa 3.6's socket.io channel calls ``AsyncServer.enter_room`` without
awaiting it; with python-socketio 5.x that method is a coroutine, so with
``session_persistence`` the client never joins its session's room and every
bot message goes to an empty room. This subclass schedules the coroutine.
Registered in ``bot/credentials.yml`` in place of ``socketio``.

``TelegramBridgeInput`` is Rasa's REST channel under the name ``telegram``:
the Telegram bridge (``bot/telegram_bridge.py``) posts to
``/webhooks/telegram/webhook``, and the trackers of Telegram users then carry
input channel ``telegram``, which the actions use as the identity channel.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput


class PersistentSocketIOInput(SocketIOInput):
    def blueprint(self, on_new_message: Any) -> Any:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        original = sio.enter_room

        def enter_room(sid: str, room: str, namespace: str | None = None) -> Any:
            result = original(sid, room, namespace=namespace)
            return asyncio.ensure_future(result) if inspect.isawaitable(result) else result

        sio.enter_room = enter_room
        return blueprint


class TelegramBridgeInput(RestInput):
    """REST input for the Telegram bridge; its own name keeps Telegram learners apart from REST senders."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def _extract_input_channel(self, req: Any) -> str:
        # never let a request body pick another identity channel
        return self.name()

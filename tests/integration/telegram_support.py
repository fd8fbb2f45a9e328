"""Stand-ins for the Telegram Bot API and for Rasa, and the bridge started as a real process against them.

The bridge is started the way ``make run`` starts it (``campus.cli.processes``),
with PTB's ``base_url`` pointing at an in-test HTTP server that implements the
few Bot API methods the bridge calls, and ``KC_RASA_URL`` pointing at a small
server that answers like Rasa's REST channel. The real Rasa server is not
needed here (the conversation suite covers it). Nothing waits for a fixed
time: every check polls until its condition holds or a generous time-out.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from campus.channels.models import Outbox, TelegramChat
from campus.cli.processes import Service, telegram_service
from campus.learners.identity import find_learner
from campus.store.db import get_engine
from campus.store.secret import secret_key
from campus.store.settings import get_settings

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 999000, "is_bot": True, "first_name": "KommunalCampus", "username": "kc_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
LONG_PAYLOAD = '/inform{"competency": "digitale_kompetenz_verwaltung", "level": 3, "source": "button"}'
TIMEOUT = 45.0


def wait_for(check: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def reply(handler: BaseHTTPRequestHandler, status: int, answer: Any) -> None:
    data = json.dumps(answer).encode()
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the bridge stopped while a long poll was open


def visible(chunk: str) -> str:
    """What Telegram shows for one of our HTML messages."""
    return html.unescape(re.sub(r"</?b>", "", chunk))


# --------------------------------------------------------------------------------------------- stand-ins


class FakeBotApi:
    """The Bot API methods the bridge uses, in memory; 429s and 403s can be scripted per chat."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.next_message_id = 1
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.sent: list[dict[str, Any]] = []  # messages accepted by sendMessage
        self.scripted: dict[int, list[tuple[int, dict[str, Any]]]] = {}  # chat id -> next sendMessage answers
        self.blocked: set[int] = set()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(body or "{}")
                else:
                    params = {k: v[-1] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
                token, _, method = self.path.lstrip("/").partition("/")
                status, answer = (404, {"ok": False, "error_code": 404, "description": "Not Found"})
                if token == f"bot{TOKEN}":
                    status, answer = api.handle(method, params)
                reply(self, status, answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = start_server(Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    # --- what a test does
    def push(self, update: dict[str, Any]) -> None:
        with self.cond:
            update["update_id"] = self.next_update_id
            self.next_update_id += 1
            self.updates.append(update)
            self.cond.notify_all()

    def user_message(self, user_id: int, text: str | None = None, **extra: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": 1, "date": int(time.time()), "chat": {"id": user_id, "type": "private", "first_name": "A"},
            "from": {"id": user_id, "is_bot": False, "first_name": "A", "language_code": "de"}, **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"message": message}

    def send_text(self, user_id: int, text: str) -> None:
        self.push(self.user_message(user_id, text))

    def press(self, user_id: int, message: dict[str, Any], callback_data: str) -> str:
        query_id = f"q{self.next_update_id}"
        self.push({"callback_query": {
            "id": query_id, "chat_instance": "ci", "data": callback_data, "message": message,
            "from": {"id": user_id, "is_bot": False, "first_name": "A"},
        }})
        return query_id

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        with self.cond:
            return [m for m in self.sent if m["chat"]["id"] == chat_id]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        with self.cond:
            return [params for name, params in self.calls if name == method]

    # --- the Bot API
    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.cond:
            self.calls.append((method, params))
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self.cond:
            if method == "getMe":
                return 200, {"ok": True, "result": BOT_USER}
            if method in ("deleteWebhook", "setWebhook", "sendChatAction", "answerCallbackQuery"):
                return 200, {"ok": True, "result": True}
            if method == "editMessageReplyMarkup":
                return 200, {"ok": True, "result": self._message(int(params["chat_id"]), "", None,
                                                                int(params["message_id"]))}
            if method == "sendMessage":
                chat_id = int(params["chat_id"])
                if chat_id in self.blocked:
                    return 403, {"ok": False, "error_code": 403,
                                 "description": "Forbidden: bot was blocked by the user"}
                if self.scripted.get(chat_id):
                    return self.scripted[chat_id].pop(0)
                markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else None
                message = self._message(chat_id, params["text"], markup)
                message["parse_mode"] = params.get("parse_mode")
                self.sent.append(message)
                self.cond.notify_all()
                return 200, {"ok": True, "result": {k: v for k, v in message.items() if k != "parse_mode"}}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not in the stand-in"}

    def _message(self, chat_id: int, text: str, markup: dict[str, Any] | None,
                 message_id: int | None = None) -> dict[str, Any]:
        if message_id is None:
            message_id = self.next_message_id
            self.next_message_id += 1
        message = {"message_id": message_id, "date": int(time.time()), "from": BOT_USER,
                   "chat": {"id": chat_id, "type": "private", "first_name": "A"}, "text": text}
        if markup:
            message["reply_markup"] = markup
        return message

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        with self.cond:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            if not self.updates:
                self.cond.wait(timeout=min(float(params.get("timeout") or 0), 0.5))
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            return list(self.updates)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeRasa:
    """Answers like Rasa's REST channel at /webhooks/telegram/webhook, with canned bot messages."""

    LONG = "\n\n".join(f"Absatz {i}: " + " ".join(["Das ist ein Satz über Weiterbildung."] * 60) for i in range(6))

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        rasa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                with rasa.lock:
                    rasa.received.append({"path": self.path, **body})
                reply(self, *rasa.answer(str(body.get("message", ""))))

            def log_message(self, *args: Any) -> None:
                pass

        self.server = start_server(Handler)
        self.port = self.server.server_address[1]

    def answer(self, message: str) -> tuple[int, Any]:
        if message == "kaputt":
            return 500, {"error": "boom"}
        if message == "buttons":
            return 200, [{"text": "Wie gut kennen Sie sich mit **digitaler Verwaltung** aus?", "buttons": [
                {"title": "Stufe 3 – fortgeschritten", "payload": LONG_PAYLOAD},
                {"title": "Stufe 1", "payload": "/inform{\"level\": 1}"},
            ]}]
        if message == "lang":
            return 200, [{"text": self.LONG}]
        return 200, [{"text": f"Sie schrieben: **{message}** & <mehr>"}]

    def messages_from(self, sender: str) -> list[str]:
        with self.lock:
            return [r["message"] for r in self.received if r.get("sender") == sender]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RunningBridge:
    def __init__(self, service: Service, api: FakeBotApi, rasa: FakeRasa, port: int) -> None:
        self.service, self.api, self.rasa, self.port = service, api, rasa, port

    def alive(self) -> bool:
        return self.service.process is not None and self.service.process.poll() is None

    def reply_to(self, user_id: int, text: str, count: int = 1) -> list[dict[str, Any]]:
        """Send `text` as the user and wait until `count` new bot messages reached their chat."""
        before = len(self.api.messages_to(user_id))
        self.api.send_text(user_id, text)
        return wait_for(lambda: (m := self.api.messages_to(user_id)[before:]) and len(m) >= count and m,
                        f"{count} answer(s) to {text!r}")


def expected_sender(user_id: int) -> str:
    """Recomputed independently of the bridge's code: HMAC-SHA256 under the platform secret."""
    digest = hmac.new(secret_key(), f"telegram-user:{user_id}".encode(), hashlib.sha256).hexdigest()
    return f"tg-{digest[:40]}"


def start_bridge(tmp_dir: Path, api: FakeBotApi, rasa: FakeRasa, **overrides: Any) -> RunningBridge:
    port = free_port()
    settings = get_settings().model_copy(update={
        "telegram_token": TOKEN, "telegram_base_url": api.base_url, "telegram_port": port,
        "rasa_port": rasa.port, "telegram_poll_timeout": 1.0, "telegram_outbox_interval": 0.2,
        "telegram_backoff_seconds": 0.05, "telegram_backoff_max_seconds": 0.5, **overrides,
    })
    env = {"KC_VAR_DIR": str(settings.var_dir), "KC_DATABASE_URL": settings.resolved_database_url}
    service = telegram_service(settings, tmp_dir, env)
    service.start()
    bridge = RunningBridge(service, api, rasa, port)
    wait_for(lambda: service.healthy() or not bridge.alive(), "the bridge to become healthy", timeout=90)
    if not bridge.alive():
        pytest.fail("bridge exited at start:\n" + service.log_path.read_text()[-3000:])
    return bridge


def outbox_row(row_id: int) -> Outbox:
    with Session(get_engine()) as session:
        row = session.get(Outbox, row_id)
        assert row is not None
        return row


def enqueue(user_id: int, text: str, payload: dict[str, Any] | None = None) -> int:
    with Session(get_engine()) as session:
        learner = find_learner(session, "telegram", expected_sender(user_id))
        assert learner is not None, "the bridge records the learner when the user writes"
        row = Outbox(learner_id=learner.id, channel="telegram", text=text, payload=payload or {})
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def chat_row(user_id: int) -> TelegramChat | None:
    from campus.learners.identity import address_hash

    with Session(get_engine()) as session:
        return session.get(TelegramChat, address_hash("telegram", expected_sender(user_id)))

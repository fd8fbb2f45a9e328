"""The Telegram bridge as a real process, against local stand-ins for the Bot API and for Rasa.

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
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from campus.channels.models import Outbox, TelegramChat
from campus.channels.telegram import decrypt_chat_id, sender_id
from campus.channels.telegram_format import TELEGRAM_LIMIT, bridge_texts, render_chunks, utf16_len
from campus.cli import processes
from campus.cli.processes import Service, platform_services, telegram_service
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


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    rasa = FakeRasa()
    yield rasa
    rasa.close()


@pytest.fixture(scope="module")
def bridge(fake_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBridge]:
    secret_key()  # the test and the bridge share var/secret.key: create it before the bridge races for it
    get_engine()  # and the tables
    api = FakeBotApi()
    running = start_bridge(tmp_path_factory.mktemp("telegram-logs"), api, fake_rasa)
    try:
        yield running
    finally:
        running.service.stop()
        api.close()
        print(running.service.log_path.read_text()[-4000:])


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


# --------------------------------------------------------------------------------------------- conversation


def test_text_goes_to_rasa_and_the_answer_comes_back_as_safe_html(bridge: RunningBridge) -> None:
    [answer] = bridge.reply_to(1001, "Hallo Bot")
    assert answer["text"] == "Sie schrieben: <b>Hallo Bot</b> &amp; &lt;mehr&gt;"
    assert answer["parse_mode"] == "HTML"
    assert any(int(c["chat_id"]) == 1001 for c in bridge.api.calls_of("sendChatAction"))
    request = [r for r in bridge.rasa.received if r.get("message") == "Hallo Bot"][-1]
    assert request["path"] == "/webhooks/telegram/webhook"


def test_sender_ids_are_keyed_hashes_and_the_chat_id_is_stored_encrypted(bridge: RunningBridge) -> None:
    bridge.reply_to(1010, "Guten Morgen")
    sender = expected_sender(1010)
    assert sender == sender_id(1010)
    assert bridge.rasa.messages_from(sender) == ["Guten Morgen"]
    senders = {r["sender"] for r in bridge.rasa.received}
    assert all(re.fullmatch(r"tg-[0-9a-f]{40}", s) for s in senders)
    assert not any("1010" in s for s in senders)
    chat = chat_row(1010)
    assert chat is not None and chat.reachable
    assert "1010" not in chat.chat_id_encrypted and decrypt_chat_id(chat.chat_id_encrypted) == 1010


def test_start_and_deep_link_payload_and_other_commands(bridge: RunningBridge) -> None:
    sender = expected_sender(1020)
    bridge.reply_to(1020, "/start")
    bridge.reply_to(1020, "/start K7P4-QX2M")
    bridge.reply_to(1020, "/hilfe@kc_test_bot")
    assert bridge.rasa.messages_from(sender) == [bridge_texts()["start_message"], "K7P4-QX2M", "hilfe"]


def test_rasa_buttons_become_an_inline_keyboard_and_a_press_sends_the_payload(bridge: RunningBridge) -> None:
    [question] = bridge.reply_to(1030, "buttons")
    assert question["text"] == "Wie gut kennen Sie sich mit <b>digitaler Verwaltung</b> aus?"
    keyboard = question["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in keyboard] == [["Stufe 3 – fortgeschritten"], ["Stufe 1"]]
    data = keyboard[0][0]["callback_data"]
    assert len(data.encode()) <= 64 and LONG_PAYLOAD not in data  # the long payload stays in the bridge

    sender = expected_sender(1030)
    query_id = bridge.api.press(1030, question, data)
    wait_for(lambda: LONG_PAYLOAD in bridge.rasa.messages_from(sender), "the button's payload at Rasa")
    wait_for(lambda: any(c["callback_query_id"] == query_id for c in bridge.api.calls_of("answerCallbackQuery")),
             "the callback query to be answered")
    wait_for(lambda: any(int(c["message_id"]) == question["message_id"]
                         for c in bridge.api.calls_of("editMessageReplyMarkup")), "the keyboard to be removed")
    wait_for(lambda: any(LONG_PAYLOAD in visible(m["text"]) for m in bridge.api.messages_to(1030)),
             "Rasa's answer to the payload")

    before = len(bridge.api.messages_to(1030))
    bridge.api.press(1030, question, "f" * 64)  # a button the bridge never made (or forgot in a restart)
    wait_for(lambda: len(bridge.api.messages_to(1030)) > before, "the notice for an expired button")
    assert visible(bridge.api.messages_to(1030)[-1]["text"]) == bridge_texts()["button_expired"]


def test_a_long_text_is_split_at_paragraphs_within_telegrams_limit(bridge: RunningBridge) -> None:
    chunks = bridge.reply_to(1040, "lang", count=3)
    wait_for(lambda: "".join(visible(m["text"]) for m in bridge.api.messages_to(1040)).count("Absatz") == 6,
             "all paragraphs")
    texts = [visible(m["text"]) for m in bridge.api.messages_to(1040)]
    assert len(texts) >= 3 and all(utf16_len(t) <= TELEGRAM_LIMIT for t in texts)
    assert all(t.startswith("Absatz") for t in texts)  # every cut is at a paragraph break
    assert "\n\n".join(texts) == FakeRasa.LONG.strip()
    assert "reply_markup" not in chunks[0]


def test_rasa_down_and_unsupported_messages_get_a_german_notice(bridge: RunningBridge) -> None:
    [notice] = bridge.reply_to(1050, "kaputt")
    assert visible(notice["text"]) == bridge_texts()["unavailable"]
    before = len(bridge.api.messages_to(1050))
    bridge.api.push(bridge.api.user_message(1050, location={"latitude": 53.55, "longitude": 9.99}))
    wait_for(lambda: len(bridge.api.messages_to(1050)) > before, "the notice for a location")
    assert visible(bridge.api.messages_to(1050)[-1]["text"]) == bridge_texts()["unsupported"]


# --------------------------------------------------------------------------------------------- outbox


def test_an_outbox_row_is_delivered_and_marked_sent(bridge: RunningBridge) -> None:
    bridge.reply_to(1060, "Hallo")
    row_id = enqueue(1060, "Ihr Lehrplan hat sich geändert: **Neues Modul**",
                     {"buttons": [{"title": "Plan ansehen", "payload": "/show_plan"}]})
    row = wait_for(lambda: (r := outbox_row(row_id)).status != "pending" and r, "the outbox row to be handled")
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None and row.last_error is None
    message = bridge.api.messages_to(1060)[-1]
    assert message["text"] == "Ihr Lehrplan hat sich geändert: <b>Neues Modul</b>"
    assert message["reply_markup"]["inline_keyboard"][0][0]["text"] == "Plan ansehen"


def test_a_429_is_waited_out_and_retried_not_lost(bridge: RunningBridge) -> None:
    bridge.reply_to(1070, "Hallo")
    with bridge.api.cond:
        bridge.api.scripted[1070] = [(429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry "
                                            "after 1", "parameters": {"retry_after": 1}})]
    row_id = enqueue(1070, "Erinnerung: Ihre Einladung läuft bald ab.")
    row = wait_for(lambda: (r := outbox_row(row_id)).status != "pending" and r, "the outbox row to be handled")
    assert row.status == "sent" and row.attempts == 2
    delivered = [m for m in bridge.api.messages_to(1070) if m["text"].startswith("Erinnerung")]
    assert len(delivered) == 1
    assert len([c for c in bridge.api.calls_of("sendMessage")
                if int(c["chat_id"]) == 1070 and c["text"].startswith("Erinnerung")]) == 2


def test_a_blocked_bot_marks_the_chat_unreachable_and_the_bridge_keeps_running(bridge: RunningBridge) -> None:
    bridge.reply_to(1080, "Hallo")
    with bridge.api.cond:
        bridge.api.blocked.add(1080)
    first, second = enqueue(1080, "Erste Nachricht"), enqueue(1080, "Zweite Nachricht")

    def handled() -> list[Outbox] | None:
        rows = [outbox_row(first), outbox_row(second)]
        return rows if all(r.status != "pending" for r in rows) else None

    rows = wait_for(handled, "both outbox rows to be handled")
    assert [r.status for r in rows] == ["failed", "failed"]
    assert rows[0].attempts == 1 and "blockiert" in (rows[0].last_error or "")
    assert rows[1].attempts == 0  # not even tried: the chat was known to be unreachable
    chat = chat_row(1080)
    assert chat is not None and not chat.reachable and chat.unreachable_since is not None

    assert bridge.alive()
    assert bridge.service.healthy()
    bridge.reply_to(1081, "Ich bin noch da")  # others are still served

    with bridge.api.cond:
        bridge.api.blocked.discard(1080)
    bridge.reply_to(1080, "Wieder da")  # writing again makes the chat reachable again
    wait_for(lambda: (c := chat_row(1080)) is not None and c.reachable, "the chat to be reachable again")


def test_rows_of_other_channels_and_without_a_chat_are_left_alone_or_failed(bridge: RunningBridge) -> None:
    from campus.learners.identity import learner_for

    with Session(get_engine()) as session:
        learner = learner_for(session, "telegram", "tg-never-wrote")  # an identity whose chat the bridge never saw
        web = Outbox(learner_id=learner.id, channel="socketio", text="nur für das Widget")
        orphan = Outbox(learner_id=learner.id, channel="telegram", text="kein Chat")
        session.add_all([web, orphan])
        session.commit()
        web_id, orphan_id = web.id, orphan.id
    row = wait_for(lambda: (r := outbox_row(orphan_id)).status != "pending" and r, "the orphan row")
    assert row.status == "failed" and row.attempts == 0
    assert outbox_row(web_id).status == "pending"


# --------------------------------------------------------------------------------------------- webhook, make run


def test_webhook_mode_accepts_only_telegrams_signed_calls(fake_rasa: FakeRasa, tmp_path: Path) -> None:
    secret_key()
    get_engine()
    api = FakeBotApi()
    running = start_bridge(tmp_path, api, fake_rasa, telegram_mode="webhook",
                           telegram_webhook_url="https://campus.example.org/", telegram_webhook_secret="s3cret-Token")
    try:
        [hook] = wait_for(lambda: api.calls_of("setWebhook"), "setWebhook")
        assert hook["url"] == "https://campus.example.org/telegram/webhook"
        assert hook["secret_token"] == "s3cret-Token"
        url = f"http://127.0.0.1:{running.port}/telegram/webhook"

        def post(update: dict[str, Any], secret: str | None) -> int:
            headers = {"Content-Type": "application/json"}
            if secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            request = urllib.request.Request(url, json.dumps(update).encode(), headers)
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status
            except urllib.error.HTTPError as exc:
                return exc.code

        update = {"update_id": 1, **api.user_message(1090, "Per Webhook")}
        assert post(update, None) == 403
        assert post(update, "falsch") == 403
        assert post(update, "s3cret-Token") == 200
        wait_for(lambda: fake_rasa.messages_from(expected_sender(1090)) == ["Per Webhook"], "the message at Rasa")
        wait_for(lambda: api.messages_to(1090), "the answer")
        assert not api.calls_of("getUpdates")  # polling is off: updates come only by webhook
    finally:
        running.service.stop()
        api.close()


def test_make_run_starts_the_bridge_only_with_a_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(processes, "rasa_model", lambda root=None: tmp_path / "model.tar.gz")
    base = get_settings()
    without = [s.name for s in platform_services(base.model_copy(update={"telegram_token": ""}), tmp_path)]
    with_token = platform_services(base.model_copy(update={"telegram_token": TOKEN, "telegram_mode": "webhook"}),
                                   tmp_path)
    assert "Telegram-Bridge" not in without
    [service] = [s for s in with_token if s.name == "Telegram-Bridge"]
    assert service.command[-2:] == ["-m", "bot.telegram_bridge"]
    assert service.env["KC_TELEGRAM_TOKEN"] == TOKEN and service.env["KC_TELEGRAM_MODE"] == "webhook"


# --------------------------------------------------------------------------------------------- text splitting


def test_render_chunks_respects_the_limit_in_utf16_units_and_keeps_bold_valid() -> None:
    emoji = "😀" * 3000  # two UTF-16 units each
    assert [utf16_len(c) for c in render_chunks(emoji)] == [4096, 1904]
    bold = render_chunks("**" + "wort " * 2000 + "ende**")
    assert len(bold) == 3 and all(c.startswith("<b>") and c.endswith("</b>") for c in bold)
    assert render_chunks("a < b & **c** und * d ** e") == ["a &lt; b &amp; <b>c</b> und * d ** e"]
    sentences = render_chunks("Ein Satz. " * 500, limit=100)
    assert all(c.endswith("Satz.") and len(c) <= 100 for c in sentences)
    assert render_chunks("") == [] and render_chunks("   \n ") == []

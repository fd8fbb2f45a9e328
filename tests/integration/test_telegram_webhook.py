"""The Telegram bridge in webhook mode, and `make run` starting it only with a token."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from campus.cli import processes
from campus.cli.processes import platform_services
from campus.store.db import get_engine
from campus.store.secret import secret_key
from campus.store.settings import get_settings
from tests.integration.telegram_support import (
    TOKEN,
    FakeBotApi,
    FakeRasa,
    expected_sender,
    start_bridge,
    wait_for,
)


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

"""Start the real Rasa server and action server once per test session."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator

import pytest

from campus.cli.processes import platform_services, start_all, stop_all
from campus.store.db import get_engine
from campus.store.secret import secret_key
from campus.store.settings import Settings, get_settings
from tests.integration.telegram_support import FakeBotApi, FakeRasa, RunningBridge, start_bridge

# Overridable so two test sessions (e.g. browser tests and conversation tests) can run side by side.
RASA_PORT = int(os.environ.get("KC_TEST_RASA_PORT", "15005"))
ACTION_PORT = int(os.environ.get("KC_TEST_ACTION_PORT", "15055"))
API_PORT = int(os.environ.get("KC_TEST_API_PORT", "18000"))


class RestChat:
    """A learner talking to Rasa's REST channel."""

    def __init__(self, base_url: str, sender: str) -> None:
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.sender = sender

    def say(self, text: str) -> list[dict]:
        body = json.dumps({"sender": self.sender, "message": text}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


@pytest.fixture(scope="session")
def platform(prepared_store, test_var_dir, trained_rasa_model) -> Iterator[Settings]:
    base = get_settings()
    settings = base.model_copy(update={
        "rasa_port": RASA_PORT, "action_port": ACTION_PORT, "api_port": API_PORT,
        "public_rasa_url": f"http://127.0.0.1:{RASA_PORT}",
    })
    services = platform_services(settings, test_var_dir / "logs")
    start_all(services, timeout=600)
    try:
        yield settings
    finally:
        stop_all(services)


@pytest.fixture
def chat(platform, request) -> RestChat:
    return RestChat(f"http://127.0.0.1:{platform.rasa_port}", f"test-{request.node.name}")


# --- the Telegram bridge against its stand-ins (tests/integration/test_telegram_*.py) ---------------------


@pytest.fixture(scope="session")
def fake_rasa() -> Iterator[FakeRasa]:
    rasa = FakeRasa()
    yield rasa
    rasa.close()


@pytest.fixture(scope="session")
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

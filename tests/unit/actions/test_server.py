"""The action server loads the models when it starts, not when the actions are imported."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from actions import server

ROOT = Path(__file__).resolve().parents[3]


def test_importing_the_actions_loads_no_model() -> None:
    probe = ("import sys\n"
             "from rasa_sdk.executor import ActionExecutor\n"
             "ActionExecutor().register_package('actions')\n"
             "from embeddings import encoder, framework_matchers\n"
             "print(encoder.get_encoder.cache_info().currsize, framework_matchers.role_matcher.cache_info().currsize,"
             " 'sentence_transformers' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split()[-3:] == ["0", "0", "False"]


def test_the_server_warms_up_before_serving_and_starts_even_if_that_fails(monkeypatch, caplog) -> None:
    calls: list[str] = []

    def failing_warm_up() -> None:
        calls.append("warm_up")
        raise RuntimeError("no model")

    class App:
        def run(self, **options: object) -> None:
            calls.append("run")

    monkeypatch.setattr(server, "warm_up", failing_warm_up)
    monkeypatch.setattr(server, "create_app", lambda executor, cors_origins: App())
    monkeypatch.setattr(sys, "argv", ["actions.server", "--port", "1"])
    with caplog.at_level(logging.ERROR, logger=server.__name__):
        server.main()
    assert calls == ["warm_up", "run"]
    assert "warm-up failed" in caplog.text


@pytest.fixture(autouse=True)
def _no_basic_config(monkeypatch) -> None:
    """main() configures logging for a real run; in a test the capture handlers stay."""
    monkeypatch.setattr(logging, "basicConfig", lambda **kwargs: None)

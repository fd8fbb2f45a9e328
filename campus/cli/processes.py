"""Start, health-check and stop the platform's processes.

Used by ``make run`` and by the integration tests, so the tests exercise the
very same start-up path a user gets.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from campus.store.settings import Settings
from campus.store.texts import text

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as response:
                status: int = response.status
                return status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    def stop(self, timeout: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def rasa_model(root: Path = ROOT) -> Path:
    models = sorted((root / "var" / "models" / "rasa").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError(text("cli.run.no_rasa_model"))
    return models[-1]


def platform_services(settings: Settings, log_dir: Path, with_api: bool = True) -> list[Service]:
    venv = ROOT / ".venv" / "bin"
    rasa_venv = ROOT / ".venv-rasa" / "bin"
    shared_env = {
        "KC_VAR_DIR": str(settings.var_dir),
        "KC_DATABASE_URL": settings.resolved_database_url,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    if settings.embedding_model:
        shared_env["KC_EMBEDDING_MODEL"] = settings.embedding_model
    services = [
        Service(
            text("cli.services.actions"),
            [str(venv / "python"), "-m", "actions.server", "--port", str(settings.action_port)],
            f"http://127.0.0.1:{settings.action_port}/health",
            log_dir / "actions.log",
            shared_env,
        ),
        Service(
            text("cli.services.rasa"),
            [
                str(rasa_venv / "rasa"), "run", "--model", str(rasa_model()), "--endpoints", "bot/endpoints.yml",
                "--credentials", "bot/credentials.yml", "--port", str(settings.rasa_port), "--cors", "*",
            ],
            f"http://127.0.0.1:{settings.rasa_port}/",
            log_dir / "rasa.log",
            {
                "KC_ACTION_URL": f"http://127.0.0.1:{settings.action_port}/webhook",
                "KC_TRACKER_DB": str(settings.var_dir / "rasa-tracker.db"),
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "PYTHONPATH": str(ROOT),
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            },
        ),
    ]
    if with_api:
        services.append(Service(
            text("cli.services.api"),
            [str(venv / "python"), "-m", "uvicorn", "campus.api.main:app", "--host", "0.0.0.0",
             "--port", str(settings.api_port)],
            f"http://127.0.0.1:{settings.api_port}/health",
            log_dir / "api.log",
            {**shared_env, "KC_RASA_URL": f"http://127.0.0.1:{settings.rasa_port}",
             "KC_PUBLIC_RASA_URL": settings.public_rasa_url or f"http://localhost:{settings.rasa_port}"},
        ))
    if settings.telegram_token:
        services.append(telegram_service(settings, log_dir, shared_env))
    return services


def telegram_service(settings: Settings, log_dir: Path, env: dict[str, str] | None = None) -> Service:
    """The Telegram bridge; only part of the platform when a bot token is configured."""
    telegram_env = {f"KC_{name.upper()}": str(value) for name, value in settings.model_dump().items()
                    if name.startswith("telegram_")}
    return Service(
        text("cli.services.telegram"),
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "bot.telegram_bridge"],
        f"http://127.0.0.1:{settings.telegram_port}/health",
        log_dir / "telegram.log",
        {**(env or {}), **telegram_env, "KC_RASA_URL": f"http://127.0.0.1:{settings.rasa_port}"},
    )


def start_all(services: list[Service], timeout: float = 300) -> None:
    """Start every service and wait until all are healthy; stop all and raise otherwise."""
    for service in services:
        service.start()
    deadline = time.monotonic() + timeout
    pending = list(services)
    while pending:
        for service in list(pending):
            if service.process is not None and service.process.poll() is not None:
                stop_all(services)
                raise RuntimeError(text("cli.run.exited_at_start", service=service.name, log=service.log_path))
            if service.healthy():
                pending.remove(service)
        if pending and time.monotonic() > deadline:
            stop_all(services)
            names = ", ".join(s.name for s in pending)
            raise RuntimeError(text("cli.run.start_timeout", services=names))
        time.sleep(0.5)


def stop_all(services: list[Service]) -> None:
    for service in reversed(services):
        service.stop()

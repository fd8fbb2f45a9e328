"""`make run`: start Rasa, the action server and the API; stop them all on Ctrl-C."""

from __future__ import annotations

import signal
import sys
import time

from campus.cli.processes import platform_services, start_all, stop_all
from campus.store.settings import get_settings


def main() -> int:
    settings = get_settings()
    services = platform_services(settings, settings.var_dir / "logs")
    print("Starte KommunalCampus (Rasa-Server, Action-Server, API) …", flush=True)
    try:
        start_all(services)
    except RuntimeError as exc:
        print(f"Start fehlgeschlagen: {exc}", file=sys.stderr)
        return 1
    print(
        "\nKommunalCampus läuft:\n"
        f"  Chat-Widget (Demo-Seite):  http://localhost:{settings.api_port}/\n"
        f"  API-Dokumentation:         http://localhost:{settings.api_port}/docs\n"
        f"  Rasa REST-Kanal:           http://localhost:{settings.rasa_port}/webhooks/rest/webhook\n"
        f"  Protokolle:                {settings.var_dir / 'logs'}\n"
        "Beenden mit Strg+C.",
        flush=True,
    )

    stopping = False

    def _stop(_signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            for service in services:
                if service.process is not None and service.process.poll() is not None:
                    print(f"{service.name} wurde unerwartet beendet – siehe {service.log_path}", file=sys.stderr)
                    stopping = True
            time.sleep(0.5)
    finally:
        print("\nBeende alle Prozesse …", flush=True)
        stop_all(services)
        print("Alle Prozesse beendet.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

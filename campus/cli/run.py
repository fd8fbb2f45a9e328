"""`make run`: start Rasa, the action server and the API; stop them all on Ctrl-C."""

from __future__ import annotations

import signal
import sys
import time
from types import FrameType

from campus.cli.processes import platform_services, start_all, stop_all
from campus.store.settings import get_settings
from campus.store.texts import text


def main() -> int:
    settings = get_settings()
    services = platform_services(settings, settings.var_dir / "logs")
    print(text("cli.run.starting"), flush=True)
    try:
        start_all(services)
    except RuntimeError as exc:
        print(text("cli.run.failed", reason=exc), file=sys.stderr)
        return 1
    print(text("cli.run.running", api_port=settings.api_port, rasa_port=settings.rasa_port,
               log_dir=settings.var_dir / "logs"), flush=True)

    stopping = False

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            for service in services:
                if service.process is not None and service.process.poll() is not None:
                    print(text("cli.run.died", service=service.name, log=service.log_path), file=sys.stderr)
                    stopping = True
            time.sleep(0.5)
    finally:
        print(text("cli.run.stopping"), flush=True)
        stop_all(services)
        print(text("cli.run.stopped"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

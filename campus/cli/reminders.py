"""Campaign reminders and closing: python -m campus.cli.reminders [--once] [--every SECONDS]

Each round runs in its own transaction: close campaigns past their deadline,
then queue reminders for unfinished invitations shortly before it. Rounds are
idempotent, so the loop can be restarted at any time.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from campus.hr.jobs import JobReport, run_campaign_jobs
from campus.store.clock import utcnow
from campus.store.db import session_scope
from campus.store.settings import get_settings
from campus.store.texts import text

log = logging.getLogger("campus.reminders")


def run_once() -> JobReport:
    with session_scope() as session:
        return run_campaign_jobs(session, utcnow())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=text("cli.reminders.description"))
    parser.add_argument("--once", action="store_true", help=text("cli.reminders.once"))
    parser.add_argument("--every", type=float, default=get_settings().campaign_jobs_interval_seconds,
                        help=text("cli.reminders.every"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while True:
        try:
            report = run_once()
            log.info("campaign round: %s", report)
        except Exception:  # a failed round (database busy) must not end the loop
            log.exception("campaign round failed")
            if args.once:
                return 1
        if args.once:
            return 0
        try:
            if stop.wait(max(args.every, 1.0)):
                return 0
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())

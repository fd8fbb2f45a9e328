"""Run the action server in a single process.

rasa-sdk's own entry point hands Sanic a worker manager that starts the app
in a spawned child process; our actions hold the embedding model, which
(a) makes torch fix the multiprocessing start method first, so Sanic refuses
to start, and (b) would load the model twice. One process with one event
loop, blocking work pushed to threads, is what we want.

Usage: python -m actions.server [--port 5055]
"""

from __future__ import annotations

import argparse
import logging

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app(executor, cors_origins="*")
    app.run(host=args.host, port=args.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()

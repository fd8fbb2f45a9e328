"""Run the action server in a single process, with the models loaded before the first request.

rasa-sdk's own entry point hands Sanic a worker manager that starts the app
in a spawned child process; our actions hold the embedding model, which
(a) makes torch fix the multiprocessing start method first, so Sanic refuses
to start, and (b) would load the model twice. One process with one event
loop, blocking work pushed to threads, is what we want.

The warm-up runs here, at server start, not when the actions are imported:
importing them (the action registry test, a tool listing the actions) stays
cheap, and a learner's first turn does not wait for the model.

Usage: python -m actions.server [--port 5055]
"""

from __future__ import annotations

import argparse
import logging

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sqlmodel import Session

from campus.store.db import get_engine
from embeddings.framework_matchers import competency_matcher, role_matcher
from embeddings.index import get_module_index

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Load the model, the matchers and the module index, so the first learner does not wait for them."""
    role_matcher()
    competency_matcher()
    with Session(get_engine()) as session:
        get_module_index().snapshot(session)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    executor = ActionExecutor()
    executor.register_package("actions")
    try:
        warm_up()
    except Exception:  # the server must still start; the first request will report the problem
        log.exception("warm-up failed")
    app = create_app(executor, cors_origins="*")
    app.run(host=args.host, port=args.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()

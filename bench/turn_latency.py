"""Turn latency through Rasa's REST channel: N simulated learners, concurrency C.

Each learner runs the whole interview guide (greeting, organisation, role,
three levels, interests, preferences, consent, summary → plan). Prints p50/p95/max latency per turn, by turn kind and
overall, and turns per second.

    .venv/bin/python bench/turn_latency.py --learners 40 --concurrency 20
    .venv/bin/python bench/turn_latency.py --url http://localhost:5005   # against `make run`

Without --url it starts its own Rasa server and action server (like the
integration tests) against the database under var/.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SCRIPT = [
    ("greet", "Hallo"),
    ("text", "Stadt Musterstadt, Bürgeramt"),
    ("role", "Ich arbeite im Bürgerbüro"),
    ("choice", "Nein"),
    ("text", "Meldewesen und Ausweise"),
    ("level", "2"),
    ("level", "damit kenne ich mich gut aus"),
    ("level", "1"),
    ("choice", "Vertiefen"),
    ("text", "Mich interessieren Datenschutz und die Arbeit mit der E-Akte"),  # named topics: no confirmation turn
    ("choice", "keine Veränderung"),
    ("choice", "Online"),
    ("text", "8"),
    ("text", "sofort"),
    ("choice", "Ja, speichern"),
    ("plan", "/affirm"),
]


def say(url: str, sender: str, text: str) -> tuple[float, list[dict[str, Any]]]:
    """Rasa's bot messages for one user message (JSON objects: "text", "buttons", …) and how long they took."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        messages: list[dict[str, Any]] = json.loads(response.read())
    return time.perf_counter() - started, messages


def run_learner(url: str) -> list[tuple[str, float]]:
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    timings = []
    for kind, text in SCRIPT:
        elapsed, messages = say(url, sender, text)
        timings.append((kind, elapsed))
        if any("Habe ich Sie richtig verstanden" in m.get("text", "") for m in messages):
            elapsed, messages = say(url, sender, "Ja")  # the bot confirms a guess: a turn like any other
            timings.append(("confirm", elapsed))
        if kind == "plan" and not any("Übereinstimmung" in m.get("text", "") for m in messages):
            raise RuntimeError(f"learner {sender} got no plan: {messages}")
    return timings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def report(label: str, values: list[float]) -> str:
    return (f"{label:<10} n={len(values):>4}  p50={percentile(values, 50) * 1000:7.0f} ms  "
            f"p95={percentile(values, 95) * 1000:7.0f} ms  max={max(values) * 1000:7.0f} ms")


def bench(url: str, learners: int, concurrency: int) -> None:
    run_learner(url)  # warm-up learner, not counted
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda _: run_learner(url), range(learners)))
    wall = time.perf_counter() - started
    flat = [t for learner in results for t in learner]
    print(f"\nC={concurrency}, {learners} Lernende, {len(flat)} Turns in {wall:.1f} s "
          f"→ {len(flat) / wall:.1f} Turns/s")
    print(report("alle", [t for _, t in flat]))
    for kind in dict.fromkeys(k for k, _ in SCRIPT):
        print(report(kind, [t for k, t in flat if k == kind]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="Rasa base URL of a running system (default: start one)")
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 20])
    args = parser.parse_args()

    services = []
    url = args.url
    if url is None:
        from campus.cli.processes import platform_services, start_all
        from campus.store.settings import get_settings

        settings = get_settings().model_copy(update={"rasa_port": 15105, "action_port": 15155})
        services = platform_services(settings, settings.var_dir / "logs" / "bench", with_api=False)
        print("Starte Rasa-Server und Action-Server …", flush=True)
        start_all(services, timeout=600)
        url = f"http://127.0.0.1:{settings.rasa_port}"
    try:
        for concurrency in args.concurrency:
            bench(f"{url}/webhooks/rest/webhook", args.learners, concurrency)
    finally:
        if services:
            from campus.cli.processes import stop_all

            stop_all(services)
    return 0


if __name__ == "__main__":
    sys.exit(main())

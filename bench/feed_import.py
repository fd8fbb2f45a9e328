"""Feed import at scale: a JSON Lines feed of N MOOChub courses through ``import-feed``'s run, into a fresh store.

The run is the product path (file source in chunks, MOOChub mapper, tagger
for the untagged half, Ingestor, report, one FeedRun); the store is a fresh
SQLite file under a temporary folder, seeded with the framework. Printed:
wall and CPU time, courses per second, the peak resident memory of the
process (it must not grow with N beyond the report: courses are streamed),
and the run's counts. ``--fake-encoder`` swaps the e5 model for hash-seeded
vectors, to see the cost of everything but the model.

    .venv/bin/python bench/feed_import.py                   # 2,000 courses, real encoder
    .venv/bin/python bench/feed_import.py --courses 10000 --fake-encoder
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class HashEncoder:
    name, dim = "hash-encoder", 384

    def passages(self, texts: list[str]) -> Any:
        rows = [np.random.default_rng(int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little"))
                .standard_normal(self.dim).astype(np.float32) for t in texts]
        return np.stack([r / np.linalg.norm(r) for r in rows]) if rows else np.zeros((0, self.dim), np.float32)

    queries = passages


def course(number: int) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "name": f"Digitale Verwaltung, Kurs {number}",
        "courseMode": ["online"], "inLanguage": ["de"], "duration": "P4W",
        "workload": {"timeValue": 3, "timeUnit": "h/week"}, "access": ["free"],
        "description": f"<p>Kurs {number}: Datenschutz, Aktenführung und Bürgerdienste im digitalen Amt.</p>",
        "url": f"https://example.org/kurse/{number}",
    }
    if number % 2:
        attrs["teaches"] = [{"name": [{"inLanguage": "de", "name": "Datenschutz"}], "educationalFramework": "ESCO"}]
    return {"id": f"bench-{number}", "type": "Course", "attributes": attrs}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--courses", type=int, default=2000)
    parser.add_argument("--fake-encoder", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kc-bench-feed-"))
    import os

    os.environ["KC_VAR_DIR"] = str(folder)
    os.environ["KC_DATABASE_URL"] = f"sqlite:///{folder / 'campus.db'}"
    os.environ.setdefault("KC_EMBEDDING_MODEL", str(ROOT / "var" / "models" / "multilingual-e5-small"))
    from campus.catalogue.feeds.sources import FileSource
    from campus.catalogue.seed import load_seed
    from campus.store.db import get_engine, session_scope
    from campus.store.settings import get_settings
    from campus.tables import create_schema
    from embeddings.feed_pull import PullTools, run_pull

    create_schema(get_engine())
    with session_scope() as session:
        load_seed(session, get_settings().seed_dir)
    feed = folder / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as handle:
        for number in range(args.courses):
            handle.write(json.dumps(course(number), ensure_ascii=False) + "\n")
    tools = PullTools.real(with_index=False)
    if args.fake_encoder:
        from embeddings.tagging import CompetencyTagger

        encoder: Any = HashEncoder()
        tools.encoder, tools.tagger = encoder, CompetencyTagger(tools.tagger.framework if tools.tagger else [], encoder)
    provider = "digitalwerk_akademie"
    wall, cpu = time.perf_counter(), time.process_time()
    run = run_pull(provider, FileSource(feed, chunk=get_settings().feed_batch_size), "cli", tools)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    report = run["report"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"courses: {args.courses}  encoder: {'hash' if args.fake_encoder else 'e5-small'}")
    print(f"wall {wall:.1f} s  cpu {cpu:.1f} s  {args.courses / wall:.0f} courses/s")
    print(f"peak RSS {peak:.0f} MB")
    print("counts: " + ", ".join(f"{k} {report[k]}" for k in ("created", "updated", "unchanged", "rejected")))


if __name__ == "__main__":
    main()

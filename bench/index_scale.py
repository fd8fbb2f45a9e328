"""Catalogue scale: ingest throughput (embedding included) and search latency at 1k / 10k / 100k modules.

Ingest goes through the real HTTP bulk endpoint of a real API process
(uvicorn) into a fresh SQLite store, as JSONL streamed in one request per
size, so the figure includes parsing, validation, versioning, embedding,
duplicate detection and commits. Search latency is measured on index
snapshots of the requested sizes: the ingested modules plus, beyond what was
ingested, synthetic modules whose vectors are perturbed copies of real ones
(texts repeated), so dense, BM25 and fusion run at full size.

    .venv/bin/python bench/index_scale.py                       # ingest 1k + 10k, search 1k/10k/100k
    .venv/bin/python bench/index_scale.py --ingest 1000 --search 1000 10000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from embeddings.index import SearchFilters

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class SearchOptions(TypedDict, total=False):
    """What a search run passes to ``hybrid_search`` beyond the query."""

    signals: tuple[str, ...]
    filters: SearchFilters


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def synthetic_modules(count: int, seed: int, prefix: str) -> list[dict[str, Any]]:
    """Modules built from shuffled sentences of the sample catalogue: realistic German, new combinations."""
    source = [json.loads(line) for line in (ROOT / "data/seed/catalogue.jsonl").open(encoding="utf-8")]
    sentences = [s.strip() + "." for m in source for s in m["description"].split(".") if len(s.strip()) > 20]
    rng = random.Random(seed)
    out = []
    for i in range(count):
        base = rng.choice(source)
        record = {k: v for k, v in base.items() if k not in ("provider", "status", "prerequisites")}
        record["external_id"] = f"{prefix}-{i:06d}"
        record["title"] = f"{base['title']} ({rng.choice(['Kompakt', 'Praxis', 'Werkstatt', 'Update'])} {i})"
        record["description"] = " ".join(rng.sample(sentences, 4))
        out.append(record)
    return out


def start_api(var_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KC_VAR_DIR": str(var_dir), "KC_DATABASE_URL": f"sqlite:///{var_dir / 'campus.db'}",
           "KC_EMBEDDING_MODEL": str(ROOT / "var/models/multilingual-e5-small"), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "campus.cli.prepare"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = (var_dir / "api.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "campus.api.main:app", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    import httpx

    for _ in range(240):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("API did not start")


def provider_key(var_dir: Path) -> str:
    os.environ["KC_VAR_DIR"] = str(var_dir)
    os.environ["KC_DATABASE_URL"] = f"sqlite:///{var_dir / 'campus.db'}"
    from campus.access.keys import create_key
    from campus.store.db import session_scope

    with session_scope() as session:
        return create_key(session, "provider", provider_id="digitalwerk_akademie", label="bench")[0]


def bench_ingest(sizes: list[int], var_dir: Path, port: int) -> None:
    import httpx

    proc = start_api(var_dir, port)
    key = provider_key(var_dir)
    try:
        print("\nIngest über POST /api/provider/modules/bulk (JSONL, ein Request je Größe, Einbettung inklusive)")
        for n, size in enumerate(sizes):
            records = synthetic_modules(size, seed=n, prefix=f"bench{n}")
            body = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()

            def chunks(data: bytes = body, step: int = 1 << 16) -> Iterator[bytes]:
                for start in range(0, len(data), step):
                    yield data[start:start + step]

            started = time.perf_counter()
            response = httpx.post(f"http://127.0.0.1:{port}/api/provider/modules/bulk", content=chunks(),
                                  headers={"X-API-Key": key, "Content-Type": "application/x-ndjson"}, timeout=None)
            elapsed = time.perf_counter() - started
            report = response.json()
            print(f"  {size:>7} Module ({len(body) / 1e6:5.1f} MB): {elapsed:7.1f} s → {size / elapsed:6.1f} Module/s"
                  f"  (angelegt {report['created']}, Fehler {report['error']}, "
                  f"API-RSS {process_rss_mb(proc.pid):.0f} MB)")
    finally:
        proc.terminate()
        proc.wait()


def bench_search(sizes: list[int], var_dir: Path, queries: int) -> None:
    import numpy as np
    from sqlalchemy import update
    from sqlmodel import Session

    from campus.catalogue.models import Module
    from campus.store.db import get_engine
    from embeddings.encoder import get_encoder
    from embeddings.index import IndexSnapshot, ModuleIndex, SearchFilters
    from embeddings.search import hybrid_search

    encoder = get_encoder()
    with Session(get_engine()) as session:
        # bench-only: the ingested modules count as approved so the base holds every real vector
        session.exec(update(Module).values(status="approved"))
        session.commit()
        base = ModuleIndex(encoder.dim).snapshot(session)
    print(f"\nSuche (Index-Snapshots; {len(base.modules)} echte, eingebettete Module als Basis)")
    texts = ["Wie bekomme ich unsere Papierakten digital?", "Datenschutz bei Bürgeranfragen",
             "Mein Team arbeitet hybrid", "KI im Bürgerservice einsetzen", "Prozesse modellieren lernen"]
    vectors = encoder.queries(texts)
    rng = np.random.default_rng(7)
    for size in sizes:
        reps = [base.modules[i % len(base.modules)] for i in range(size)]
        modules = [Module(**{**m.model_dump(), "id": i + 1}) for i, m in enumerate(reps)]
        noise = rng.normal(0, 0.02, (size, encoder.dim)).astype(np.float32)
        vecs = base.vectors[np.arange(size) % len(base.modules)] + noise
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        before = rss_mb()
        snap = IndexSnapshot(modules, vecs, ("bench", size), "bench")
        started = time.perf_counter()
        snap.lexical()
        build = time.perf_counter() - started
        runs: list[tuple[str, SearchOptions]] = [
            ("dicht", {"signals": ("dense",)}),
            ("hybrid", {}),
            ("hybrid+Filter", {"filters": SearchFilters(formats=("online", "blended"), max_price_eur=500)}),
        ]
        for label, kwargs in runs:
            times = []
            for q in range(queries):
                text, vector = texts[q % len(texts)], vectors[q % len(texts)]
                started = time.perf_counter()
                hybrid_search(snap, vector, text, ["e_akte"], 10, **kwargs)
                times.append(time.perf_counter() - started)
            times.sort()
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            print(f"  {size:>7} Module  {label:<14} p50={statistics.median(times) * 1000:7.1f} ms  "
                  f"p95={p95 * 1000:7.1f} ms")
        print(f"  {size:>7} Module  BM25-Aufbau {build:.1f} s, Speicher +{rss_mb() - before:.0f} MB "
              f"(Prozess {rss_mb():.0f} MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ingest", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--search", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--port", type=int, default=18100)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="kc-bench-index-"))
    os.environ["KC_VAR_DIR"] = str(var_dir)
    os.environ["KC_DATABASE_URL"] = f"sqlite:///{var_dir / 'campus.db'}"
    os.environ.setdefault("KC_EMBEDDING_MODEL", str(ROOT / "var/models/multilingual-e5-small"))
    if args.ingest:
        bench_ingest(args.ingest, var_dir, args.port)
    else:
        subprocess.run([sys.executable, "-m", "campus.cli.prepare"], cwd=ROOT, check=True)
    if args.search:
        bench_search(args.search, var_dir, args.queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Plan engine benchmark: full plan time per learner, incremental replanning on approval, memory.

    .venv/bin/python bench/plan_engine_speed.py                 # all figures (several minutes)
    .venv/bin/python bench/plan_engine_speed.py --quick         # smaller runs, for a smoke check
    .venv/bin/python bench/plan_engine_speed.py --store         # also end to end through SQLite (on_module_approved)

One BLAS thread (set below before numpy loads): a server plans for many
learners in parallel rather than one plan on all cores, and on a shared
machine multi-threaded BLAS mostly measures contention.

Catalogues and learners are synthetic (stated in the output): 50 competencies,
modules with 1-3 competencies, Basis/Intensiv/Bonus categories, online /
presence / blended formats in 11 regions, 0-2 date windows in the next 15
months, Intensiv modules that name a Basis module as prerequisite, and a few
deliberate prerequisite cycles. Vectors are random 384-dimensional unit
vectors built like e5's (a shared component plus topic directions plus noise,
so unrelated texts sit near cosine 0.75 and related ones near 0.9); no model
is loaded. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plan_engine.catalogue import CatalogueArrays, build_arrays  # noqa: E402
from plan_engine.constraints import Preferences  # noqa: E402
from plan_engine.engine import make_plan  # noqa: E402
from plan_engine.gaps import analyse_gaps  # noqa: E402
from plan_engine.needs import ModuleFeatures, NeedMatrix  # noqa: E402
from plan_engine.request import Limits, PlanRequest, PlanResult  # noqa: E402

DIM = 384
TODAY = date(2026, 11, 23)
COMPETENCIES = [f"comp_{i:02d}" for i in range(50)]
REGIONS = ["Baden-Württemberg", "Bayern", "Berlin", "Brandenburg", "Hessen", "Niedersachsen", "Nordrhein-Westfalen",
           "Sachsen", "Schleswig-Holstein", "Thüringen"]
TOWNS = {"Hessen": ["Kassel", "Frankfurt am Main"], "Bayern": ["München", "Nürnberg"], "Sachsen": ["Dresden"],
         "Berlin": ["Berlin"], "Niedersachsen": ["Hannover"], "Nordrhein-Westfalen": ["Köln", "Dortmund"],
         "Baden-Württemberg": ["Stuttgart"], "Brandenburg": ["Potsdam"], "Schleswig-Holstein": ["Kiel"],
         "Thüringen": ["Erfurt"]}
T = TypeVar("T")
PlanKey = tuple[tuple[int, str | None, str], ...]  # what a learner would notice of a plan: module, month, status


@dataclass
class SyntheticModule:
    """A catalogue module as the engine reads it (``plan_engine.catalogue.CatalogueModule``), without a store."""

    id: int
    provider_id: str
    external_id: str
    title: str
    category: str
    competencies: list[dict[str, Any]]
    prerequisites: list[str]
    learning_units: int
    duration_hours: float
    format: str
    region: str | None
    locations: list[str]
    dates: list[dict[str, str]]
    status: str
    price_member_eur: float = 0.0
    price_non_member_eur: float = 0.0


# what bench_incremental keeps for bench_store: the modules with their vectors, and the learners' first plans
StoreState = tuple[list[SyntheticModule], npt.NDArray[np.float32], list[PlanRequest], list[PlanResult]]



def production_limits() -> Limits:
    """The limits the running platform plans with (``KC_PLAN_*`` settings): a year's plan of up to three paths."""
    from campus.store.settings import get_settings

    return Limits.from_settings(get_settings())

def pick(rng: np.random.Generator, options: Sequence[T]) -> T:
    """``rng.choice(options)`` for options numpy cannot hold as one array (``None`` among dates): same draw."""
    return options[int(rng.choice(len(options)))]


def rss_mb() -> float:
    """Current resident set size (Linux /proc), falling back to the peak."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Space:
    """e5-like geometry: every vector shares one direction, topics add their own."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.common = self._unit(rng.normal(size=DIM))
        self.topics = np.stack([self._unit(rng.normal(size=DIM)) for _ in COMPETENCIES])

    @staticmethod
    def _unit(v: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float32]:
        norm: npt.NDArray[np.floating[Any]] = np.linalg.norm(v, axis=-1, keepdims=True)
        return (v / norm).astype(np.float32)

    def vectors(self, topic_sets: list[list[int]]) -> npt.NDArray[np.float32]:
        out = np.empty((len(topic_sets), DIM), dtype=np.float32)
        for start in range(0, len(topic_sets), 20_000):
            chunk = topic_sets[start:start + 20_000]
            mix = np.zeros((len(chunk), DIM), dtype=np.float32)
            for row, topics in enumerate(chunk):
                mix[row] = self.topics[topics].sum(axis=0) / np.sqrt(len(topics))
            noise = self.rng.normal(size=(len(chunk), DIM)).astype(np.float32) / np.sqrt(DIM)
            out[start:start + len(chunk)] = self._unit(1.7 * self.common + 0.9 * mix + 0.6 * noise)
        return out


def make_catalogue(n: int, space: Space, rng: np.random.Generator
                   ) -> tuple[list[SyntheticModule], npt.NDArray[np.float32]]:
    modules: list[SyntheticModule] = []
    topics: list[list[int]] = []
    basis_of: dict[int, str] = {}
    for i in range(n):
        k = int(rng.integers(1, 4))
        comps = sorted(rng.choice(len(COMPETENCIES), size=k, replace=False).tolist())
        category = str(rng.choice(["Basismodul", "Intensivmodul", "Bonusmodul"], p=[0.47, 0.38, 0.15]))
        levels = []
        for c in comps:
            lf = int(rng.integers(0, 2)) if category == "Basismodul" else int(rng.integers(1, 4))
            levels.append({"id": COMPETENCIES[c], "level_from": lf, "level_to": min(4, lf + int(rng.integers(1, 3)))})
        fmt = str(rng.choice(["online", "presence", "blended"], p=[0.35, 0.25, 0.4]))
        region = "bundesweit" if fmt == "online" or rng.random() < 0.3 else str(rng.choice(REGIONS))
        windows = []
        for _ in range(int(rng.choice([0, 1, 2], p=[0.2, 0.45, 0.35]))):
            start = TODAY + timedelta(days=int(rng.integers(10, 450)))
            windows.append({"start": start.isoformat(), "end": (start + timedelta(days=int(rng.integers(1, 60))))
                            .isoformat()})
        external = f"m{i}"
        prerequisites = []
        if category == "Intensivmodul" and comps[0] in basis_of and rng.random() < 0.5:
            prerequisites = [basis_of[comps[0]]]
        if category == "Basismodul":
            basis_of[comps[0]] = external
        modules.append(SyntheticModule(
            id=i + 1, provider_id=f"p{i % 40}", external_id=external, title=f"Synthetisches Modul {i + 1}",
            category=category, competencies=levels, prerequisites=prerequisites,
            learning_units=int(rng.choice([1, 2, 3], p=[0.3, 0.5, 0.2])),
            duration_hours=float(rng.choice([8, 16, 24, 40], p=[0.3, 0.4, 0.2, 0.1])), format=fmt, region=region,
            locations=TOWNS.get(region, [])[:1], dates=windows, status="approved"))
        topics.append(comps)
    for a in range(0, min(n, 12), 4):  # a few prerequisite cycles, as sloppy provider data would have
        if a + 1 < n:
            modules[a].prerequisites = [modules[a + 1].external_id]
            modules[a + 1].prerequisites = [modules[a].external_id]
    return modules, space.vectors(topics)


def make_requests(count: int, space: Space, rng: np.random.Generator) -> list[PlanRequest]:
    requests, topic_sets = [], []
    for _ in range(count):
        comps = rng.choice(len(COMPETENCIES), size=5, replace=False).tolist()
        targets = [{"competency": COMPETENCIES[c], "level": int(rng.integers(2, 5)),
                    "weight": float(rng.choice([0.5, 0.8, 1.0]))} for c in comps]
        levels = {COMPETENCIES[c]: int(rng.integers(0, 3)) for c in comps[:3]}
        interests = [COMPETENCIES[int(rng.integers(0, len(COMPETENCIES)))]]
        fmt = pick(rng, [None, "online", "presence", "blended"])
        region = str(rng.choice(["Kassel", "Bayern", "Dresden", "Köln"])) if fmt in ("presence", "blended") else None
        prefs = Preferences(format=fmt, hours_per_month=float(rng.choice([4, 8, 12, 16])), region=region,
                            earliest_start=pick(rng, [None, date(2027, 1, 1), date(2027, 4, 1)]), horizon_months=12)
        requests.append(PlanRequest(gaps=analyse_gaps(targets, levels, interests), levels=levels,
                                    need_vector=np.zeros(DIM, np.float32), preferences=prefs))
        topic_sets.append(comps[:3] + [COMPETENCIES.index(interests[0])])
    vectors = space.vectors(topic_sets)
    for request, vector in zip(requests, vectors, strict=True):
        request.need_vector = vector
    return requests


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def bench_full_plan(sizes: list[int], runs: int, seed: int) -> None:
    print("\n== Full plan for one learner (plan_engine.engine.make_plan: gaps, selection, prerequisites, "
          "order, months, reasons) ==")
    print("   excluded: loading the profile and saving the plan (SQLite, ~ms), encoding the need query "
          "(once per changed profile, cached)")
    print(f"   {'modules':>8} {'build arrays':>13} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'items':>6} "
          f"{'RSS MB':>8}")
    limits = production_limits()
    for n in sizes:
        rng = np.random.default_rng(seed)
        space = Space(rng)
        modules, vectors = make_catalogue(n, space, rng)
        started = time.perf_counter()
        arrays = build_arrays(modules, vectors)
        built = time.perf_counter() - started
        requests = make_requests(runs, space, rng)
        make_plan(requests[0], arrays, TODAY, limits)  # warm-up
        times, items = [], []
        for request in requests:
            started = time.perf_counter()
            result = make_plan(request, arrays, TODAY, limits)
            times.append(time.perf_counter() - started)
            items.append(len(result.items))
        print(f"   {n:>8} {built:>11.2f} s {pct(times, 50):>8.2f} {pct(times, 95):>8.2f} {pct(times, 100):>8.2f} "
              f"{np.mean(items):>6.2f} {rss_mb():>8.0f}")
        if n == sizes[0]:
            cos = vectors[:500] @ vectors[:500].T
            print(f"   (vector geometry: mean cosine between modules {cos[np.triu_indices(len(cos), 1)].mean():.2f}; "
                  f"{len(arrays.cycles)} prerequisite cycles planted and found)")
        del arrays, modules, vectors


def build_learners(arrays: CatalogueArrays, count: int, space: Space, rng: np.random.Generator, limits: Limits,
                   keep: bool) -> tuple[NeedMatrix, list[PlanKey], list[str], list[PlanRequest], list[PlanResult]]:
    """First plans for ``count`` learners, kept the way the store keeps them: a matrix row plus the request as
    JSON text (no per-learner Python objects, so the garbage collector sees a production-sized heap)."""
    matrix = NeedMatrix(DIM, arrays.competency_index, capacity=count, steps=limits.max_items)
    plans: list[PlanKey] = []
    stored: list[str] = []
    kept_requests: list[PlanRequest] = []
    kept_results: list[PlanResult] = []
    for start in range(0, count, 5_000):
        for request in make_requests(min(5_000, count - start), space, rng):
            result = make_plan(request, arrays, TODAY, limits)
            matrix.upsert(f"L{len(plans)}", request, result)
            plans.append(tuple((i.module_id, i.planned_month, i.status) for i in result.items))
            stored.append(json.dumps(request.to_json()))
            if keep:
                kept_requests.append(request)
                kept_results.append(result)
    return matrix, plans, stored, kept_requests, kept_results


def bench_incremental(learner_counts: list[int], catalogue_size: int, approvals: int, seed: int,
                      keep_for_store: int | None = None) -> StoreState | None:
    print(f"\n== Incremental replanning when one module is approved (catalogue of {catalogue_size:,} modules) ==")
    print("   score the new module (and modules waiting for it as a prerequisite) against every learner's need row "
          "at once, then rebuild only the flagged plans")
    print("   from their stored requests; total = append the module to the catalogue arrays + score all learners + "
          "rebuild flagged plans (in memory; SQLite in the --store run)")
    limits = production_limits()
    kept: StoreState | None = None
    for count in learner_counts:
        rng = np.random.default_rng(seed)
        space = Space(rng)
        modules, vectors = make_catalogue(catalogue_size + approvals, space, rng)
        base_modules, base_vectors = modules[:catalogue_size], vectors[:catalogue_size]
        arrays = build_arrays(base_modules, base_vectors)
        before = rss_mb()
        started = time.perf_counter()
        matrix, plans, stored, requests, results = build_learners(arrays, count, space, rng, limits,
                                                                  keep=keep_for_store == count)
        setup = time.perf_counter() - started
        print(f"\n   {count:,} learners: first plans built in {setup:.1f} s (setup, not timed below); need matrix "
              f"{matrix.nbytes / 2**20:.0f} MB; RSS {rss_mb():.0f} MB (+{rss_mb() - before:.0f} MB)")
        print(f"   {'approval':>8} {'arrays ms':>10} {'score ms':>9} {'flagged':>8} {'rebuild ms':>11} "
              f"{'changed':>8} {'total ms':>9}")
        totals = []
        current_modules, current_vectors = list(base_modules), base_vectors
        for a in range(approvals):
            new = modules[catalogue_size + a]
            started = time.perf_counter()
            current_modules = current_modules + [new]
            current_vectors = np.vstack([current_vectors, vectors[catalogue_size + a][None, :]])
            arrays = build_arrays(current_modules, current_vectors)
            t_arrays = time.perf_counter()
            position = arrays.position[new.id]
            reach = [position] + arrays.dependants.get(position, [])
            flagged = np.nonzero(matrix.affected([ModuleFeatures.from_arrays(arrays, p) for p in reach], limits,
                                                 TODAY))[0]
            t_score = time.perf_counter()
            changed = 0
            for row in flagged:
                request = PlanRequest.from_json(json.loads(stored[row]), matrix.vectors[row].copy())
                result = make_plan(request, arrays, TODAY, limits)
                after = tuple((i.module_id, i.planned_month, i.status) for i in result.items)
                if after != plans[row]:
                    plans[row] = after
                    changed += 1
                matrix.upsert(matrix.learners[row], request, result)
            done = time.perf_counter()
            totals.append(done - started)
            print(f"   {a + 1:>8} {(t_arrays - started) * 1000:>10.1f} {(t_score - t_arrays) * 1000:>9.1f} "
                  f"{len(flagged):>8} {(done - t_score) * 1000:>11.1f} {changed:>8} {(done - started) * 1000:>9.1f}")
        print(f"   p50 total {pct(totals, 50):.0f} ms, max {pct(totals, 100):.0f} ms; peak RSS {peak_mb():.0f} MB")
        if keep_for_store == count:
            kept = (modules, vectors, requests, results)
        del matrix, plans, stored, requests, arrays, results
    return kept


def bench_store(state: StoreState, catalogue_size: int, approvals: int) -> None:
    """The real ``on_module_approved`` through SQLite: index snapshot, need matrix, rebuilds, plan versions, outbox."""
    from sqlalchemy import insert
    from sqlmodel import Session, select

    from campus.catalogue.models import Competency, Module, ModuleEmbedding, Provider
    from campus.channels.models import Outbox
    from campus.learners.models import Learner, LearnerNeed, Plan, PlanItem
    from campus.store.clock import utcnow
    from campus.store.db import make_engine
    from campus.tables import create_schema
    from embeddings.index import ModuleIndex
    from plan_engine.replan import on_module_approved

    modules, vectors, requests, results = state
    folder = Path(tempfile.mkdtemp(prefix="kc-bench-plan-"))
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    create_schema(engine)
    started = time.perf_counter()
    with Session(engine) as session:
        session.execute(insert(Competency), [{"id": c, "area": "bench", "label": c, "description": c, "synonyms": [],
                                              "levels": {}} for c in COMPETENCIES])
        session.execute(insert(Provider), [{"id": f"p{i}", "name": f"p{i}", "kind": "bench"} for i in range(40)])
        rows, embeddings = [], []
        for k, m in enumerate(modules):
            status = "approved" if k < catalogue_size else "submitted"
            rows.append({"id": m.id, "provider_id": m.provider_id, "external_id": m.external_id, "title": m.title,
                         "description": "Synthetisches Modul", "learning_outcomes": [], "category": m.category,
                         "competencies": m.competencies, "prerequisites": m.prerequisites,
                         "learning_units": m.learning_units, "duration_hours": m.duration_hours, "parts": [],
                         "format": m.format, "region": m.region, "locations": m.locations, "dates": m.dates,
                         "proof_tiers": [], "status": status, "content_hash": str(m.id)})
            embeddings.append({"module_id": m.id, "model": "bench", "text_hash": str(m.id),
                               "vector": vectors[k].tobytes()})
        session.execute(insert(Module), rows)
        session.execute(insert(ModuleEmbedding), embeddings)
        learners = [f"L{k}" for k in range(len(requests))]
        session.execute(insert(Learner), [{"id": lid} for lid in learners])
        needs, plans = [], []
        for lid, request, result in zip(learners, requests, results, strict=True):
            data = request.to_json()
            data["plan_state"] = {"reached": result.reached, "taught": [list(t) for t in result.taught],
                                  "steps": [step.to_json() for step in result.steps]}
            needs.append({"learner_id": lid, "model": "bench", "text_hash": "x",
                          "vector": request.need_vector.tobytes(), "gaps": data, "preferences": data["preferences"],
                          "threshold": result.threshold, "units_left": result.units_left,
                          "hours_left": result.hours_left, "items_left": result.items_left})
            plans.append({"learner_id": lid, "version": 1, "trigger": "interview_completed", "current": True,
                          "trigger_detail": {}, "diff": {}, "warnings": []})
        session.execute(insert(LearnerNeed), needs)
        session.execute(insert(Plan), plans)
        plan_ids = dict(session.exec(select(Plan.learner_id, Plan.id)).all())
        session.execute(insert(PlanItem), [
            {"plan_id": plan_ids[lid], "position": pos, "module_id": item.module_id,
             "match_percent": item.match_percent, "reasons": item.reasons, "status": item.status,
             "planned_month": item.planned_month, "role": item.role, "score": item.score}
            for lid, result in zip(learners, results, strict=True) for pos, item in enumerate(result.items, 1)])
        session.commit()
    print(f"\n== End to end through SQLite: plan_engine.replan.on_module_approved, {len(requests):,} learners, "
          f"{catalogue_size:,} approved modules ==")
    size = (folder / "bench.db").stat().st_size / 2**20
    print(f"   store filled in {time.perf_counter() - started:.1f} s ({size:.0f} MB); the first call also loads the "
          "index snapshot and the need matrix from the store (cold)")
    print(f"   {'approval':>8} {'learners':>9} {'flagged':>8} {'changed':>8} {'replan s':>9} {'commit s':>9} "
          f"{'outbox':>7}")
    index = ModuleIndex(DIM)
    for a in range(approvals):
        module_id = modules[catalogue_size + a].id
        with Session(engine, expire_on_commit=False) as session:
            module = session.get(Module, module_id)
            assert module is not None  # inserted above as "submitted"
            module.status, module.updated_at = "approved", utcnow()  # what campus.review.decide does
            session.add(module)
            session.flush()
            report = on_module_approved(session, module_id, index=index, today=TODAY)
            started = time.perf_counter()
            session.commit()
            committed = time.perf_counter() - started
            outbox = len(session.exec(select(Outbox.id)).all())
        label = "cold" if a == 0 else "warm"
        print(f"   {a + 1:>5} {label} {report.scored:>9,} {report.flagged:>8} {len(report.changed):>8} "
              f"{report.seconds:>9.2f} {committed:>9.2f} {outbox:>7}")
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    parser.add_argument("--runs", type=int, default=200, help="learners per catalogue size for the full plan")
    parser.add_argument("--approvals", type=int, default=5, help="modules approved one after the other")
    parser.add_argument("--replan-catalogue", type=int, default=1000, help="catalogue size for the replan runs")
    parser.add_argument("--store", action="store_true", help="also run on_module_approved through SQLite")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    sizes, learners = ([1_000, 10_000], [2_000]) if args.quick else ([1_000, 10_000, 100_000], [10_000, 100_000])
    runs = 50 if args.quick else args.runs
    print("KommunalCampus plan engine benchmark")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, load average {os.getloadavg()[0]:.1f}")
    print(f"synthetic data: "
          f"random e5-like unit vectors (dim {DIM}), {len(COMPETENCIES)} competencies, limits {production_limits()}")
    bench_full_plan(sizes, runs, args.seed)
    approvals = 2 if args.quick else args.approvals
    kept = bench_incremental(learners, args.replan_catalogue, approvals, args.seed,
                             keep_for_store=learners[0] if args.store else None)
    if args.store:
        assert kept is not None  # the first learner count was kept for the store run
        bench_store(kept, args.replan_catalogue, approvals)
    print(f"\npeak RSS of the whole run: {peak_mb():.0f} MB; load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    tempfile.tempdir = tempfile.gettempdir()
    sys.exit(main())

"""Matching quality on the labelled German evaluation set (data/eval/matching_queries.yml).

For every query (need-style phrasing with little word overlap with the
module texts) the approved sample catalogue is ranked by BM25 only (German
lemmas), dense only (e5), and the hybrid fusion (dense + BM25 + competency
overlap; linear blend of z-scores with the weights from the settings, and
weighted RRF for comparison). Prints MRR, nDCG@10 (graded gains) and
recall@10 for each, then a 2-fold check: weights chosen by grid search on
one half of the queries, measured on the other half, against dense only.

    .venv/bin/python bench/matching_quality.py
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import TypedDict, Unpack

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KC_VAR_DIR", tempfile.mkdtemp(prefix="kc-bench-quality-"))
os.environ.setdefault("KC_EMBEDDING_MODEL", str(ROOT / "var/models/multilingual-e5-small"))
os.environ["KC_DATABASE_URL"] = f"sqlite:///{Path(os.environ['KC_VAR_DIR']) / 'campus.db'}"


class SearchOptions(TypedDict, total=False):
    """What a ranking passes to ``hybrid_search`` beyond the query and the weights."""

    signals: tuple[str, ...]


def dcg(gains: list[int]) -> float:
    return sum((2.0 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def evaluate(rankings: dict[str, list[int]], judgments: dict[str, dict[int, int]], k: int = 10) -> dict[str, float]:
    mrr = ndcg = recall = 0.0
    for qid, ranked in rankings.items():
        relevant = judgments[qid]
        first = next((i for i, mid in enumerate(ranked) if mid in relevant), None)
        mrr += 1 / (first + 1) if first is not None else 0.0
        ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
        ndcg += dcg([relevant.get(mid, 0) for mid in ranked[:k]]) / ideal
        recall += len(set(ranked[:k]) & set(relevant)) / len(relevant)
    n = len(rankings)
    return {"MRR": mrr / n, "nDCG@10": ndcg / n, "Recall@10": recall / n}


def main() -> int:
    from sqlmodel import Session, select

    from campus.catalogue.models import Module
    from campus.catalogue.seed import load_seed
    from campus.store.db import get_engine, session_scope
    from campus.store.ids import stored_id
    from campus.store.settings import get_settings
    from campus.tables import create_schema
    from embeddings.encoder import get_encoder
    from embeddings.framework_matchers import competency_matcher
    from embeddings.index import ModuleIndex
    from embeddings.module_vectors import sync_module_vectors
    from embeddings.search import FusionWeights, hybrid_search
    from embeddings.text_matcher import soft_weights

    settings = get_settings()
    encoder = get_encoder()
    create_schema(get_engine())
    with session_scope() as session:
        load_seed(session, settings.seed_dir)
    with session_scope() as session:
        sync_module_vectors(session, encoder)
    with Session(get_engine()) as session:
        ids = {m.external_id: stored_id(m.id) for m in session.exec(select(Module)).all()}
        snapshot = ModuleIndex(encoder.dim).snapshot(session)

    data = yaml.safe_load((ROOT / "data/eval/matching_queries.yml").read_text(encoding="utf-8"))
    queries = data["queries"]
    judgments = {q["id"]: {ids[ext]: int(g) for ext, g in q["relevant"].items()} for q in queries}
    vectors = encoder.queries([q["text"] for q in queries])
    matcher = competency_matcher()
    wanted = {q["id"]: soft_weights(matcher, q["text"], vectors[i]) for i, q in enumerate(queries)}
    default = FusionWeights(settings.search_weight_dense, settings.search_weight_lexical,
                            settings.search_weight_competency, settings.search_rrf_k, settings.search_fusion)
    rrf = FusionWeights(1.0, 0.5, 0.7, 60.0, "rrf")

    def rank(subset: list[int], weights: FusionWeights, **kwargs: Unpack[SearchOptions]) -> dict[str, list[int]]:
        return {
            queries[i]["id"]: [h.module_id for h in hybrid_search(
                snapshot, vectors[i], queries[i]["text"], wanted[queries[i]["id"]], 10, weights=weights, **kwargs)]
            for i in subset
        }

    def ndcg_on(subset: list[int], weights: FusionWeights) -> float:
        return evaluate(rank(subset, weights), judgments)["nDCG@10"]

    configs: dict[str, tuple[SearchOptions, FusionWeights]] = {
        "BM25 (Lemmata)": ({"signals": ("lexical",)}, default),
        "dicht (e5)": ({"signals": ("dense",)}, default),
        "Kompetenzen": ({"signals": ("competency",)}, default),
        "hybrid RRF": ({}, rrf),
        "hybrid (Standard)": ({}, default),
    }
    print(f"{len(queries)} Anfragen, {sum(len(j) for j in judgments.values())} Relevanzurteile, "
          f"{len(snapshot.modules)} freigegebene Module\n")
    print(f"{'Verfahren':<20} {'MRR':>7} {'nDCG@10':>9} {'Recall@10':>10}")
    everyone = list(range(len(queries)))
    for label, (kwargs, weights) in configs.items():
        scores = evaluate(rank(everyone, weights, **kwargs), judgments)
        print(f"{label:<20} {scores['MRR']:7.3f} {scores['nDCG@10']:9.3f} {scores['Recall@10']:10.3f}")

    print("\n2-fach-Kreuzvalidierung (Gewichte auf einer Hälfte gewählt, auf der anderen gemessen):")
    folds = [(everyone[::2], everyone[1::2]), (everyone[1::2], everyone[::2])]
    grid = [FusionWeights(1.0, a, b) for a in (0.0, 0.1, 0.2, 0.3, 0.5) for b in (0.0, 0.25, 0.5, 1.0)]
    for n, (train, test) in enumerate(folds, start=1):
        best = max(grid, key=partial(ndcg_on, train))
        hybrid = evaluate(rank(test, best), judgments)
        dense = evaluate(rank(test, default, signals=("dense",)), judgments)
        print(f"  Falte {n} ({len(test)} Testanfragen, lexikalisch={best.lexical}, Kompetenz={best.competency}): "
              f"hybrid MRR {hybrid['MRR']:.3f} nDCG@10 {hybrid['nDCG@10']:.3f} Recall@10 {hybrid['Recall@10']:.3f}"
              f" | dicht MRR {dense['MRR']:.3f} nDCG@10 {dense['nDCG@10']:.3f} Recall@10 {dense['Recall@10']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

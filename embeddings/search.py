"""Hybrid module search: dense similarity + BM25 over lemmas + competency overlap, fused by weighted RRF.

Each signal ranks the (filtered) catalogue on its own; reciprocal rank
fusion adds ``weight / (k + rank)`` per signal in which a module scores at
all. RRF needs no score calibration between signals whose scales have
nothing in common (cosine, BM25, overlap counts); the weights and ``k`` are
settings (``KC_SEARCH_WEIGHT_*``, ``KC_SEARCH_RRF_K``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embeddings.index import IndexSnapshot, SearchFilters
from embeddings.lexical import analyse


@dataclass(frozen=True)
class FusionWeights:
    dense: float = 1.0
    lexical: float = 0.5
    competency: float = 0.7
    rrf_k: float = 60.0


@dataclass
class SearchHit:
    module_id: int
    title: str
    score: float
    dense: float
    lexical: float
    competency_overlap: int


def _ranks(scores: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """1-based rank of each eligible item by descending score; 0 where not eligible."""
    ranks = np.zeros(len(scores), dtype=np.int64)
    candidates = np.nonzero(eligible)[0]
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks


def competency_overlap(snapshot: IndexSnapshot, competency_ids: list[str]) -> np.ndarray:
    wanted = set(competency_ids)
    if not wanted:
        return np.zeros(len(snapshot.modules), dtype=np.int64)
    return np.array(
        [sum(1 for c in m.competencies if c["id"] in wanted) for m in snapshot.modules], dtype=np.int64
    )


def hybrid_search(
    snapshot: IndexSnapshot,
    query_vector: np.ndarray,
    query_text: str,
    query_competencies: list[str],
    top_k: int = 10,
    filters: SearchFilters | None = None,
    weights: FusionWeights = FusionWeights(),
    signals: tuple[str, ...] = ("dense", "lexical", "competency"),
) -> list[SearchHit]:
    n = len(snapshot.modules)
    if n == 0:
        return []
    eligible = filters.mask(snapshot.modules) if filters else np.ones(n, dtype=bool)
    dense = snapshot.vectors @ query_vector
    lexical = (
        snapshot.lexical().scores(analyse([query_text])[0]) if "lexical" in signals else np.zeros(n, np.float32)
    )
    overlap = competency_overlap(snapshot, query_competencies) if "competency" in signals else np.zeros(n, int)

    fused = np.zeros(n, dtype=np.float64)
    if "dense" in signals:
        fused += _rrf(_ranks(dense, eligible), weights.dense, weights.rrf_k)
    if "lexical" in signals:
        fused += _rrf(_ranks(lexical, eligible & (lexical > 0)), weights.lexical, weights.rrf_k)
    if "competency" in signals:
        fused += _rrf(_ranks(overlap.astype(np.float64), eligible & (overlap > 0)), weights.competency,
                      weights.rrf_k)
    candidates = np.nonzero(eligible & (fused > 0))[0]
    order = candidates[np.argsort(-fused[candidates], kind="stable")][:top_k]
    return [
        SearchHit(snapshot.modules[i].id, snapshot.modules[i].title, float(fused[i]), float(dense[i]),
                  float(lexical[i]), int(overlap[i]))
        for i in order
    ]


def _rrf(ranks: np.ndarray, weight: float, k: float) -> np.ndarray:
    out = np.zeros(len(ranks), dtype=np.float64)
    hit = ranks > 0
    out[hit] = weight / (k + ranks[hit])
    return out

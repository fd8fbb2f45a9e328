"""Hybrid module search: dense similarity + BM25 over lemmas + competency overlap.

Three signals score the (filtered) catalogue:

* dense: cosine between the e5 query and module passage vectors;
* lexical: BM25 over German lemmas;
* competency: how much of the query's competency distribution (a softmax
  over the closest framework competencies, plus explicit mentions) the
  module teaches.

Fusion is a linear blend of the signals after z-normalisation over the
eligible modules (``fusion="linear"``, the default), with weights that are
settings (``KC_SEARCH_WEIGHT_*``); the defaults were chosen on one half of
the labelled evaluation set and checked on the other (bench/matching_quality.py).
Weighted reciprocal rank fusion (``fusion="rrf"``) is available too; it
ignores score magnitudes and measured worse on our data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from embeddings.index import IndexSnapshot, SearchFilters
from embeddings.lexical import analyse


@dataclass(frozen=True)
class FusionWeights:
    dense: float = 1.0
    lexical: float = 0.2
    competency: float = 0.25
    rrf_k: float = 60.0
    fusion: str = "linear"  # linear | rrf


@dataclass
class SearchHit:
    module_id: int
    title: str
    score: float
    dense: float
    lexical: float
    competency_overlap: float


Scores = npt.NDArray[np.floating[Any]]  # one value per snapshot module
Mask = npt.NDArray[np.bool_]


def _ranks(scores: Scores, eligible: Mask) -> npt.NDArray[np.int64]:
    """1-based rank of each eligible item by descending score; 0 where not eligible."""
    ranks = np.zeros(len(scores), dtype=np.int64)
    candidates = np.nonzero(eligible)[0]
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks


def competency_overlap(snapshot: IndexSnapshot,
                       competency_weights: dict[str, float] | list[str]) -> npt.NDArray[np.float64]:
    """Sum of the query's competency weights that each module teaches (a list counts 1 per id)."""
    if not isinstance(competency_weights, dict):
        competency_weights = {cid: 1.0 for cid in competency_weights}
    columns = snapshot.columns()
    weights = np.zeros(len(columns["competency_index"]), dtype=np.float64)
    for cid, weight in competency_weights.items():
        if cid in columns["competency_index"]:
            weights[columns["competency_index"][cid]] += weight
    return np.asarray(columns["competencies"] @ weights, dtype=np.float64)


def _z(scores: Scores, eligible: Mask) -> npt.NDArray[np.float64]:
    out = np.zeros(len(scores), dtype=np.float64)
    values = scores[eligible].astype(np.float64)
    if values.size == 0:
        return out
    spread = values.std()
    out[eligible] = (values - values.mean()) / spread if spread > 1e-12 else 0.0
    return out


def hybrid_search(
    snapshot: IndexSnapshot,
    query_vector: npt.NDArray[np.float32],
    query_text: str,
    query_competencies: dict[str, float] | list[str],
    top_k: int = 10,
    filters: SearchFilters | None = None,
    weights: FusionWeights = FusionWeights(),
    signals: tuple[str, ...] = ("dense", "lexical", "competency"),
) -> list[SearchHit]:
    n = len(snapshot.modules)
    if n == 0:
        return []
    eligible = filters.mask(snapshot.modules, snapshot.columns()) if filters else np.ones(n, dtype=bool)
    dense = snapshot.vectors @ query_vector
    lexical = (
        snapshot.lexical().scores(analyse([query_text])[0]) if "lexical" in signals else np.zeros(n, np.float32)
    )
    overlap = competency_overlap(snapshot, query_competencies) if "competency" in signals else np.zeros(n)

    parts = {"dense": (dense, weights.dense), "lexical": (lexical, weights.lexical),
             "competency": (overlap, weights.competency)}
    active = {name: parts[name] for name in signals}
    if weights.fusion == "rrf":
        fused, candidates = _rrf_fusion(active, eligible, weights.rrf_k)
    else:
        fused, candidates = _linear_fusion(active, eligible)
    order = candidates[np.argsort(-fused[candidates], kind="stable")][:top_k]
    return [
        SearchHit(snapshot.modules[i].id, snapshot.modules[i].title, float(fused[i]), float(dense[i]),
                  float(lexical[i]), float(overlap[i]))
        for i in order
    ]


def _linear_fusion(active: dict[str, tuple[Scores, float]],
                   eligible: Mask) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """Weighted sum of the z-normalised signals; every eligible module is a candidate."""
    fused = np.zeros(len(eligible), dtype=np.float64)
    for scores, weight in active.values():
        fused += weight * _z(scores, eligible)
    return fused, np.nonzero(eligible)[0]


def _rrf_fusion(active: dict[str, tuple[Scores, float]], eligible: Mask,
                k: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """Dense ranks everything; lexical and competency rank only the modules where they score at all."""
    fused = np.zeros(len(eligible), dtype=np.float64)
    for name, (scores, weight) in active.items():
        pool = eligible if name == "dense" else eligible & (scores > 0)
        fused += _rrf(_ranks(scores.astype(np.float64), pool), weight, k)
    return fused, np.nonzero(eligible & (fused > 0))[0]


def _rrf(ranks: npt.NDArray[np.int64], weight: float, k: float) -> npt.NDArray[np.float64]:
    out = np.zeros(len(ranks), dtype=np.float64)
    hit = ranks > 0
    out[hit] = weight / (k + ranks[hit])
    return out

"""Hybrid module search: dense similarity + BM25 over lemmas + competency overlap.

Three signals score the (filtered) catalogue:

* dense: cosine between the e5 query and module passage vectors, after
  taking part of the *query centre* out of the query (``centring``): the
  mean framework competency as an e5 query, i.e. what every query in this
  domain has in common. Without it, short generic modules ("KI in der
  Verwaltung") sit close to every municipal query and crowd the top (the
  hubness of dense retrieval); with it, what a query says specifically
  decides. Ranking by ``q·d − c·(μ·d)`` costs one precomputed number per
  module (``μ·d``), nothing per query;
* lexical: BM25 over German lemmas;
* competency: how much of the query's competency distribution (a softmax
  over the closest framework competencies, plus explicit mentions) the
  module teaches, each tag weighted by its confidence (an inferred tag the
  platform is unsure of counts less than one a provider or the board set).

Fusion is a linear blend of the signals after z-normalisation over the
eligible modules (``fusion="linear"``, the default), with weights that are
settings (``KC_SEARCH_*``); bench/matching_quality.py measures them on the
sample catalogue and on the real KI-Campus courses and prints what else was
tried. Weighted reciprocal rank fusion (``fusion="rrf"``) is available too;
it ignores score magnitudes and measured worse on our data.

At scale (``embeddings.index.SCAN_QUANTISED_FROM`` modules and more) the dense scan reads an
int8 copy of the vectors (``embeddings.dense_scan``), and the best fused candidates are scored again
with the exact float32 cosine before the final order, so a hit's score and
order are those of the exact computation. Only the top ``top_k`` are sorted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from campus.store.settings import Settings
from embeddings.index import IndexSnapshot, SearchFilters
from embeddings.lexical import analyse

RESCORED = 64  # at scale, this many fused candidates (at least) are scored again with exact cosines


@dataclass(frozen=True)
class FusionWeights:
    dense: float = 1.0
    lexical: float = 0.2
    competency: float = 0.25
    rrf_k: float = 60.0
    fusion: str = "linear"  # linear | rrf
    centring: float = 0.5  # share of the query centre taken out of the query for the dense signal

    @classmethod
    def from_settings(cls, settings: Settings) -> FusionWeights:
        return cls(settings.search_weight_dense, settings.search_weight_lexical, settings.search_weight_competency,
                   settings.search_rrf_k, settings.search_fusion, settings.search_query_centring)


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
    """Sum of the query's competency weights that each module teaches, times the tag's confidence
    (a list counts 1 per id)."""
    if not isinstance(competency_weights, dict):
        competency_weights = {cid: 1.0 for cid in competency_weights}
    columns = snapshot.columns()
    weights = np.zeros(len(columns.competency_index), dtype=np.float64)
    for cid, weight in competency_weights.items():
        if cid in columns.competency_index:
            weights[columns.competency_index[cid]] += weight
    if not weights.any():
        return np.zeros(len(snapshot.modules), dtype=np.float64)
    return np.asarray(columns.competencies() @ weights, dtype=np.float64)


def _z(scores: Scores, eligible: Mask) -> tuple[npt.NDArray[np.float64], float]:
    """The z-scores over the eligible modules (0 elsewhere) and the spread they were divided by (0: none)."""
    everyone = bool(eligible.all())  # the common case: no filter, so no copy of 100,000 selected values
    values = scores if everyone else scores[eligible]
    spread = float(values.std(dtype=np.float64)) if values.size else 0.0
    if spread <= 1e-12:
        return np.zeros(len(scores), dtype=np.float64), 0.0
    out = (scores.astype(np.float64) - float(values.mean(dtype=np.float64))) / spread
    if not everyone:
        out[~eligible] = 0.0
    return out, spread


def _best(scores: npt.NDArray[np.float64], candidates: npt.NDArray[np.intp], k: int) -> npt.NDArray[np.intp]:
    """The k best candidates by descending score, ties in candidate order: what a stable sort of all gives,
    without sorting all of them."""
    if len(candidates) > k > 0:
        import torch  # imported where used, as in embeddings.dense_scan

        values = scores[candidates]
        # torch's top-k is four times faster than numpy's argpartition at 100,000 candidates
        threshold = float(torch.topk(torch.from_numpy(values), k, sorted=False).values.min())
        candidates = candidates[values >= threshold]
    return candidates[np.argsort(-scores[candidates], kind="stable")][:k]


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
    dense = snapshot.dense(query_vector)
    centre = snapshot.centre_scores() if weights.centring and snapshot.query_centre is not None else None
    ranked_dense = dense - weights.centring * centre if centre is not None else dense
    lexical = (
        snapshot.lexical().scores(analyse([query_text])[0]) if "lexical" in signals else np.zeros(n, np.float32)
    )
    overlap = competency_overlap(snapshot, query_competencies) if "competency" in signals else np.zeros(n)

    parts = {"dense": (ranked_dense, weights.dense), "lexical": (lexical, weights.lexical),
             "competency": (overlap, weights.competency)}
    active = {name: parts[name] for name in signals}
    spreads: dict[str, float] = {}
    if weights.fusion == "rrf":
        fused, candidates = _rrf_fusion(active, eligible, weights.rrf_k)
    else:
        fused, candidates = _linear_fusion(active, eligible, spreads)
    exact_scan = snapshot.exact_scan
    order = _best(fused, candidates, top_k if exact_scan else max(RESCORED, 4 * top_k))
    exact = np.asarray(snapshot.vectors[order] @ query_vector, dtype=np.float64)
    if not exact_scan:
        if spread := spreads.get("dense", 0.0):
            fused = fused.copy()
            fused[order] += weights.dense * (exact - dense[order]) / spread  # the exact cosine in its z-score
        cosine = dict(zip(order.tolist(), exact.tolist(), strict=True))
        order = _best(fused, order, top_k)
        exact = np.array([cosine[i] for i in order.tolist()], dtype=np.float64)
    return [
        SearchHit(snapshot.modules[i].id, snapshot.modules[i].title, float(fused[i]), float(cos), float(lexical[i]),
                  float(overlap[i]))
        for i, cos in zip(order, exact, strict=True)
    ]


def _linear_fusion(active: dict[str, tuple[Scores, float]], eligible: Mask,
                   spreads: dict[str, float]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """Weighted sum of the z-normalised signals; every eligible module is a candidate.

    ``spreads`` receives each signal's spread, so the exact rescoring can correct a z-score without another pass.
    """
    fused = np.zeros(len(eligible), dtype=np.float64)
    for name, (scores, weight) in active.items():
        z, spreads[name] = _z(scores, eligible)
        fused += weight * z
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

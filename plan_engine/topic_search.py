"""Search the approved catalogue for a topic a learner names in the chat, with match percentages.

The ranking is the catalogue's hybrid search (dense + BM25 + competency
signal). The percentage a learner sees follows the plan engine's scale so
the two are comparable: ``60 % topic coverage + 40 % semantic fit``, where
topic coverage is 1 when the module teaches a competency the learner named
(recognised by the NLU or the framework matcher) and otherwise the module's
share of the soft competency weights, and semantic fit is the plan engine's
``plan_engine.scoring.semantic_fit`` (e5 cosine from [0.76, 0.89] onto 0..1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from campus.store.ids import stored_id
from embeddings.encoder import Encoder
from embeddings.index import ModuleIndex, SearchFilters
from embeddings.search import FusionWeights, hybrid_search
from embeddings.text_matcher import TextMatcher, soft_weights
from plan_engine.scoring import semantic_fit

WEIGHT_TOPIC = 0.6  # the plan's gap-coverage weight: a named topic plays the part of the gap
WEIGHT_SEMANTIC = 0.4


@dataclass(frozen=True)
class TopicHit:
    module_id: int
    title: str
    match_percent: int
    format: str
    duration_hours: float
    category: str


def topic_search(
    session: Session,
    text: str,
    named_competencies: list[str],
    encoder: Encoder,
    index: ModuleIndex,
    matcher: TextMatcher,
    weights: FusionWeights,
    top_k: int = 3,
    today: date | None = None,
) -> list[TopicHit]:
    """The best current modules for ``text``; ``named_competencies`` are ids the NLU found in it."""
    vector = encoder.query(text)
    wanted = soft_weights(matcher, text, vector)
    for cid in named_competencies:
        wanted[cid] = wanted.get(cid, 0.0) + 1.0
    snapshot = index.snapshot(session)
    filters = SearchFilters(date_from=today or date.today())
    hits = hybrid_search(snapshot, vector, text, wanted, top_k, filters, weights)
    by_id = {m.id: m for m in snapshot.modules}
    total = sum(wanted.values()) or 1.0
    named = set(named_competencies)
    out: list[TopicHit] = []
    for hit in hits:
        module = by_id[hit.module_id]
        taught = {c["id"] for c in module.competencies}
        topic = 1.0 if taught & named else min(1.0, sum(w for cid, w in wanted.items() if cid in taught) / total)
        semantic = float(semantic_fit(hit.dense))
        percent = int(round(100 * (WEIGHT_TOPIC * topic + WEIGHT_SEMANTIC * semantic)))
        out.append(TopicHit(stored_id(module.id), module.title, percent, module.format, module.duration_hours,
                            module.category))
    out.sort(key=lambda h: -h.match_percent)
    return out

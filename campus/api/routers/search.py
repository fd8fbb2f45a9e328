"""Hybrid search over the approved catalogue, with filters."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from campus.store.db import get_engine
from campus.store.errors import problem
from campus.store.settings import get_settings
from campus.store.texts import text
from embeddings.encoder import get_encoder
from embeddings.framework_matchers import competency_matcher
from embeddings.index import SearchFilters, get_module_index
from embeddings.search import FusionWeights, hybrid_search
from embeddings.text_matcher import soft_weights

router = APIRouter(tags=["catalogue"])


def weights_from_settings() -> FusionWeights:
    s = get_settings()
    return FusionWeights(s.search_weight_dense, s.search_weight_lexical, s.search_weight_competency, s.search_rrf_k,
                         s.search_fusion)


def _search(q: str, filters: SearchFilters, k: int) -> list[dict[str, Any]]:
    encoder = get_encoder()
    query_vector = encoder.query(q)
    wanted = soft_weights(competency_matcher(), q, query_vector)
    with Session(get_engine()) as session:
        snapshot = get_module_index().snapshot(session)
    hits = hybrid_search(snapshot, query_vector, q, wanted, k, filters, weights_from_settings())
    by_id = {m.id: m for m in snapshot.modules}
    return [
        {
            "module_id": h.module_id, "title": h.title, "score": round(h.score, 5),
            "similarity": round(h.dense, 4), "bm25": round(h.lexical, 3),
            "competency_overlap": round(h.competency_overlap, 3),
            "format": by_id[h.module_id].format, "category": by_id[h.module_id].category,
            "price_member_eur": by_id[h.module_id].price_member_eur, "provider_id": by_id[h.module_id].provider_id,
        }
        for h in hits
    ]


@router.get("/modules/search")
async def search_modules(
    q: Annotated[str, Query(min_length=2, max_length=500, description=text("api.parameters.search_query"))],
    format: Annotated[list[Literal["online", "presence", "blended"]] | None, Query()] = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
    date_from: date | None = None,
    date_to: date | None = None,
    max_price_eur: Annotated[float | None, Query(ge=0)] = None,
    member: bool = True,
    language: Annotated[str | None, Query(pattern="^[a-z]{2}$")] = None,
    category: Annotated[list[Literal["Basismodul", "Intensivmodul", "Bonusmodul"]] | None, Query()] = None,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[dict[str, Any]]:
    if date_from and date_to and date_to < date_from:
        raise problem("date_range_reversed", "date_to")
    filters = SearchFilters(tuple(format or ()), region, date_from, date_to, max_price_eur, member, language,
                            tuple(category or ()))
    return await run_in_threadpool(_search, q, filters, k)

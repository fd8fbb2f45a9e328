"""Hybrid search with filters, and the persisted index's rebuild rules."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col

from campus.store.db import get_engine
from embeddings.index import ModuleIndex, SearchFilters
from embeddings.search import FusionWeights, hybrid_search


@pytest.fixture(scope="module")
def client(prepared_store) -> TestClient:
    from campus.api.main import app

    return TestClient(app)


def competency_ids(client, module_id: int) -> set[str]:
    return {c["id"] for c in client.get(f"/api/modules/{module_id}").json()["competencies"]}


def test_need_phrasing_finds_the_right_topic(client) -> None:
    hits = client.get("/api/modules/search", params={"q": "Wie kriegen wir die Papierberge aus dem Keller ins System?"})
    assert hits.status_code == 200
    top = hits.json()[:3]
    assert any(competency_ids(client, h["module_id"]) & {"e_akte", "scan_archiving", "records_management", "dms_admin"}
               for h in top)


def test_filters_are_applied(client) -> None:
    online = client.get("/api/modules/search", params={"q": "Datenschutz", "format": "online", "k": 30}).json()
    assert online and all(h["format"] == "online" for h in online)
    cheap = client.get("/api/modules/search", params={"q": "Projektmanagement", "max_price_eur": 100, "k": 30}).json()
    assert cheap and all(h["price_member_eur"] <= 100 for h in cheap)
    basis = client.get("/api/modules/search", params={"q": "KI", "category": "Basismodul", "k": 30}).json()
    assert basis and all(h["category"] == "Basismodul" for h in basis)
    english = client.get("/api/modules/search", params={"q": "data", "language": "en", "k": 30}).json()
    assert english
    for hit in english:
        assert client.get(f"/api/modules/{hit['module_id']}").json()["language"] == "en"


def test_bad_search_parameters(client) -> None:
    assert client.get("/api/modules/search", params={"q": ""}).status_code == 422
    assert client.get("/api/modules/search", params={"q": "x" * 501}).status_code == 422
    assert client.get("/api/modules/search", params={"q": "KI", "format": "zeppelin"}).status_code == 422
    assert client.get("/api/modules/search", params={"q": "KI", "max_price_eur": -1}).status_code == 422
    wrong_order = client.get("/api/modules/search",
                             params={"q": "KI", "date_from": "2027-05-01", "date_to": "2027-01-01"})
    assert wrong_order.status_code == 422


def test_date_window_filter(prepared_store, encoder) -> None:
    index = ModuleIndex(encoder.dim)
    with Session(get_engine()) as session:
        snap = index.snapshot(session)
    window = SearchFilters(date_from=date(2027, 3, 1), date_to=date(2027, 3, 31))
    kept = window.mask(snap.modules)
    assert kept.any() and not kept.all()  # the window keeps some modules and drops others
    for module, keep in zip(snap.modules, kept, strict=True):
        overlaps = not module.dates or any(
            d["start"] <= "2027-03-31" and d["end"] >= "2027-03-01" for d in module.dates)
        assert keep == overlaps


def test_index_is_persisted_and_rebuilt_on_checksum_mismatch(prepared_store, encoder, tmp_path) -> None:
    index = ModuleIndex(encoder.dim, tmp_path)
    with Session(get_engine()) as session:
        snap = index.snapshot(session)
    saved = np.load(tmp_path / "vectors.npy")
    assert saved.shape == snap.vectors.shape and np.allclose(saved, snap.vectors)
    # a corrupted cache with a stale checksum is ignored and rewritten from the store
    np.save(tmp_path / "vectors.npy", np.zeros_like(saved))
    (tmp_path / "index.json").write_text(json.dumps({"checksum": "stale", "count": len(saved)}))
    fresh = ModuleIndex(encoder.dim, tmp_path)
    with Session(get_engine()) as session:
        again = fresh.snapshot(session)
    assert np.allclose(again.vectors, snap.vectors)
    assert np.allclose(np.load(tmp_path / "vectors.npy"), snap.vectors)


def test_incremental_upsert_and_remove(prepared_store, encoder) -> None:
    index = ModuleIndex(encoder.dim)
    with Session(get_engine()) as session:
        snap = index.snapshot(session)
    first = snap.modules[0]
    index.remove(first.id)
    assert first.id not in index._snapshot.ids
    index.upsert(first, snap.vectors[0])
    assert first.id in index._snapshot.ids
    query = snap.vectors[0]
    hits = hybrid_search(index._snapshot, query, first.title, [], top_k=1, signals=("dense",))
    assert hits[0].module_id == first.id


# per signal a query whose best hit owes the signal a measurable part of its score
SIGNAL_QUERIES = {
    "dense": ("Datenpannen melden", ["data_protection"]),
    "lexical": ("Security Awareness", ["dc_safety"]),  # the words of one title, no competency of it named
    "competency": ("Prompts für Dienstanweisungen", ["generative_ai"]),
}


def signal_of(hit, signal: str) -> float:
    return {"dense": hit.dense, "lexical": hit.lexical, "competency": hit.competency_overlap}[signal]


@pytest.mark.parametrize("signal", sorted(SIGNAL_QUERIES))
def test_fusion_uses_every_signal(prepared_store, encoder, signal) -> None:
    """Switching one signal's weight to 0 lowers the best hit's score by a clear margin and reorders the top."""
    index = ModuleIndex(encoder.dim)
    with Session(get_engine()) as session:
        snap = index.snapshot(session)
    query, competencies = SIGNAL_QUERIES[signal]
    vector = encoder.query(query)
    everything = len(snap.modules)
    full = hybrid_search(snap, vector, query, competencies, everything)
    without = hybrid_search(snap, vector, query, competencies, everything,
                            weights=replace(FusionWeights(), **{signal: 0.0}))
    best = full[0]
    assert signal_of(best, signal) > 0
    score_without = {h.module_id: h.score for h in without}[best.module_id]
    assert best.score - score_without > 0.5, (best.title, best.score, score_without)
    assert [h.module_id for h in full[:5]] != [h.module_id for h in without[:5]]


def test_changes_of_another_process_are_applied_without_a_reload(prepared_store, encoder, monkeypatch) -> None:
    """A withdrawn and a changed module reach this process's snapshot one by one: the lexical index is edited,
    not rebuilt, and searches rank as on a freshly loaded snapshot."""
    from sqlmodel import select

    from campus.catalogue.models import Module
    from campus.store.clock import utcnow

    index = ModuleIndex(encoder.dim)
    with Session(get_engine()) as session:
        before = index.snapshot(session)
    store = before.lexical()._store
    withdrawn_id, changed_id = before.modules[3].id, before.modules[7].id
    with Session(get_engine()) as session:  # "another process": straight to the store
        withdrawn, changed = session.get(Module, withdrawn_id), session.get(Module, changed_id)
        old_title = changed.title
        withdrawn.status, withdrawn.updated_at = "withdrawn", utcnow()
        changed.title, changed.updated_at = "Zeppelinwartung für Stadtwerke", utcnow()
        session.add_all([withdrawn, changed])
        session.commit()
    try:
        monkeypatch.setattr(ModuleIndex, "_load", lambda *a: pytest.fail("reloaded everything"))
        with Session(get_engine()) as session:
            after = index.snapshot(session)
        monkeypatch.undo()
        assert withdrawn_id not in after.ids and len(after.modules) == len(before.modules) - 1
        assert after.lexical()._store is store
        with Session(get_engine()) as session:
            fresh = ModuleIndex(encoder.dim).snapshot(session)
        query = "Zeppelinwartung"
        vector = encoder.query(query)
        top = [h.module_id for h in hybrid_search(after, vector, query, ["e_akte"], 5)]
        assert top == [h.module_id for h in hybrid_search(fresh, vector, query, ["e_akte"], 5)]
        lexical = hybrid_search(after, vector, query, [], 1, signals=("lexical",))
        assert lexical[0].module_id == changed_id and lexical[0].lexical > 0  # only its new title has the word
    finally:
        with Session(get_engine()) as session:
            for module in session.exec(select(Module).where(col(Module.id).in_([withdrawn_id, changed_id]))):
                module.status = "approved"
                module.title = old_title if module.id == changed_id else module.title
                module.updated_at = utcnow()
                session.add(module)
            session.commit()

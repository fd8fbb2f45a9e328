"""A batch's records to tag are encoded sorted by length, a chunk at a time: each keeps its own tags and vector."""

from __future__ import annotations

import numpy as np
import pytest
from sqlmodel import Session, select

from campus.catalogue.models import ModuleEmbedding
from embeddings import ingest
from embeddings.ingest import Ingestor
from embeddings.module_vectors import passage_of
from tests.unit.catalogue.feed_kit import PROVIDER, modules, own_store, tools

TOPICS = ["Datenschutz", "KI", "Phishing", "DSGVO", "maschinelles Lernen"]
EXPECTED = ["data_protection", "ai_basics", "it_security_basics", "data_protection", "ai_basics"]


def record(number: int, topic: str) -> dict:
    filler = " Dazu viele Beispiele aus dem Alltag der Verwaltung." * (7 - 2 * number if number < 3 else number)
    return {
        "external_id": f"chunk-{number}", "title": f"Kurs {number}: {topic}",
        "description": f"Ein Kurs über {topic}.{filler}", "learning_outcomes": [],
        "category": "Basismodul", "competencies": [], "learning_units": 1, "duration_hours": 8,
        "format": "online", "language": "de", "region": "bundesweit",
        "price_member_eur": 0, "price_non_member_eur": 0,
    }


def test_records_of_different_lengths_keep_their_own_tags_and_vectors(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(ingest, "TAG_CHUNK", 2)  # five records to tag: three chunks, in length order
    engine = own_store(tmp_path)
    kit = tools(engine)
    with Session(engine, expire_on_commit=False) as session:
        results = Ingestor(session, PROVIDER, kit.encoder, tagger=kit.tagger).ingest_batch(
            [(n + 1, record(n, topic)) for n, topic in enumerate(TOPICS)])
    assert [r.outcome for r in results] == ["created"] * 5
    assert [r.line for r in results] == [1, 2, 3, 4, 5]  # the report keeps the upload's order
    stored = modules(engine)
    with Session(engine) as session:
        for number, expected in enumerate(EXPECTED):
            module = stored[f"chunk-{number}"]
            assert [t["id"] for t in module.competencies] == [expected]
            row = session.exec(select(ModuleEmbedding).where(ModuleEmbedding.module_id == module.id)).one()
            own = kit.encoder.passages([passage_of(module)])[0]
            assert np.allclose(np.frombuffer(row.vector, dtype=np.float32), own)


@pytest.mark.parametrize("chunk", [1, 64])
def test_chunk_size_changes_nothing_stored(tmp_path, monkeypatch, chunk: int) -> None:
    monkeypatch.setattr(ingest, "TAG_CHUNK", chunk)
    engine = own_store(tmp_path)
    kit = tools(engine)
    with Session(engine, expire_on_commit=False) as session:
        Ingestor(session, PROVIDER, kit.encoder, tagger=kit.tagger).ingest_batch(
            [(n + 1, record(n, topic)) for n, topic in enumerate(TOPICS)])
    assert {m.external_id: [t["id"] for t in m.competencies] for m in modules(engine).values()} == \
        {f"chunk-{n}": [expected] for n, expected in enumerate(EXPECTED)}

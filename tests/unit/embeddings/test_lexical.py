"""The incremental lexical index: every change scores exactly as an index rebuilt from scratch.

Texts are the real KI-Campus course descriptions (shared/ext/kicampus-amb);
the snapshot tests use Module rows with random unit vectors, so no model is
needed.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import bm25s
import numpy as np
import pytest

from campus.catalogue.models import Module
from embeddings.index import IndexSnapshot, SearchFilters
from embeddings.lexical import LexicalIndex, analyse
from embeddings.module_vectors import passage_of
from embeddings.search import FusionWeights, hybrid_search

AMB = Path("/work/shared/ext/kicampus-amb/kicampus_oersi_amb_metadata.jsonl")
QUERIES = ["Ethik der künstlichen Intelligenz", "Daten im Unterricht", "Machine Learning mit Python",
           "KI in der Medizin und Diagnose", "Chatbot selbst bauen", "Roboter lernen"]


@pytest.fixture(scope="module")
def records() -> list[dict[str, str]]:
    return [json.loads(line) for line in AMB.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def documents(records) -> list[list[str]]:
    return analyse([f"{r['name']}\n{r['description']}" for r in records])


def all_scores(index: LexicalIndex) -> list[np.ndarray]:
    return [index.scores(tokens) for tokens in analyse(QUERIES)]


def assert_same_scores(index: LexicalIndex, documents: list[list[str]]) -> None:
    rebuilt = LexicalIndex(documents)
    assert index.size == rebuilt.size == len(documents)
    for got, want in zip(all_scores(index), all_scores(rebuilt), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_analysis_lemmatises_and_drops_stop_words() -> None:
    tokens = analyse(["Die Anträge und der Antrag, 2024 in den Schulen der IT-Sicherheit"])[0]
    assert tokens == ["antrag", "antrag", "schule", "it", "sicherheit"]


def test_scores_equal_bm25s(documents) -> None:
    """The formula is bm25s' (Lucene) one: same scores for the same corpus, repeated query words included."""
    reference = bm25s.BM25()
    reference.index(documents, show_progress=False)
    index = LexicalIndex(documents)
    for tokens in [*analyse(QUERIES), ["ethik", "ethik", "daten"]]:
        np.testing.assert_allclose(index.scores(tokens), np.asarray(reference.get_scores(tokens)), rtol=1e-5,
                                   atol=1e-6)
    assert index.scores(analyse(["Ethik"])[0]).max() > 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_changes_score_like_a_rebuild(documents, seed) -> None:
    rng = random.Random(seed)
    current = list(documents[:20])
    index = LexicalIndex(current)
    for _ in range(120):
        action = rng.choice(["append", "replace", "delete"])
        if action == "append" or len(current) < 3:
            doc = rng.choice(documents)
            index.append(doc)
            current.append(doc)
        elif action == "replace":
            position, doc = rng.randrange(len(current)), rng.choice(documents)
            index.replace(position, doc)
            current[position] = doc
        else:
            position = rng.randrange(len(current))
            index.delete(position)
            del current[position]
        assert index.size == len(current)
    assert_same_scores(index, current)


def test_withdrawing_the_only_match_leaves_no_score(documents) -> None:
    index = LexicalIndex(documents)
    robot = analyse(["Robot"])[0]
    holders = [i for i, doc in enumerate(documents) if robot[0] in doc]
    assert holders
    for position in reversed(holders):
        index.delete(position)
    assert not index.scores(robot).any()
    assert_same_scores(index, [d for i, d in enumerate(documents) if i not in holders])


def test_compaction_keeps_the_scores(documents) -> None:
    index = LexicalIndex(documents)
    for position in range(len(documents)):
        index.replace(position, documents[(position + 5) % len(documents)])
    index.compact()
    assert index._store.length.size == len(documents)  # the dead slots are gone
    assert_same_scores(index, [documents[(p + 5) % len(documents)] for p in range(len(documents))])


def test_a_fork_keeps_its_own_positions(documents) -> None:
    index = LexicalIndex(documents[:10])
    before = index.fork()
    index.append(documents[10])
    index.delete(0)
    assert before.size == 10 and index.size == 10
    assert before.scores(analyse(["Ethik"])[0]).shape == (10,)


# -- the snapshot applies changes to the lexical index and the filter columns ------------------------------
def module(i: int, record: dict[str, str], **changes: object) -> Module:
    fields = {
        "id": i, "provider_id": "p", "external_id": f"m{i}", "title": record["name"],
        "description": record["description"], "category": "Basismodul", "learning_units": 1, "duration_hours": 8,
        "format": "online", "language": "de", "status": "approved", "content_hash": str(i),
        "competencies": [{"id": f"c{i % 4}", "level_from": 0, "level_to": 2, "confidence": 0.5 + (i % 3) / 4}],
    }
    return Module(**{**fields, **changes})


def unit(rng: np.random.Generator) -> np.ndarray:
    vector = rng.normal(size=16).astype(np.float32)
    return vector / np.linalg.norm(vector)


def ranking(snapshot: IndexSnapshot, rng_seed: int = 0) -> list[list[tuple[int, float]]]:
    rng = np.random.default_rng(rng_seed)
    filters = SearchFilters(formats=("online",), max_price_eur=50)
    out = []
    for text in QUERIES:
        hits = hybrid_search(snapshot, unit(rng), text, {"c1": 1.0, "c2": 0.5}, 10, filters, FusionWeights())
        out.append([(h.module_id, round(h.score, 5)) for h in hits])
    return out


@pytest.mark.parametrize("scan", ["float32", "int8", "bfloat16"])
def test_snapshot_changes_rank_like_a_fresh_snapshot(records, scan, monkeypatch) -> None:
    """Also with the quantised scan (normally from 20,000 modules on), whose overlay follows the changes; and
    with its bfloat16 form, which a PyTorch without quantised int8 runs."""
    if scan != "float32":
        monkeypatch.setattr("embeddings.index.SCAN_QUANTISED_FROM", 5)
    if scan == "bfloat16":
        monkeypatch.setattr("embeddings.dense_scan.int8_available", lambda: False)
    rng = np.random.default_rng(7)
    modules = [module(i + 1, r) for i, r in enumerate(records[:30])]
    vectors = np.stack([unit(rng) for _ in modules])
    snap = IndexSnapshot(modules, vectors, ("s",), "s", query_centre=unit(rng))
    ranking(snap)  # builds the lexical index, columns and centre scores, so the changes below edit them
    added = module(99, records[40], format="online", price_member_eur=10.0)
    snap = snap.changed(None, added, unit(rng), ("s", 1))
    updated = module(5, records[41], format="presence", locations=["Kassel"])
    snap = snap.changed(snap.position(5), updated, unit(rng), ("s", 2))
    snap = snap.changed(snap.position(9), None, None, ("s", 3))  # withdrawn
    assert snap.position(9) is None and snap.position(99) == len(snap.modules) - 1
    fresh = IndexSnapshot(list(snap.modules), snap.vectors.copy(), ("fresh",), "fresh", snap.query_centre)
    changed, rebuilt = ranking(snap), ranking(fresh)
    if scan == "float32":
        assert changed == rebuilt
    else:  # changed vectors are scored exactly, a fresh scan rounds them: the z-scores differ in the 5th place
        assert [[mid for mid, _ in hits] for hits in changed] == [[mid for mid, _ in hits] for hits in rebuilt]
        assert np.allclose([s for hits in changed for _, s in hits], [s for hits in rebuilt for _, s in hits],
                           atol=1e-3)
    assert (snap._scan.kind if snap._scan is not None else "float32") == scan
    monkeypatch.setattr("embeddings.index.SCAN_QUANTISED_FROM", 10 ** 9)
    exact = IndexSnapshot(list(snap.modules), snap.vectors.copy(), ("exact",), "exact", snap.query_centre)
    assert [[mid for mid, _ in hits] for hits in ranking(snap)] == [[mid for mid, _ in hits] for hits in ranking(exact)]
    assert snap.lexical()._store.length.size > len(snap.modules)  # edited in place, not rebuilt
    assert [m.id for m in snap.modules if m.id == 5] == [5]
    kassel = SearchFilters(region="Kassel")
    assert kassel.mask(snap.modules, snap.columns()).tolist() == kassel.mask(fresh.modules).tolist()
    passages = [passage_of(m) for m in snap.modules]
    assert_same_scores(snap.lexical(), analyse(passages))

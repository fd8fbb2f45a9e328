"""Lexical side of the hybrid search: BM25 over German lemmas.

Tokens are lowercase lemmas from the German spaCy pipeline (``spacy.blank("de")``
plus the lookup lemmatizer from spacy-lookups-data), without stop words,
punctuation and numbers, so "Akten", "Akte" and "die Akte" meet. Scoring is
bm25s (sparse-matrix BM25) rebuilt whenever the catalogue snapshot changes.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING

import bm25s
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from spacy.language import Language

MIN_TOKEN_LENGTH = 2


@lru_cache
def german_pipeline() -> Language:
    """Loaded on first use: spaCy's import alone takes seconds, and only the lexical search needs it."""
    import spacy

    nlp = spacy.blank("de")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


_lock = threading.Lock()


def analyse(texts: list[str], batch_size: int = 256) -> list[list[str]]:
    nlp = german_pipeline()
    out: list[list[str]] = []
    with _lock:  # spaCy pipelines are not safe to share across threads
        for doc in nlp.pipe(texts, batch_size=batch_size):
            out.append([
                (t.lemma_ or t.text).lower() for t in doc
                if t.is_alpha and not t.is_stop and len(t.text) >= MIN_TOKEN_LENGTH
            ])
    return out


class LexicalIndex:
    def __init__(self, documents: list[list[str]]) -> None:
        self.size = len(documents)
        self._bm25 = bm25s.BM25()
        if documents:
            # bm25s needs at least one token per document
            self._bm25.index([d or ["∅"] for d in documents], show_progress=False)

    def scores(self, query_tokens: list[str]) -> npt.NDArray[np.float32]:
        if not self.size or not query_tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32)

"""Lexical side of the hybrid search: BM25 over German lemmas, kept up to date in place.

Tokens are lowercase lemmas: runs of letters (so "E-Akte" and "IT-Sicherheit"
yield "akte", "it", "sicherheit"), looked up in spaCy's German lemma table
(spacy-lookups-data) and filtered by spaCy's German stop words, so "Anträge",
"Antrag" and "den Anträgen" meet. The lemma of each distinct word is cached, which
makes analysis some hundred times faster than running a spaCy pipeline: at
100,000 modules that is the difference between seconds and many minutes.

:class:`LexicalIndex` is an inverted index that scores with BM25 (Lucene's
formula as bm25s has it: k1 = 1.5, b = 0.75, a repeated query word counts again) from counters it maintains
(live documents, their total length, document frequencies), so adding,
changing or removing one module touches only that module's postings and
scores exactly as an index rebuilt from scratch would.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

MIN_TOKEN_LENGTH = 2
K1 = 1.5
B = 0.75
_WORD = re.compile(r"[^\W\d_]+")
Floats = npt.NDArray[np.float32]


@lru_cache
def _vocabulary() -> tuple[Any, frozenset[str]]:
    """spaCy's German lemma table and stop words, loaded on first use (spaCy's import takes seconds)."""
    from spacy.lang.de.stop_words import STOP_WORDS
    from spacy.lookups import load_lookups

    table = load_lookups("de", ["lemma_lookup"]).get_table("lemma_lookup")
    return table, frozenset(STOP_WORDS)


_lemmas: dict[str, str] = {}
_lemmas_lock = threading.Lock()
MAX_CACHED_WORDS = 500_000  # a bound for hostile input; real German catalogues stay far below it


def _lemma(word: str) -> str:
    """The indexed form of one word ("" for stop words and short words)."""
    cached = _lemmas.get(word)
    if cached is not None:
        return cached
    table, stop_words = _vocabulary()
    lowered = word.lower()
    lemma = "" if len(word) < MIN_TOKEN_LENGTH or lowered in stop_words else str(table.get(word, word)).lower()
    with _lemmas_lock:
        if len(_lemmas) >= MAX_CACHED_WORDS:
            _lemmas.clear()
        _lemmas[word] = lemma
    return lemma


def analyse(texts: Sequence[str]) -> list[list[str]]:
    """The token list of each text."""
    return [[lemma for lemma in map(_lemma, _WORD.findall(text)) if lemma] for text in texts]


class _Buffer:
    """A growable 1-d array (amortised O(1) appends): postings and per-document terms live in these."""

    def __init__(self, dtype: type[np.generic], capacity: int = 4) -> None:
        self.data: npt.NDArray[Any] = np.zeros(capacity, dtype=dtype)
        self.size = 0

    def extend(self, values: npt.NDArray[Any]) -> None:
        end = self.size + len(values)
        if end > len(self.data):
            grown = np.zeros(max(end, 2 * len(self.data)), dtype=self.data.dtype)
            grown[:self.size] = self.data[:self.size]
            self.data = grown
        self.data[self.size:end] = values
        self.size = end

    def view(self) -> npt.NDArray[Any]:
        return self.data[:self.size]


class _Store:
    """Terms, postings and counters shared by an index and the forks taken from it."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.terms: dict[str, int] = {}
        self.slots: list[_Buffer] = []  # per term: the slots that contain it
        self.tf: list[_Buffer] = []  # per term: how often, aligned with slots
        self.df = _Buffer(np.int64)  # per term: live documents that contain it
        self.doc_terms = _Buffer(np.int32)  # every slot's distinct term ids, one after the other
        self.doc_tf = _Buffer(np.float32)
        self.doc_start = _Buffer(np.int64)  # per slot: where its terms start in doc_terms
        self.length = _Buffer(np.float32)  # per slot: its token count
        self.live = 0
        self.total_length = 0.0

    def term_ids(self, terms: list[str]) -> npt.NDArray[np.int32]:
        ids = np.empty(len(terms), dtype=np.int32)
        for i, term in enumerate(terms):
            term_id = self.terms.get(term)
            if term_id is None:
                term_id = self.terms[term] = len(self.slots)
                self.slots.append(_Buffer(np.int32))
                self.tf.append(_Buffer(np.float32))
                self.df.extend(np.zeros(1, dtype=np.int64))
            ids[i] = term_id
        return ids

    def add(self, documents: Sequence[list[str]]) -> list[int]:
        """New slots for the documents; postings are appended term by term, once for the whole batch."""
        first = self.length.size
        per_doc = [Counter(tokens) for tokens in documents]
        ids = [self.term_ids(list(counts)) for counts in per_doc]
        tfs = [np.fromiter(counts.values(), dtype=np.float32, count=len(counts)) for counts in per_doc]
        all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32)
        all_tf = np.concatenate(tfs) if tfs else np.zeros(0, dtype=np.float32)
        owners = np.repeat(np.arange(first, first + len(documents), dtype=np.int32), [len(i) for i in ids])
        self.doc_start.extend(np.cumsum([0, *[len(i) for i in ids[:-1]]], dtype=np.int64) + self.doc_terms.size)
        self.doc_terms.extend(all_ids)
        self.doc_tf.extend(all_tf)
        self.length.extend(np.array([len(tokens) for tokens in documents], dtype=np.float32))
        by_term = np.argsort(all_ids, kind="stable")
        sorted_ids = all_ids[by_term]
        bounds = np.flatnonzero(np.diff(sorted_ids)) + 1
        for chunk in np.split(by_term, bounds) if len(by_term) else []:
            term_id = int(all_ids[chunk[0]])
            self.slots[term_id].extend(owners[chunk])
            self.tf[term_id].extend(all_tf[chunk])
        np.add.at(self.df.data, all_ids, 1)
        self.live += len(documents)
        self.total_length += float(sum(len(tokens) for tokens in documents))
        return list(range(first, first + len(documents)))

    def terms_of(self, slot: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        start = int(self.doc_start.data[slot])
        end = int(self.doc_start.data[slot + 1]) if slot + 1 < self.doc_start.size else self.doc_terms.size
        return self.doc_terms.data[start:end], self.doc_tf.data[start:end]

    def kill(self, slot: int) -> None:
        ids, _ = self.terms_of(slot)
        self.df.data[ids] -= 1
        self.live -= 1
        self.total_length -= float(self.length.data[slot])


class LexicalIndex:
    """BM25 over documents in positions 0..n-1 (the snapshot's module order), updated in place.

    Every document version gets a slot that never moves; the index's position
    order maps positions to slots. Removing a document only corrects the
    counters; its postings stay (they are never gathered) until
    :meth:`compact` drops them once dead slots outnumber live ones.
    :meth:`fork` gives the next snapshot its own position order over the
    same postings, so a search still running on the previous snapshot keeps
    a consistent list of positions.
    """

    def __init__(self, documents: Sequence[list[str]] = ()) -> None:
        self._store = _Store()
        self._order: npt.NDArray[np.int64] = np.asarray(self._store.add(documents), dtype=np.int64)

    @property
    def size(self) -> int:
        return len(self._order)

    def fork(self) -> LexicalIndex:
        other = LexicalIndex.__new__(LexicalIndex)
        other._store, other._order = self._store, self._order
        return other

    # -- incremental changes -----------------------------------------------------
    def append(self, tokens: list[str]) -> None:
        """A new document at the end of the position order."""
        with self._store.lock:
            self._order = np.append(self._order, self._store.add([tokens]))

    def replace(self, position: int, tokens: list[str]) -> None:
        """A changed document keeps its position."""
        with self._store.lock:
            self._store.kill(int(self._order[position]))
            order = self._order.copy()
            order[position] = self._store.add([tokens])[0]
            self._order = order
            self._maybe_compact()

    def delete(self, position: int) -> None:
        """The document leaves; later positions move up by one (as in the snapshot's module list)."""
        with self._store.lock:
            self._store.kill(int(self._order[position]))
            self._order = np.delete(self._order, position)
            self._maybe_compact()

    def _maybe_compact(self) -> None:
        slots = self._store.length.size
        if slots > 64 and slots > 2 * self._store.live:
            self.compact()

    def compact(self) -> None:
        """A fresh store with only this index's documents (no text is analysed again)."""
        with self._store.lock:
            names = {term_id: term for term, term_id in self._store.terms.items()}
            documents = []
            for slot in self._order.tolist():
                ids, tf = self._store.terms_of(slot)
                documents.append([names[int(t)] for t, c in zip(ids, tf, strict=True) for _ in range(int(c))])
        fresh = LexicalIndex(documents)
        self._store, self._order = fresh._store, fresh._order

    # -- scoring -----------------------------------------------------------------
    def scores(self, query_tokens: list[str]) -> Floats:
        """BM25 of every document (in position order) for the query."""
        store = self._store
        with store.lock:
            order = self._order
            if not store.live or not query_tokens or not len(order):
                return np.zeros(len(order), dtype=np.float32)
            out = np.zeros(store.length.size, dtype=np.float32)
            average = store.total_length / store.live or 1.0
            length = store.length.data
            for term, repeats in Counter(query_tokens).items():
                term_id = store.terms.get(term)
                if term_id is None or store.df.data[term_id] <= 0:
                    continue
                slots, tf = store.slots[term_id].view(), store.tf[term_id].view()
                df = float(store.df.data[term_id])
                weight = np.float32(repeats * np.log1p((store.live - df + 0.5) / (df + 0.5)))
                norm = np.float32(K1 * (1 - B)) + np.float32(K1 * B / average) * length[slots]
                out[slots] += weight * tf / (tf + norm)
            return out[order]

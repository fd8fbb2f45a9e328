"""In-process vector index over the approved catalogue, rebuilt from the store.

The store is the source of truth (vectors live in ``moduleembedding``); this
index is a cache that reloads itself whenever the catalogue's signature
(module count, last change, vector count) differs from the one it was built
from, so a process never serves a stale catalogue after another process
changed it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, select

from campus.catalogue import approved_modules
from campus.models import Module, ModuleEmbedding
from embeddings.module_vectors import load_module_vectors


@dataclass(frozen=True)
class IndexSnapshot:
    modules: list[Module]
    vectors: np.ndarray  # (n, dim), L2-normalised rows
    signature: tuple


def catalogue_signature(session: Session) -> tuple:
    count, last = session.exec(select(func.count(Module.id), func.max(Module.updated_at))).one()
    vectors = session.exec(select(func.count(ModuleEmbedding.module_id))).one()
    return (count, str(last), vectors)


class ModuleIndex:
    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._snapshot: IndexSnapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self, session: Session) -> IndexSnapshot:
        signature = catalogue_signature(session)
        with self._lock:
            if self._snapshot is None or self._snapshot.signature != signature:
                modules = approved_modules(session)
                vectors = load_module_vectors(session, [m.id for m in modules], self.dim)
                for module in modules:
                    session.expunge(module)
                self._snapshot = IndexSnapshot(modules, vectors, signature)
            return self._snapshot

    def search(self, session: Session, query_vector: np.ndarray, top_k: int = 10) -> list[tuple[Module, float]]:
        snap = self.snapshot(session)
        if not snap.modules:
            return []
        scores = snap.vectors @ query_vector
        order = np.argsort(-scores)[:top_k]
        return [(snap.modules[i], float(scores[i])) for i in order]

"""Keep every module's passage vector in the store, computed once per text.

Vectors live next to the module in the database (keyed by a hash of the text
they were computed from), so the in-memory index can always be rebuilt from
the store and a changed module is re-embedded exactly once.
"""

from __future__ import annotations

import hashlib

import numpy as np
from sqlmodel import Session, select

from campus.catalogue.models import Module, ModuleEmbedding
from campus.catalogue.template import module_passage_text
from campus.store.ids import stored_id
from embeddings.encoder import Encoder


def passage_of(module: Module) -> str:
    return module_passage_text(module.title, module.description, module.learning_outcomes)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def sync_module_vectors(session: Session, encoder: Encoder) -> int:
    """Embed modules whose vector is missing or stale; returns how many were embedded."""
    existing = {e.module_id: e for e in session.exec(select(ModuleEmbedding)).all()}
    todo: list[tuple[Module, str, str]] = []
    for module in session.exec(select(Module)).all():
        text = passage_of(module)
        digest = text_hash(text)
        current = existing.get(stored_id(module.id))
        if current is None or current.text_hash != digest or current.model != encoder.name:
            todo.append((module, text, digest))
    if not todo:
        return 0
    vectors = encoder.passages([t for _, t, _ in todo])
    for (module, _, digest), vector in zip(todo, vectors, strict=False):
        module_id = stored_id(module.id)
        row = existing.get(module_id) or ModuleEmbedding(
            module_id=module_id, model=encoder.name, text_hash=digest, vector=b""
        )
        row.model = encoder.name
        row.text_hash = digest
        row.vector = np.asarray(vector, dtype=np.float32).tobytes()
        session.add(row)
    return len(todo)

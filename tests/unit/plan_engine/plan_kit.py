"""Shared helpers for the plan engine tests: a fake encoder, an isolated store, synthetic modules.

No e5 model is needed: the fake encoder hashes words into a small vector, so
texts sharing words are similar, and every run gives the same vectors.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from campus.catalogue.models import Module, ModuleEmbedding
from campus.learners.models import Learner, LearnerProfile
from campus.learners.profiles import update_profile
from campus.store.db import make_engine
from embeddings.index import ModuleIndex

DIM = 32


class FakeEncoder:
    """Bag of hashed words, L2-normalised: deterministic and good enough to rank shared vocabulary higher."""

    name = "fake-hash-encoder"
    dim = DIM

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.sha256(word.encode()).digest()
                out[row, digest[0] % DIM] += 1.0 if digest[1] % 2 else -1.0
            out[row, -1] += 0.5  # no zero vectors
            out[row] /= np.linalg.norm(out[row])
        return out

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)


def store(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    SQLModel.metadata.create_all(engine)
    return engine


def seeded_store(tmp_path: Path, encoder: FakeEncoder) -> tuple[Engine, ModuleIndex]:
    """The real seed data (framework, roles, sample catalogue) with fake vectors."""
    from campus.catalogue.seed import load_seed
    from campus.store.settings import get_settings
    from embeddings.module_vectors import sync_module_vectors

    engine = store(tmp_path)
    with Session(engine) as session:
        load_seed(session, get_settings().seed_dir)
        session.commit()
        sync_module_vectors(session, encoder)
        session.commit()
    return engine, ModuleIndex(DIM)


def add_learner(session: Session, learner_id: str, role_id: str, levels: dict[str, int], **fields: Any) -> str:
    session.add(Learner(id=learner_id))
    session.add(LearnerProfile(learner_id=learner_id))
    session.flush()
    update_profile(session, learner_id, {"role_id": role_id, "consent": True, **fields}, levels=levels)
    return learner_id


def add_module(session: Session, encoder: FakeEncoder, external_id: str, competencies: list[tuple[str, int, int]],
               status: str = "approved", **fields: Any) -> Module:
    values = {
        "provider_id": "hs_verwaltung_nord", "external_id": external_id, "title": f"Neues Modul {external_id}",
        "description": "Ein neues Modul für die Verwaltung.", "category": "Basismodul",
        "competencies": [{"id": c, "level_from": a, "level_to": b} for c, a, b in competencies],
        "learning_units": 2, "duration_hours": 16, "format": "online", "region": "bundesweit", "dates": [],
        "status": status,
    }
    values.update(fields)
    module = Module(**values)
    session.add(module)
    session.flush()
    text = f"{module.title}\n{module.description}"
    session.add(ModuleEmbedding(module_id=module.id, model=encoder.name, text_hash="x",
                                vector=encoder.passages([text])[0].tobytes()))
    session.flush()
    return module


def synthetic_module(mid: int, competencies: list[tuple[str, int, int]], **fields: Any) -> SimpleNamespace:
    """A module-like object for the pure engine (no database)."""
    values = {
        "id": mid, "provider_id": "p", "external_id": f"m{mid}", "title": f"Modul {mid}", "category": "Basismodul",
        "competencies": [{"id": c, "level_from": a, "level_to": b} for c, a, b in competencies],
        "prerequisites": [], "learning_units": 2, "duration_hours": 16.0, "format": "online",
        "region": "bundesweit", "locations": [], "dates": [], "status": "approved",
        "price_member_eur": 0.0, "price_non_member_eur": 0.0,
    }
    values.update(fields)
    return SimpleNamespace(**values)

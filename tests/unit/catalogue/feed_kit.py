"""A store of its own for feed-run tests, a small deterministic encoder, and MOOChub courses to serve.

The runs under test are the real ones (``embeddings.feed_pull``, the
Ingestor, ``upsert_module``); the sentence encoder is a stand-in
(hash-seeded unit vectors), so that thousands of courses run in seconds, and
so is the tagger (a label found in the text is a tag): what it tags is the
tagger's own tests' business, these check that untagged courses reach it and
its tags reach the store and the report. The store is a fresh SQLite file
per test with two providers and a small framework, so counts are exact.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from campus.catalogue.models import Competency, FeedRun, Module, ModuleEmbedding, ModuleVersion, Provider
from campus.catalogue.template import CompetencyTarget, ModuleIn
from campus.store.db import make_engine
from campus.tables import create_schema
from embeddings.feed_pull import PullTools
from embeddings.tagging import NO_FITTING_COMPETENCY, TaggingResult
from tests.unit.catalogue.moochub_support import course

PROVIDER = "feed_anbieter"
OTHER = "andere_akademie"
FRAMEWORK = [
    ("data_protection", "Datenschutz", ["DSGVO", "personenbezogene Daten"]),
    ("ai_basics", "Künstliche Intelligenz", ["KI", "maschinelles Lernen"]),
    ("it_security_basics", "IT-Sicherheit", ["Phishing", "Passwörter"]),
]


class FakeEncoder:
    """Unit vectors seeded by the text's hash: deterministic, unrelated texts far apart."""

    name = "fake-encoder"
    dim = 32

    def __init__(self) -> None:
        self.calls: list[int] = []  # batch sizes of passage calls

    def _vectors(self, texts: list[str]) -> npt.NDArray[np.float32]:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            rows.append(vector / np.linalg.norm(vector))
        return np.stack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)

    def passages(self, texts: list[str]) -> npt.NDArray[np.float32]:
        self.calls.append(len(texts))
        return self._vectors(texts)

    def queries(self, texts: list[str]) -> npt.NDArray[np.float32]:
        return self._vectors(texts)


class LabelTagger:
    """Tags a competency whose label or synonym the module's text names (source "inferred")."""

    def __init__(self, framework: list[Competency]) -> None:
        self.terms = [(c.id, [t.lower() for t in (c.label, *c.synonyms)]) for c in framework]

    def tag(self, module: ModuleIn, passage_vector: Any = None, tokens: Any = None) -> TaggingResult:
        text = " ".join([module.title, module.description, *module.keywords]).lower()
        tags = [CompetencyTarget(id=comp_id, level_from=0, level_to=1, source="inferred", confidence=0.8)
                for comp_id, terms in self.terms if any(term in text for term in terms)]
        return TaggingResult(tags, [] if tags else [NO_FITTING_COMPETENCY])


def own_store(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'feeds.db'}")
    create_schema(engine)
    with Session(engine) as session:
        for provider_id in (PROVIDER, OTHER):
            session.add(Provider(id=provider_id, name=provider_id, kind="academy"))
        for comp_id, label, synonyms in FRAMEWORK:
            session.add(Competency(id=comp_id, area="Test", label=label, description=f"{label} im Verwaltungsalltag",
                                   synonyms=synonyms, levels={str(n): f"Stufe {n}" for n in range(5)}))
        session.commit()
    return engine


def tools(engine: Engine, **changes: Any) -> PullTools:
    encoder: Any = FakeEncoder()  # the Encoder's interface, without a model
    with Session(engine) as session:
        framework = list(session.exec(select(Competency)).all())
    lookup = {"Datenschutz": "data_protection", "4.2": "data_protection"}.get
    tagger: Any = LabelTagger(framework)
    base = PullTools(encoder=encoder, lookup=lookup, tagger=tagger)
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def feed_course(number: int, **attributes: Any) -> dict[str, Any]:
    """A MOOChub course with its own id and title; ``attributes`` replace the minimal course's."""
    attributes.setdefault("name", f"Datenschutz im Bürgerbüro, Teil {number}")
    resource = course(**attributes)
    resource["id"] = f"kurs-{number}"
    return resource


def page(courses: list[dict[str, Any]], next_url: str | None = None) -> bytes:
    links: dict[str, Any] = {"self": "x", "first": "x", "last": "x"}
    if next_url is not None:
        links["next"] = next_url
    return json.dumps({"links": links, "data": courses}).encode()


def modules(engine: Engine, provider_id: str = PROVIDER) -> dict[str, Module]:
    with Session(engine) as session:
        rows = session.exec(select(Module).where(Module.provider_id == provider_id)).all()
        return {m.external_id: m for m in rows}


def row_counts(engine: Engine) -> tuple[int, ...]:
    with Session(engine) as session:
        return tuple(int(session.exec(select(func.count()).select_from(table)).one())
                     for table in (Module, ModuleVersion, ModuleEmbedding, FeedRun))

"""The vector index over the approved catalogue: in memory, persisted under var/, rebuilt from the store.

The store is the source of truth: a module and its vector are committed in
the same transaction (see ``embeddings.ingest``), so a crash can never leave
a module without a vector. This index is a cache of the approved, current
modules' vectors and metadata:

* every request compares a cheap catalogue signature (count, last change,
  vector count) and reloads when another process changed the catalogue;
* the loaded snapshot is written to ``var/index/`` together with a checksum
  over (module id, content hash, vector hash); on start the file is used
  only if the checksum matches the store, otherwise it is rebuilt;
* the ingesting process applies its own changes incrementally (upsert /
  remove) without a reload.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt
from sqlalchemy import func
from sqlmodel import Session, col, select

from campus.catalogue.framework import RECOMMENDABLE
from campus.catalogue.models import Module, ModuleEmbedding
from campus.store.ids import stored_id
from embeddings.lexical import LexicalIndex, analyse
from embeddings.module_vectors import passage_of

Signature = tuple[int, str, int]  # modules, their last change, vectors: changes whenever the catalogue does


class FilterColumns(TypedDict):
    """Per-module values the search filters compare, one array entry per snapshot module."""

    format: npt.NDArray[np.str_]
    language: npt.NDArray[np.str_]
    category: npt.NDArray[np.str_]
    price_member: npt.NDArray[np.float64]
    price_non_member: npt.NDArray[np.float64]


class SnapshotColumns(FilterColumns):
    """The filter columns plus the (module × competency) incidence matrix for competency scoring."""

    competency_index: dict[str, int]
    competencies: Any  # scipy.sparse.csr_matrix; scipy ships no type information


@dataclass
class IndexSnapshot:
    modules: list[Module]
    vectors: npt.NDArray[np.float32]  # (n, dim), L2-normalised rows
    signature: tuple[object, ...]  # what ModuleIndex compares: catalogue_signature() at load time
    checksum: str
    _lexical: LexicalIndex | None = field(default=None, repr=False)
    _columns: SnapshotColumns | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def ids(self) -> list[int]:
        return [stored_id(m.id) for m in self.modules]

    def columns(self) -> SnapshotColumns:
        """Column arrays for vectorised filtering and competency scoring, built on first use."""
        with self._lock:
            if self._columns is None:
                from scipy.sparse import csr_matrix  # type: ignore[import-untyped]  # scipy ships no stubs

                competency_ids = sorted({c["id"] for m in self.modules for c in m.competencies})
                position = {cid: i for i, cid in enumerate(competency_ids)}
                rows: list[int] = []
                cols: list[int] = []
                for i, m in enumerate(self.modules):
                    for c in m.competencies:
                        rows.append(i)
                        cols.append(position[c["id"]])
                self._columns = {
                    "format": np.array([m.format for m in self.modules]),
                    "language": np.array([m.language for m in self.modules]),
                    "category": np.array([m.category for m in self.modules]),
                    "price_member": np.array([m.price_member_eur for m in self.modules], dtype=np.float64),
                    "price_non_member": np.array([m.price_non_member_eur for m in self.modules], dtype=np.float64),
                    "competency_index": position,
                    "competencies": csr_matrix((np.ones(len(rows)), (rows, cols)),
                                               shape=(len(self.modules), len(competency_ids))),
                }
            return self._columns

    def lexical(self) -> LexicalIndex:
        """BM25 over the snapshot, built on first use (the dense path never pays for it)."""
        with self._lock:
            if self._lexical is None:
                self._lexical = LexicalIndex(analyse([passage_of(m) for m in self.modules]))
            return self._lexical


def catalogue_signature(session: Session) -> Signature:
    count, last = session.exec(select(func.count(col(Module.id)), func.max(col(Module.updated_at)))).one()
    vectors = session.exec(select(func.count(col(ModuleEmbedding.module_id)))).one()
    return (count, str(last), vectors)


def _approved_rows(session: Session) -> list[tuple[Module, ModuleEmbedding]]:
    return list(session.exec(
        select(Module, ModuleEmbedding)
        .join(ModuleEmbedding, col(ModuleEmbedding.module_id) == col(Module.id))
        .where(Module.status == RECOMMENDABLE)
        .order_by(col(Module.id))
    ).all())


def checksum_of(pairs: list[tuple[int, str, str]]) -> str:
    digest = hashlib.sha256()
    for module_id, content, vector in pairs:
        digest.update(f"{module_id}:{content}:{vector};".encode())
    return digest.hexdigest()


class ModuleIndex:
    def __init__(self, dim: int, persist_dir: Path | None = None) -> None:
        self.dim = dim
        self.persist_dir = persist_dir
        self._snapshot: IndexSnapshot | None = None
        self._lock = threading.Lock()

    # -- loading -----------------------------------------------------------------
    def snapshot(self, session: Session) -> IndexSnapshot:
        signature = catalogue_signature(session)
        with self._lock:
            if self._snapshot is None or self._snapshot.signature != signature:
                self._snapshot = self._load(session, signature)
            return self._snapshot

    def _load(self, session: Session, signature: Signature) -> IndexSnapshot:
        rows = _approved_rows(session)
        modules = [m for m, _ in rows]
        for module in modules:
            session.expunge(module)
        checksum = checksum_of([(stored_id(m.id), m.content_hash, e.text_hash) for m, e in rows])
        vectors = self._read_persisted(checksum, len(rows))
        if vectors is None:
            vectors = np.zeros((len(rows), self.dim), dtype=np.float32)
            for i, (_, emb) in enumerate(rows):
                vectors[i] = np.frombuffer(emb.vector, dtype=np.float32)
            self._persist(vectors, [stored_id(m.id) for m in modules], checksum)
        return IndexSnapshot(modules, vectors, signature, checksum)

    def _read_persisted(self, checksum: str, count: int) -> npt.NDArray[np.float32] | None:
        if self.persist_dir is None:
            return None
        meta, data = self.persist_dir / "index.json", self.persist_dir / "vectors.npy"
        try:
            info = json.loads(meta.read_text())
            if info.get("checksum") != checksum or info.get("count") != count:
                return None
            vectors: npt.NDArray[np.float32] = np.load(data, allow_pickle=False)  # written by _persist
            return vectors if vectors.shape == (count, self.dim) else None
        except (OSError, ValueError):
            return None

    def _persist(self, vectors: npt.NDArray[np.float32], ids: list[int], checksum: str) -> None:
        if self.persist_dir is None:
            return
        self.persist_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.persist_dir / "vectors.tmp.npy"
        np.save(tmp, vectors, allow_pickle=False)
        tmp.replace(self.persist_dir / "vectors.npy")
        (self.persist_dir / "index.json").write_text(json.dumps({"checksum": checksum, "count": len(ids)}))

    # -- incremental changes by the writing process ------------------------------
    def upsert(self, module: Module, vector: npt.NDArray[np.float32], signature: Signature | None = None) -> None:
        """Apply one module change without a reload; non-approved modules leave the index."""
        with self._lock:
            snap = self._snapshot
            if snap is None:
                return
            ids = snap.ids
            modules, vectors = list(snap.modules), snap.vectors
            if module.id in ids:
                position = ids.index(module.id)
                if module.status == RECOMMENDABLE:
                    modules[position] = module
                    vectors = vectors.copy()
                    vectors[position] = vector
                else:
                    del modules[position]
                    vectors = np.delete(vectors, position, axis=0)
            elif module.status == RECOMMENDABLE:
                modules.append(module)
                vectors = np.vstack([vectors, vector[None, :]])
            self._snapshot = IndexSnapshot(modules, vectors, signature or snap.signature, snap.checksum)

    def remove(self, module_id: int, signature: Signature | None = None) -> None:
        """Drop one module without a reload. Nothing in the platform calls it yet: modules are never deleted,
        and a withdrawn one leaves the index through :meth:`upsert` with its new status."""
        with self._lock:
            snap = self._snapshot
            if snap is None or module_id not in snap.ids:
                return
            position = snap.ids.index(module_id)
            modules = snap.modules[:position] + snap.modules[position + 1:]
            self._snapshot = IndexSnapshot(modules, np.delete(snap.vectors, position, axis=0),
                                           signature or snap.signature, snap.checksum)


@dataclass(frozen=True)
class SearchFilters:
    formats: tuple[str, ...] = ()
    region: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    max_price_eur: float | None = None
    member: bool = True
    language: str | None = None
    categories: tuple[str, ...] = ()

    def mask(self, modules: list[Module], columns: FilterColumns | None = None) -> npt.NDArray[np.bool_]:
        """Which modules pass; vectorised over the snapshot's columns when given."""
        if columns is None:
            columns = {
                "format": np.array([m.format for m in modules]), "language": np.array([m.language for m in modules]),
                "category": np.array([m.category for m in modules]),
                "price_member": np.array([m.price_member_eur for m in modules], dtype=np.float64),
                "price_non_member": np.array([m.price_non_member_eur for m in modules], dtype=np.float64),
            }
        keep = np.ones(len(modules), dtype=bool)
        if self.formats:
            keep &= np.isin(columns["format"], self.formats)
        if self.language:
            keep &= columns["language"] == self.language
        if self.categories:
            keep &= np.isin(columns["category"], self.categories)
        if self.max_price_eur is not None:
            prices = columns["price_member"] if self.member else columns["price_non_member"]
            keep &= prices <= self.max_price_eur
        if self.region or self.date_from or self.date_to:
            for i in np.nonzero(keep)[0]:
                m = modules[i]
                if self.region and not _region_matches(m, self.region):
                    keep[i] = False
                elif (self.date_from or self.date_to) and not _dates_overlap(m, self.date_from, self.date_to):
                    keep[i] = False
        return keep


def _region_matches(module: Module, region: str) -> bool:
    """Online modules are available everywhere; others must be in the region or one of its towns."""
    if module.format == "online" or (module.region or "").lower() == "bundesweit":
        return True
    wanted = region.lower()
    return wanted == (module.region or "").lower() or any(wanted == loc.lower() for loc in module.locations)


def _dates_overlap(module: Module, start: date | None, end: date | None) -> bool:
    if not module.dates:
        return True  # self-paced: always available
    for window in module.dates:
        w_start, w_end = date.fromisoformat(window["start"]), date.fromisoformat(window["end"])
        if (start is None or w_end >= start) and (end is None or w_start <= end):
            return True
    return False


_shared: ModuleIndex | None = None
_shared_lock = threading.Lock()


def get_module_index() -> ModuleIndex:
    """The process-wide index, persisted under ``var/index``."""
    global _shared
    from campus.store.settings import get_settings
    from embeddings.encoder import get_encoder

    with _shared_lock:
        if _shared is None:
            _shared = ModuleIndex(get_encoder().dim, get_settings().var_dir / "index")
        return _shared

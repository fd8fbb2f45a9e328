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
  remove) without a reload, and so does a process that sees another one's
  changes: it reads only the modules changed since its snapshot
  (``updated_at``) and applies them one by one; a full reload happens only
  on start or when rows were deleted from the store. A change edits the
  derived structures (lexical index, filter columns) instead of rebuilding
  them, so one new module costs milliseconds at 100,000 modules.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy import func
from sqlmodel import Session, col, select

from campus.catalogue.framework import RECOMMENDABLE
from campus.catalogue.models import Module, ModuleEmbedding
from campus.store.ids import stored_id
from embeddings.dense_scan import DenseScan
from embeddings.lexical import LexicalIndex, analyse
from embeddings.module_vectors import passage_of
from embeddings.snapshot_columns import Columns, SearchFilters

__all__ = ["IndexSnapshot", "ModuleIndex", "SearchFilters", "catalogue_signature", "get_module_index"]

Signature = tuple[int, str, int]  # modules, their last change, vectors: changes whenever the catalogue does
Vector = npt.NDArray[np.float32]
# from this many modules on, the dense scan runs over an int8 copy of the vectors (embeddings.dense_scan); the
# best candidates are then scored exactly in float32
SCAN_QUANTISED_FROM = 20_000


class _Rows:
    """A float32 matrix with spare rows, so appending a module does not copy every vector."""

    def __init__(self, vectors: Vector, without: int | None = None) -> None:
        count = len(vectors) - (without is not None)
        self.data = np.zeros((max(8, count + count // 4), vectors.shape[1]), dtype=np.float32)
        if without is None:
            self.data[:count] = vectors
        else:  # one copy that leaves a row out (np.delete and then a copy here would be two)
            self.data[:without] = vectors[:without]
            self.data[without:count] = vectors[without + 1:]
        self.used = count


@dataclass
class IndexSnapshot:
    """The approved catalogue as one search sees it; a change makes a new snapshot (:meth:`changed`).

    Everything derived from the modules (filter columns, the lexical index,
    the int8 scan copy, the centre scores) is built on first use and,
    once built, carried into the next snapshot by editing it for the change.
    """

    modules: list[Module]
    vectors: Vector  # (n, dim), L2-normalised rows
    signature: tuple[object, ...]  # what ModuleIndex compares: catalogue_signature() at load time
    checksum: str
    # the direction every query of the domain shares (mean framework query vector); see embeddings.search
    query_centre: Vector | None = None
    _lexical: LexicalIndex | None = field(default=None, repr=False)
    _columns: Columns | None = field(default=None, repr=False)
    _positions: dict[int, int] | None = field(default=None, repr=False)
    _rows: _Rows | None = field(default=None, repr=False)
    _scan: DenseScan | None = field(default=None, repr=False)
    _centre_scores: npt.NDArray[np.float32] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def ids(self) -> list[int]:
        return [stored_id(m.id) for m in self.modules]

    def position(self, module_id: int | None) -> int | None:
        with self._lock:
            if self._positions is None:
                self._positions = {stored_id(m.id): i for i, m in enumerate(self.modules)}
            return self._positions.get(module_id) if module_id is not None else None

    def columns(self) -> Columns:
        """Column arrays for vectorised filtering and competency scoring, built on first use."""
        with self._lock:
            if self._columns is None:
                self._columns = Columns.of(self.modules)
            return self._columns

    def lexical(self) -> LexicalIndex:
        """BM25 over the snapshot, built on first use (the dense path never pays for it)."""
        with self._lock:
            if self._lexical is None:
                self._lexical = LexicalIndex(analyse([passage_of(m) for m in self.modules]))
            return self._lexical

    def centre_scores(self) -> npt.NDArray[np.float32]:
        """Each module's similarity to the query centre (zeros without one)."""
        with self._lock:
            if self._centre_scores is None:
                self._centre_scores = (self.vectors @ self.query_centre if self.query_centre is not None
                                       else np.zeros(len(self.modules), dtype=np.float32)).astype(np.float32)
            return self._centre_scores

    @property
    def exact_scan(self) -> bool:
        """Whether :meth:`dense` gives exact float32 cosines (below SCAN_QUANTISED_FROM modules)."""
        return len(self.modules) < SCAN_QUANTISED_FROM

    def dense(self, query: Vector) -> npt.NDArray[np.float32]:
        """Cosine of the query with every module: exact below SCAN_QUANTISED_FROM, else from the int8 scan."""
        if self.exact_scan:
            return np.asarray(self.vectors @ query, dtype=np.float32)
        with self._lock:
            if self._scan is None:
                self._scan = DenseScan.build(self.vectors)
            scan = self._scan
        return scan.scores(self.vectors, query)

    # -- one change, as a new snapshot -------------------------------------------
    def changed(self, position: int | None, module: Module | None, vector: Vector | None,
                signature: tuple[object, ...]) -> IndexSnapshot:
        """This snapshot with one module appended (``position`` None), replaced, or removed (``module`` None)."""
        with self._lock:
            modules = list(self.modules)
            rows, scan, centre = self._rows, self._scan, self._centre_scores
            if module is None:
                assert position is not None
                del modules[position]
                rows = _Rows(self.vectors, without=position)
                vectors = rows.data[: len(modules)]
                centre = None if centre is None else np.delete(centre, position)
            else:
                assert vector is not None
                at = len(modules) if position is None else position
                if position is None:
                    modules.append(module)
                else:
                    modules[position] = module
                if rows is None or (position is None and (rows.used != len(self.modules) or at >= len(rows.data))):
                    rows = _Rows(self.vectors)
                rows.data[at] = vector  # a replaced row changes in place: an older snapshot sees the new vector
                rows.used = max(rows.used, at + 1)
                vectors = rows.data[: len(modules)]
                if centre is not None:
                    value = float(vector @ self.query_centre) if self.query_centre is not None else 0.0
                    centre = np.append(centre, value) if position is None else _set(centre, at, value)
            scan = None if scan is None else scan.changed(position, module is None, vectors)
            positions = None  # after a removal every later position moves: rebuilt on first use
            if self._positions is not None and module is not None:
                # shared with this snapshot, which then also finds the new id (past its end): only the newest
                # snapshot is ever asked for positions of changed modules (ModuleIndex applies changes in order)
                positions = self._positions
                positions[stored_id(module.id)] = len(modules) - 1 if position is None else position
            lexical = self._lexical.fork() if self._lexical is not None else None
            if lexical is not None:
                if module is None:
                    lexical.delete(position)  # type: ignore[arg-type]  # asserted above
                elif position is None:
                    lexical.append(analyse([passage_of(module)])[0])
                else:
                    lexical.replace(position, analyse([passage_of(module)])[0])
            columns = self._columns.changed(position, module) if self._columns is not None else None
        return IndexSnapshot(modules, vectors, signature, self.checksum, self.query_centre, lexical, columns,
                             positions, rows, scan, centre)


def _set(values: npt.NDArray[np.float32], at: int, value: float) -> npt.NDArray[np.float32]:
    out = values.copy()
    out[at] = value
    return out


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
    def __init__(self, dim: int, persist_dir: Path | None = None,
                 query_centre: Callable[[], Vector | None] | None = None) -> None:
        self.dim = dim
        self.persist_dir = persist_dir
        self._query_centre = query_centre
        self._snapshot: IndexSnapshot | None = None
        self._last_change: datetime | None = None  # the newest updated_at the snapshot has seen
        self._lock = threading.Lock()

    # -- loading -----------------------------------------------------------------
    def snapshot(self, session: Session) -> IndexSnapshot:
        signature = catalogue_signature(session)
        with self._lock:
            if self._snapshot is None or self._snapshot.signature != signature:
                refreshed = self._refresh(session, self._snapshot, signature) if self._snapshot else None
                self._snapshot = refreshed or self._load(session, signature)
            return self._snapshot

    def _refresh(self, session: Session, snap: IndexSnapshot, signature: Signature) -> IndexSnapshot | None:
        """Apply what another process changed since this snapshot, module by module; None if that cannot be
        trusted (nothing known about when the snapshot was taken, or rows were deleted from the store)."""
        if self._last_change is None:
            return None
        rows = session.exec(
            select(Module, ModuleEmbedding).join(ModuleEmbedding, col(ModuleEmbedding.module_id) == col(Module.id))
            .where(col(Module.updated_at) >= self._last_change).order_by(col(Module.id))
        ).all()
        for module, embedding in rows:
            session.expunge(module)
            snap = _apply(snap, module, np.frombuffer(embedding.vector, dtype=np.float32), signature)
            self._last_change = max(self._last_change, module.updated_at)
        approved = session.exec(select(func.count(col(Module.id))).where(Module.status == RECOMMENDABLE)).one()
        return snap if approved == len(snap.modules) else None

    def _load(self, session: Session, signature: Signature) -> IndexSnapshot:
        rows = _approved_rows(session)
        modules = [m for m, _ in rows]
        for module in modules:
            session.expunge(module)
        self._last_change = session.exec(select(func.max(col(Module.updated_at)))).one()
        checksum = checksum_of([(stored_id(m.id), m.content_hash, e.text_hash) for m, e in rows])
        vectors = self._read_persisted(checksum, len(rows))
        if vectors is None:
            vectors = np.zeros((len(rows), self.dim), dtype=np.float32)
            for i, (_, emb) in enumerate(rows):
                vectors[i] = np.frombuffer(emb.vector, dtype=np.float32)
            self._persist(vectors, [stored_id(m.id) for m in modules], checksum)
        centre = self._query_centre() if self._query_centre is not None else None
        return IndexSnapshot(modules, vectors, signature, checksum, centre)

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
            if self._snapshot is not None:
                self._snapshot = _apply(self._snapshot, module, vector, signature or self._snapshot.signature)
                if self._last_change is not None and module.updated_at is not None:
                    self._last_change = max(self._last_change, module.updated_at)

    def remove(self, module_id: int, signature: Signature | None = None) -> None:
        """Drop one module without a reload. Nothing in the platform calls it yet: modules are never deleted,
        and a withdrawn one leaves the index through :meth:`upsert` with its new status."""
        with self._lock:
            snap = self._snapshot
            position = snap.position(module_id) if snap is not None else None
            if snap is not None and position is not None:
                self._snapshot = snap.changed(position, None, None, signature or snap.signature)


def _apply(snap: IndexSnapshot, module: Module, vector: Vector, signature: tuple[object, ...]) -> IndexSnapshot:
    """One module's current state applied to a snapshot: in, replaced, or out depending on its status."""
    position = snap.position(module.id)
    if module.status == RECOMMENDABLE:
        return snap.changed(position, module, vector, signature)
    if position is not None:
        return snap.changed(position, None, None, signature)
    return snap


def framework_query_centre() -> Vector | None:
    """The mean framework competency as an e5 query: what every query of the domain has in common."""
    from embeddings.framework_matchers import competency_matcher

    return competency_matcher().query_centre()


_shared: ModuleIndex | None = None
_shared_lock = threading.Lock()


def get_module_index() -> ModuleIndex:
    """The process-wide index, persisted under ``var/index``."""
    global _shared
    from campus.store.settings import get_settings
    from embeddings.encoder import get_encoder

    with _shared_lock:
        if _shared is None:
            _shared = ModuleIndex(get_encoder().dim, get_settings().var_dir / "index", framework_query_centre)
        return _shared

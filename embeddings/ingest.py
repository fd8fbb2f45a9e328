"""The ingest pipeline: validated records → versioned modules → vectors → duplicate check.

Records are processed in batches that the caller cuts (the API's bulk
upload streams them in, one ingestor per request, so the other providers'
vectors for the duplicate check are read once). A batch is first *prepared*
(parsed, validated, tagged and encoded; it only reads) and then *stored*.
Each record is written inside its own
savepoint, so one bad record never takes others with it; a batch's modules
and their vectors are committed in the same transaction, so the store never
holds a module without its vector (a crash loses at most the open batch,
and that batch is reported as not stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError
from sqlmodel import Session, col, select

from campus.catalogue.framework import competencies
from campus.catalogue.models import DuplicateFlag, Module, ModuleEmbedding
from campus.catalogue.modules import submitted_hash, upsert_module
from campus.catalogue.template import ModuleIn
from campus.store.errors import DomainError, problem, validation_errors
from campus.store.ids import stored_id
from embeddings.encoder import Encoder
from embeddings.index import ModuleIndex, catalogue_signature
from embeddings.module_vectors import passage_of, text_hash
from embeddings.tagging import CompetencyTagger, TaggingResult, Vector
from embeddings.tagging_vectors import encode_for_tagging

DUPLICATE_THRESHOLD = 0.95
TAG_CHUNK = 64  # records to tag are encoded this many at a time, so their token embeddings never pile up


@dataclass
class RecordResult:
    line: int
    external_id: str | None
    outcome: str  # created | updated | unchanged | error
    module_id: int | None = None
    version: int | None = None
    errors: list[dict[str, str]] = field(default_factory=list)  # DomainError.as_dict() entries
    duplicates: list[int] = field(default_factory=list)


@dataclass
class PreparedBatch:
    """A batch parsed, validated, tagged and encoded (the vectors wait in the ingestor), ready to store."""

    parsed: list[tuple[int, ModuleIn | RecordResult]]
    tagged: dict[int, TaggingResult]  # by position among the batch's valid records


@dataclass
class IngestSummary:
    results: list[RecordResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"created": 0, "updated": 0, "unchanged": 0, "error": 0}
        for result in self.results:
            out[result.outcome] += 1
        return out


def parse_record(line: int, raw: object, provider_id: str) -> ModuleIn | RecordResult:
    """A record as a validated template, or the error result for its line."""
    if isinstance(raw, DomainError):
        return RecordResult(line, None, "error", errors=[raw.as_dict()])
    if not isinstance(raw, dict):
        return RecordResult(line, None, "error", errors=[problem("record_not_an_object", "record").as_dict()])
    external_id = raw.get("external_id") if isinstance(raw.get("external_id"), str) else None
    claimed = raw.setdefault("provider", provider_id)
    if claimed != provider_id:
        return RecordResult(line, external_id, "error", errors=[problem("foreign_provider", "provider").as_dict()])
    try:
        return ModuleIn.model_validate(raw)
    except ValidationError as exc:
        return RecordResult(line, external_id, "error", errors=validation_errors(exc, root="record"))


class Ingestor:
    """Stateful across batches of one request: knows the competency ids and the other providers' vectors.

    Preparing the next batch in another thread while one is stored was tried: on two cores it was slower
    (bench/index_scale.py), so :meth:`ingest_batch` runs the two steps one after the other.
    """

    def __init__(
        self, session: Session, provider_id: str, encoder: Encoder, status: str = "submitted",
        index: ModuleIndex | None = None, tagger: CompetencyTagger | None = None,
    ) -> None:
        self.session = session
        self.index = index
        self.provider_id = provider_id
        self.encoder = encoder
        self.status = status
        self.tagger = tagger
        self.known = set(competencies(session))
        self._other_ids, self._other_vectors = self._load_other_vectors()
        self._vectors: dict[str, Vector] = {}  # passage text → vector, so a tagged module is encoded once

    def _load_other_vectors(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        rows = self.session.exec(
            select(ModuleEmbedding.module_id, ModuleEmbedding.vector)
            .join(Module, col(Module.id) == col(ModuleEmbedding.module_id))
            .where(Module.provider_id != self.provider_id, col(Module.status).in_(("approved", "submitted")))
        ).all()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.encoder.dim), dtype=np.float32)
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        return ids, vectors

    def _new_or_changed(self, records: list[ModuleIn]) -> list[int]:
        """Positions of the records whose submitted content the store does not hold yet (one query)."""
        ids = [record.external_id for record in records]
        stored = dict(self.session.exec(
            select(Module.external_id, Module.content_hash)
            .where(Module.provider_id == self.provider_id, col(Module.external_id).in_(ids))
        ).all()) if ids else {}
        return [p for p, record in enumerate(records) if stored.get(record.external_id) != submitted_hash(record)]

    def _encode(self, records: list[ModuleIn]) -> dict[int, TaggingResult]:
        """Vectors for the new or changed records, and tags for those that came without competencies.

        A record to tag is encoded with its token embeddings, so the tagger reads it sentence by sentence
        without encoding again, and its passage vector is the one stored for the module.
        """
        todo = self._new_or_changed(records)
        to_tag = [p for p in todo if not records[p].competencies] if self.tagger is not None else []
        tagging = set(to_tag)
        passage = {p: records[p].passage_text() for p in todo}
        plain = [passage[p] for p in todo if p not in tagging]
        self._vectors.update(zip(plain, self.encoder.passages(plain), strict=True))
        # sorted by length first, then encoded a chunk at a time: as well packed as one call for the batch,
        # with only one chunk's token embeddings in memory
        to_tag.sort(key=lambda p: len(passage[p]))
        out = {}
        for start in range(0, len(to_tag), TAG_CHUNK):
            chunk = to_tag[start:start + TAG_CHUNK]
            texts = [passage[p] for p in chunk]
            for position, text, encoded in zip(chunk, texts, encode_for_tagging(self.encoder, texts), strict=True):
                self._vectors[text] = encoded.vector
                assert self.tagger is not None
                out[position] = self.tagger.tag(records[position], encoded.vector, encoded)
        return out

    def prepare(self, batch: list[tuple[int, object]]) -> PreparedBatch:
        """Parse, validate, tag and encode a batch; reads only, writes nothing."""
        parsed_batch = [(line, parse_record(line, raw, self.provider_id)) for line, raw in batch]
        records = [p for _, p in parsed_batch if isinstance(p, ModuleIn)]
        return PreparedBatch(parsed_batch, self._encode(records))

    def ingest_batch(self, batch: list[tuple[int, object]]) -> list[RecordResult]:
        return self.store(self.prepare(batch))

    def store(self, prepared: PreparedBatch) -> list[RecordResult]:
        """Write a prepared batch in one transaction (a savepoint per record) and apply it to the index."""
        results: list[RecordResult] = []
        changed: list[tuple[RecordResult, Module]] = []
        tagged = prepared.tagged
        position = -1
        for line, parsed in prepared.parsed:
            if isinstance(parsed, RecordResult):
                results.append(parsed)
                continue
            position += 1
            tags = tagged.get(position)
            savepoint = self.session.begin_nested()
            try:
                outcome = upsert_module(self.session, self.provider_id, parsed, self.known, self.status,
                                        inferred=tags.tags if tags else None, flags=tags.flags if tags else None)
                savepoint.commit()
            except DomainError as exc:
                savepoint.rollback()
                results.append(RecordResult(line, parsed.external_id, "error", errors=[exc.as_dict()]))
                continue
            module = outcome.module
            kind = "created" if outcome.created else ("updated" if outcome.changed else "unchanged")
            result = RecordResult(line, parsed.external_id, kind, module.id, module.version)
            results.append(result)
            if outcome.changed:
                changed.append((result, module))
        vectors = self._embed_and_check(changed)
        self.session.commit()
        if self.index is not None and changed:
            # apply to the in-memory index now; other processes reload on the signature change
            signature = catalogue_signature(self.session)
            for (_, module), vector in zip(changed, vectors, strict=True):
                self.index.upsert(module, vector, signature)
        return results

    def _embed_and_check(self, changed: list[tuple[RecordResult, Module]]) -> npt.NDArray[np.float32]:
        if not changed:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        texts = [passage_of(module) for _, module in changed]
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self.encoder.passages(missing), strict=True))
        vectors = np.stack([self._vectors[t] for t in texts])
        for text in texts:
            self._vectors.pop(text, None)
        existing = {
            e.module_id: e for e in self.session.exec(
                select(ModuleEmbedding).where(col(ModuleEmbedding.module_id).in_([m.id for _, m in changed]))
            ).all()
        }
        for (result, module), text, vector in zip(changed, texts, vectors, strict=True):
            module_id = stored_id(module.id)  # upsert_module flushed it
            row = existing.get(module_id) or ModuleEmbedding(module_id=module_id, model="", text_hash="", vector=b"")
            row.model, row.text_hash, row.vector = self.encoder.name, text_hash(text), vector.tobytes()
            self.session.add(row)
            if len(self._other_ids):
                sims = self._other_vectors @ vector
                for idx in np.nonzero(sims >= DUPLICATE_THRESHOLD)[0][:5]:
                    other = int(self._other_ids[idx])
                    result.duplicates.append(other)
                    self.session.add(DuplicateFlag(module_id=module_id, other_module_id=other,
                                                   similarity=float(sims[idx])))
        return vectors


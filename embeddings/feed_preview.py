"""A dry run's batch: what storing the courses would do, decided by the real code and then rolled back.

``import-feed --dry-run`` must say exactly what a real run would: created,
updated, unchanged or rejected (the board already rejected this text, an
unknown competency id), with the tags an untagged course would get. So each
course is tagged as the :class:`~embeddings.ingest.Ingestor` tags it and
passed through ``upsert_module`` inside a savepoint that is always rolled
back; the batch's transaction is rolled back too, so nothing is written and
no write lock outlives the batch. Vectors are not stored and near-duplicates
are not looked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from campus.catalogue.framework import competencies
from campus.catalogue.modules import upsert_module
from campus.catalogue.template import ModuleIn
from campus.store.errors import DomainError
from embeddings.encoder import Encoder
from embeddings.ingest import RecordResult, parse_record
from embeddings.tagging import CompetencyTagger, TaggingResult
from embeddings.tagging_vectors import encode_for_tagging


@dataclass
class Preview:
    result: RecordResult
    competencies: list[dict[str, Any]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def _tags(records: list[ModuleIn], encoder: Encoder, tagger: CompetencyTagger | None) -> dict[int, TaggingResult]:
    """Tags of the untagged records by position, encoded once for all of them as the Ingestor encodes them."""
    todo = [position for position, record in enumerate(records) if not record.competencies]
    if tagger is None or not todo:
        return {}
    encoded = encode_for_tagging(encoder, [records[p].passage_text() for p in todo])
    return {p: tagger.tag(records[p], tokens.vector, tokens) for p, tokens in zip(todo, encoded, strict=True)}


def preview_batch(session: Session, provider_id: str, batch: list[tuple[int, object]], encoder: Encoder,
                  tagger: CompetencyTagger | None) -> list[Preview]:
    """One :class:`Preview` per record, in order; the store is left as it was."""
    known = set(competencies(session))
    parsed = [(line, parse_record(line, raw, provider_id)) for line, raw in batch]
    records = [p for _, p in parsed if isinstance(p, ModuleIn)]
    tagged = _tags(records, encoder, tagger)
    previews: list[Preview] = []
    position = -1
    try:
        for line, record in parsed:
            if isinstance(record, RecordResult):
                previews.append(Preview(record))
                continue
            position += 1
            tags = tagged.get(position)
            savepoint = session.begin_nested()
            try:
                outcome = upsert_module(session, provider_id, record, known, inferred=tags.tags if tags else None,
                                        flags=tags.flags if tags else None)
                module = outcome.module
                kind = "created" if outcome.created else ("updated" if outcome.changed else "unchanged")
                result = RecordResult(line, record.external_id, kind, None if outcome.created else module.id,
                                      module.version)
                previews.append(Preview(result, [dict(c) for c in module.competencies], list(module.flags)))
            except DomainError as exc:
                previews.append(Preview(RecordResult(line, record.external_id, "error", errors=[exc.as_dict()])))
            finally:
                savepoint.rollback()
    finally:
        session.rollback()
    return previews

"""Re-tag the modules waiting for review after the competency framework changed.

When the board adds a competency, the modules still in review whose tags
are the platform's unconfirmed guesses (or that have none) are tagged again
with the current framework, so the new competency can enter them. What a
person decided stays: tags the provider or a feed named, tags the board set
or confirmed, and competencies the board took off a module are never
touched or brought back. Approved modules keep their confirmed tags.

The per-process caches built over the framework (the tagger, the competency
matcher) are cleared first, in this process; other processes (the action
server) pick the new competency up when they restart.

Re-tagging reads each module's stored passage vector (encoding only those
whose text changed since), so it costs a regex pass and a dot product per
module: it runs synchronously for the board's request. All changes are one
transaction, each with its ``TagChange`` row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError
from sqlmodel import Session, col, select

from campus.catalogue.models import Module, ModuleEmbedding, TagChange
from campus.catalogue.tags import apply_tags, is_open_inference, removed_by_board, tags_of
from campus.catalogue.template import MAX_COMPETENCIES, ModuleIn
from campus.store.db import get_engine
from campus.store.ids import stored_id
from embeddings.framework_matchers import _competency_matcher
from embeddings.module_vectors import passage_of, text_hash
from embeddings.tagging import CompetencyTagger, Vector, _tagger, get_tagger

log = logging.getLogger(__name__)

WAITING = "submitted"
CHUNK = 200
TEMPLATE_FIELDS = tuple(name for name in ModuleIn.model_fields if name not in ("provider", "status", "competencies"))


@dataclass
class RetagReport:
    looked_at: int = 0  # waiting modules with open guesses or no tags
    retagged: list[int] = field(default_factory=list)  # module ids whose tags changed


def clear_framework_caches() -> None:
    """Forget what this process built over the framework (both are also keyed by the framework's signature, so
    another process's addition reaches them too; this drops what an added and then removed entry left)."""
    _tagger.cache_clear()
    _competency_matcher.cache_clear()


def _template(module: Module) -> ModuleIn | None:
    """The module as the tagger reads it; a stored row that no longer passes the template is skipped."""
    values: dict[str, Any] = {name: getattr(module, name) for name in TEMPLATE_FIELDS}
    try:
        return ModuleIn.model_validate({**values, "provider": module.provider_id})
    except ValidationError:
        log.warning("module %s does not pass the template any more; not re-tagged", module.id)
        return None


def _vectors(session: Session, modules: Sequence[Module], tagger: CompetencyTagger) -> dict[int, Vector]:
    """Stored passage vectors where they match the current text and model; the rest encoded in one call."""
    ids = [stored_id(m.id) for m in modules]
    stored = {e.module_id: e for e in session.exec(
        select(ModuleEmbedding).where(col(ModuleEmbedding.module_id).in_(ids))).all()}
    out: dict[int, Vector] = {}
    missing: list[tuple[int, str]] = []
    for module in modules:
        text = passage_of(module)
        row = stored.get(stored_id(module.id))
        if row is not None and row.text_hash == text_hash(text) and row.model == tagger.encoder.name:
            out[stored_id(module.id)] = np.frombuffer(row.vector, dtype=np.float32)
        else:
            missing.append((stored_id(module.id), text))
    if missing:
        encoded = tagger.encoder.passages([text for _, text in missing])
        out.update({module_id: vector for (module_id, _), vector in zip(missing, encoded, strict=True)})
    return out


def _board_removals(session: Session, ids: Sequence[int]) -> dict[int, set[str]]:
    changes: dict[int, list[TagChange]] = {}
    for change in session.exec(select(TagChange).where(col(TagChange.module_id).in_(ids))
                               .order_by(col(TagChange.id))).all():
        changes.setdefault(change.module_id, []).append(change)
    return {module_id: removed_by_board(rows) for module_id, rows in changes.items()}


def _retag_chunk(session: Session, modules: Sequence[Module], tagger: CompetencyTagger,
                 reviewer_key_id: int | None, cause: str | None, report: RetagReport) -> None:
    vectors = _vectors(session, modules, tagger)
    removals = _board_removals(session, [stored_id(m.id) for m in modules])
    for module in modules:
        template = _template(module)
        if template is None:
            continue
        module_id = stored_id(module.id)
        kept = [tag for tag in tags_of(module) if not is_open_inference(tag)]
        excluded = {tag["id"] for tag in kept} | removals.get(module_id, set())
        fresh = [tag.model_dump(mode="json") for tag in tagger.tag(template, vectors[module_id]).tags
                 if tag.id not in excluded]
        tags = [*kept, *fresh][:MAX_COMPETENCIES]
        if apply_tags(session, module, tags, "retag", reviewer_key_id, competency_id=cause) is not None:
            report.retagged.append(module_id)


def retag_waiting_modules(session: Session, tagger: CompetencyTagger, reviewer_key_id: int | None = None,
                          cause: str | None = None) -> RetagReport:
    """Tag the waiting modules with open guesses or no tags again with ``tagger``'s framework; committed here.

    ``cause`` is the competency whose addition asked for it (kept in each ``TagChange``).
    """
    report = RetagReport()
    last_id = 0
    while True:
        chunk = session.exec(select(Module).where(Module.status == WAITING, col(Module.id) > last_id)
                             .order_by(col(Module.id)).limit(CHUNK)).all()
        if not chunk:
            break
        last_id = stored_id(chunk[-1].id)
        todo = [m for m in chunk if not m.competencies or any(is_open_inference(t) for t in m.competencies)]
        report.looked_at += len(todo)
        if todo:
            _retag_chunk(session, todo, tagger, reviewer_key_id, cause, report)
    session.commit()
    log.info("re-tag after a framework change: %d waiting modules looked at, %d re-tagged", report.looked_at,
             len(report.retagged))
    return report


def retag_after_framework_change(reviewer_key_id: int | None, competency_id: str | None = None) -> RetagReport:
    """What follows the board's addition of ``competency_id``: fresh caches, then the waiting modules re-tagged."""
    clear_framework_caches()
    with Session(get_engine(), expire_on_commit=False) as session:
        return retag_waiting_modules(session, get_tagger(), reviewer_key_id, competency_id)

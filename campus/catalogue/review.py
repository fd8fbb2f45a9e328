"""Advisory board review: the queue, a module's full record, decisions on submitted modules, their audit trail.

A decision is one transaction: the module's status, the confirmation of its
tags and the decision record are written together, so the audit trail never
misses a change of status. Approval confirms every tag of the current
version and is refused for a module without any: such a module could not be
planned for anyone, so the board adds a tag first (``tags.replace_tags``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from campus.catalogue.framework import competencies
from campus.catalogue.models import DuplicateFlag, Module, ModuleVersion, ReviewDecision, TagChange
from campus.catalogue.tags import confirm_all, tag_views, tags_of
from campus.store.clock import utcnow
from campus.store.errors import problem
from campus.store.texts import texts

DECISIONS = {"approve": "approved", "reject": "rejected"}
REVIEWABLE = ("submitted", "approved", "rejected")
SCAN_CHUNK = 500


@dataclass(frozen=True)
class TagFilter:
    """What the board narrows the queue to besides status and provider; ``None`` means any."""

    flag: str | None = None  # e.g. "no_fitting_competency"
    source: str | None = None  # modules with at least one tag of this provenance, e.g. "inferred"

    @property
    def active(self) -> bool:
        return self.flag is not None or self.source is not None

    def keeps(self, module: Module) -> bool:
        if self.flag is not None and self.flag not in module.flags:
            return False
        return self.source is None or any(tag["source"] == self.source for tag in tags_of(module))


def criteria() -> list[dict[str, Any]]:
    """The board's quality checklist (``data/texts/board_criteria.yml``)."""
    return list(texts("board_criteria")["criteria"])


def _near_duplicates(session: Session, module_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Unresolved near-duplicate flags of these modules, with the other module's title and provider."""
    if not module_ids:
        return {}
    flags = session.exec(select(DuplicateFlag).where(col(DuplicateFlag.resolved).is_(False),
                                                     col(DuplicateFlag.module_id).in_(module_ids))).all()
    others = {m.id: m for m in session.exec(
        select(Module).where(col(Module.id).in_({f.other_module_id for f in flags}))).all()} if flags else {}
    out: dict[int, list[dict[str, Any]]] = {}
    for flag in flags:
        other = others.get(flag.other_module_id)
        out.setdefault(flag.module_id, []).append(
            {"other_module_id": flag.other_module_id, "similarity": round(flag.similarity, 3),
             "title": other.title if other else None, "provider_id": other.provider_id if other else None,
             "status": other.status if other else None})
    return out


def _entries(session: Session, modules: Sequence[Module]) -> list[dict[str, Any]]:
    labels = {cid: c.label for cid, c in competencies(session).items()}
    duplicates = _near_duplicates(session, [m.id for m in modules if m.id is not None])
    return [{"module": m.model_dump(mode="json"), "tags": tag_views(m, labels), "flags": list(m.flags),
             "near_duplicates": duplicates.get(m.id or 0, [])} for m in modules]


def review_queue(session: Session, status: str, limit: int, offset: int, *, provider: str | None = None,
                 where: TagFilter | None = None) -> list[dict[str, Any]]:
    """Modules in ``status``, oldest change first, each with its tags (label, provenance, confidence,
    confirmed), flags and unresolved near-duplicates.

    Flags and tags are JSON columns, so those filters are applied while
    scanning in chunks (the status and provider filters run in SQL).
    """
    query = select(Module).where(Module.status == status)
    if provider is not None:
        query = query.where(Module.provider_id == provider)
    query = query.order_by(col(Module.updated_at), col(Module.id))
    if where is None or not where.active:
        return _entries(session, session.exec(query.offset(offset).limit(limit)).all())
    page: list[Module] = []
    skipped = 0
    start = 0
    while len(page) < limit:
        chunk = session.exec(query.offset(start).limit(SCAN_CHUNK)).all()
        for module in chunk:
            if not where.keeps(module):
                continue
            if skipped < offset:
                skipped += 1
            elif len(page) < limit:
                page.append(module)
        if len(chunk) < SCAN_CHUNK:
            break
        start += SCAN_CHUNK
    return _entries(session, page)


def module_record(session: Session, module_id: int) -> dict[str, Any]:
    """Everything the board reads about one module: full text, tags, flags, near-duplicates, every version,
    the decisions and the tag changes (any status: the board also looks back at rejected and withdrawn ones)."""
    module = session.get(Module, module_id)
    if module is None:
        raise problem("module_not_found", "module_id", 404, id=module_id)
    [entry] = _entries(session, [module])
    versions = session.exec(select(ModuleVersion).where(ModuleVersion.module_id == module_id)
                            .order_by(col(ModuleVersion.version))).all()
    entry["versions"] = [v.model_dump(mode="json") for v in versions]
    entry["decisions"] = audit_trail(session, module_id)
    entry["tag_changes"] = tag_changes(session, module_id)
    return entry


def decide(
    session: Session,
    module_id: int,
    decision: str,
    reason: str,
    checklist: dict[str, bool],
    reviewer_key_id: int | None,
) -> ReviewDecision:
    """Approve or reject the module's current version (rejections need a reason); committed here."""
    module = session.get(Module, module_id)
    if module is None:
        raise problem("module_not_found", "module_id", 404, id=module_id)
    if decision not in DECISIONS:
        raise problem("decision_invalid", "decision")
    if module.status not in REVIEWABLE:
        raise problem("module_not_reviewable", "module_id", 409, id=module_id, status=module.status)
    known = {c["id"] for c in criteria()}
    unknown = sorted(set(checklist) - known)
    if unknown:
        raise problem("unknown_criteria", "checklist", ids=", ".join(unknown))
    if decision == "reject" and not reason.strip():
        raise problem("rejection_needs_reason", "reason")
    if decision == "approve" and checklist and not all(checklist.get(c, False) for c in known):
        raise problem("approval_needs_all_criteria", "checklist")
    if decision == "approve" and not module.competencies:
        raise problem("board_approval_needs_tag", "competencies", 409, id=module_id)
    module.status = DECISIONS[decision]
    module.review_reason = reason.strip() or None
    module.updated_at = utcnow()
    session.add(module)
    if decision == "approve":
        confirm_all(session, module, reviewer_key_id)
    record = ReviewDecision(module_id=module_id, module_version=module.version, decision=module.status,
                            reason=reason.strip(), checklist=checklist, reviewer_key_id=reviewer_key_id)
    session.add(record)
    session.commit()
    return record


def audit_trail(session: Session, module_id: int) -> list[dict[str, Any]]:
    rows = session.exec(select(ReviewDecision).where(ReviewDecision.module_id == module_id)
                        .order_by(col(ReviewDecision.id))).all()
    return [r.model_dump(mode="json") for r in rows]


def tag_changes(session: Session, module_id: int) -> list[dict[str, Any]]:
    rows = session.exec(select(TagChange).where(TagChange.module_id == module_id).order_by(col(TagChange.id))).all()
    return [r.model_dump(mode="json") for r in rows]

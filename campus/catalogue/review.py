"""Advisory board review: the queue, decisions on submitted modules, and their audit trail.

A decision is one transaction: the module's status and the decision record
are written together, so the audit trail never misses a change of status.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from campus.catalogue.models import DuplicateFlag, Module, ReviewDecision
from campus.store.clock import utcnow
from campus.store.errors import problem
from campus.store.texts import texts

DECISIONS = {"approve": "approved", "reject": "rejected"}
REVIEWABLE = ("submitted", "approved", "rejected")


def criteria() -> list[dict[str, Any]]:
    """The board's quality checklist (``data/texts/board_criteria.yml``)."""
    return list(texts("board_criteria")["criteria"])


def review_queue(session: Session, status: str, limit: int, offset: int) -> list[dict[str, Any]]:
    """Modules in ``status``, oldest change first, each with its unresolved near-duplicate flags."""
    modules = session.exec(select(Module).where(Module.status == status).order_by(col(Module.updated_at))
                           .offset(offset).limit(limit)).all()
    flags = session.exec(select(DuplicateFlag).where(col(DuplicateFlag.resolved).is_(False))).all()
    by_module: dict[int, list[dict[str, Any]]] = {}
    for flag in flags:
        by_module.setdefault(flag.module_id, []).append(
            {"other_module_id": flag.other_module_id, "similarity": round(flag.similarity, 3)})
    return [{"module": m.model_dump(mode="json"), "near_duplicates": by_module.get(m.id or 0, [])} for m in modules]


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
    module.status = DECISIONS[decision]
    module.review_reason = reason.strip() or None
    module.updated_at = utcnow()
    session.add(module)
    record = ReviewDecision(module_id=module_id, module_version=module.version, decision=module.status,
                            reason=reason.strip(), checklist=checklist, reviewer_key_id=reviewer_key_id)
    session.add(record)
    session.commit()
    return record


def audit_trail(session: Session, module_id: int) -> list[dict[str, Any]]:
    rows = session.exec(select(ReviewDecision).where(ReviewDecision.module_id == module_id)
                        .order_by(col(ReviewDecision.id))).all()
    return [r.model_dump(mode="json") for r in rows]

"""Advisory board review: decisions on submitted modules, with an audit trail."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from sqlmodel import Session

from campus.catalogue.models import Module, ReviewDecision
from campus.store.clock import utcnow
from campus.store.errors import DomainError
from campus.store.settings import get_settings

DECISIONS = {"approve": "approved", "reject": "rejected"}


@lru_cache
def _criteria(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["criteria"]


def criteria() -> list[dict]:
    return _criteria(get_settings().data_dir / "texts" / "board_criteria.yml")


def decide(
    session: Session,
    module_id: int,
    decision: str,
    reason: str,
    checklist: dict[str, bool],
    reviewer_key_id: int | None,
) -> ReviewDecision:
    """Approve or reject the module's current version; rejections need a reason."""
    module = session.get(Module, module_id)
    if module is None:
        raise DomainError("module_id", f"Modul {module_id} nicht gefunden.", f"Module {module_id} not found.", 404)
    if decision not in DECISIONS:
        raise DomainError("decision", "Entscheidung muss „approve“ oder „reject“ sein.",
                          "decision must be 'approve' or 'reject'.")
    if module.status not in ("submitted", "approved", "rejected"):
        raise DomainError("module_id", f"Modul {module_id} ist {module.status} und kann nicht geprüft werden.",
                          f"Module {module_id} is {module.status} and cannot be reviewed.", 409)
    known = {c["id"] for c in criteria()}
    unknown = sorted(set(checklist) - known)
    if unknown:
        raise DomainError("checklist", f"Unbekannte Kriterien: {', '.join(unknown)}",
                          f"Unknown criteria: {', '.join(unknown)}")
    if decision == "reject" and not reason.strip():
        raise DomainError("reason", "Eine Ablehnung braucht eine Begründung.", "A rejection needs a reason.")
    if decision == "approve" and checklist and not all(checklist.get(c, False) for c in known):
        raise DomainError("checklist", "Freigabe nur, wenn alle Kriterien erfüllt sind.",
                          "Approval requires every criterion to be met.")
    module.status = DECISIONS[decision]
    module.review_reason = reason.strip() or None
    module.updated_at = utcnow()
    session.add(module)
    record = ReviewDecision(module_id=module.id, module_version=module.version, decision=module.status,
                            reason=reason.strip(), checklist=checklist, reviewer_key_id=reviewer_key_id)
    session.add(record)
    session.flush()
    return record

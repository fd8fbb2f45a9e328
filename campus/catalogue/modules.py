"""Write side of the catalogue: create, version, withdraw modules.

Idempotency rule: the same provider and external id always address the same
module. Changed content makes a new version and sends the module back to
board review; unchanged content is a no-op, except that re-submitting a
rejected module unchanged is refused (the board already said no to exactly
this text).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlmodel import Session, select

from campus.catalogue.models import Module, ModuleVersion
from campus.catalogue.template import ModuleIn
from campus.store.clock import utcnow
from campus.store.errors import DomainError

CONTENT_EXCLUDE = {"provider", "status"}


@dataclass
class UpsertOutcome:
    module: Module
    created: bool
    changed: bool


def content_of(module_in: ModuleIn) -> dict:
    return module_in.model_dump(mode="json", exclude=CONTENT_EXCLUDE)


def content_hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def find_module(session: Session, provider_id: str, external_id: str) -> Module | None:
    query = select(Module).where(Module.provider_id == provider_id, Module.external_id == external_id)
    return session.exec(query).first()


def check_competencies(module_in: ModuleIn, known: set[str]) -> None:
    unknown = sorted(c.id for c in module_in.competencies if c.id not in known)
    if unknown:
        joined = ", ".join(unknown)
        raise DomainError(
            "competencies",
            f"Unbekannte Kompetenz-IDs: {joined}. Gültige IDs liefert GET /api/competencies.",
            f"Unknown competency ids: {joined}. See GET /api/competencies for valid ids.",
        )


def upsert_module(
    session: Session,
    provider_id: str,
    module_in: ModuleIn,
    known_competencies: set[str],
    status: str = "submitted",
) -> UpsertOutcome:
    """Create or version a module in the caller's transaction."""
    check_competencies(module_in, known_competencies)
    content = content_of(module_in)
    digest = content_hash(content)
    module = find_module(session, provider_id, module_in.external_id)
    if module is None:
        module = Module(provider_id=provider_id, status=status, content_hash=digest, **content)
        session.add(module)
        session.flush()
        session.add(ModuleVersion(module_id=module.id, version=1, content_hash=digest, content=content))
        return UpsertOutcome(module, created=True, changed=True)
    if module.content_hash == digest:
        if module.status == "rejected" and status == "submitted":
            raise DomainError(
                "content",
                "Das Modul wurde vom Beirat abgelehnt und unverändert erneut eingereicht. "
                f"Bitte überarbeiten Sie es zuerst (Begründung: {module.review_reason or 'keine'}).",
                "The module was rejected by the board and re-submitted unchanged. "
                f"Please revise it first (reason: {module.review_reason or 'none'}).",
                status_code=409,
            )
        if module.status == "withdrawn" or (status != "submitted" and module.status != status):
            module.status = status
            module.updated_at = utcnow()
            session.add(module)
            return UpsertOutcome(module, created=False, changed=True)
        return UpsertOutcome(module, created=False, changed=False)
    for key, value in content.items():
        setattr(module, key, value)
    module.version += 1
    module.content_hash = digest
    module.status = status
    module.review_reason = None
    module.updated_at = utcnow()
    session.add(module)
    session.add(ModuleVersion(module_id=module.id, version=module.version, content_hash=digest, content=content))
    return UpsertOutcome(module, created=False, changed=True)


def withdraw_module(session: Session, provider_id: str, external_id: str) -> Module:
    module = find_module(session, provider_id, external_id)
    if module is None:
        raise DomainError(
            "external_id",
            f"Modul „{external_id}“ existiert bei Ihrem Anbieterkonto nicht.",
            f"Module '{external_id}' does not exist for your provider account.",
            status_code=404,
        )
    if module.status != "withdrawn":
        module.status = "withdrawn"
        module.updated_at = utcnow()
        session.add(module)
    return module

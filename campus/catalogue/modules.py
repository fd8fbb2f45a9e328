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
from typing import Any

from sqlmodel import Session, col, select

from campus.catalogue.models import Module, ModuleVersion
from campus.catalogue.template import CompetencyTarget, ModuleIn
from campus.store.clock import utcnow
from campus.store.errors import DomainError, message_pair, problem
from campus.store.ids import stored_id

CONTENT_EXCLUDE = {"provider", "status"}


@dataclass
class UpsertOutcome:
    module: Module
    created: bool
    changed: bool


def content_of(module_in: ModuleIn) -> dict[str, Any]:
    return module_in.model_dump(mode="json", exclude=CONTENT_EXCLUDE)


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def find_module(session: Session, provider_id: str, external_id: str) -> Module | None:
    query = select(Module).where(Module.provider_id == provider_id, Module.external_id == external_id)
    return session.exec(query).first()


def check_competencies(module_in: ModuleIn, known: set[str]) -> None:
    unknown = sorted(c.id for c in module_in.competencies if c.id not in known)
    if unknown:
        joined = ", ".join(unknown)
        raise problem("unknown_competencies", "competencies", ids=joined)


def submitted_hash(module_in: ModuleIn) -> str:
    """The hash of a module as its provider sent it: an unchanged re-submission changes nothing."""
    return content_hash(content_of(module_in))


def upsert_module(
    session: Session,
    provider_id: str,
    module_in: ModuleIn,
    known_competencies: set[str],
    status: str = "submitted",
    inferred: list[CompetencyTarget] | None = None,
    flags: list[str] | None = None,
) -> UpsertOutcome:
    """Create or version a module in the caller's transaction.

    A module sent without competencies gets the ``inferred`` ones (the
    platform's tags, for the board to check) and the review ``flags``. The
    version is decided on the content as submitted, so re-sending an unchanged
    course keeps the tags the board may have corrected since.
    """
    check_competencies(module_in, known_competencies)
    submitted = content_of(module_in)
    digest = content_hash(submitted)
    content = dict(submitted)
    if not module_in.competencies and inferred:
        content["competencies"] = [tag.model_dump(mode="json") for tag in inferred]
    module = find_module(session, provider_id, module_in.external_id)
    if module is None:
        module = Module(provider_id=provider_id, status=status, content_hash=digest, flags=list(flags or []),
                        **content)
        session.add(module)
        session.flush()
        session.add(ModuleVersion(module_id=stored_id(module.id), version=1, content_hash=digest, content=content))
        return UpsertOutcome(module, created=True, changed=True)
    if module.content_hash == digest:
        if module.status == "rejected" and status == "submitted":
            none_de, none_en = message_pair("no_reason_given")
            german, _ = message_pair("rejected_unchanged", reason=module.review_reason or none_de)
            _, english = message_pair("rejected_unchanged", reason=module.review_reason or none_en)
            raise DomainError("content", german, english, status_code=409)
        if module.status == "withdrawn" or (status != "submitted" and module.status != status):
            module.status = status
            module.updated_at = utcnow()
            session.add(module)
            return UpsertOutcome(module, created=False, changed=True)
        return UpsertOutcome(module, created=False, changed=False)
    for key, value in content.items():
        setattr(module, key, value)
    module.flags = list(flags or [])
    module.version += 1
    module.content_hash = digest
    module.status = status
    module.review_reason = None
    module.updated_at = utcnow()
    session.add(module)
    session.add(ModuleVersion(module_id=stored_id(module.id), version=module.version, content_hash=digest,
                              content=content))
    return UpsertOutcome(module, created=False, changed=True)


def own_module(session: Session, provider_id: str, external_id: str) -> Module:
    """The provider's module; another provider's is "not found" like one that does not exist."""
    module = find_module(session, provider_id, external_id)
    if module is None:
        raise problem("provider_module_not_found", "external_id", 404, external_id=external_id)
    return module


def withdraw_module(session: Session, provider_id: str, external_id: str) -> Module:
    """The provider takes a module off the catalogue (one transaction; plans follow in the next replan)."""
    module = own_module(session, provider_id, external_id)
    if module.status != "withdrawn":
        module.status = "withdrawn"
        module.updated_at = utcnow()
        session.add(module)
    session.commit()
    return module


def provider_modules(session: Session, provider_id: str) -> list[dict[str, Any]]:
    """What a provider sees of its own modules: version, review status and the board's reason."""
    modules = session.exec(select(Module).where(Module.provider_id == provider_id).order_by(col(Module.id))).all()
    return [{"module_id": m.id, "external_id": m.external_id, "title": m.title, "version": m.version,
             "status": m.status, "review_reason": m.review_reason} for m in modules]

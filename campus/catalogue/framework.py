"""Read access to the catalogue and the competency framework."""

from __future__ import annotations

from sqlmodel import Session, select

from campus.catalogue.models import Competency, RoleProfile

RECOMMENDABLE = "approved"


def competencies(session: Session) -> dict[str, Competency]:
    return {c.id: c for c in session.exec(select(Competency)).all()}


def role_profiles(session: Session, org: str | None = None) -> list[RoleProfile]:
    query = select(RoleProfile).where((RoleProfile.org == None) | (RoleProfile.org == org))  # noqa: E711
    return list(session.exec(query.order_by(RoleProfile.title)).all())

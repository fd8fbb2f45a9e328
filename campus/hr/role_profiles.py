"""Role profiles of one organisation (Tätigkeitsprofile), created by HR from the global ones.

An organisation's profile is an ordinary ``RoleProfile`` row with ``org`` set,
so the interview and the plan engine read its targets like any other; the
global list (``catalogue.role_profiles``) never shows it to other
organisations. ``OrgRoleProfile`` keeps where it came from and its revision.
Every check runs before anything is written, so a refused request changes
nothing.
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from sqlmodel import Session, select

from campus.catalogue.framework import competencies
from campus.catalogue.models import RoleProfile
from campus.hr.models import OrgRoleProfile
from campus.store.clock import utcnow
from campus.store.errors import problem

MAX_TARGETS = 100
Weight = Annotated[float, Field(strict=True, ge=0, le=1)]


class TargetIn(BaseModel):
    """One target: the competency (id from GET /api/competencies), the level 0–4 and its weight 0–1."""

    model_config = ConfigDict(extra="forbid")

    competency: StrictStr = Field(min_length=1, max_length=64)
    level: StrictInt = Field(ge=0, le=4)
    weight: Weight = 1.0


class RoleProfileCreate(BaseModel):
    """A copy of a global role profile for your organisation; any field given replaces the copied one."""

    model_config = ConfigDict(extra="forbid")

    based_on: StrictStr = Field(min_length=1, max_length=100, description="id of a global role profile")
    title: StrictStr | None = Field(default=None, min_length=1, max_length=200)
    description: StrictStr | None = Field(default=None, max_length=2000)
    targets: list[TargetIn] | None = Field(default=None, min_length=1, max_length=MAX_TARGETS)


class RoleProfileUpdate(BaseModel):
    """Change the title, description or targets (targets replace the whole list)."""

    model_config = ConfigDict(extra="forbid")

    title: StrictStr | None = Field(default=None, min_length=1, max_length=200)
    description: StrictStr | None = Field(default=None, max_length=2000)
    targets: list[TargetIn] | None = Field(default=None, min_length=1, max_length=MAX_TARGETS)


def global_profiles(session: Session) -> list[RoleProfile]:
    query = select(RoleProfile).where(RoleProfile.org == None).order_by(RoleProfile.title)  # noqa: E711
    return list(session.exec(query).all())


def org_profiles(session: Session, org: str) -> list[RoleProfile]:
    query = select(RoleProfile).where(RoleProfile.org == org).order_by(RoleProfile.title, RoleProfile.id)
    return list(session.exec(query).all())


def get_org_profile(session: Session, org: str, role_profile_id: str) -> RoleProfile:
    """The organisation's profile; another organisation's or a global one is "not found" (no existence leak)."""
    profile = session.get(RoleProfile, role_profile_id) if len(role_profile_id) <= 200 else None
    if profile is None or profile.org != org:
        raise problem("role_not_found", "role_profile_id", 404, id=role_profile_id[:200])
    return profile


def checked_targets(session: Session, targets: list[TargetIn]) -> list[dict[str, Any]]:
    """Targets as stored, after checking the competency ids exist and appear once."""
    known = competencies(session)
    ids = [t.competency for t in targets]
    unknown = sorted({c for c in ids if c not in known})
    if unknown:
        raise problem("unknown_competencies", "targets", ids=", ".join(unknown))
    duplicates = sorted({c for c in ids if ids.count(c) > 1})
    if duplicates:
        raise problem("duplicate_competencies", "targets", ids=", ".join(duplicates))
    return [{"competency": t.competency, "level": t.level, "weight": t.weight} for t in targets]


def _new_id(org: str, based_on: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{org}-{based_on}".lower()).strip("-")[:80]
    return f"org-{slug}-{secrets.token_hex(3)}"


def create_org_profile(session: Session, org: str, data: RoleProfileCreate) -> RoleProfile:
    base = session.get(RoleProfile, data.based_on)
    if base is None or base.org is not None:
        raise problem("global_role_not_found", "based_on", 404, id=data.based_on)
    targets = checked_targets(session, data.targets) if data.targets is not None else list(base.targets)
    profile = RoleProfile(
        id=_new_id(org, base.id), org=org, title=data.title or base.title,
        description=data.description if data.description is not None else base.description,
        synonyms=[], leads_staff=base.leads_staff, targets=targets,
    )
    session.add(profile)
    session.flush()
    session.add(OrgRoleProfile(role_profile_id=profile.id, org=org, based_on=base.id))
    session.commit()
    return profile


def update_org_profile(session: Session, org: str, role_profile_id: str, data: RoleProfileUpdate) -> RoleProfile:
    profile = get_org_profile(session, org, role_profile_id)
    targets = checked_targets(session, data.targets) if data.targets is not None else None
    if data.title is not None:
        profile.title = data.title
    if data.description is not None:
        profile.description = data.description
    if targets is not None:
        profile.targets = targets
    session.add(profile)
    meta = session.get(OrgRoleProfile, profile.id) or OrgRoleProfile(role_profile_id=profile.id, org=org, revision=0)
    meta.revision += 1
    meta.updated_at = utcnow()
    session.add(meta)
    session.commit()
    return profile


def profile_view(session: Session, profile: RoleProfile) -> dict[str, Any]:
    """What HR sees of a profile (targets with the competency's German label)."""
    labels = {cid: c.label for cid, c in competencies(session).items()}
    meta = session.get(OrgRoleProfile, profile.id) if profile.org else None
    return {
        "id": profile.id, "org": profile.org, "title": profile.title, "description": profile.description,
        "leads_staff": profile.leads_staff,
        "based_on": meta.based_on if meta else None, "revision": meta.revision if meta else None,
        "updated_at": meta.updated_at.isoformat() if meta else None,
        "targets": [{**t, "label": labels.get(t["competency"], t["competency"])} for t in profile.targets],
    }

"""Modules HR recommends or assigns to its organisation's role profiles, and who they apply to.

The plan engine treats them as strong preferences (``preferred_module_ids``);
only modules the board approved count, so a withdrawn module drops out of
every plan by itself. A learner gets the preferences of the role profiles of
the campaigns they took part in (not those they declined) and of their own
role, if that is a profile of their organisation.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy import delete
from sqlmodel import Session, col, select

from campus.catalogue.framework import RECOMMENDABLE
from campus.catalogue.models import Module, RoleProfile
from campus.hr.models import Campaign, HrModulePreference, Invitation, InvitationLearner
from campus.hr.role_profiles import get_org_profile
from campus.learners.models import Learner, LearnerProfile
from campus.store.errors import problem

MAX_PREFERENCES = 200
KIND_ORDER = {"assigned": 0, "recommended": 1}
TAKEN_UP = ("started", "completed")


class ModulePreferenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    module_id: StrictInt = Field(ge=1)
    kind: Literal["recommended", "assigned"] = "recommended"


class ModulePreferencesIn(BaseModel):
    """The complete list for a role profile (replaces the previous one; an empty list clears it)."""

    model_config = ConfigDict(extra="forbid")

    modules: list[ModulePreferenceIn] = Field(max_length=MAX_PREFERENCES)


def set_preferences(session: Session, org: str, role_profile_id: str,
                    data: ModulePreferencesIn) -> list[dict[str, Any]]:
    """Replace the profile's list in the caller's transaction; approved modules only."""
    profile = get_org_profile(session, org, role_profile_id)
    ids = [m.module_id for m in data.modules]
    duplicates = sorted({m for m in ids if ids.count(m) > 1})
    if duplicates:
        raise problem("duplicate_modules", "modules", ids=", ".join(map(str, duplicates)))
    approved = set(session.exec(
        select(Module.id).where(col(Module.id).in_(ids), Module.status == RECOMMENDABLE)).all()) if ids else set()
    missing = sorted(set(ids) - approved)
    if missing:
        raise problem("unknown_modules", "modules", ids=", ".join(map(str, missing)))
    session.execute(delete(HrModulePreference).where(col(HrModulePreference.role_profile_id) == profile.id))
    session.add_all(HrModulePreference(role_profile_id=profile.id, module_id=m.module_id, org=org, kind=m.kind)
                    for m in data.modules)
    session.commit()
    return preferences_of(session, org, profile.id)


def preferences_of(session: Session, org: str, role_profile_id: str) -> list[dict[str, Any]]:
    profile = get_org_profile(session, org, role_profile_id)
    rows = session.exec(
        select(HrModulePreference, Module).join(Module, col(Module.id) == col(HrModulePreference.module_id))
        .where(HrModulePreference.role_profile_id == profile.id)
    ).all()
    ordered = sorted(rows, key=lambda r: (KIND_ORDER[r[0].kind], r[0].module_id))
    return [{"module_id": pref.module_id, "kind": pref.kind, "title": module.title, "status": module.status}
            for pref, module in ordered]


def role_profiles_of_learner(session: Session, learner_id: str) -> list[str]:
    """Organisation role profiles that apply to the learner (campaigns taken up, own org role)."""
    from_campaigns = session.exec(
        select(Campaign.role_profile_id)
        .join(Invitation, col(Invitation.campaign_id) == col(Campaign.id))
        .join(InvitationLearner, col(InvitationLearner.invitation_id) == col(Invitation.id))
        .where(InvitationLearner.learner_id == learner_id, col(Invitation.status).in_(TAKEN_UP))
        .order_by(col(Campaign.id))
    ).all()
    found = list(dict.fromkeys(from_campaigns))
    learner = session.get(Learner, learner_id)
    profile = session.get(LearnerProfile, learner_id)
    role = session.get(RoleProfile, profile.role_id) if profile is not None and profile.role_id else None
    if role is not None and role.org is not None and learner is not None and role.org == learner.org:
        found.append(role.id)
    return list(dict.fromkeys(found))


def preferred_modules_for(session: Session, learner_id: str) -> list[int]:
    """Approved module ids HR wants this learner to consider: assigned ones first, then recommended.

    Pass them to ``plan_engine.planner.replan_learner(..., preferred_module_ids=...)``.
    """
    profiles = role_profiles_of_learner(session, learner_id)
    if not profiles:
        return []
    rows = session.exec(
        select(HrModulePreference.module_id, HrModulePreference.kind)
        .join(Module, col(Module.id) == col(HrModulePreference.module_id))
        .where(col(HrModulePreference.role_profile_id).in_(profiles), Module.status == RECOMMENDABLE)
    ).all()
    ordered = sorted(rows, key=lambda r: (KIND_ORDER.get(r[1], 9), r[0]))
    return list(dict.fromkeys(module_id for module_id, _ in ordered))


def learners_for_role_profile(session: Session, role_profile_id: str) -> list[str]:
    """Learners whose preferences change when HR edits this profile's modules (to replan them)."""
    from_campaigns = session.exec(
        select(InvitationLearner.learner_id)
        .join(Invitation, col(Invitation.id) == col(InvitationLearner.invitation_id))
        .join(Campaign, col(Campaign.id) == col(Invitation.campaign_id))
        .where(Campaign.role_profile_id == role_profile_id, col(Invitation.status).in_(TAKEN_UP))
    ).all()
    role = session.get(RoleProfile, role_profile_id)
    by_role: list[str] = []
    if role is not None and role.org is not None:
        by_role = list(session.exec(
            select(LearnerProfile.learner_id).join(Learner, col(Learner.id) == col(LearnerProfile.learner_id))
            .where(LearnerProfile.role_id == role_profile_id, Learner.org == role.org)
        ).all())
    return sorted(set(from_campaigns) | set(by_role))

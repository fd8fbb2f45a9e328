"""HR: role profiles of the key's organisation, and the modules HR recommends or assigns to them.

Every route is scoped to the organisation of the HR key; another
organisation's profile answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Request

from campus.api.auth import HrOrg
from campus.api.deps import SessionDep
from campus.api.jobs import replan_role_profile
from campus.api.json_body import openapi_body, parse_body
from campus.hr.module_preferences import ModulePreferencesIn, preferences_of, set_preferences
from campus.hr.role_profiles import (
    RoleProfileCreate,
    RoleProfileUpdate,
    create_org_profile,
    get_org_profile,
    global_profiles,
    org_profiles,
    profile_view,
    update_org_profile,
)
from campus.store.texts import text

router = APIRouter(prefix="/hr/role-profiles", tags=["hr"])

MAX_BODY_BYTES = 64_000
RoleId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/global", summary=text("api.summaries.global_role_profiles"))
def list_global(_: HrOrg, session: SessionDep) -> list[dict[str, Any]]:
    return [profile_view(session, p) for p in global_profiles(session)]


@router.get("", summary=text("api.summaries.own_role_profiles"))
def list_own(org: HrOrg, session: SessionDep) -> list[dict[str, Any]]:
    return [profile_view(session, p) for p in org_profiles(session, org)]


@router.post("", status_code=201, openapi_extra=openapi_body(RoleProfileCreate),
             responses={400: {}, 404: {}, 413: {}, 415: {}, 422: {}})
async def create(request: Request, org: HrOrg, session: SessionDep) -> dict[str, Any]:
    """Copy a global role profile into your organisation, optionally changing title, description, targets."""
    data = await parse_body(request, RoleProfileCreate, MAX_BODY_BYTES)
    profile = create_org_profile(session, org, data)
    return profile_view(session, profile)


@router.get("/{role_profile_id}", responses={404: {}})
def read(role_profile_id: RoleId, org: HrOrg, session: SessionDep) -> dict[str, Any]:
    return profile_view(session, get_org_profile(session, org, role_profile_id))


@router.patch("/{role_profile_id}", openapi_extra=openapi_body(RoleProfileUpdate),
              responses={400: {}, 404: {}, 413: {}, 415: {}, 422: {}})
async def update(role_profile_id: RoleId, request: Request, org: HrOrg, session: SessionDep) -> dict[str, Any]:
    """Change title, description or targets (the targets list replaces the old one)."""
    data = await parse_body(request, RoleProfileUpdate, MAX_BODY_BYTES)
    profile = update_org_profile(session, org, role_profile_id, data)
    return profile_view(session, profile)


@router.get("/{role_profile_id}/modules", responses={404: {}})
def list_modules(role_profile_id: RoleId, org: HrOrg, session: SessionDep) -> list[dict[str, Any]]:
    """Modules recommended or assigned to this profile (the plan engine prefers them strongly)."""
    return preferences_of(session, org, role_profile_id)


@router.put("/{role_profile_id}/modules", openapi_extra=openapi_body(ModulePreferencesIn),
            responses={400: {}, 404: {}, 413: {}, 415: {}, 422: {}})
async def replace_modules(role_profile_id: RoleId, request: Request, org: HrOrg,
                          session: SessionDep, background: BackgroundTasks) -> list[dict[str, Any]]:
    """Set the complete list of recommended/assigned modules (approved modules only)."""
    data = await parse_body(request, ModulePreferencesIn, MAX_BODY_BYTES)
    result = set_preferences(session, org, role_profile_id, data)
    background.add_task(replan_role_profile, role_profile_id)  # the plan engine treats them as strong preferences
    return result

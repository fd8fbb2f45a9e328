"""Read-only catalogue: the competency framework, role profiles and approved modules."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from sqlmodel import select

from campus.api.deps import SessionDep
from campus.catalogue import competencies, role_profiles
from campus.models import Competency, Module, RoleProfile

router = APIRouter(tags=["catalogue"])


@router.get("/competencies", response_model=list[Competency])
def list_competencies(session: SessionDep) -> list[Competency]:
    return list(competencies(session).values())


@router.get("/roles", response_model=list[RoleProfile])
def list_roles(session: SessionDep) -> list[RoleProfile]:
    return role_profiles(session)


@router.get("/modules", response_model=list[Module])
def list_modules(
    session: SessionDep,
    status: str = Query("approved", pattern="^(submitted|approved|rejected|withdrawn)$"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> list[Module]:
    query = select(Module).where(Module.status == status).order_by(Module.id).offset(offset).limit(limit)
    return list(session.exec(query).all())


@router.get("/modules/{module_id}", response_model=Module)
def get_module(module_id: int, session: SessionDep) -> Module:
    module = session.get(Module, module_id)
    if module is None:
        raise HTTPException(status_code=404, detail=f"Modul {module_id} nicht gefunden / module not found")
    return module

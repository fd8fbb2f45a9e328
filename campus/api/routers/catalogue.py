"""Read-only catalogue: the competency framework, role profiles and approved modules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlmodel import col, select

from campus.api.deps import SessionDep
from campus.catalogue.framework import RECOMMENDABLE, competencies, role_profiles
from campus.catalogue.models import Competency, Module, RoleProfile
from campus.store.errors import problem

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
    status: str = Query(RECOMMENDABLE, pattern=f"^{RECOMMENDABLE}$",
                        description="only approved modules are public; providers see their own via /provider/modules"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> list[Module]:
    query = select(Module).where(Module.status == status).order_by(col(Module.id)).offset(offset).limit(limit)
    return list(session.exec(query).all())


@router.get("/modules/{module_id}", response_model=Module)
def get_module(module_id: Annotated[int, Path(ge=1, le=2**62)], session: SessionDep) -> Module:
    """An approved module; a submitted, rejected or withdrawn one is another provider's business (404)."""
    module = session.get(Module, module_id)
    if module is None or module.status != RECOMMENDABLE:
        raise problem("module_not_found", "module_id", 404, id=module_id)
    return module

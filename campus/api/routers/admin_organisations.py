"""Admin: member organisations (municipalities, counties) and their cooperative membership; HR: its budget.

``/admin/organisations`` registers, lists and changes organisations (admin
keys). An organisation's ``id`` is the ``org`` of its HR keys and campaigns,
so it is registered before its HR key is issued. ``/hr/organisation`` lets
the organisation's own HR read it and set the yearly budget per learner.
A change of membership or budget rebuilds the plans of the organisation's
learners in the background (prices and the budget decide what fits).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request

from campus.api.auth import AdminKey, HrOrg
from campus.api.deps import SessionDep
from campus.api.json_body import openapi_body, parse_body
from campus.hr.organisations import (
    SLUG,
    BudgetIn,
    OrganisationIn,
    OrganisationUpdate,
    find_organisation,
    get_organisation,
    list_organisations,
    organisation_view,
    register_organisation,
    set_budget,
    update_organisation,
)
from campus.store.db import session_scope
from campus.store.errors import problem
from campus.store.texts import text

router = APIRouter(tags=["admin"])

MAX_BODY_BYTES = 16_000
OrganisationId = Annotated[str, Path(min_length=2, max_length=63, pattern=SLUG)]
PLAN_FIELDS = {"member", "yearly_budget_eur"}  # what changes the plans of the organisation's learners


def replan_organisation(organisation_id: str) -> int:
    """Rebuild the plans of the organisation's learners; returns how many changed."""
    from plan_engine.replan import on_organisation_changed  # numpy-heavy: only when used

    with session_scope() as session:
        return len(on_organisation_changed(session, organisation_id))


@router.get("/admin/organisations", summary=text("admin.summaries.list_organisations"))
def list_all(_: AdminKey, session: SessionDep,
             member: Annotated[bool | None, Query(description=text("admin.parameters.member"))] = None,
             ) -> list[dict[str, Any]]:
    return [organisation_view(row) for row in list_organisations(session, member)]


@router.post("/admin/organisations", status_code=201, summary=text("admin.summaries.register_organisation"),
             openapi_extra=openapi_body(OrganisationIn), responses={400: {}, 409: {}, 413: {}, 415: {}, 422: {}})
async def register(request: Request, _: AdminKey, session: SessionDep) -> dict[str, Any]:
    data = await parse_body(request, OrganisationIn, MAX_BODY_BYTES)
    return organisation_view(register_organisation(session, data))


@router.get("/admin/organisations/{organisation_id}", responses={404: {}})
def read(organisation_id: OrganisationId, _: AdminKey, session: SessionDep) -> dict[str, Any]:
    return organisation_view(get_organisation(session, organisation_id))


@router.patch("/admin/organisations/{organisation_id}", summary=text("admin.summaries.update_organisation"),
              openapi_extra=openapi_body(OrganisationUpdate),
              responses={400: {}, 404: {}, 409: {}, 413: {}, 415: {}, 422: {}})
async def update(organisation_id: OrganisationId, request: Request, _: AdminKey, session: SessionDep,
                 background: BackgroundTasks) -> dict[str, Any]:
    """Change name, kind, region, synonyms, membership or budget (``null`` removes region or budget)."""
    data = await parse_body(request, OrganisationUpdate, MAX_BODY_BYTES)
    row = update_organisation(session, organisation_id, data)
    if data.model_fields_set & PLAN_FIELDS:
        background.add_task(replan_organisation, row.id)
    return organisation_view(row)


@router.get("/hr/organisation", tags=["hr"], summary=text("admin.summaries.own_organisation"), responses={404: {}})
def own(org: HrOrg, session: SessionDep) -> dict[str, Any]:
    """Your organisation as registered: membership (member prices for your staff) and the yearly budget."""
    row = find_organisation(session, org)
    if row is None:
        raise problem("hr_organisation_not_registered", "X-API-Key", 404, org=org)
    return organisation_view(row)


@router.put("/hr/organisation/budget", tags=["hr"], summary=text("admin.summaries.own_budget"),
            openapi_extra=openapi_body(BudgetIn), responses={400: {}, 404: {}, 413: {}, 415: {}, 422: {}})
async def put_budget(request: Request, org: HrOrg, session: SessionDep,
                     background: BackgroundTasks) -> dict[str, Any]:
    """Set what each of your learners may spend per year (``null``: no limit); their plans keep to it."""
    data = await parse_body(request, BudgetIn, MAX_BODY_BYTES)
    row = set_budget(session, org, data.yearly_budget_eur)
    background.add_task(replan_organisation, row.id)
    return organisation_view(row)

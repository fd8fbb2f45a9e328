"""Advisory board: review queue, quality criteria, decisions, audit trail."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from campus.api.auth import BoardKey
from campus.api.deps import SessionDep
from campus.api.jobs import sync_plans
from campus.api.json_body import openapi_body, parse_body
from campus.catalogue.review import audit_trail, criteria, decide, review_queue

router = APIRouter(prefix="/board", tags=["board"])

MAX_BODY_BYTES = 64_000
ModuleId = Annotated[int, Path(ge=1, le=2**62)]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: StrictStr = Field(default="", max_length=2000)
    checklist: dict[Annotated[str, Field(max_length=100)], StrictBool] = Field(default_factory=dict, max_length=100)


@router.get("/criteria")
def list_criteria(_: BoardKey) -> list[dict[str, Any]]:
    return criteria()


@router.get("/modules")
def list_queue(
    _: BoardKey, session: SessionDep,
    status: str = Query("submitted", pattern="^(submitted|approved|rejected|withdrawn)$"),
    limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    return review_queue(session, status, limit, offset)


@router.post("/modules/{module_id}/decision", openapi_extra=openapi_body(DecisionIn),
             responses={400: {}, 404: {}, 409: {}, 413: {}, 415: {}, 422: {}})
async def record_decision(module_id: ModuleId, request: Request, key: BoardKey, session: SessionDep,
                          background: BackgroundTasks) -> dict[str, Any]:
    """Approve or reject; the body is read only after the key was checked."""
    body = await parse_body(request, DecisionIn, MAX_BODY_BYTES)
    record = decide(session, module_id, body.decision, body.reason, body.checklist, key.id)
    background.add_task(sync_plans)  # an approval enters the plans it improves, right after the response
    return record.model_dump(mode="json")


@router.get("/modules/{module_id}/decisions")
def list_decisions(module_id: ModuleId, _: BoardKey, session: SessionDep) -> list[dict[str, Any]]:
    return audit_trail(session, module_id)

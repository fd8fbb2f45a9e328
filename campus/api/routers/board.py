"""Advisory board: review queue and module record, quality criteria, decisions, tags, framework additions.

Tag edits of an approved module keep it approved (the board itself made
them) and replan right after the response, as an approval does; tag edits of
a waiting module only change what the board will approve. A competency the
board adds re-tags the waiting modules before the response returns.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from campus.api.auth import BoardKey
from campus.api.deps import SessionDep
from campus.api.jobs import replan_module, sync_plans
from campus.api.json_body import openapi_body, parse_body
from campus.catalogue.framework import CompetencyIn, add_competency, competencies
from campus.catalogue.review import TagFilter, audit_trail, criteria, decide, module_record, review_queue
from campus.catalogue.tags import TagEdit, TagLevels, confirm_tag, remove_tag, replace_tags, tag_views
from campus.catalogue.template import MAX_COMPETENCIES, TagSource
from campus.store.ids import stored_id
from embeddings.retag import retag_after_framework_change

router = APIRouter(prefix="/board", tags=["board"])

MAX_BODY_BYTES = 64_000
ModuleId = Annotated[int, Path(ge=1, le=2**62)]
CompetencyId = Annotated[str, Path(min_length=1, max_length=64)]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: StrictStr = Field(default="", max_length=2000)
    checklist: dict[Annotated[str, Field(max_length=100)], StrictBool] = Field(default_factory=dict, max_length=100)


class TagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: StrictStr = Field(min_length=1, max_length=64)
    level_from: StrictInt = Field(ge=0, le=4)
    level_to: StrictInt = Field(ge=0, le=4)


class TagsIn(BaseModel):
    """The module's complete list of tags (an empty list: no competency of the framework fits)."""

    model_config = ConfigDict(extra="forbid")

    competencies: list[TagIn] = Field(max_length=MAX_COMPETENCIES)
    note: StrictStr = Field(default="", max_length=2000)


def _tag_response(session: SessionDep, edit: TagEdit, background: BackgroundTasks) -> dict[str, Any]:
    if edit.replan:  # an approved module's recommendations follow its tags, right after the response
        background.add_task(replan_module, stored_id(edit.module.id))
    labels = {cid: c.label for cid, c in competencies(session).items()}
    return {"module_id": edit.module.id, "status": edit.module.status, "changed": edit.change is not None,
            "tags": tag_views(edit.module, labels), "flags": list(edit.module.flags)}


@router.get("/criteria")
def list_criteria(_: BoardKey) -> list[dict[str, Any]]:
    return criteria()


@router.get("/modules")
def list_queue(
    _: BoardKey, session: SessionDep,
    status: str = Query("submitted", pattern="^(submitted|approved|rejected|withdrawn)$"),
    provider: str | None = Query(None, min_length=1, max_length=64),
    flag: str | None = Query(None, pattern="^[a-z_]{1,64}$", description="e.g. no_fitting_competency"),
    source: TagSource | None = Query(None, description="modules with at least one tag of this provenance"),
    limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    """Each module with its tags (label, provenance, confidence, confirmed), flags and near-duplicates."""
    return review_queue(session, status, limit, offset, provider=provider, where=TagFilter(flag, source))


@router.get("/modules/{module_id}", responses={404: {}})
def read_module(module_id: ModuleId, _: BoardKey, session: SessionDep) -> dict[str, Any]:
    """The module's full text, tags, flags, near-duplicates, versions, decisions and tag changes."""
    return module_record(session, module_id)


@router.put("/modules/{module_id}/competencies", openapi_extra=openapi_body(TagsIn),
            responses={400: {}, 404: {}, 409: {}, 413: {}, 415: {}, 422: {}})
async def put_tags(module_id: ModuleId, request: Request, key: BoardKey, session: SessionDep,
                   background: BackgroundTasks) -> dict[str, Any]:
    """Replace the module's tags; new or changed ones become the board's, unchanged ones are confirmed."""
    body = await parse_body(request, TagsIn, MAX_BODY_BYTES)
    tags = [TagLevels(t.id, t.level_from, t.level_to) for t in body.competencies]
    return _tag_response(session, replace_tags(session, module_id, tags, key.id, body.note), background)


@router.post("/modules/{module_id}/competencies/{competency_id}/confirm", responses={404: {}, 409: {}})
def confirm_one(module_id: ModuleId, competency_id: CompetencyId, key: BoardKey, session: SessionDep,
                background: BackgroundTasks) -> dict[str, Any]:
    """Confirm one tag as it is (its provenance and confidence stay visible)."""
    return _tag_response(session, confirm_tag(session, module_id, competency_id, key.id), background)


@router.delete("/modules/{module_id}/competencies/{competency_id}", responses={404: {}, 409: {}})
def remove_one(module_id: ModuleId, competency_id: CompetencyId, key: BoardKey, session: SessionDep,
               background: BackgroundTasks) -> dict[str, Any]:
    """Take one tag off the module (an approved module keeps at least one)."""
    return _tag_response(session, remove_tag(session, module_id, competency_id, key.id), background)


@router.post("/competencies", status_code=201, openapi_extra=openapi_body(CompetencyIn),
             responses={400: {}, 409: {}, 413: {}, 415: {}, 422: {}})
async def new_competency(request: Request, key: BoardKey, session: SessionDep) -> dict[str, Any]:
    """Add a competency with its five level descriptors; the waiting modules are re-tagged before the answer."""
    body = await parse_body(request, CompetencyIn, MAX_BODY_BYTES)
    competency = add_competency(session, body)
    report = await run_in_threadpool(retag_after_framework_change, key.id, body.id)
    return {"competency": competency.model_dump(mode="json"),
            "retag": {"looked_at": report.looked_at, "retagged": report.retagged}}


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

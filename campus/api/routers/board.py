"""Advisory board: review queue, quality criteria, decisions, audit trail."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query
from pydantic import BaseModel, Field
from sqlmodel import select

from campus.api.auth import BoardKey
from campus.api.deps import SessionDep
from campus.api.jobs import sync_plans
from campus.catalogue.models import DuplicateFlag, Module, ReviewDecision
from campus.catalogue.review import criteria, decide
from campus.store.errors import DomainError

router = APIRouter(prefix="/board", tags=["board"])


class DecisionIn(BaseModel):
    decision: Literal["approve", "reject"]
    reason: str = Field(default="", max_length=2000)
    checklist: dict[str, bool] = Field(default_factory=dict)


@router.get("/criteria")
def list_criteria(_: BoardKey) -> list[dict]:
    return criteria()


@router.get("/modules")
def review_queue(
    _: BoardKey, session: SessionDep,
    status: str = Query("submitted", pattern="^(submitted|approved|rejected|withdrawn)$"),
    limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    modules = session.exec(
        select(Module).where(Module.status == status).order_by(Module.updated_at).offset(offset).limit(limit)
    ).all()
    flags = session.exec(select(DuplicateFlag).where(DuplicateFlag.resolved == False)).all()  # noqa: E712
    by_module: dict[int, list[dict]] = {}
    for flag in flags:
        by_module.setdefault(flag.module_id, []).append(
            {"other_module_id": flag.other_module_id, "similarity": round(flag.similarity, 3)})
    return [
        {"module": m.model_dump(mode="json"), "near_duplicates": by_module.get(m.id, [])} for m in modules
    ]


@router.post("/modules/{module_id}/decision")
def record_decision(module_id: int, body: DecisionIn, key: BoardKey, session: SessionDep,
                    background: BackgroundTasks) -> dict[str, Any]:
    try:
        record = decide(session, module_id, body.decision, body.reason, body.checklist, key.id)
    except DomainError as exc:
        raise HTTPException(exc.status_code, detail=exc.as_dict()) from exc
    session.commit()
    background.add_task(sync_plans)  # an approval enters the plans it improves, right after the response
    return record.model_dump(mode="json")


@router.get("/modules/{module_id}/decisions")
def audit_trail(module_id: int, _: BoardKey, session: SessionDep) -> list[dict[str, Any]]:
    rows = session.exec(
        select(ReviewDecision).where(ReviewDecision.module_id == module_id).order_by(ReviewDecision.id)
    ).all()
    return [r.model_dump(mode="json") for r in rows]

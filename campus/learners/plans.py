"""Plan versions: every change is a new version with its trigger and the diff to the one before.

Old versions are never rewritten, so "why did my plan change?" can always
be answered from the store. Only the newest version carries ``current``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import func
from sqlmodel import Session, col, select

from campus.learners.models import Plan, PlanItem
from campus.store.ids import stored_id


class PlannedItem(Protocol):
    """What a plan version stores of each recommendation (the plan engine's ``Recommendation`` is one)."""

    module_id: int
    match_percent: int
    reasons: list[str]
    status: str
    planned_month: str | None
    role: str
    score: float | None


def current_plan(session: Session, learner_id: str) -> Plan | None:
    return session.exec(select(Plan).where(Plan.learner_id == learner_id, Plan.current == True)  # noqa: E712
                        .order_by(col(Plan.version).desc())).first()


def plan_items(session: Session, plan_id: int) -> list[PlanItem]:
    query = select(PlanItem).where(PlanItem.plan_id == plan_id).order_by(col(PlanItem.position))
    return list(session.exec(query).all())


def plan_diff(previous: Sequence[int], new: Sequence[int]) -> dict[str, list[int]]:
    before, after = set(previous), set(new)
    return {
        "added": [m for m in new if m not in before],
        "removed": [m for m in previous if m not in after],
        "kept": [m for m in new if m in before],
    }


def same_plan(previous: Sequence[PlanItem], new: Sequence[PlannedItem]) -> bool:
    """Same modules in the same order, months and statuses: nothing the learner would notice."""
    return [(i.module_id, i.planned_month, i.status) for i in previous] == \
        [(r.module_id, r.planned_month, r.status) for r in new]


def save_plan(
    session: Session,
    learner_id: str,
    trigger: str,
    items: Sequence[PlannedItem],
    detail: dict[str, Any] | None = None,
    warnings: list[str] | None = None,
    previous: Plan | None = None,
    previous_items: Sequence[PlanItem] | None = None,
) -> Plan:
    """Write ``items`` as the learner's next plan version (in the caller's transaction)."""
    if previous is None:
        previous = current_plan(session, learner_id)
    if previous is not None and previous_items is None:
        previous_items = plan_items(session, stored_id(previous.id))
    latest = session.exec(select(func.max(Plan.version)).where(Plan.learner_id == learner_id)).one()
    if previous is not None:
        previous.current = False
        session.add(previous)
    plan = Plan(
        learner_id=learner_id, version=(latest or 0) + 1, trigger=trigger, trigger_detail=detail or {},
        diff=plan_diff([i.module_id for i in previous_items or []], [r.module_id for r in items]),
        warnings=list(warnings or []), current=True,
    )
    session.add(plan)
    session.flush()
    plan_id = stored_id(plan.id)
    for position, rec in enumerate(items, start=1):
        session.add(PlanItem(
            plan_id=plan_id, position=position, module_id=rec.module_id, match_percent=rec.match_percent,
            reasons=rec.reasons, status=rec.status, planned_month=rec.planned_month, role=rec.role,
            score=rec.score,
        ))
    session.flush()
    return plan

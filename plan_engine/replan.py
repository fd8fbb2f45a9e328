"""Keeping plans current: one function per event, each writing new plan versions only where something changed.

Catalogue events touch many learners and are incremental:

* ``on_module_approved`` scores the module (and modules that were waiting
  for it as a prerequisite) against every learner's row of the
  :class:`~plan_engine.needs.NeedMatrix` at once and rebuilds only the plans
  it could enter, from the stored requests (no profile reads, no encoder);
* ``on_module_withdrawn`` rebuilds only the current plans that contain it.

Learner events (profile changed, module completed, item accepted, rejected
or postponed) rebuild that learner's plan from the profile. Accepted,
enrolled and postponed items are pinned: they stay across every replan
unless their module leaves the approved catalogue.

``sync_catalogue_changes`` catches up with board decisions and
withdrawals made elsewhere (the API records them in the store; the core
must not call the plan engine from ``campus``), using a watermark in
``Meta``, so it is safe to run after every decision or on a timer.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from campus.catalogue.framework import RECOMMENDABLE, competencies
from campus.catalogue.models import Module, ReviewDecision
from campus.hr.organisations import learner_ids_of
from campus.learners.models import CompetencyLevel, LearnerModuleState, LearnerNeed, LearnerProfile, Plan, PlanItem
from campus.learners.plans import plan_items
from campus.learners.profiles import update_profile
from campus.store.base import Meta
from campus.store.clock import utcnow
from campus.store.ids import stored_id
from campus.store.settings import get_settings
from embeddings.encoder import Encoder
from embeddings.index import ModuleIndex
from plan_engine.catalogue import CatalogueArrays
from plan_engine.constraints import Preferences, planning_window
from plan_engine.context import preferences_of
from plan_engine.engine import make_plan
from plan_engine.need_rows import request_of
from plan_engine.needs import ModuleFeatures, NeedMatrix, need_matrix
from plan_engine.planner import PlanOutcome, catalogue, commit_result, limits, replan_learner
from plan_engine.texts import messages, month_of

log = logging.getLogger(__name__)

CHUNK = 500
WATERMARK_KEY = "replan_watermark"


class PlanError(LookupError):
    """A learner asked to change an item that is not in their plan (message in German for the chat)."""

    def __init__(self, code: str, **values: Any) -> None:
        self.code = code
        self.message_de = messages()["errors"][code].format(**values)
        super().__init__(self.message_de)


@dataclass
class ReplanReport:
    trigger: str
    module_id: int | None
    scored: int = 0  # learners looked at (matrix rows)
    flagged: int = 0  # learners whose plan was rebuilt
    changed: list[str] = field(default_factory=list)  # learners with a new plan version
    seconds: float = 0.0


# -- catalogue events ---------------------------------------------------------------------------------------
def on_module_approved(session: Session, module_id: int, *, index: ModuleIndex | None = None,
                       today: date | None = None, encoder: Encoder | None = None) -> ReplanReport:
    started = time.perf_counter()
    today = today or date.today()
    report = ReplanReport("module_approved", module_id)
    module = session.get(Module, module_id)
    if module is None or module.status != RECOMMENDABLE:
        return report
    arrays = catalogue(session, index)
    position = arrays.position.get(module_id)
    if position is None:  # approved but without a vector yet (or the index missed the change)
        log.warning("module %s is approved but not in the index snapshot; no replanning", module_id)
        return report
    reach = [position] + arrays.dependants.get(position, [])
    plan_limits = limits()
    matrix = need_matrix(session, arrays.competency_index, arrays.vectors.shape[1], plan_limits.max_items)
    report.scored = len(matrix)
    flagged = set(matrix.ids(matrix.affected([ModuleFeatures.from_arrays(arrays, p) for p in reach], plan_limits,
                                             today)))
    flagged |= learners_with_module(session, module_id)  # a re-approved new version: refresh its reasons
    report.flagged = len(flagged)
    report.changed = rebuild_from_needs(session, sorted(flagged), arrays, "module_approved", {"module_id": module_id},
                                        today, encoder=encoder, matrix=matrix)
    report.seconds = time.perf_counter() - started
    log.info("module %s approved: %d learners scored, %d rebuilt, %d plans changed in %.2f s", module_id,
             report.scored, report.flagged, len(report.changed), report.seconds)
    return report


def on_module_withdrawn(session: Session, module_id: int, *, index: ModuleIndex | None = None,
                        today: date | None = None, encoder: Encoder | None = None,
                        trigger: str = "module_withdrawn") -> ReplanReport:
    """Also for a module that went back to review or was rejected: it may no longer be recommended."""
    started = time.perf_counter()
    report = ReplanReport(trigger, module_id)
    learners = sorted(learners_with_module(session, module_id))
    report.scored = report.flagged = len(learners)
    states = session.exec(select(LearnerModuleState).where(
        LearnerModuleState.module_id == module_id,
        col(LearnerModuleState.status).in_(("accepted", "enrolled", "postponed")))).all()
    for state in states:  # an agreed item whose module is gone does not come back by itself
        state.status, state.reason, state.updated_at = "dropped", trigger, utcnow()
        session.add(state)
    report.changed = rebuild_from_needs(session, learners, catalogue(session, index), trigger,
                                        {"module_id": module_id}, today or date.today(), drop_module=module_id,
                                        encoder=encoder)
    report.seconds = time.perf_counter() - started
    return report


def learners_with_module(session: Session, module_id: int) -> set[str]:
    rows = session.exec(select(Plan.learner_id).join(PlanItem, col(PlanItem.plan_id) == col(Plan.id))
                        .where(Plan.current == True, PlanItem.module_id == module_id)).all()  # noqa: E712
    return set(rows)


def rebuild_from_needs(session: Session, learner_ids: list[str], arrays: CatalogueArrays, trigger: str,
                       detail: dict[str, Any], today: date, drop_module: int | None = None,
                       encoder: Encoder | None = None, matrix: NeedMatrix | None = None) -> list[str]:
    """Rebuild plans from the stored requests in ``LearnerNeed``; returns the learners whose plan changed."""
    labels = {cid: c.label for cid, c in competencies(session).items()}
    plan_limits = limits()
    changed: list[str] = []
    for start in range(0, len(learner_ids), CHUNK):
        chunk = learner_ids[start:start + CHUNK]
        needs = {n.learner_id: n for n in session.exec(
            select(LearnerNeed).where(col(LearnerNeed.learner_id).in_(chunk)))}
        plans = {p.learner_id: p for p in session.exec(
            select(Plan).where(col(Plan.learner_id).in_(chunk), Plan.current == True))}  # noqa: E712
        items: dict[int, list[PlanItem]] = {}
        if plans:
            for item in session.exec(select(PlanItem).where(col(PlanItem.plan_id).in_([p.id for p in plans.values()]))
                                     .order_by(col(PlanItem.plan_id), col(PlanItem.position))):
                items.setdefault(item.plan_id, []).append(item)
        for learner_id in chunk:
            need = needs.get(learner_id)
            if need is None:  # never planned through the engine (take the slow path once), or gone
                profile = session.get(LearnerProfile, learner_id)
                if profile is None or not profile.consent:
                    if matrix is not None:
                        matrix.drop(learner_id)
                    continue
                outcome = replan_learner(session, learner_id, trigger, detail, today=today, encoder=encoder)
                if outcome.changed:
                    changed.append(learner_id)
                continue
            request = request_of(need, labels)
            if drop_module is not None:
                request.pinned = tuple(p for p in request.pinned if p.module_id != drop_module)
                request.excluded = request.excluded | {drop_module}
            result = make_plan(request, arrays, today, plan_limits)
            previous = plans.get(learner_id)
            outcome = commit_result(session, learner_id, request, result, need.model, need.text_hash, trigger,
                                    detail, previous=previous,
                                    previous_items=items.get(stored_id(previous.id), []) if previous else None)
            if outcome.changed:
                changed.append(learner_id)
    session.flush()
    return changed


def sync_catalogue_changes(session: Session, *, index: ModuleIndex | None = None,
                           today: date | None = None, encoder: Encoder | None = None) -> list[ReplanReport]:
    """Replan for every approval since the last run and for every planned module that is no longer approved."""
    marker = session.get(Meta, WATERMARK_KEY)
    last = json.loads(marker.value).get("decision_id", 0) if marker else 0
    decisions = session.exec(select(ReviewDecision).where(col(ReviewDecision.id) > last)
                             .order_by(col(ReviewDecision.id))).all()
    reports: list[ReplanReport] = []
    if marker is None:  # first run: decisions older than every current plan are already part of them
        oldest = session.exec(select(func.min(Plan.created_at)).where(Plan.current == True)).one()  # noqa: E712
        considered: Sequence[ReviewDecision] = [d for d in decisions
                                                if oldest is not None and _naive(d.at) >= _naive(oldest)]
    else:
        considered = decisions
    approved = sorted({d.module_id for d in considered if d.decision == RECOMMENDABLE})
    gone = session.exec(select(PlanItem.module_id).join(Plan, col(Plan.id) == col(PlanItem.plan_id))
                        .join(Module, col(Module.id) == col(PlanItem.module_id))
                        .where(Plan.current == True, Module.status != RECOMMENDABLE)  # noqa: E712
                        .distinct()).all()
    for module_id in sorted(set(gone)):
        reports.append(on_module_withdrawn(session, module_id, index=index, today=today, encoder=encoder))
    for module_id in approved:
        reports.append(on_module_approved(session, module_id, index=index, today=today, encoder=encoder))
    newest = decisions[-1].id if decisions else last
    marker = marker or Meta(key=WATERMARK_KEY, value="{}")
    marker.value = json.dumps({"decision_id": newest})
    session.add(marker)
    session.flush()
    return reports


# -- learner events -----------------------------------------------------------------------------------------
def on_profile_changed(session: Session, learner_id: str, *, encoder: Encoder | None = None,
                       index: ModuleIndex | None = None, today: date | None = None,
                       notify: bool | None = None) -> PlanOutcome:
    """The entry point for a changed profile (message ``updates.profile_changed``, notified by default).

    No adapter calls it yet: the chat builds the first plan when the interview ends and has no profile
    editing after that; the event, its wording and its notification are ready for when it does.
    """
    return replan_learner(session, learner_id, "profile_changed", encoder=encoder, index=index, today=today,
                          notify=notify)


def on_organisation_changed(session: Session, organisation_id: str, *, encoder: Encoder | None = None,
                            index: ModuleIndex | None = None, today: date | None = None) -> list[str]:
    """Membership or budget of an organisation changed: its learners' prices and budget change with it.

    Returns the learners whose plan changed (they are told, like after a profile change).
    """
    changed = []
    for learner_id in learner_ids_of(session, organisation_id):
        outcome = replan_learner(session, learner_id, "organisation_changed", {"organisation_id": organisation_id},
                                 encoder=encoder, index=index, today=today, notify=True)
        if outcome.changed:
            changed.append(learner_id)
    return changed


def on_module_completed(session: Session, learner_id: str, module_id: int, *, encoder: Encoder | None = None,
                        index: ModuleIndex | None = None, today: date | None = None) -> PlanOutcome:
    """Completion is evidence: raise levels to what the module teaches (source ``completed_module``), then replan."""
    module = session.get(Module, module_id)
    if module is None:
        raise PlanError("unknown_module", module_id=module_id)
    raised = {}
    for comp in module.competencies:
        current = session.get(CompetencyLevel, (learner_id, comp["id"]))
        if current is None or current.level <= int(comp["level_to"]):
            raised[comp["id"]] = max(int(comp["level_to"]), current.level if current else 0)
    if raised:
        update_profile(session, learner_id, {}, levels=raised, source="completed_module")
    _set_state(session, learner_id, module_id, "completed")
    return replan_learner(session, learner_id, "module_completed", {"module_id": module_id, "levels": raised},
                          encoder=encoder, index=index, today=today)


def accept_item(session: Session, learner_id: str, module_id: int, **kwargs: Any) -> PlanOutcome:
    item = _item_in_plan(session, learner_id, module_id)
    _set_state(session, learner_id, module_id, "accepted", month=item.planned_month)
    return replan_learner(session, learner_id, "item_accepted", {"module_id": module_id}, **kwargs)


def reject_item(session: Session, learner_id: str, module_id: int, reason: str | None = None,
                **kwargs: Any) -> PlanOutcome:
    _item_in_plan(session, learner_id, module_id)
    reason = (reason or "").strip() or None
    _set_state(session, learner_id, module_id, "rejected", reason=reason)
    return replan_learner(session, learner_id, "item_rejected", {"module_id": module_id, "reason": reason}, **kwargs)


def postpone_item(session: Session, learner_id: str, module_id: int, months: int = 1, *,
                  today: date | None = None, **kwargs: Any) -> PlanOutcome:
    """Keep the item but plan it at least ``months`` later than now planned."""
    item = _item_in_plan(session, learner_id, module_id)
    base = item.planned_month or month_of(planning_window(_preferences(session, learner_id),
                                                           today or date.today()).start)
    year, month = (int(x) for x in base.split("-")[:2])
    total = year * 12 + month - 1 + max(1, months)
    not_before = f"{total // 12:04d}-{total % 12 + 1:02d}"
    _set_state(session, learner_id, module_id, "postponed", month=not_before)
    return replan_learner(session, learner_id, "item_postponed", {"module_id": module_id, "not_before": not_before},
                          today=today, **kwargs)


def _naive(moment: datetime) -> datetime:
    """Stored times come back naive from SQLite and aware elsewhere; both are UTC, so compare them naive."""
    return moment.replace(tzinfo=None) if moment is not None and moment.tzinfo else moment


def _preferences(session: Session, learner_id: str) -> Preferences:
    return preferences_of(session.get(LearnerProfile, learner_id), get_settings())


def _item_in_plan(session: Session, learner_id: str, module_id: int) -> PlanItem:
    plan = session.exec(select(Plan).where(Plan.learner_id == learner_id, Plan.current == True)).first()  # noqa: E712
    if plan is None:
        raise PlanError("no_plan")
    for item in plan_items(session, stored_id(plan.id)):
        if item.module_id == module_id:
            return item
    raise PlanError("not_in_plan", module_id=module_id)


def _set_state(session: Session, learner_id: str, module_id: int, status: str, reason: str | None = None,
               month: str | None = None) -> LearnerModuleState:
    state = session.get(LearnerModuleState, (learner_id, module_id)) or LearnerModuleState(
        learner_id=learner_id, module_id=module_id, status=status)
    state.status, state.reason, state.planned_month, state.updated_at = status, reason, month, utcnow()
    session.add(state)
    session.flush()
    return state


def main() -> int:
    """``python -m plan_engine.replan``: catch up with board decisions and withdrawals (cron, timer, after deploys)."""
    from campus.store.db import session_scope

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    with session_scope() as session:
        reports = sync_catalogue_changes(session)
    for report in reports:
        print(f"{report.trigger} module {report.module_id}: {report.scored} learners scored, {report.flagged} "
              f"rebuilt, {len(report.changed)} plans changed ({report.seconds:.2f} s)")
    if not reports:
        print("No catalogue changes since the last run.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

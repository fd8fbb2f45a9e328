"""Build a learner's plan from the stored profile and persist it as a new version.

``replan_learner`` is the one path every trigger takes: read the profile,
reuse the cached need vectors, run the engine against the approved
catalogue, and write a new plan version only if the plan the learner sees
changed (or ``force``), together with the learner's row of the replanning
matrix and, for catalogue-driven changes, a message in the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlmodel import Session, col, select

from campus.catalogue.models import Module
from campus.channels.outbox import enqueue
from campus.hr.module_preferences import preferred_modules_for
from campus.learners.models import LearnerNeed, LearnerProfile, Plan, PlanItem
from campus.learners.plans import current_plan, plan_items, same_plan, save_plan
from campus.learners.profiles import ProfileView, load_profile
from campus.store.ids import stored_id
from campus.store.settings import get_settings
from embeddings.encoder import Encoder, get_encoder
from embeddings.index import ModuleIndex, get_module_index
from plan_engine.catalogue import CatalogueArrays, KnownModule, arrays_for
from plan_engine.context import (
    context_gaps,
    load_context,
    make_request,
    need_text,
    need_vectors,
    query_texts,
)
from plan_engine.engine import make_plan
from plan_engine.messages import update_text
from plan_engine.need_rows import store_need
from plan_engine.recommend import Recommendation
from plan_engine.request import Limits, PlanRequest, PlanResult

__all__ = ["PlanOutcome", "build_plan", "catalogue", "commit_result", "need_text", "recommend_for", "replan_learner",
           "save_plan"]


class NoConsentError(PermissionError):
    """Plans are stored only for learners who consented."""


def limits() -> Limits:
    return Limits.from_settings(get_settings())


def known_modules(session: Session) -> list[KnownModule]:
    """Every module in the store, approved or not, so prerequisites can be told apart from typos."""
    # sqlmodel types select() for up to four columns; the row type is spelled out instead
    query = select(Module.id, Module.provider_id, Module.external_id, Module.status,  # type: ignore[call-overload]
                   Module.competencies)
    rows: Sequence[tuple[int, str, str, str, list[dict[str, Any]]]] = session.exec(query).all()
    return [KnownModule(mid, provider, external, status, tuple((c["id"], int(c["level_to"])) for c in comps))
            for mid, provider, external, status, comps in rows]


def catalogue(session: Session, index: ModuleIndex | None = None) -> CatalogueArrays:
    snapshot = (index or get_module_index()).snapshot(session)
    return arrays_for(snapshot, lambda: known_modules(session), get_settings().plan_category_order)


def _encoding(encoder: Encoder | None) -> tuple[str, Callable[[list[str]], npt.NDArray[np.float32]]]:
    """The model name to check cached vectors against, and an encode function that loads the model only if used."""
    if encoder is not None:
        return encoder.name, encoder.queries
    return str(get_settings().embedding_model_path), lambda texts: get_encoder().queries(texts)


@dataclass
class PlanOutcome:
    learner_id: str
    plan: Plan | None
    result: PlanResult
    changed: bool
    diff: dict[str, list[int]] = field(default_factory=dict)

    @property
    def items(self) -> list[Recommendation]:
        return self.result.items


def replan_learner(
    session: Session,
    learner_id: str,
    trigger: str,
    detail: dict[str, Any] | None = None,
    *,
    encoder: Encoder | None = None,
    index: ModuleIndex | None = None,
    today: date | None = None,
    force: bool = False,
    notify: bool | None = None,
    preferred_module_ids: Sequence[int] | None = None,
) -> PlanOutcome:
    """Rebuild one learner's plan from their stored profile (in the caller's transaction).

    Only for learners who consented: without consent nothing about them is kept, plans included.
    """
    row = session.get(LearnerProfile, learner_id)
    if row is None or not row.consent:
        raise NoConsentError(learner_id)
    settings = get_settings()
    context = load_context(session, load_profile(session, learner_id))
    gaps = context_gaps(context, settings)
    texts = query_texts(gaps, context.labels, context.role.title if context.role else None,
                        context.profile.interest_text)
    cached = session.get(LearnerNeed, learner_id)
    name, encode = _encoding(encoder)
    vectors = need_vectors(texts, cached, name, encode)
    if preferred_module_ids is None:  # what HR recommends or assigns for the learner's role (campaigns, own org)
        preferred_module_ids = preferred_modules_for(session, learner_id)
    request = make_request(context, vectors, settings, frozenset(int(m) for m in preferred_module_ids), gaps)
    result = make_plan(request, catalogue(session, index), today or date.today(), limits())
    return commit_result(session, learner_id, request, result, vectors.model, vectors.text_hash, trigger, detail,
                         force=force, notify=notify)


def commit_result(
    session: Session,
    learner_id: str,
    request: PlanRequest,
    result: PlanResult,
    model: str,
    text_hash: str,
    trigger: str,
    detail: dict[str, Any] | None = None,
    *,
    force: bool = False,
    notify: bool | None = None,
    previous: Plan | None = None,
    previous_items: list[PlanItem] | None = None,
) -> PlanOutcome:
    """Persist a computed plan if it differs from the current one; queue a message if the trigger asks for it."""
    if previous is None:
        previous = current_plan(session, learner_id)
    if previous is not None and previous_items is None:
        previous_items = plan_items(session, stored_id(previous.id))
    store_need(session, learner_id, request, result, model, text_hash)
    if previous is not None and not force and same_plan(previous_items or [], result.items):
        return PlanOutcome(learner_id, previous, result, changed=False)
    plan = save_plan(session, learner_id, trigger, result.items, detail, result.warnings, previous, previous_items)
    if notify is None:
        notify = trigger in get_settings().plan_notify_triggers
    if notify and previous is not None:
        _notify(session, learner_id, plan, trigger, detail or {}, result)
    return PlanOutcome(learner_id, plan, result, changed=True, diff=plan.diff)


def _notify(session: Session, learner_id: str, plan: Plan, trigger: str, detail: dict[str, Any],
            result: PlanResult) -> None:
    ids = set(plan.diff["added"]) | set(plan.diff["removed"])
    if detail.get("module_id") is not None:
        ids.add(int(detail["module_id"]))
    titles = {stored_id(mid): title for mid, title in session.exec(
        select(Module.id, Module.title).where(col(Module.id).in_(ids))).all()} if ids else {}
    module_title = titles.get(int(detail["module_id"])) if detail.get("module_id") is not None else None
    text = update_text(trigger, plan.diff, titles, module_title,
                       reordered=not plan.diff["added"] and not plan.diff["removed"])
    payload = {"plan_id": plan.id, "version": plan.version, "trigger": trigger, "diff": plan.diff,
               "items": [{"module_id": r.module_id, "title": r.title, "planned_month": r.planned_month,
                          "match_percent": r.match_percent} for r in result.items]}
    enqueue(session, learner_id, text, payload)


def build_plan(
    session: Session,
    learner_id: str,
    trigger: str,
    encoder: Encoder | None = None,
    index: ModuleIndex | None = None,
    today: date | None = None,
) -> list[Recommendation]:
    """Plan for the stored profile, always persisted as the learner's next version (e.g. after the interview)."""
    outcome = replan_learner(session, learner_id, trigger, encoder=encoder, index=index, today=today, force=True,
                             notify=False)
    return outcome.items


def recommend_for(
    session: Session,
    profile: ProfileView,
    encoder: Encoder | None = None,
    index: ModuleIndex | None = None,
    today: date | None = None,
    answers: dict[str, Any] | None = None,
) -> PlanResult:
    """A plan for a profile that is not stored (no consent): same engine, nothing written.

    ``answers`` are the unsaved interview fields (format, hours, region, start, career goal,
    organisation and budget).
    """
    settings = get_settings()
    known = {k: v for k, v in (answers or {}).items() if k in LearnerProfile.model_fields and k != "learner_id"}
    row = LearnerProfile(learner_id=profile.learner_id or "-", **known) if answers else None
    context = load_context(session, profile, stored=False, row=row)
    gaps = context_gaps(context, settings)
    texts = query_texts(gaps, context.labels, context.role.title if context.role else None, profile.interest_text)
    name, encode = _encoding(encoder)
    vectors = need_vectors(texts, None, name, encode)
    request = make_request(context, vectors, settings, frozenset(), gaps)
    return make_plan(request, catalogue(session, index), today or date.today(), limits())

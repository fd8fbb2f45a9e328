"""A module HR assigns to an organisation's role profile enters the plans of that role's learners."""

from __future__ import annotations

from sqlmodel import select

from campus.api.jobs import replan_role_profile
from campus.catalogue.models import Module
from campus.hr.module_preferences import ModulePreferencesIn, set_preferences
from campus.hr.role_profiles import RoleProfileCreate, create_org_profile
from campus.learners.identity import learner_for
from campus.learners.plans import current_plan, plan_items
from campus.learners.profiles import update_profile
from campus.store.db import get_engine, session_scope
from plan_engine.planner import build_plan


def test_assigned_module_enters_the_plan_after_hr_changes_preferences(prepared_store) -> None:
    engine = get_engine()
    with session_scope(engine) as session:
        role = create_org_profile(session, "musterstadt", RoleProfileCreate(based_on="sachbearbeitung_buergerbuero"))
        learner = learner_for(session, "rest", "hr-pref-learner", org="musterstadt")
        update_profile(session, learner.id, {"role_id": role.id, "consent": True, "hours_per_month": 20},
                       levels={"e_akte": 1})
        before = {r.module_id for r in build_plan(session, learner.id, "interview_completed")}
        outsider = session.exec(select(Module).where(Module.status == "approved", Module.format == "online",
                                                     Module.id.not_in(before))).first()
        set_preferences(session, "musterstadt", role.id,
                        ModulePreferencesIn.model_validate({"modules": [{"module_id": outsider.id,
                                                                        "kind": "assigned"}]}))
        learner_id, role_id, outsider_id = learner.id, role.id, outsider.id
    assert replan_role_profile(role_id) == 1
    with session_scope(engine) as session:
        plan = current_plan(session, learner_id)
        assert plan.trigger == "hr_preferences_changed"
        assert outsider_id in {item.module_id for item in plan_items(session, plan.id)}

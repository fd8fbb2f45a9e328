"""The API's background round: plans catch up with board decisions, campaigns get their reminders.

``run_round`` logs and swallows whatever a job raises (the timer must go on),
so the test looks at what each job did to the store, never only at "no
exception", and it fails on any job failure the round logged.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from campus.api.jobs import run_round, sync_plans
from campus.catalogue.models import Module
from campus.catalogue.review import decide
from campus.hr.campaigns import CampaignIn, create_campaign, start_campaign
from campus.hr.models import Campaign, Invitation, InvitationDelivery
from campus.hr.role_profiles import RoleProfileCreate, create_org_profile
from campus.learners.identity import learner_for
from campus.learners.models import Plan
from campus.learners.plans import current_plan
from campus.learners.profiles import update_profile
from campus.store.base import Meta
from campus.store.clock import utcnow
from campus.store.db import get_engine
from campus.store.settings import get_settings
from embeddings.module_vectors import sync_module_vectors
from plan_engine import replan
from plan_engine.planner import build_plan
from plan_engine.replan import WATERMARK_KEY

ORG = "jobs-stadt"
ROLE = "sachbearbeitung_buergerbuero"


def watermark() -> int:
    with Session(get_engine()) as session:
        marker = session.get(Meta, WATERMARK_KEY)
        assert marker is not None, "the round did not record how far it got"
        return int(json.loads(marker.value)["decision_id"])


def versions(learner_id: str) -> list[tuple[int, str, dict | None]]:
    with Session(get_engine()) as session:
        plans = session.exec(select(Plan).where(Plan.learner_id == learner_id).order_by(Plan.version)).all()
        return [(p.version, p.trigger, p.trigger_detail) for p in plans]


def campaign(session: Session, name: str, created: datetime, deadline: datetime, address: str) -> int:
    """A running campaign with one invitee who has an address (so a reminder has somewhere to go)."""
    profile = create_org_profile(session, ORG, RoleProfileCreate(based_on=ROLE, title=f"Bürgerbüro {name}"))
    data = CampaignIn.model_validate({
        "name": name, "role_profile_id": profile.id, "starts_at": created, "deadline": deadline,
        "invitees": [{"employee_ref": f"{name}-1", "channel": "widget", "address": address}]})
    created_campaign = create_campaign(session, ORG, data, now=created)
    start_campaign(session, ORG, created_campaign.id, now=created)
    return created_campaign.id


@pytest.fixture
def spy_approvals(monkeypatch) -> list[int]:
    """The module ids the plan job replanned for, one entry per ``on_module_approved`` call."""
    calls: list[int] = []
    real = replan.on_module_approved

    def counting(session: Session, module_id: int, **kwargs) -> replan.ReplanReport:
        calls.append(module_id)
        return real(session, module_id, **kwargs)

    monkeypatch.setattr(replan, "on_module_approved", counting)
    return calls


def test_a_round_runs_both_jobs_and_remembers_how_far_it_got(prepared_store, encoder, spy_approvals,
                                                             caplog) -> None:
    caplog.set_level(logging.ERROR, logger="campus.api.jobs")
    now = utcnow()
    lead = timedelta(hours=get_settings().campaign_reminder_lead_hours)
    with Session(get_engine()) as session:
        learner = learner_for(session, "socketio", "jobs-learner").id
        update_profile(session, learner, {"role_id": ROLE, "consent": True, "format_preference": "online",
                                          "hours_per_month": 8},
                       levels={"e_akte": 1, "online_services": 0, "data_protection": 1})
        build_plan(session, learner, "interview_completed", encoder=encoder)
        over = campaign(session, "Vorbei", now - timedelta(days=10), now - timedelta(days=1), "vorbei@jobs-stadt.de")
        # deadline inside the reminder window, never passed while the test runs
        near = campaign(session, "Bald", now - timedelta(days=1), now + lead / 2, "bald@jobs-stadt.de")
        session.commit()

    run_round()  # first round: campaigns, and the plan job catches up with whatever came before

    with Session(get_engine()) as session:
        assert session.get(Campaign, over).status == "closed"
        assert session.get(Campaign, near).status == "running"
        [invitation] = session.exec(select(Invitation).where(Invitation.campaign_id == near)).all()
        reminders = session.exec(select(InvitationDelivery).where(
            InvitationDelivery.invitation_id == invitation.id, InvitationDelivery.kind == "reminder")).all()
        assert len(reminders) == 1 and reminders[0].status == "pending" and invitation.reminded_at is not None
    first_mark = watermark()
    before = versions(learner)
    assert [v[1] for v in before] == ["interview_completed"]
    spy_approvals.clear()

    run_round()  # nothing new: nobody replanned, no second reminder, the watermark stays

    assert spy_approvals == [] and versions(learner) == before and watermark() == first_mark
    with Session(get_engine()) as session:
        assert len(session.exec(select(InvitationDelivery).where(
            InvitationDelivery.invitation_id == invitation.id, InvitationDelivery.kind == "reminder")).all()) == 1

    # the board approves a module on the learner's biggest gaps after that round
    with Session(get_engine()) as session:
        module = Module(provider_id="hs_verwaltung_nord", external_id="jobs-neu-eakte",
                        title="E-Akte und Onlinedienste im Bürgerbüro",
                        description="Vorgänge in der E-Akte führen und Onlinedienste für Bürgeranliegen nutzen.",
                        category="Basismodul", status="submitted", learning_units=1, duration_hours=8,
                        format="online", region="bundesweit", dates=[],
                        competencies=[{"id": "e_akte", "level_from": 1, "level_to": 3},
                                      {"id": "online_services", "level_from": 0, "level_to": 3}])
        session.add(module)
        session.flush()
        sync_module_vectors(session, encoder)
        decision = decide(session, module.id, "approve", "", {}, None)
        module_id, decision_id = module.id, decision.id
        session.commit()

    run_round()  # picks the decision up ...

    assert spy_approvals == [module_id]
    assert watermark() == decision_id > first_mark
    after = versions(learner)
    assert after[:-1] == before and after[-1][1:] == ("module_approved", {"module_id": module_id})
    with Session(get_engine()) as session:
        assert module_id in current_plan(session, learner).diff["added"]

    run_round()  # ... exactly once
    assert spy_approvals == [module_id] and versions(learner) == after and watermark() == decision_id
    assert sync_plans() == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a job of the round failed"

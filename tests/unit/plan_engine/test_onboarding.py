"""Finishing the interview is one transaction: the profile, the first plan and the HR invitation together."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from sqlmodel import Session, select

from campus.hr.campaigns import CampaignIn, create_campaign, start_campaign, token_of
from campus.hr.invitation_flow import mark_started
from campus.hr.models import Invitation
from campus.hr.role_profiles import RoleProfileCreate, create_org_profile
from campus.learners.identity import learner_for
from campus.learners.models import LearnerProfile
from campus.store.clock import utcnow
from campus.store.db import get_engine, session_scope
from plan_engine import onboarding
from plan_engine.onboarding import InterviewAnswers, complete_interview

ROLE = "sachbearbeitung_buergerbuero"
LEVELS = {"e_akte": 1, "data_protection": 2}


@pytest.fixture
def invited(prepared_store) -> tuple[str, str, int]:
    """A learner (channel "rest") whose invitation of a running campaign is ``started``: sender, learner, invitation."""
    sender, org = f"onboarding-{uuid4().hex[:8]}", f"org-{uuid4().hex[:8]}"
    now = utcnow()
    with session_scope() as session:
        profile = create_org_profile(session, org, RoleProfileCreate(based_on=ROLE, title="Bürgerbüro"))
        campaign = create_campaign(session, org, CampaignIn.model_validate({
            "name": "Digitalisierung", "role_profile_id": profile.id, "starts_at": now - timedelta(hours=1),
            "deadline": now + timedelta(days=14), "invitees": [{"employee_ref": "P-001"}]}), now=now)
        start_campaign(session, org, campaign.id, now=now)
        invitation = session.exec(select(Invitation).where(Invitation.campaign_id == campaign.id)).one()
        learner_id = learner_for(session, "rest", sender).id
        assert mark_started(session, token_of(invitation, campaign), learner_id, now=now).ok
        return sender, learner_id, invitation.id


def answers(consent: bool) -> InterviewAnswers:
    return InterviewAnswers(fields={"role_id": ROLE, "interest_text": "Datenschutz",
                                    "interest_competencies": ["data_protection"], "hours_per_month": 6},
                            levels=LEVELS, consent=consent)


def status_and_profile(learner_id: str, invitation_id: int) -> tuple[str, LearnerProfile | None]:
    with Session(get_engine()) as session:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None
        return invitation.status, session.get(LearnerProfile, learner_id)


def test_a_consented_interview_stores_the_profile_builds_the_plan_and_completes_the_invitation(invited) -> None:
    sender, learner_id, invitation_id = invited
    stored_as, recommendations = complete_interview("rest", sender, answers(consent=True))
    assert stored_as == learner_id and recommendations
    status, profile = status_and_profile(learner_id, invitation_id)
    assert status == "completed" and profile is not None and profile.role_id == ROLE


def test_when_building_the_plan_fails_neither_the_profile_nor_the_invitation_changes(invited, monkeypatch) -> None:
    sender, learner_id, invitation_id = invited

    def broken_plan(*args: object, **kwargs: object) -> None:
        raise RuntimeError("planner down")

    monkeypatch.setattr(onboarding, "replan_learner", broken_plan)
    with pytest.raises(RuntimeError):
        complete_interview("rest", sender, answers(consent=True))
    status, profile = status_and_profile(learner_id, invitation_id)
    assert status == "started" and profile is None


def test_without_consent_nothing_is_stored_and_the_invitation_stays_open(invited) -> None:
    sender, learner_id, invitation_id = invited
    stored_as, recommendations = complete_interview("rest", sender, answers(consent=False))
    assert stored_as is None and recommendations
    assert status_and_profile(learner_id, invitation_id) == ("started", None)

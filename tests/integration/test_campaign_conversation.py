"""An HR campaign driven by the real conversation: the invitation link starts the interview, finishing completes it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from campus.hr.campaigns import CampaignIn, create_campaign, start_campaign, token_of
from campus.hr.models import Campaign, Invitation, InvitationLearner, Organisation
from campus.hr.organisations import OrganisationIn, register_organisation
from campus.hr.role_profiles import RoleProfileCreate, create_org_profile
from campus.learners.models import LearnerProfile
from campus.store.clock import utcnow
from campus.store.db import get_engine, session_scope
from tests.integration.conftest import texts

pytestmark = pytest.mark.integration


def test_invitation_link_to_completed_interview(chat) -> None:
    now = utcnow()
    with session_scope(get_engine()) as session:
        if session.get(Organisation, "testdorf") is None:  # a registered member: the campaign names it
            register_organisation(session, OrganisationIn(id="testdorf", name="Gemeinde Testdorf", member=True,
                                                          yearly_budget_eur=800))
        role = create_org_profile(session, "testdorf", RoleProfileCreate(based_on="kaemmerei", title="Kasse Testdorf"))
        campaign = create_campaign(session, "testdorf", CampaignIn(
            name="Digitalisierung 2027", role_profile_id=role.id, message="Machen Sie bitte mit.",
            starts_at=now - timedelta(hours=1), deadline=now + timedelta(days=14),
            invitees=[{"employee_ref": "P-1001"}]), now=now)
        start_campaign(session, "testdorf", campaign.id, now=now)
        invitation = session.exec(select(Invitation).where(Invitation.campaign_id == campaign.id)).one()
        token, campaign_id = token_of(invitation, campaign), campaign.id

    welcome = texts(chat.say("/accept_invitation" + json.dumps({"invitation_token": token})))
    assert "Digitalisierung 2027" in welcome and "Kasse Testdorf" in welcome
    # the role and the (registered) organisation come from the campaign: neither is asked
    assert "Führen Sie Mitarbeitende" in welcome and "In welcher Verwaltung" not in welcome
    for answer in ("Nein", "Zahlungsverkehr und Mahnwesen", "1", "2", "1"):
        reply = texts(chat.say(answer))
    assert "vertiefen" in reply
    for answer in ("Neues lernen", "Mich interessiert vor allem E-Rechnung", "keine Veränderung", "Online",
                   "10", "kein Budget", "sofort", "Ja, speichern"):
        chat.say(answer)
    plan = texts(chat.say("/affirm"))
    assert "Ihr Profil ist gespeichert" in plan
    assert "Jahresbudget von 800 €, das Gemeinde Testdorf pro Person vorsieht" in plan  # HR's budget applies

    with Session(get_engine()) as session:
        invitation = session.exec(select(Invitation).where(Invitation.campaign_id == campaign_id)).one()
        assert invitation.status == "completed"
        assert session.get(Campaign, campaign_id).status == "running"
        learner_id = session.exec(select(InvitationLearner.learner_id)
                                  .where(InvitationLearner.invitation_id == invitation.id)).one()
        assert session.get(LearnerProfile, learner_id).organisation_id == "testdorf"

    forged = texts(chat.say("/accept_invitation" + json.dumps({"invitation_token": token[:-4] + "abcd"})))
    assert "trotzdem beginnen" in forged

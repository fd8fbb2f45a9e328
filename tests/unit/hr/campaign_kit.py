"""Data and helpers the HR core tests share: a small store, an org role profile, running campaigns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import Session, select

from campus.catalogue.models import RoleProfile
from campus.hr.campaigns import CampaignIn, create_campaign, start_campaign, token_of
from campus.hr.models import Campaign, Invitation
from campus.hr.role_profiles import RoleProfileCreate, create_org_profile
from campus.learners.identity import learner_for
from campus.learners.profiles import update_profile

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
DEADLINE = NOW + timedelta(days=14)
ORG = "musterstadt"
TARGETS = [{"competency": "e_akte", "level": 3, "weight": 1.0},
           {"competency": "data_protection", "level": 2, "weight": 0.8}]


def org_profile(session: Session, org: str = ORG) -> RoleProfile:
    return create_org_profile(session, org, RoleProfileCreate(based_on="sb", title=f"Sachbearbeitung {org}"))


def campaign_in(role_id: str, invitees: list[dict] | None = None, **changes) -> CampaignIn:
    data = {"name": "Digitalisierung 2027", "role_profile_id": role_id, "starts_at": NOW - timedelta(hours=1),
            "deadline": DEADLINE, "invitees": invitees or []}
    data.update(changes)
    return CampaignIn.model_validate(data)


def people(n: int, address: bool = False, channel: str = "widget") -> list[dict]:
    return [{"employee_ref": f"P-{i:03d}", "channel": channel,
             **({"address": f"person{i}@musterstadt.de"} if address else {})} for i in range(n)]


def running(session: Session, invitees: list[dict], org: str = ORG) -> tuple[Campaign, list[str]]:
    profile = org_profile(session, org)
    campaign = create_campaign(session, org, campaign_in(profile.id, invitees), now=NOW)
    start_campaign(session, org, campaign.id, now=NOW)
    invitations = session.exec(select(Invitation).where(Invitation.campaign_id == campaign.id)
                               .order_by(Invitation.id)).all()
    return campaign, [token_of(i, campaign) for i in invitations]


def learner(session: Session, name: str, levels: dict[str, int] | None = None) -> str:
    learner_id = learner_for(session, "socketio", name).id
    if levels:
        update_profile(session, learner_id, {"consent": True}, levels=levels)
    return learner_id

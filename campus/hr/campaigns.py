"""HR interview campaigns: create, start, close, and what HR sees of them.

Life cycle of a campaign: ``draft`` (invitees stored, nothing sent) →
``running`` (invitations issued, links valid until the deadline) → ``closed``
(deadline passed or HR closed it; results frozen, addresses forgotten). The
invitation life cycle the chat drives is ``campus.hr.invitation_flow``.

Personal data kept to the minimum: HR's employee reference and the invitee's
address are encrypted at rest (``campus.store.sealed``); the address is dropped
as soon as it is no longer needed (the person started or declined, or the
campaign closed). Invitees without an address get their link from HR.

Creating, starting and closing are user actions of HR: each is one
transaction, committed here. ``close_campaign`` is also a building block of
the deadline job, which commits its whole round.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr
from sqlmodel import Session, col, select

from campus.catalogue.models import RoleProfile
from campus.hr.invitation_flow import forget_address, transition
from campus.hr.invitees import InviteeIn, check_invitees
from campus.hr.models import Campaign, Invitation, InvitationDelivery
from campus.hr.reports import build_report, status_counts
from campus.hr.role_profiles import get_org_profile
from campus.hr.tokens import decline_link, link_for, make_token, new_public_id
from campus.store.clock import aware, format_moment, from_local, utcnow
from campus.store.errors import problem
from campus.store.ids import stored_id
from campus.store.sealed import keyed_hash, seal, unseal
from campus.store.settings import get_settings
from campus.store.texts import texts

REF_PURPOSE = "employee-ref"
ADDRESS_PURPOSE = "invitee-address"


class CampaignIn(BaseModel):
    """A new campaign (stored as a draft; ``POST …/start`` sends the invitations)."""

    model_config = ConfigDict(extra="forbid")

    name: StrictStr = Field(min_length=1, max_length=200)
    role_profile_id: StrictStr = Field(min_length=1, max_length=200)
    message: StrictStr | None = Field(default=None, max_length=2000)
    starts_at: datetime
    deadline: datetime
    invitees: list[InviteeIn]


def create_campaign(session: Session, org: str, data: CampaignIn, key_id: int | None = None,
                    now: datetime | None = None) -> Campaign:
    """Store a draft campaign with its invitees; every check runs before the first write."""
    now = now or utcnow()
    profile = get_org_profile(session, org, data.role_profile_id)
    starts_at, deadline = from_local(data.starts_at), from_local(data.deadline)
    if deadline <= starts_at:
        raise problem("deadline_before_start", "deadline")
    if deadline <= now:
        raise problem("deadline_passed", "deadline")
    max_days = get_settings().campaign_max_days
    if deadline - starts_at > timedelta(days=max_days):
        raise problem("campaign_too_long", "deadline", days=max_days)
    checked = check_invitees(data.invitees)
    campaign = Campaign(
        org=org, name=data.name.strip(), role_profile_id=profile.id,
        message=(data.message or "").strip() or texts("campaigns")["invitation"]["default_message"],
        starts_at=starts_at, deadline=deadline, created_by_key_id=key_id, created_at=now,
    )
    session.add(campaign)
    session.flush()
    campaign_id = stored_id(campaign.id)
    session.add_all(
        Invitation(
            campaign_id=campaign_id, public_id=new_public_id(),
            ref_hash=keyed_hash(f"{REF_PURPOSE}:{org}", ref.casefold()), ref_sealed=seal(REF_PURPOSE, ref),
            channel=invitee.channel, address_kind=kind,
            address_sealed=seal(ADDRESS_PURPOSE, address) if address else None, status_at=now, created_at=now,
        )
        for invitee, ref, kind, address in checked
    )
    session.commit()
    return campaign


def get_campaign(session: Session, org: str, campaign_id: int) -> Campaign:
    """The organisation's campaign; another organisation's is "not found"."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.org != org:
        raise problem("campaign_not_found", "campaign_id", 404, id=campaign_id)
    return campaign


def token_of(invitation: Invitation, campaign: Campaign) -> str:
    return make_token(invitation.public_id, campaign.deadline)


def invitation_text(invitation: Invitation, campaign: Campaign) -> str:
    token = token_of(invitation, campaign)
    return str(texts("campaigns")["invitation"]["text"]).format(
        message=campaign.message, link=link_for(invitation.channel, token), deadline=format_moment(campaign.deadline),
        decline_link=decline_link(token), min_group_size=get_settings().campaign_min_group_size,
    )


def start_campaign(session: Session, org: str, campaign_id: int, now: datetime | None = None) -> Campaign:
    """Issue the invitations: status ``invited``, and an invitation message queued for each address."""
    now = now or utcnow()
    campaign = get_campaign(session, org, campaign_id)
    if campaign.status != "draft":
        raise problem("campaign_not_draft", "status", 409, status=campaign.status)
    if aware(campaign.deadline) <= now:
        raise problem("deadline_passed", "deadline")
    profile = session.get(RoleProfile, campaign.role_profile_id)
    invitations = session.exec(select(Invitation).where(Invitation.campaign_id == campaign.id)).all()
    if any(i.channel == "telegram" for i in invitations) and not get_settings().telegram_bot_username:
        raise problem("telegram_not_configured", "invitees")
    campaign.targets = list(profile.targets) if profile else []
    campaign.status, campaign.started_at = "running", now
    session.add(campaign)
    due = max(now, aware(campaign.starts_at))
    for invitation in invitations:
        transition(session, invitation, "invited", now)
        if invitation.address_sealed:
            session.add(InvitationDelivery(invitation_id=stored_id(invitation.id), kind="invitation",
                                           channel=invitation.address_kind or "email",
                                           text=invitation_text(invitation, campaign), due_at=due, created_at=now))
    session.commit()
    return campaign


def close_campaign(session: Session, campaign: Campaign, now: datetime | None = None) -> Campaign:
    """Freeze the results (computed once, here) and forget every address; idempotent."""
    if campaign.status == "closed":
        return campaign
    now = now or utcnow()
    was_running = campaign.status == "running"
    campaign.status, campaign.closed_at = "closed", now
    k = get_settings().campaign_min_group_size
    campaign.report = build_report(session, campaign, k) if was_running else {
        "computed_at": now.isoformat(), "min_group_size": k, "participants": None, "competencies": [],
        "notice": texts("campaigns")["report"]["cancelled_before_start"]}
    session.add(campaign)
    for invitation in session.exec(select(Invitation).where(Invitation.campaign_id == campaign.id)).all():
        forget_address(session, invitation)
    session.flush()
    return campaign


def close_for_org(session: Session, org: str, campaign_id: int, now: datetime | None = None) -> Campaign:
    """HR ends its campaign now (one transaction: status, frozen results, forgotten addresses)."""
    campaign = close_campaign(session, get_campaign(session, org, campaign_id), now)
    session.commit()
    return campaign


# --- what HR sees ----------------------------------------------------------------------------------------


def campaign_view(session: Session, campaign: Campaign) -> dict[str, Any]:
    role = session.get(RoleProfile, campaign.role_profile_id)
    return {
        "id": campaign.id, "name": campaign.name, "org": campaign.org, "role_profile_id": campaign.role_profile_id,
        "role_title": role.title if role else None, "message": campaign.message,
        "starts_at": aware(campaign.starts_at).isoformat(), "deadline": aware(campaign.deadline).isoformat(),
        "status": campaign.status, "counts": status_counts(session, stored_id(campaign.id)),
        "created_at": aware(campaign.created_at).isoformat(),
        "started_at": aware(campaign.started_at).isoformat() if campaign.started_at else None,
        "closed_at": aware(campaign.closed_at).isoformat() if campaign.closed_at else None,
    }


def list_campaigns(session: Session, org: str) -> list[Campaign]:
    return list(session.exec(select(Campaign).where(Campaign.org == org).order_by(col(Campaign.id))).all())


def invitation_list(session: Session, campaign: Campaign) -> list[dict[str, Any]]:
    """HR's list: whom it invited, on which channel, and the link to hand over if HR delivers it itself.

    Deliberately nothing that changes with a person's participation (no
    status, no "address on file", no reminder flag): HR sees progress only
    as counts. The link is shown only for invitees without an address (HR
    hands it over) and only while the campaign runs.
    """
    rows = session.exec(select(Invitation).where(Invitation.campaign_id == campaign.id)
                        .order_by(col(Invitation.id))).all()
    out = []
    for invitation in rows:
        delivered_by = "platform" if invitation.address_kind else "hr"
        link = None
        if campaign.status == "running" and delivered_by == "hr":
            link = link_for(invitation.channel, token_of(invitation, campaign))
        out.append({"invitation_id": invitation.id, "employee_ref": unseal(REF_PURPOSE, invitation.ref_sealed),
                    "channel": invitation.channel, "delivered_by": delivered_by, "link": link})
    return out

"""HR interview campaigns: create, start, close; the invitation life cycle the chat drives.

Life cycle of a campaign: ``draft`` (invitees stored, nothing sent) →
``running`` (invitations issued, links valid until the deadline) → ``closed``
(deadline passed or HR closed it; results frozen, addresses forgotten).

Life cycle of an invitation: ``pending`` (campaign not started) → ``invited``
→ ``started`` (the person opened the signed link in the chat) → ``completed``
(the interview finished) or ``declined``. A decline can be taken back by
starting again; a completed invitation stays completed. Every change is
recorded in ``InvitationEvent``. Nothing changes once the campaign is closed,
so its frozen results stay true.

Personal data kept to the minimum: HR's employee reference and the invitee's
address are encrypted at rest (``campus.store.sealed``); the address is dropped as
soon as it is no longer needed (the person started or declined, or the
campaign closed). Invitees without an address get their link from HR.

The functions the chat calls take the session of the caller's transaction and
never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr
from sqlalchemy import update
from sqlmodel import Session, col, select

from campus.catalogue.models import RoleProfile
from campus.hr.models import Campaign, Invitation, InvitationDelivery, InvitationEvent, InvitationLearner
from campus.hr.reports import build_report, status_counts
from campus.hr.role_profiles import get_org_profile
from campus.hr.tokens import decline_link, link_for, make_token, new_public_id, read_token
from campus.learners.models import Learner
from campus.store.clock import aware, format_moment, from_local, utcnow
from campus.store.errors import problem
from campus.store.sealed import keyed_hash, seal, unseal
from campus.store.settings import get_settings
from campus.store.texts import texts

REF_PURPOSE = "employee-ref"
ADDRESS_PURPOSE = "invitee-address"
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
TELEGRAM_HANDLE = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]{4,31}$")
OPEN = ("invited", "started")


class InviteeIn(BaseModel):
    """One person to invite: HR's own reference (e.g. personnel number), the channel, optionally an address.

    Without an address HR hands the link over itself (``GET …/invitations``).
    """

    model_config = ConfigDict(extra="forbid")

    employee_ref: StrictStr = Field(min_length=1, max_length=64)
    channel: Literal["widget", "telegram"] = "widget"
    address: StrictStr | None = Field(default=None, max_length=254,
                                      description="E-Mail-Adresse oder Telegram-Benutzername (@name)")


class CampaignIn(BaseModel):
    """A new campaign (stored as a draft; ``POST …/start`` sends the invitations)."""

    model_config = ConfigDict(extra="forbid")

    name: StrictStr = Field(min_length=1, max_length=200)
    role_profile_id: StrictStr = Field(min_length=1, max_length=200)
    message: StrictStr | None = Field(default=None, max_length=2000)
    starts_at: datetime
    deadline: datetime
    invitees: list[InviteeIn]


@dataclass(frozen=True)
class InvitationInfo:
    """What the chat may know about an invitation (nothing of HR's reference or the address)."""

    invitation_id: int
    campaign_id: int
    campaign_name: str
    org: str
    role_profile_id: str
    role_title: str
    status: str
    channel: str
    message: str
    deadline: datetime


@dataclass(frozen=True)
class InvitationCheck:
    """The result of checking a token: ``ok`` with the invitation, or the ``problem`` and a German message.

    problem: ``malformed`` | ``forged`` | ``unknown`` | ``expired`` | ``not_started``
    """

    invitation: InvitationInfo | None
    problem: str | None = None
    message_de: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


# --- creating, starting, closing -------------------------------------------------------------------------


def address_kind(address: str) -> str | None:
    if EMAIL.match(address):
        return "email"
    if TELEGRAM_HANDLE.match(address):
        return "telegram"
    return None


def _normalised_address(address: str, kind: str) -> str:
    return address.strip().lower() if kind == "email" else "@" + address.strip().lstrip("@").lower()


def _check_invitees(invitees: list[InviteeIn]) -> list[tuple[InviteeIn, str, str | None, str | None]]:
    """(invitee, normalised reference, address kind, normalised address) for each, after all checks."""
    settings = get_settings()
    if not invitees:
        raise problem("no_invitees", "invitees")
    if len(invitees) > settings.campaign_max_invitees:
        raise problem("too_many_invitees", "invitees", max=settings.campaign_max_invitees, count=len(invitees))
    checked = []
    for index, invitee in enumerate(invitees):
        ref = invitee.employee_ref.strip()
        if not ref:
            raise problem("blank_ref", f"invitees.{index}.employee_ref")
        if invitee.channel == "telegram" and not settings.telegram_bot_username:
            raise problem("telegram_not_configured", f"invitees.{index}.channel")
        kind = normalised = None
        if invitee.address is not None and invitee.address.strip():
            kind = address_kind(invitee.address.strip())
            if kind is None:
                raise problem("bad_address", f"invitees.{index}.address")
            normalised = _normalised_address(invitee.address, kind)
        checked.append((invitee, ref, kind, normalised))
    refs = [ref.casefold() for _, ref, _, _ in checked]
    duplicates = sorted({checked[i][1] for i, ref in enumerate(refs) if refs.count(ref) > 1})
    if duplicates:
        raise problem("duplicate_invitees", "invitees", refs=", ".join(duplicates[:20]))
    addresses = [a for _, _, _, a in checked]
    repeated = [str(i) for i, a in enumerate(addresses) if a is not None and addresses.count(a) > 1]
    if repeated:
        raise problem("duplicate_addresses", "invitees", rows=", ".join(repeated[:20]))
    return checked


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
    checked = _check_invitees(data.invitees)
    campaign = Campaign(
        org=org, name=data.name.strip(), role_profile_id=profile.id,
        message=(data.message or "").strip() or texts("campaigns")["invitation"]["default_message"],
        starts_at=starts_at, deadline=deadline, created_by_key_id=key_id, created_at=now,
    )
    session.add(campaign)
    session.flush()
    session.add_all(
        Invitation(
            campaign_id=campaign.id, public_id=new_public_id(),
            ref_hash=keyed_hash(f"{REF_PURPOSE}:{org}", ref.casefold()), ref_sealed=seal(REF_PURPOSE, ref),
            channel=invitee.channel, address_kind=kind,
            address_sealed=seal(ADDRESS_PURPOSE, address) if address else None, status_at=now, created_at=now,
        )
        for invitee, ref, kind, address in checked
    )
    session.flush()
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
    return texts("campaigns")["invitation"]["text"].format(
        message=campaign.message, link=link_for(invitation.channel, token), deadline=format_moment(campaign.deadline),
        decline_link=decline_link(token), min_group_size=get_settings().campaign_min_group_size,
    )


def _transition(session: Session, invitation: Invitation, status: str, now: datetime) -> None:
    if invitation.status == status:
        return
    invitation.status = status
    invitation.status_at = now
    session.add(invitation)
    session.add(InvitationEvent(invitation_id=invitation.id, status=status, at=now))


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
        _transition(session, invitation, "invited", now)
        if invitation.address_sealed:
            session.add(InvitationDelivery(invitation_id=invitation.id, kind="invitation",
                                           channel=invitation.address_kind or "email",
                                           text=invitation_text(invitation, campaign), due_at=due, created_at=now))
    session.flush()
    return campaign


def _forget_address(session: Session, invitation: Invitation) -> None:
    """The address is needed only to deliver; once that is over, drop it and what was not sent yet."""
    if invitation.address_sealed is not None:
        invitation.address_sealed = None
        session.add(invitation)
    session.execute(
        update(InvitationDelivery)
        .where(col(InvitationDelivery.invitation_id) == invitation.id, col(InvitationDelivery.status) == "pending")
        .values(status="cancelled")
    )


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
        _forget_address(session, invitation)
    session.flush()
    return campaign


def close_for_org(session: Session, org: str, campaign_id: int, now: datetime | None = None) -> Campaign:
    return close_campaign(session, get_campaign(session, org, campaign_id), now)


# --- what HR sees ----------------------------------------------------------------------------------------


def campaign_view(session: Session, campaign: Campaign) -> dict[str, Any]:
    role = session.get(RoleProfile, campaign.role_profile_id)
    return {
        "id": campaign.id, "name": campaign.name, "org": campaign.org, "role_profile_id": campaign.role_profile_id,
        "role_title": role.title if role else None, "message": campaign.message,
        "starts_at": aware(campaign.starts_at).isoformat(), "deadline": aware(campaign.deadline).isoformat(),
        "status": campaign.status, "counts": status_counts(session, campaign.id),
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


# --- what the chat calls ---------------------------------------------------------------------------------


def _info(invitation: Invitation, campaign: Campaign, session: Session) -> InvitationInfo:
    role = session.get(RoleProfile, campaign.role_profile_id)
    return InvitationInfo(
        invitation_id=invitation.id, campaign_id=campaign.id, campaign_name=campaign.name, org=campaign.org,
        role_profile_id=campaign.role_profile_id, role_title=role.title if role else "", status=invitation.status,
        channel=invitation.channel, message=campaign.message, deadline=aware(campaign.deadline),
    )


def _refused(problem_key: str, **values: Any) -> InvitationCheck:
    return InvitationCheck(None, problem_key, texts("campaigns")["token"][problem_key].format(**values))


def _resolve(session: Session, token: str, now: datetime) -> tuple[Invitation | None, Campaign | None,
                                                                    InvitationCheck | None]:
    data, bad = read_token(token)
    if data is None:
        return None, None, _refused(bad or "malformed")
    invitation = session.exec(select(Invitation).where(Invitation.public_id == data.public_id)).first()
    campaign = session.get(Campaign, invitation.campaign_id) if invitation is not None else None
    if invitation is None or campaign is None:
        return None, None, _refused("unknown")
    deadline = format_moment(campaign.deadline)
    if data.expires_at <= now or campaign.status == "closed" or aware(campaign.deadline) <= now:
        return None, None, _refused("expired", deadline=deadline)
    if data.expires_at != aware(campaign.deadline).replace(microsecond=0):
        return None, None, _refused("forged")  # signed for another deadline: never issued for this campaign
    if campaign.status != "running":
        return None, None, _refused("not_started")
    return invitation, campaign, None


def invitation_from_token(session: Session, token: str, now: datetime | None = None) -> InvitationCheck:
    """Check a signed invitation token (signature, expiry, campaign running) without changing anything."""
    invitation, campaign, refused = _resolve(session, token, now or utcnow())
    if refused is not None:
        return refused
    return InvitationCheck(_info(invitation, campaign, session))


def mark_started(session: Session, token: str, learner_id: str, now: datetime | None = None) -> InvitationCheck:
    """The person opened the link in the chat as ``learner_id``: link them and move the invitation to ``started``.

    Call it when a conversation begins with a token (widget ``?kc_invite=``,
    Telegram ``/start <token>``). Invited or declined → started; started by
    another pseudonym (other device) → re-linked to this one; completed stays
    completed (``invitation.status`` tells the chat). The learner's org is
    set from the campaign if unknown. Returns the check (``ok`` or the German
    ``message_de`` to show).
    """
    now = now or utcnow()
    invitation, campaign, refused = _resolve(session, token, now)
    if refused is not None:
        return refused
    if invitation.status != "completed":
        link = session.get(InvitationLearner, invitation.id)
        if link is None:
            session.add(InvitationLearner(invitation_id=invitation.id, learner_id=learner_id, linked_at=now))
        elif link.learner_id != learner_id:
            link.learner_id, link.linked_at = learner_id, now
            session.add(link)
        _transition(session, invitation, "started", now)
        _forget_address(session, invitation)
        learner = session.get(Learner, learner_id)
        if learner is not None and learner.org is None:
            learner.org = campaign.org
            session.add(learner)
        session.flush()
    return InvitationCheck(_info(invitation, campaign, session))


def _linked_invitations(session: Session, learner_id: str, statuses: tuple[str, ...],
                        now: datetime) -> list[Invitation]:
    rows = session.exec(
        select(Invitation, Campaign)
        .join(InvitationLearner, col(InvitationLearner.invitation_id) == col(Invitation.id))
        .join(Campaign, col(Campaign.id) == col(Invitation.campaign_id))
        .where(InvitationLearner.learner_id == learner_id, col(Invitation.status).in_(statuses),
               Campaign.status == "running")
    ).all()
    return [invitation for invitation, campaign in rows if aware(campaign.deadline) > now]


def mark_completed(session: Session, learner_id: str, now: datetime | None = None) -> list[int]:
    """The learner finished the interview: every started invitation of theirs in a running campaign is completed.

    Call it once the interview's profile is saved (with consent; without
    consent no levels are stored and the person does not count in results).
    Declined invitations stay declined: a decline is respected even if the
    person uses the assistant anyway. Returns the completed invitation ids.
    """
    now = now or utcnow()
    done = []
    for invitation in _linked_invitations(session, learner_id, ("started",), now):
        _transition(session, invitation, "completed", now)
        done.append(invitation.id)
    session.flush()
    return done


def mark_declined(session: Session, token: str, now: datetime | None = None) -> InvitationCheck:
    """The person does not want to take part (from the link page or the chat): invited/started → declined.

    HR only ever sees how many declined, never who. A completed invitation
    stays completed (erasing one's data is the way out of a finished one).
    """
    now = now or utcnow()
    invitation, campaign, refused = _resolve(session, token, now)
    if refused is not None:
        return refused
    if invitation.status in OPEN:
        _transition(session, invitation, "declined", now)
        _forget_address(session, invitation)
        session.flush()
    return InvitationCheck(_info(invitation, campaign, session))


def mark_declined_for_learner(session: Session, learner_id: str, now: datetime | None = None) -> list[int]:
    """Decline the learner's started invitations (the chat has the learner but no longer the token)."""
    now = now or utcnow()
    declined = []
    for invitation in _linked_invitations(session, learner_id, ("started",), now):
        _transition(session, invitation, "declined", now)
        declined.append(invitation.id)
    session.flush()
    return declined

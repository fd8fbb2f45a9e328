"""The invitation life cycle as the chat drives it: open a signed link, start, complete or decline.

Invitation statuses: ``pending`` (campaign not started) → ``invited`` →
``started`` (the person opened the signed link in the chat) → ``completed``
(the interview finished) or ``declined``. A decline can be taken back by
starting again; a completed invitation stays completed. Every change is
recorded in ``InvitationEvent``. Nothing changes once the campaign is closed,
so its frozen results stay true. These functions take the session of the
caller's transaction (one chat turn) and never commit; the link page's
decline (``decline_invitation``) is a whole user action and commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from campus.catalogue.models import RoleProfile
from campus.hr.models import Campaign, Invitation, InvitationDelivery, InvitationEvent, InvitationLearner
from campus.hr.tokens import read_token
from campus.learners.models import Learner
from campus.store.clock import aware, format_moment, utcnow
from campus.store.ids import stored_id
from campus.store.texts import texts

OPEN = ("invited", "started")


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


def transition(session: Session, invitation: Invitation, status: str, now: datetime) -> None:
    """Move the invitation to ``status`` and record the event (nothing if it is there already)."""
    if invitation.status == status:
        return
    invitation.status = status
    invitation.status_at = now
    session.add(invitation)
    session.add(InvitationEvent(invitation_id=stored_id(invitation.id), status=status, at=now))


def forget_address(session: Session, invitation: Invitation) -> None:
    """The address is needed only to deliver; once that is over, drop it and what was not sent yet."""
    if invitation.address_sealed is not None:
        invitation.address_sealed = None
        session.add(invitation)
    session.execute(
        update(InvitationDelivery)
        .where(col(InvitationDelivery.invitation_id) == invitation.id, col(InvitationDelivery.status) == "pending")
        .values(status="cancelled")
    )


def _info(invitation: Invitation, campaign: Campaign, session: Session) -> InvitationInfo:
    role = session.get(RoleProfile, campaign.role_profile_id)
    return InvitationInfo(
        invitation_id=stored_id(invitation.id), campaign_id=stored_id(campaign.id), campaign_name=campaign.name,
        org=campaign.org,
        role_profile_id=campaign.role_profile_id, role_title=role.title if role else "", status=invitation.status,
        channel=invitation.channel, message=campaign.message, deadline=aware(campaign.deadline),
    )


def _refused(problem_key: str, **values: Any) -> InvitationCheck:
    return InvitationCheck(None, problem_key, texts("campaigns")["token"][problem_key].format(**values))


def _resolve(session: Session, token: str, now: datetime) -> tuple[Invitation, Campaign] | InvitationCheck:
    """The invitation and its running campaign behind ``token``, or the refusal to hand back."""
    data, bad = read_token(token)
    if data is None:
        return _refused(bad or "malformed")
    invitation = session.exec(select(Invitation).where(Invitation.public_id == data.public_id)).first()
    campaign = session.get(Campaign, invitation.campaign_id) if invitation is not None else None
    if invitation is None or campaign is None:
        return _refused("unknown")
    deadline = format_moment(campaign.deadline)
    if data.expires_at <= now or campaign.status == "closed" or aware(campaign.deadline) <= now:
        return _refused("expired", deadline=deadline)
    if data.expires_at != aware(campaign.deadline).replace(microsecond=0):
        return _refused("forged")  # signed for another deadline: never issued for this campaign
    if campaign.status != "running":
        return _refused("not_started")
    return invitation, campaign


def invitation_from_token(session: Session, token: str, now: datetime | None = None) -> InvitationCheck:
    """Check a signed invitation token (signature, expiry, campaign running) without changing anything."""
    resolved = _resolve(session, token, now or utcnow())
    if isinstance(resolved, InvitationCheck):
        return resolved
    invitation, campaign = resolved
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
    resolved = _resolve(session, token, now)
    if isinstance(resolved, InvitationCheck):
        return resolved
    invitation, campaign = resolved
    if invitation.status != "completed":
        invitation_id = stored_id(invitation.id)
        link = session.get(InvitationLearner, invitation_id)
        if link is None:
            session.add(InvitationLearner(invitation_id=invitation_id, learner_id=learner_id, linked_at=now))
        elif link.learner_id != learner_id:
            link.learner_id, link.linked_at = learner_id, now
            session.add(link)
        transition(session, invitation, "started", now)
        forget_address(session, invitation)
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
    done: list[int] = []
    for invitation in _linked_invitations(session, learner_id, ("started",), now):
        transition(session, invitation, "completed", now)
        done.append(stored_id(invitation.id))
    session.flush()
    return done


def mark_declined(session: Session, token: str, now: datetime | None = None) -> InvitationCheck:
    """The person does not want to take part (from the link page or the chat): invited/started → declined.

    HR only ever sees how many declined, never who. A completed invitation
    stays completed (erasing one's data is the way out of a finished one). A whole user action:
    committed here.
    """
    now = now or utcnow()
    resolved = _resolve(session, token, now)
    if isinstance(resolved, InvitationCheck):
        return resolved
    invitation, campaign = resolved
    if invitation.status in OPEN:
        transition(session, invitation, "declined", now)
        forget_address(session, invitation)
    session.commit()
    return InvitationCheck(_info(invitation, campaign, session))


def mark_declined_for_learner(session: Session, learner_id: str, now: datetime | None = None) -> list[int]:
    """Decline the learner's started invitations (the chat has the learner but no longer the token)."""
    now = now or utcnow()
    declined: list[int] = []
    for invitation in _linked_invitations(session, learner_id, ("started",), now):
        transition(session, invitation, "declined", now)
        declined.append(stored_id(invitation.id))
    session.flush()
    return declined

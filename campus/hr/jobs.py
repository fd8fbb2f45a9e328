"""Time-driven campaign work: reminders before the deadline, closing campaigns after it.

Both take ``now`` from the caller (the CLI loop, a test) and are idempotent:
a reminder is queued at most once per invitation (``reminded_at``), and a
closed campaign stays closed, so running the job twice, or in two processes
one after the other, changes nothing the second time.

Where a reminder goes: a person who already started in the chat is a learner,
so it goes to the ``Outbox`` of their chat channels (Telegram bridge, widget);
a person who has not opened the link yet is reachable only through the
address HR gave, so it is queued as an ``InvitationDelivery``. Without either
(HR hands out the links) nobody can be reminded, and HR is not told who that
would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from campus.channels.models import Outbox
from campus.channels.outbox import channels_of
from campus.hr.campaigns import close_campaign, token_of
from campus.hr.invitation_flow import OPEN
from campus.hr.models import Campaign, Invitation, InvitationDelivery, InvitationLearner
from campus.hr.tokens import link_for
from campus.store.clock import aware, format_moment
from campus.store.ids import stored_id
from campus.store.settings import get_settings
from campus.store.texts import texts


@dataclass
class JobReport:
    reminders_outbox: int = 0
    reminders_delivery: int = 0
    reminders_unreachable: int = 0
    campaigns_closed: int = 0


def _remind(session: Session, invitation: Invitation, campaign: Campaign, now: datetime, report: JobReport) -> None:
    wording = texts("campaigns")["invitation"]
    deadline = format_moment(campaign.deadline)
    link = session.get(InvitationLearner, invitation.id)
    if invitation.status == "started" and link is not None:
        text = wording["reminder_started"].format(campaign=campaign.name, deadline=deadline)
        payload = {"kind": "campaign_reminder", "campaign_id": campaign.id}
        session.add_all(Outbox(learner_id=link.learner_id, channel=channel, text=text, payload=payload, created_at=now)
                        for channel in channels_of(session, link.learner_id))
        report.reminders_outbox += 1
    elif invitation.address_sealed:
        link_text = link_for(invitation.channel, token_of(invitation, campaign))
        text = wording["reminder_invited"].format(campaign=campaign.name, deadline=deadline, link=link_text)
        session.add(InvitationDelivery(invitation_id=stored_id(invitation.id), kind="reminder",
                                       channel=invitation.address_kind or "email", text=text, due_at=now,
                                       created_at=now))
        report.reminders_delivery += 1
    else:
        report.reminders_unreachable += 1
    invitation.reminded_at = now
    session.add(invitation)


def send_due_reminders(session: Session, now: datetime, report: JobReport | None = None) -> JobReport:
    """Queue one reminder per unfinished invitation of running campaigns whose deadline is near.

    "Near" is ``campaign_reminder_lead_hours`` before the deadline; finished
    (completed, declined) invitations and already reminded ones are skipped.
    """
    report = report or JobReport()
    lead = timedelta(hours=get_settings().campaign_reminder_lead_hours)
    campaigns = session.exec(select(Campaign).where(Campaign.status == "running")).all()
    for campaign in campaigns:
        deadline = aware(campaign.deadline)
        if not deadline - lead <= now < deadline:
            continue
        due = session.exec(
            select(Invitation).where(Invitation.campaign_id == campaign.id, col(Invitation.status).in_(OPEN),
                                     Invitation.reminded_at == None)  # noqa: E711
        ).all()
        for invitation in due:
            _remind(session, invitation, campaign, now, report)
    session.flush()
    return report


def close_due_campaigns(session: Session, now: datetime, report: JobReport | None = None) -> JobReport:
    """Close every running campaign whose deadline has passed (results frozen, addresses dropped)."""
    report = report or JobReport()
    for campaign in session.exec(select(Campaign).where(Campaign.status == "running")).all():
        if aware(campaign.deadline) <= now:
            close_campaign(session, campaign, now)
            report.campaigns_closed += 1
    return report


def run_campaign_jobs(session: Session, now: datetime) -> JobReport:
    """One round: first close what is over, then remind the rest."""
    report = close_due_campaigns(session, now)
    return send_due_reminders(session, now, report)

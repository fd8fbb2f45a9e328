"""Invitation tokens and the invitation life cycle the chat drives; reminders; erasure of the link."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from campus.channels.models import Outbox
from campus.hr.campaigns import close_campaign, create_campaign, token_of
from campus.hr.deliveries import due_deliveries
from campus.hr.invitation_flow import (
    invitation_from_token,
    mark_completed,
    mark_declined,
    mark_declined_for_learner,
    mark_started,
)
from campus.hr.jobs import close_due_campaigns, run_campaign_jobs, send_due_reminders
from campus.hr.models import Campaign, Invitation, InvitationDelivery, InvitationEvent, InvitationLearner
from campus.hr.tokens import TOKEN_LENGTH, make_token, read_token
from campus.learners.models import Learner
from campus.learners.privacy import erase_learner
from campus.store.settings import get_settings
from tests.unit.hr.campaign_kit import DEADLINE, NOW, ORG, campaign_in, learner, org_profile, people, running


def test_tokens_fit_telegram_and_cannot_be_forged_or_extended() -> None:
    token = make_token("A" * 16, DEADLINE)
    assert len(token) == TOKEN_LENGTH <= 64 and all(c.isalnum() or c in "-_" for c in token)
    data, problem = read_token(token)
    assert problem is None and data.public_id == "A" * 16 and data.expires_at == DEADLINE
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert read_token(flipped) == (None, "forged")
    later = make_token("A" * 16, DEADLINE + timedelta(days=30))
    extended = token[:17] + later[17:25] + token[25:]  # someone's own expiry with the old signature
    assert read_token(extended) == (None, "forged")
    for bad in ("", "abc", token + "x", token.replace(token[3], "!"), None, 42):
        assert read_token(bad)[1] == "malformed"


def test_invitation_life_cycle_as_the_chat_drives_it(session) -> None:
    campaign, tokens = running(session, people(3, address=True))
    check = invitation_from_token(session, tokens[0], now=NOW)
    assert check.ok and check.invitation.status == "invited" and check.invitation.org == ORG
    assert check.invitation.role_title == f"Sachbearbeitung {ORG}"

    me = learner(session, "me")
    started = mark_started(session, tokens[0], me, now=NOW + timedelta(minutes=1))
    assert started.ok and started.invitation.status == "started"
    assert session.get(Learner, me).org == ORG
    invitation = session.get(Invitation, started.invitation.invitation_id)
    assert invitation.address_sealed is None  # no longer needed: reminders go to the chat now
    assert due_deliveries(session, NOW) and all(d.address != "person0@musterstadt.de"
                                                for d in due_deliveries(session, NOW))

    phone = learner(session, "me-on-the-phone")
    again = mark_started(session, tokens[0], phone, now=NOW + timedelta(minutes=2))
    assert again.ok and session.get(InvitationLearner, invitation.id).learner_id == phone

    assert mark_completed(session, phone, now=NOW + timedelta(minutes=30)) == [invitation.id]
    assert mark_completed(session, phone, now=NOW + timedelta(minutes=31)) == []  # idempotent
    assert mark_declined(session, tokens[0], now=NOW + timedelta(hours=1)).invitation.status == "completed"
    assert mark_started(session, tokens[0], me, now=NOW + timedelta(hours=2)).invitation.status == "completed"

    other = learner(session, "other")
    mark_started(session, tokens[1], other, now=NOW)
    assert mark_declined_for_learner(session, other, now=NOW) == [session.exec(
        select(InvitationLearner.invitation_id).where(InvitationLearner.learner_id == other)).one()]
    assert mark_completed(session, other, now=NOW) == []  # a decline is respected
    assert mark_started(session, tokens[1], other, now=NOW).invitation.status == "started"  # changed their mind

    declined = mark_declined(session, tokens[2], now=NOW)
    assert declined.ok and declined.invitation.status == "declined"

    history = session.exec(select(InvitationEvent.status).where(InvitationEvent.invitation_id == invitation.id)
                           .order_by(InvitationEvent.id)).all()
    assert history == ["invited", "started", "completed"]


def test_bad_expired_and_closed_tokens_get_a_german_answer(session) -> None:
    campaign, tokens = running(session, people(2))
    forged = invitation_from_token(session, tokens[0][:-2] + "xx", now=NOW)
    assert forged.problem == "forged" and "ungültig" in forged.message_de
    assert invitation_from_token(session, "hallo", now=NOW).problem == "malformed"
    expired = invitation_from_token(session, tokens[0], now=DEADLINE + timedelta(seconds=1))
    assert expired.problem == "expired" and "abgelaufen" in expired.message_de and "15.03.2027" in expired.message_de
    me = learner(session, "late")
    assert not mark_started(session, tokens[0], me, now=DEADLINE + timedelta(seconds=1)).ok
    mark_started(session, tokens[1], me, now=NOW)
    close_campaign(session, campaign, now=NOW + timedelta(days=1))
    assert invitation_from_token(session, tokens[1], now=NOW + timedelta(days=1)).problem == "expired"
    assert mark_completed(session, me, now=NOW + timedelta(days=1)) == []  # results are frozen

    profile = org_profile(session, "drafts")
    draft = create_campaign(session, "drafts", campaign_in(profile.id, people(1)), now=NOW)
    [pending] = session.exec(select(Invitation).where(Invitation.campaign_id == draft.id)).all()
    assert invitation_from_token(session, token_of(pending, draft), now=NOW).problem == "not_started"


def test_reminders_go_once_to_unfinished_invitees_shortly_before_the_deadline(session) -> None:
    campaign, tokens = running(session, people(4, address=True) + [{"employee_ref": "P-HR", "channel": "widget"}])
    started, completed = learner(session, "s"), learner(session, "c")
    mark_started(session, tokens[0], started, now=NOW)
    mark_started(session, tokens[1], completed, now=NOW)
    mark_completed(session, completed, now=NOW)
    mark_declined(session, tokens[2], now=NOW)

    early = send_due_reminders(session, DEADLINE - timedelta(days=5))
    assert (early.reminders_outbox, early.reminders_delivery) == (0, 0)

    window = DEADLINE - timedelta(hours=get_settings().campaign_reminder_lead_hours - 1)
    report = send_due_reminders(session, window)
    assert (report.reminders_outbox, report.reminders_delivery, report.reminders_unreachable) == (1, 1, 1)
    [chat] = session.exec(select(Outbox)).all()
    assert chat.learner_id == started and chat.channel == "socketio" and "weiter" in chat.text
    reminders = session.exec(select(InvitationDelivery).where(InvitationDelivery.kind == "reminder")).all()
    assert len(reminders) == 1 and f"kc_invite={tokens[3]}" in reminders[0].text

    again = send_due_reminders(session, window + timedelta(hours=1))
    assert (again.reminders_outbox, again.reminders_delivery, again.reminders_unreachable) == (0, 0, 0)
    assert len(session.exec(select(Outbox)).all()) == 1

    after = run_campaign_jobs(session, DEADLINE + timedelta(minutes=1))
    assert after.campaigns_closed == 1 and session.get(Campaign, campaign.id).status == "closed"
    assert all(i.address_sealed is None for i in session.exec(select(Invitation)).all())
    assert due_deliveries(session, DEADLINE + timedelta(days=1)) == []
    assert close_due_campaigns(session, DEADLINE + timedelta(days=1)).campaigns_closed == 0


def test_erasing_a_learner_removes_the_link_to_the_invitation(session) -> None:
    campaign, tokens = running(session, people(1))
    me = learner(session, "erase-me", {"e_akte": 2})
    mark_started(session, tokens[0], me, now=NOW)
    report = erase_learner(session, "socketio", "erase-me")
    assert report.rows.get("invitationlearner") == 1
    assert session.exec(select(InvitationLearner)).all() == []
    assert session.exec(select(Invitation)).one().status == "started"  # HR's count stays; the person is gone

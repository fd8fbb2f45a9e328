"""HR campaigns in the core: refused campaigns write nothing, local times, drafts, encrypted personal data."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlmodel import select

from campus.hr.campaigns import create_campaign, invitation_list, start_campaign
from campus.hr.deliveries import due_deliveries, mark_delivered
from campus.hr.models import Campaign, Invitation
from campus.store.errors import DomainError
from campus.store.settings import get_settings
from tests.unit.hr.campaign_kit import NOW, ORG, campaign_in, org_profile, people, running


def test_bad_campaigns_are_refused_and_nothing_is_written(session, monkeypatch) -> None:
    profile = org_profile(session)
    session.commit()
    cases = [
        ({"deadline": NOW - timedelta(days=2)}, "deadline"),
        ({"deadline": NOW - timedelta(hours=1), "starts_at": NOW - timedelta(days=3)}, "deadline"),
        ({"deadline": NOW + timedelta(days=400)}, "deadline"),
        ({"invitees": []}, "invitees"),
        ({"invitees": [{"employee_ref": "P-1"}, {"employee_ref": " p-1 "}]}, "invitees"),
        ({"invitees": [{"employee_ref": "P-1", "address": "a@x.de"}, {"employee_ref": "P-2", "address": "A@x.de"}]},
         "invitees"),
        ({"invitees": [{"employee_ref": "P-1", "address": "keine adresse"}]}, "invitees.0.address"),
        ({"invitees": [{"employee_ref": "   "}]}, "invitees.0.employee_ref"),
        ({"role_profile_id": "sb"}, "role_profile_id"),  # a global profile: copy it first
    ]
    for changes, field in cases:
        data = campaign_in(profile.id, **{"invitees": people(2), **changes})
        with pytest.raises(DomainError) as caught:
            create_campaign(session, ORG, data, now=NOW)
        assert caught.value.field == field and caught.value.message_de, changes
        session.rollback()
    monkeypatch.setattr(get_settings(), "campaign_max_invitees", 3)
    with pytest.raises(DomainError, match="At most 3"):
        create_campaign(session, ORG, campaign_in(profile.id, people(4)), now=NOW)
    session.rollback()
    monkeypatch.setattr(get_settings(), "telegram_bot_username", "")
    with pytest.raises(DomainError) as caught:
        create_campaign(session, ORG, campaign_in(profile.id, people(1, channel="telegram")), now=NOW)
    assert caught.value.field == "invitees.0.channel" and "KC_TELEGRAM_BOT_USERNAME" in caught.value.message_de
    session.rollback()
    assert session.exec(select(Campaign)).all() == [] and session.exec(select(Invitation)).all() == []


def test_a_naive_time_means_local_time_and_only_a_draft_can_start(session) -> None:
    profile = org_profile(session)
    data = campaign_in(profile.id, people(1), starts_at=datetime(2027, 3, 1, 8, 0),
                       deadline=datetime(2027, 3, 15, 23, 59))
    campaign = create_campaign(session, ORG, data, now=NOW)
    assert campaign.deadline == datetime(2027, 3, 15, 22, 59, tzinfo=timezone.utc)  # CET = UTC+1
    start_campaign(session, ORG, campaign.id, now=NOW)
    with pytest.raises(DomainError) as caught:
        start_campaign(session, ORG, campaign.id, now=NOW)
    assert caught.value.status_code == 409
    with pytest.raises(DomainError) as caught:
        start_campaign(session, "anderstadt", campaign.id, now=NOW)
    assert caught.value.status_code == 404


def test_personal_data_is_encrypted_at_rest_and_addresses_get_the_invitation(session) -> None:
    campaign, tokens = running(session, people(2, address=True) + [{"employee_ref": "P-900", "channel": "telegram"}])
    session.commit()
    dump = "\n".join(str(row) for row in session.execute(text("SELECT * FROM invitation")).all())
    assert "P-000" not in dump and "person0@musterstadt.de" not in dump
    listed = invitation_list(session, campaign)
    assert [i["employee_ref"] for i in listed] == ["P-000", "P-001", "P-900"]
    assert [i["link"] is None for i in listed] == [True, True, False]  # HR gets only the links it hands over
    assert listed[2]["link"] == f"https://t.me/KommunalCampusBot?start={tokens[2]}"
    assert all(set(i) == {"invitation_id", "employee_ref", "channel", "delivered_by", "link"} for i in listed)
    due = due_deliveries(session, NOW)
    assert [(d.kind, d.channel, d.address) for d in due] == [
        ("invitation", "email", "person0@musterstadt.de"), ("invitation", "email", "person1@musterstadt.de")]
    assert f"?kc_invite={tokens[0]}" in due[0].text and "15.03.2027, 10:00 Uhr" in due[0].text
    mark_delivered(session, due[0].delivery_id, now=NOW)
    assert [d.delivery_id for d in due_deliveries(session, NOW)] == [due[1].delivery_id]

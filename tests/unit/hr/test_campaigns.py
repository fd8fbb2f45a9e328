"""HR campaigns in the core: tokens, the invitation life cycle, reminders, k-anonymous results, preferences."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from campus.catalogue.models import Competency, Module, Provider, RoleProfile
from campus.channels.models import Outbox
from campus.hr.campaigns import (
    CampaignIn,
    close_campaign,
    create_campaign,
    invitation_from_token,
    invitation_list,
    mark_completed,
    mark_declined,
    mark_declined_for_learner,
    mark_started,
    start_campaign,
    token_of,
)
from campus.hr.deliveries import due_deliveries, mark_delivered
from campus.hr.jobs import close_due_campaigns, run_campaign_jobs, send_due_reminders
from campus.hr.models import Campaign, Invitation, InvitationDelivery, InvitationEvent, InvitationLearner
from campus.hr.module_preferences import (
    ModulePreferencesIn,
    learners_for_role_profile,
    preferred_modules_for,
    set_preferences,
)
from campus.hr.reports import below_target, campaign_report, gap_cells, release_cells
from campus.hr.role_profiles import RoleProfileCreate, RoleProfileUpdate, create_org_profile, update_org_profile
from campus.hr.tokens import TOKEN_LENGTH, make_token, read_token
from campus.learners.identity import learner_for
from campus.learners.models import Learner
from campus.learners.privacy import erase_learner
from campus.learners.profiles import update_profile
from campus.store.db import make_engine
from campus.store.errors import DomainError
from campus.store.settings import get_settings

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
DEADLINE = NOW + timedelta(days=14)
ORG = "musterstadt"
TARGETS = [{"competency": "e_akte", "level": 3, "weight": 1.0},
           {"competency": "data_protection", "level": 2, "weight": 0.8}]


@pytest.fixture(autouse=True)
def telegram_bot(monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "telegram_bot_username", "KommunalCampusBot")


@pytest.fixture
def session(tmp_path) -> Session:
    engine = make_engine(f"sqlite:///{tmp_path / 'campaigns.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        for cid, label in (("e_akte", "E-Akte"), ("data_protection", "Datenschutz"), ("ai_basics", "KI")):
            session.add(Competency(id=cid, area="a", label=label, description="d"))
        session.add(RoleProfile(id="sb", title="Sachbearbeitung", description="global", targets=TARGETS))
        session.add(Provider(id="p", name="Anbieter", kind="university"))
        session.flush()
        for module_id, status in ((1, "approved"), (2, "approved"), (3, "withdrawn")):
            session.add(Module(id=module_id, provider_id="p", external_id=f"m{module_id}", title=f"Modul {module_id}",
                               description="D", category="Basismodul", status=status))
        session.commit()
        yield session


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


# --- tokens ----------------------------------------------------------------------------------------------


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


# --- creating and starting -------------------------------------------------------------------------------


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


# --- the chat's side -------------------------------------------------------------------------------------


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


# --- reminders -------------------------------------------------------------------------------------------


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


# --- anonymised results ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("counts", "expected"), [
    ({2: 4}, None),
    ({2: 5}, [((2,), 5)]),
    ({1: 5, 2: 6}, [((1,), 5), ((2,), 6)]),
    ({1: 6, 2: 1}, [((0, 1, 2, 3, 4), 7)]),  # a residue of 1 would be total minus the rest: merged away
    ({0: 1, 1: 5, 2: 7, 4: 2}, [((0, 1, 3, 4), 8), ((2,), 7)]),
    ({0: 5, 3: 5, 4: 5}, [((0,), 5), ((3,), 5), ((4,), 5)]),
    ({0: 2, 2: 2, 4: 2}, [((0, 1, 2, 3, 4), 6)]),
])
def test_cells_never_hold_fewer_than_k_people(counts, expected) -> None:
    cells = release_cells(counts, 5)
    if expected is None:
        assert cells is None
        return
    assert [(c.levels, c.count) for c in cells] == expected
    assert all(c.count >= 5 for c in cells) and sum(c.count for c in cells) == sum(counts.values())


def test_gaps_use_the_same_cells_as_levels() -> None:
    cells = release_cells({0: 1, 1: 5, 2: 7, 3: 6, 4: 2}, 5)
    assert [(c.levels, c.count) for c in cells] == [((0, 1, 4), 8), ((2,), 7), ((3,), 6)]
    assert gap_cells(cells, target=3) == [{"gaps": [0], "count": 6}, {"gaps": [0, 2, 3], "count": 8},
                                          {"gaps": [1], "count": 7}]
    assert below_target(cells, 3) is None  # the merged cell holds levels below and at the target
    clean = release_cells({1: 5, 3: 6, 4: 5}, 5)
    assert below_target(clean, 3) == 5 and gap_cells(clean, 3) == [{"gaps": [0], "count": 11},
                                                                   {"gaps": [2], "count": 5}]


def participate(session: Session, tokens: list[str], levels: list[dict[str, int]], now: datetime) -> list[str]:
    ids = []
    for n, (token, lv) in enumerate(zip(tokens, levels, strict=False)):
        learner_id = learner(session, f"participant-{token[:8]}-{n}", lv)
        assert mark_started(session, token, learner_id, now=now).ok
        mark_completed(session, learner_id, now=now)
        ids.append(learner_id)
    return ids


def test_results_only_after_closing_and_only_for_groups_of_five(session) -> None:
    k = get_settings().campaign_min_group_size
    campaign, tokens = running(session, people(12))
    levels = [{"e_akte": 1, "data_protection": 2}] * 5 + [{"e_akte": 3}] * 5 + [{"e_akte": 2, "data_protection": 0}]
    ids = participate(session, tokens, levels, NOW)
    mark_declined(session, tokens[11], now=NOW)

    live = campaign_report(session, campaign, k)
    assert live["results_available"] is False and live["competencies"] == [] and "läuft noch" in live["notice"]
    assert live["counts"] == {"total": 12, "pending": 0, "invited": 0, "started": 0, "completed": 11, "declined": 1}

    close_campaign(session, campaign, now=NOW + timedelta(days=1))
    report = campaign_report(session, campaign, k)
    assert report["results_available"] and report["participants"] == 11
    e_akte, data_protection = report["competencies"]
    # levels 1 (5 people) and 3 (5) stand alone; level 2 (1 person) would be derivable, so level 1 joins it
    assert e_akte["levels"] == [{"levels": [0, 1, 2, 4], "count": 6}, {"levels": [3], "count": 5}]
    assert e_akte["gaps"] == [{"gaps": [0], "count": 5}, {"gaps": [0, 1, 2, 3], "count": 6}]
    assert e_akte["answers"] == 11 and e_akte["below_target"] is None and e_akte["target_level"] == 3
    assert data_protection["answers"] == 6 and data_protection["levels"] == [{"levels": [0, 1, 2, 3, 4], "count": 6}]
    assert data_protection["notice"] and "zusammengefasst" in data_protection["notice"]
    assert "P-000" not in str(report) and not any(i in str(report) for i in ids)

    # erasing a participant afterwards does not change the frozen results (no differencing)
    erase_learner(session, "socketio", f"participant-{tokens[0][:8]}-0")
    assert campaign_report(session, campaign, k)["competencies"] == report["competencies"]


def test_fewer_than_five_participants_give_counts_and_a_notice_only(session) -> None:
    campaign, tokens = running(session, people(5))
    participate(session, tokens[:3], [{"e_akte": 2}] * 3, NOW)
    me = learner(session, "twice", {"e_akte": 4})
    for token in tokens[3:5]:  # one person opening two links counts once: 5 invitations, 4 people
        mark_started(session, token, me, now=NOW)
    mark_completed(session, me, now=NOW)
    close_campaign(session, campaign, now=NOW + timedelta(days=1))
    report = campaign_report(session, campaign, 5)
    assert report["counts"]["completed"] == 5 and report["participants"] is None
    assert report["competencies"] == [] and "Weniger als 5" in report["notice"]


def test_org_role_profiles_copy_the_global_one_and_check_their_targets(session) -> None:
    profile = org_profile(session)
    assert profile.org == ORG and profile.targets == TARGETS and profile.id != "sb"
    update_org_profile(session, ORG, profile.id, RoleProfileUpdate(targets=[
        {"competency": "ai_basics", "level": 4, "weight": 0.5}]))
    assert session.get(RoleProfile, profile.id).targets == [{"competency": "ai_basics", "level": 4, "weight": 0.5}]
    for targets, message in (([{"competency": "kochen", "level": 1}], "kochen"),
                             ([{"competency": "e_akte", "level": 1}, {"competency": "e_akte", "level": 2}], "e_akte")):
        with pytest.raises(DomainError, match=message):
            update_org_profile(session, ORG, profile.id, RoleProfileUpdate.model_validate({"targets": targets}))
    with pytest.raises(DomainError) as caught:
        update_org_profile(session, "anderstadt", profile.id, RoleProfileUpdate(title="X"))
    assert caught.value.status_code == 404
    assert session.get(RoleProfile, "sb").targets == TARGETS  # the global one is untouched


def test_preferred_modules_follow_the_campaigns_a_learner_took_part_in(session) -> None:
    campaign, tokens = running(session, people(3))
    prefs = ModulePreferencesIn.model_validate({"modules": [{"module_id": 2, "kind": "recommended"},
                                                            {"module_id": 1, "kind": "assigned"}]})
    set_preferences(session, ORG, campaign.role_profile_id, prefs)
    for bad in ([{"module_id": 3}], [{"module_id": 99}], [{"module_id": 1}, {"module_id": 1}]):
        with pytest.raises(DomainError):
            set_preferences(session, ORG, campaign.role_profile_id,
                            ModulePreferencesIn.model_validate({"modules": bad}))
    with pytest.raises(DomainError):
        set_preferences(session, "anderstadt", campaign.role_profile_id, prefs)

    taker, decliner, stranger = learner(session, "t"), learner(session, "d"), learner(session, "x")
    mark_started(session, tokens[0], taker, now=NOW)
    mark_started(session, tokens[1], decliner, now=NOW)
    mark_declined(session, tokens[1], now=NOW)
    assert preferred_modules_for(session, taker) == [1, 2]  # assigned first
    assert preferred_modules_for(session, decliner) == [] and preferred_modules_for(session, stranger) == []
    assert learners_for_role_profile(session, campaign.role_profile_id) == [taker]

    session.get(Module, 1).status = "withdrawn"
    session.flush()
    assert preferred_modules_for(session, taker) == [2]


def test_erasing_a_learner_removes_the_link_to_the_invitation(session) -> None:
    campaign, tokens = running(session, people(1))
    me = learner(session, "erase-me", {"e_akte": 2})
    mark_started(session, tokens[0], me, now=NOW)
    report = erase_learner(session, "socketio", "erase-me")
    assert report.rows.get("invitationlearner") == 1
    assert session.exec(select(InvitationLearner)).all() == []
    assert session.exec(select(Invitation)).one().status == "started"  # HR's count stays; the person is gone

"""HR through the real FastAPI app: role profiles, module preferences, campaigns, invitation links, results."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from campus.catalogue.models import Module, RoleProfile
from campus.hr.campaigns import CampaignIn, create_campaign, start_campaign, token_of
from campus.hr.invitation_flow import mark_completed, mark_started
from campus.hr.models import Campaign, Invitation, OrgRoleProfile
from campus.learners.identity import learner_for
from campus.learners.profiles import update_profile
from campus.store.db import get_engine
from campus.store.settings import get_settings

ORG = "hr-api-stadt"
BASE = "sachbearbeitung_buergerbuero"


@pytest.fixture(scope="module")
def hr(new_key) -> dict[str, str]:
    return {"X-API-Key": new_key("hr", org=ORG)}


@pytest.fixture(autouse=True)
def telegram_bot(monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "telegram_bot_username", "KommunalCampusBot")


def soon(days: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).isoformat()


def new_profile(client, hr, **changes) -> dict:
    response = client.post("/api/hr/role-profiles", json={"based_on": BASE, **changes}, headers=hr)
    assert response.status_code == 201, response.text
    return response.json()


def campaign_body(role_id: str, invitees: list[dict] | None = None, **changes) -> dict:
    body = {"name": "Digitale Verwaltung 2027", "role_profile_id": role_id, "message": "Bitte nehmen Sie teil.",
            "starts_at": soon(-0.1), "deadline": soon(14),
            "invitees": invitees if invitees is not None else [{"employee_ref": "PN-1", "channel": "widget"}]}
    body.update(changes)
    return body


def org_profile_count() -> int:
    with Session(get_engine()) as session:
        return len(session.exec(select(RoleProfile).where(RoleProfile.org == ORG)).all())


def test_role_profiles_are_copied_from_global_ones_then_edited(client, hr) -> None:
    templates = client.get("/api/hr/role-profiles/global", headers=hr).json()
    base = next(t for t in templates if t["id"] == BASE)
    assert all(t["org"] is None for t in templates) and base["targets"][0]["label"]

    copied = new_profile(client, hr)
    assert copied["org"] == ORG and copied["based_on"] == BASE and copied["revision"] == 1
    assert [(t["competency"], t["level"]) for t in copied["targets"]] == [
        (t["competency"], t["level"]) for t in base["targets"]]

    own = new_profile(client, hr, title="Bürgerbüro Nord", description="Schalter und Telefon",
                      targets=[{"competency": "e_akte", "level": 4, "weight": 1}])
    assert own["title"] == "Bürgerbüro Nord" and [t["competency"] for t in own["targets"]] == ["e_akte"]

    edited = client.patch(f"/api/hr/role-profiles/{own['id']}", headers=hr, json={
        "targets": [{"competency": "e_akte", "level": 3, "weight": 0.5},
                    {"competency": "data_protection", "level": 2, "weight": 0.8}]})
    assert edited.status_code == 200 and edited.json()["revision"] == 2 and edited.json()["title"] == "Bürgerbüro Nord"
    assert client.get(f"/api/hr/role-profiles/{own['id']}", headers=hr).json()["targets"][1]["level"] == 2
    listed = {p["id"] for p in client.get("/api/hr/role-profiles", headers=hr).json()}
    assert {copied["id"], own["id"]} <= listed and BASE not in listed
    with Session(get_engine()) as session:
        assert session.get(OrgRoleProfile, own["id"]).based_on == BASE
        assert session.get(RoleProfile, BASE).org is None  # the template is untouched

    assert client.get("/api/hr/role-profiles/gibt-es-nicht", headers=hr).status_code == 404
    assert client.get(f"/api/hr/role-profiles/{BASE}", headers=hr).status_code == 404  # global: not HR's to edit
    unknown_base = client.post("/api/hr/role-profiles", json={"based_on": "astronaut"}, headers=hr)
    assert unknown_base.status_code == 404 and "globales Tätigkeitsprofil" in unknown_base.text


@pytest.mark.parametrize(("targets", "field", "german"), [
    ([{"competency": "kochen", "level": 2, "weight": 1}], "targets", "Unbekannte Kompetenz-IDs: kochen"),
    ([{"competency": "e_akte", "level": 5, "weight": 1}], "targets.0.level", "zu groß"),
    ([{"competency": "e_akte", "level": -1, "weight": 1}], "targets.0.level", "zu klein"),
    ([{"competency": "e_akte", "level": "3", "weight": 1}], "targets.0.level", "Ganze Zahl erwartet"),
    ([{"competency": "e_akte", "level": 2, "weight": 1.5}], "targets.0.weight", "zu groß"),
    ([{"competency": "e_akte", "level": 2, "weight": "hoch"}], "targets.0.weight", "Zahl erwartet"),
    ([{"competency": "e_akte", "level": 2, "gewicht": 1}], "targets.0.gewicht", "nicht vorgesehen"),
    ([{"level": 2}], "targets.0.competency", "Pflichtfeld fehlt"),
    ([], "targets", "Zu wenige Einträge"),
    ("e_akte", "targets", "Liste erwartet"),
    ([{"competency": "e_akte", "level": 2}, {"competency": "e_akte", "level": 3}], "targets", "nur einmal"),
])
def test_bad_targets_name_the_field_in_german_and_change_nothing(client, hr, targets, field, german) -> None:
    before = org_profile_count()
    created = client.post("/api/hr/role-profiles", json={"based_on": BASE, "targets": targets}, headers=hr)
    assert created.status_code == 422, created.text
    errors = created.json()["detail"]
    assert any(e["field"] == field and german in e["message_de"] and e["message_en"] for e in errors), errors
    assert org_profile_count() == before

    profile = new_profile(client, hr)
    patched = client.patch(f"/api/hr/role-profiles/{profile['id']}", json={"title": "Neu", "targets": targets},
                           headers=hr)
    assert patched.status_code == 422
    stored = client.get(f"/api/hr/role-profiles/{profile['id']}", headers=hr).json()
    assert stored["title"] == profile["title"] and stored["targets"] == profile["targets"]  # nothing half-written


def test_malformed_wrongly_typed_and_oversized_bodies(client, hr) -> None:
    json_headers = {**hr, "Content-Type": "application/json"}
    broken = client.post("/api/hr/role-profiles", content="{kaputt", headers=json_headers)
    assert broken.status_code == 400 and "Ungültiges JSON" in broken.text
    assert client.post("/api/hr/role-profiles", content="based_on=x",
                       headers={**hr, "Content-Type": "text/plain"}).status_code == 415
    not_object = client.post("/api/hr/role-profiles", json=["based_on"], headers=hr)
    assert not_object.status_code == 422 and "JSON-Objekt" in not_object.text
    huge = b'{"based_on": "' + BASE.encode() + b'", "description": "' + b"x" * 200_000 + b'"}'
    assert client.post("/api/hr/role-profiles", content=huge, headers=json_headers).status_code == 413
    huge_campaign = b'{"name": "' + b"x" * 2_000_000 + b'"}'
    assert client.post("/api/hr/campaigns", content=huge_campaign, headers=json_headers).status_code == 413
    assert client.get("/api/hr/campaigns/abc", headers=hr).status_code == 422
    assert client.get("/api/hr/campaigns/99999999", headers=hr).status_code == 404
    assert client.get(f"/api/hr/campaigns/{2**63}", headers=hr).status_code == 422


def test_modules_recommended_or_assigned_to_a_role_profile(client, hr) -> None:
    profile = new_profile(client, hr)
    with Session(get_engine()) as session:
        approved = session.exec(select(Module.id).where(Module.status == "approved").order_by(Module.id)).all()[:3]
        not_approved = session.exec(select(Module.id).where(Module.status != "approved")).first()
    url = f"/api/hr/role-profiles/{profile['id']}/modules"
    body = {"modules": [{"module_id": approved[0], "kind": "recommended"},
                        {"module_id": approved[1], "kind": "assigned"}]}
    stored = client.put(url, json=body, headers=hr)
    assert stored.status_code == 200, stored.text
    assert [(m["module_id"], m["kind"]) for m in stored.json()] == [(approved[1], "assigned"),
                                                                   (approved[0], "recommended")]
    assert client.get(url, headers=hr).json() == stored.json()

    refused = [
        {"modules": [{"module_id": 99999999}]},
        {"modules": [{"module_id": approved[2]}, {"module_id": approved[2]}]},
        {"modules": [{"module_id": approved[2], "kind": "verpflichtend"}]},
        {"modules": [{"module_id": "eins"}]},
        {"module_ids": [1]},
    ] + ([{"modules": [{"module_id": not_approved}]}] if not_approved else [])
    for bad in refused:
        assert client.put(url, json=bad, headers=hr).status_code == 422, bad
    assert client.get(url, headers=hr).json() == stored.json()  # unchanged after every refusal
    assert client.put(url, json={"modules": []}, headers=hr).json() == []
    assert client.put("/api/hr/role-profiles/gibt-es-nicht/modules", json=body, headers=hr).status_code == 404


@pytest.mark.parametrize(("changes", "field", "german"), [
    ({"deadline": soon(-1)}, "deadline", "Frist"),
    ({"starts_at": soon(5), "deadline": soon(4)}, "deadline", "nach dem Beginn"),
    ({"invitees": []}, "invitees", "mindestens eine"),
    ({"invitees": [{"employee_ref": "A-1"}, {"employee_ref": "a-1"}]}, "invitees", "mehrfach"),
    ({"invitees": [{"employee_ref": "A-1", "channel": "fax"}]}, "invitees.0.channel", "Unzulässiger Wert"),
    ({"invitees": [{"employee_ref": 17}]}, "invitees.0.employee_ref", "Text erwartet"),
    ({"invitees": [{"employee_ref": "A-1", "address": "nicht@"}]}, "invitees.0.address", "E-Mail-Adresse"),
    ({"deadline": "nächsten Freitag"}, "deadline", "Datum mit Uhrzeit"),
    ({"name": ""}, "name", "zu kurz"),
    ({"role_profile_id": BASE}, "role_profile_id", "gibt es in Ihrer Organisation nicht"),
])
def test_bad_campaigns_are_refused_with_the_field(client, hr, changes, field, german) -> None:
    profile = new_profile(client, hr)
    with Session(get_engine()) as session:
        before = len(session.exec(select(Campaign)).all())
    response = client.post("/api/hr/campaigns", json=campaign_body(profile["id"], **changes), headers=hr)
    assert response.status_code in (404, 422), response.text
    assert any(e["field"] == field and german in e["message_de"] for e in response.json()["detail"]), response.text
    with Session(get_engine()) as session:
        assert len(session.exec(select(Campaign)).all()) == before


def test_too_many_invitees(client, hr, monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "campaign_max_invitees", 10)
    profile = new_profile(client, hr)
    invitees = [{"employee_ref": f"X-{i}"} for i in range(11)]
    response = client.post("/api/hr/campaigns", json=campaign_body(profile["id"], invitees), headers=hr)
    assert response.status_code == 422 and "Höchstens 10" in response.text


def test_campaign_from_draft_to_anonymous_results(client, hr) -> None:
    profile = new_profile(client, hr, targets=[{"competency": "e_akte", "level": 3, "weight": 1},
                                               {"competency": "data_protection", "level": 3, "weight": 0.5}])
    invitees = [{"employee_ref": f"PN-{i}", "channel": "widget", "address": f"p{i}@hr-api-stadt.de"} for i in range(10)]
    invitees += [{"employee_ref": "PN-T", "channel": "telegram"}, {"employee_ref": "PN-W", "channel": "widget"}]
    created = client.post("/api/hr/campaigns", json=campaign_body(profile["id"], invitees), headers=hr)
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["status"] == "draft" and campaign["counts"]["pending"] == 12
    assert campaign["id"] in {c["id"] for c in client.get("/api/hr/campaigns", headers=hr).json()}

    started = client.post(f"/api/hr/campaigns/{campaign['id']}/start", headers=hr)
    assert started.status_code == 200 and started.json()["status"] == "running"
    assert started.json()["counts"]["invited"] == 12
    again = client.post(f"/api/hr/campaigns/{campaign['id']}/start", headers=hr)
    assert again.status_code == 409 and "bereits gestartet" in again.text

    listed = client.get(f"/api/hr/campaigns/{campaign['id']}/invitations", headers=hr).json()
    by_ref = {i["employee_ref"]: i for i in listed}
    assert by_ref["PN-0"]["link"] is None and by_ref["PN-0"]["delivered_by"] == "platform"
    assert by_ref["PN-T"]["link"].startswith("https://t.me/KommunalCampusBot?start=")
    assert by_ref["PN-W"]["link"].startswith("http://localhost:8000/?kc_invite=")
    assert all("status" not in i for i in listed)  # HR never sees who took part

    # the invitee's side: token only
    token = by_ref["PN-W"]["link"].split("kc_invite=")[1]
    info = client.get(f"/api/invitations/{token}")
    assert info.status_code == 200 and info.json()["message"] == "Bitte nehmen Sie teil."
    assert "status" not in info.json() and "employee_ref" not in info.text and "PN-W" not in info.text
    page = client.get(f"/einladung/{token}")
    assert page.status_code == 200 and "Ich möchte nicht teilnehmen" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    forged = client.get(f"/api/invitations/{token[:-3]}abc")
    assert forged.status_code == 400 and "ungültig" in forged.json()["detail"]["message_de"]
    assert client.get("/einladung/irgendwas").status_code == 400
    declined = client.post(f"/einladung/{by_ref['PN-T']['link'].split('start=')[1]}/ablehnen")
    assert declined.status_code == 200 and "Rückmeldung" in declined.text

    running = client.get(f"/api/hr/campaigns/{campaign['id']}/report", headers=hr).json()
    assert running["results_available"] is False and running["counts"]["declined"] == 1

    # ten people take part in the chat (what the Rasa actions will do)
    with Session(get_engine()) as session:
        rows = session.exec(select(Invitation).where(Invitation.campaign_id == campaign["id"])
                            .order_by(Invitation.id)).all()[:10]
        stored = session.get(Campaign, campaign["id"])
        for n, invitation in enumerate(rows):
            learner_id = learner_for(session, "socketio", f"hr-api-participant-{n}").id
            update_profile(session, learner_id, {"consent": True},
                           levels={"e_akte": 1 if n < 5 else 3, "data_protection": 2 if n < 9 else 4})
            assert mark_started(session, token_of(invitation, stored), learner_id).ok
            mark_completed(session, learner_id)
        session.commit()

    closed = client.post(f"/api/hr/campaigns/{campaign['id']}/close", headers=hr)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    report = client.get(f"/api/hr/campaigns/{campaign['id']}/report", headers=hr).json()
    assert report["results_available"] and report["participants"] == 10
    assert report["counts"] == {"total": 12, "pending": 0, "invited": 1, "started": 0, "completed": 10,
                                "declined": 1}
    e_akte, data_protection = report["competencies"]
    assert e_akte["levels"] == [{"levels": [1], "count": 5}, {"levels": [3], "count": 5}]
    assert e_akte["gaps"] == [{"gaps": [0], "count": 5}, {"gaps": [2], "count": 5}] and e_akte["below_target"] == 5
    # 9 at level 2 and 1 at level 4: the single person is merged away, not shown as 10 − 9
    assert data_protection["levels"] == [{"levels": [0, 1, 2, 3, 4], "count": 10}]
    assert client.get(f"/einladung/{token}").status_code == 410  # links end with the campaign
    assert client.post(f"/api/hr/campaigns/{campaign['id']}/start", headers=hr).status_code == 409


def test_an_expired_link_says_so_in_german(client, hr) -> None:
    profile = new_profile(client, hr)
    past = datetime.now(timezone.utc) - timedelta(days=30)
    with Session(get_engine()) as session:
        body = campaign_body(profile["id"], starts_at=past, deadline=past + timedelta(days=7))
        data = CampaignIn.model_validate(body)
        campaign = create_campaign(session, ORG, data, now=past)
        start_campaign(session, ORG, campaign.id, now=past)
        token = token_of(session.exec(select(Invitation).where(Invitation.campaign_id == campaign.id)).one(), campaign)
        session.commit()
    expired = client.get(f"/api/invitations/{token}")
    assert expired.status_code == 410 and "abgelaufen" in expired.json()["detail"]["message_de"]
    assert client.post(f"/api/invitations/{token}/decline").status_code == 410

"""Access control: roles, one organisation per HR key, one provider per provider key, no route to a learner's data.

A learner's data is reachable only through the learner's own chat session or
a signed link; these tests walk every route of the app to prove that no API
key (and no key at all) reads it by learner id, sender or address.
"""

from __future__ import annotations

import typing
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session, SQLModel, select

from campus.catalogue.models import Module
from campus.channels.models import Outbox
from campus.hr.campaigns import CampaignIn, create_campaign, start_campaign, token_of
from campus.hr.invitation_flow import mark_completed, mark_started
from campus.hr.models import Invitation
from campus.hr.role_profiles import RoleProfileCreate, create_org_profile
from campus.learners.identity import learner_for
from campus.learners.models import Plan
from campus.learners.profiles import update_profile
from campus.store.db import get_engine

ORG_A, ORG_B = "zugriff-a-stadt", "zugriff-b-stadt"
PROVIDER_A, PROVIDER_B = "hs_verwaltung_nord", "digitalwerk_akademie"
SENDER = "probe-sender-4711"
MARKER = "Geheimes Interesse Zitronenfalter"
LEARNER_TABLES = {t.name for t in SQLModel.metadata.sorted_tables if "learner_id" in t.columns} | {"learner"}
LEARNER_PARAMS = {"learner_id", "learner", "sender", "sender_id", "address", "chat_id", "user_id", "conversation_id",
                  "session_id", "employee_ref", "email"}


@pytest.fixture(scope="module")
def keys(new_key) -> dict[str, str]:
    return {
        "hr_a": new_key("hr", org=ORG_A), "hr_b": new_key("hr", org=ORG_B),
        "provider_a": new_key("provider", provider_id=PROVIDER_A),
        "provider_b": new_key("provider", provider_id=PROVIDER_B),
        "board": new_key("board"), "admin": new_key("admin", label="test admin"),
    }


def h(key: str | None) -> dict[str, str]:
    return {"X-API-Key": key} if key else {}


@pytest.fixture(scope="module")
def probe(prepared_store) -> dict[str, typing.Any]:
    """A learner of org A with a profile, a plan, an outbox message and a completed campaign invitation."""
    now = datetime.now(timezone.utc)
    with Session(get_engine()) as session:
        learner_id = learner_for(session, "socketio", SENDER, org=ORG_A).id
        update_profile(session, learner_id, {"consent": True, "interest_text": MARKER, "role_text": MARKER},
                       levels={"e_akte": 1, "data_protection": 3})
        session.add(Plan(learner_id=learner_id, version=1, trigger="interview_completed"))
        session.add(Outbox(learner_id=learner_id, channel="socketio", text=MARKER))
        profile = create_org_profile(session, ORG_A, RoleProfileCreate(based_on="sachbearbeitung_buergerbuero"))
        data = CampaignIn.model_validate({
            "name": "Probe", "role_profile_id": profile.id, "starts_at": now - timedelta(hours=1),
            "deadline": now + timedelta(days=7), "invitees": [{"employee_ref": "PROBE-REF"}]})
        campaign = create_campaign(session, ORG_A, data)
        start_campaign(session, ORG_A, campaign.id)
        invitation = session.exec(select(Invitation).where(Invitation.campaign_id == campaign.id)).one()
        token = token_of(invitation, campaign)
        assert mark_started(session, token, learner_id).ok
        mark_completed(session, learner_id)
        session.commit()
        return {"learner_id": learner_id, "token": token, "campaign_id": campaign.id, "role_profile_id": profile.id}


def routes(app) -> list:
    """Every endpoint of the app with its path and dependencies (FastAPI keeps included routers apart)."""
    found = []
    for route in app.routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        found.extend(c for c in contexts if getattr(c, "dependant", None) is not None)
    return found


def param_names(dependant) -> set[str]:
    names = {p.name for group in (dependant.path_params, dependant.query_params, dependant.header_params,
                                  dependant.cookie_params) for p in group}
    for sub in dependant.dependencies:
        names |= param_names(sub)
    return names


def model_names(annotation) -> set[str]:
    if annotation is None:
        return set()
    names = {getattr(annotation, "__tablename__", "")} - {""}
    for arg in typing.get_args(annotation):
        names |= model_names(arg)
    return names


# --- roles -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("GET", "/api/hr/role-profiles", {"hr_a"}),
    ("GET", "/api/hr/role-profiles/global", {"hr_a"}),
    ("POST", "/api/hr/role-profiles", {"hr_a"}),
    ("GET", "/api/hr/campaigns", {"hr_a"}),
    ("POST", "/api/hr/campaigns", {"hr_a"}),
    ("GET", "/api/admin/keys", {"admin"}),
    ("POST", "/api/admin/keys", {"admin"}),
    ("GET", "/api/board/modules", {"board", "admin"}),
    ("GET", "/api/provider/modules", {"provider_a"}),
])
def test_each_role_reaches_only_its_own_functions(client, keys, method, path, allowed) -> None:
    assert client.request(method, path).status_code == 401
    for name in ("hr_a", "provider_a", "board", "admin"):
        status = client.request(method, path, headers=h(keys[name]), json={}).status_code
        if name in allowed:
            assert status not in (401, 403), (name, path, status)
        else:
            assert status == 403, (name, path, status)


def test_an_admin_key_cannot_act_as_hr_of_any_organisation(client, keys) -> None:
    refused = client.get("/api/hr/campaigns", headers=h(keys["admin"]))
    assert refused.status_code == 403 and "genau einer Organisation" in refused.text


# --- one organisation per HR key -------------------------------------------------------------------------


def test_hr_of_one_organisation_sees_nothing_of_another(client, keys, probe) -> None:
    a, b = h(keys["hr_a"]), h(keys["hr_b"])
    role_id, campaign_id = probe["role_profile_id"], probe["campaign_id"]
    assert role_id in {p["id"] for p in client.get("/api/hr/role-profiles", headers=a).json()}
    assert role_id not in {p["id"] for p in client.get("/api/hr/role-profiles", headers=b).json()}
    assert role_id not in {p["id"] for p in client.get("/api/hr/role-profiles/global", headers=b).json()}
    assert role_id not in {r["id"] for r in client.get("/api/roles").json()}  # the public list: global ones only
    assert campaign_id not in {c["id"] for c in client.get("/api/hr/campaigns", headers=b).json()}

    foreign = [
        ("GET", f"/api/hr/role-profiles/{role_id}", None),
        ("PATCH", f"/api/hr/role-profiles/{role_id}", {"title": "Übernommen"}),
        ("GET", f"/api/hr/role-profiles/{role_id}/modules", None),
        ("PUT", f"/api/hr/role-profiles/{role_id}/modules", {"modules": []}),
        ("GET", f"/api/hr/campaigns/{campaign_id}", None),
        ("POST", f"/api/hr/campaigns/{campaign_id}/start", None),
        ("POST", f"/api/hr/campaigns/{campaign_id}/close", None),
        ("GET", f"/api/hr/campaigns/{campaign_id}/invitations", None),
        ("GET", f"/api/hr/campaigns/{campaign_id}/report", None),
    ]
    for method, path, body in foreign:
        response = client.request(method, path, headers=b, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert "PROBE-REF" not in response.text
    now = datetime.now(timezone.utc)
    borrowed = client.post("/api/hr/campaigns", headers=b, json={
        "name": "Fremd", "role_profile_id": role_id, "starts_at": now.isoformat(),
        "deadline": (now + timedelta(days=3)).isoformat(), "invitees": [{"employee_ref": "X"}]})
    assert borrowed.status_code == 404
    # still intact for its owner
    assert client.get(f"/api/hr/campaigns/{campaign_id}", headers=a).json()["status"] == "running"
    assert client.get(f"/api/hr/role-profiles/{role_id}", headers=a).json()["title"] != "Übernommen"


# --- one provider per provider key ----------------------------------------------------------------------


def test_a_provider_sees_nothing_of_another_providers_modules(client, keys) -> None:
    payload = {
        "external_id": "zugriff-test-1", "title": "Aktenführung im Team organisieren",
        "description": "Das Modul zeigt, wie Teams ihre elektronische Akte gemeinsam führen und Zuständigkeiten "
                       "klar regeln, von der Ablage bis zur Aussonderung.",
        "learning_outcomes": ["Die Teilnehmenden können eine Ablagestruktur für ihr Team entwerfen."],
        "category": "Basismodul", "competencies": [{"id": "e_akte", "level_from": 1, "level_to": 2}],
        "learning_units": 1, "duration_hours": 8, "parts": [{"kind": "online_prep", "hours": 8}],
        "format": "online", "language": "de", "region": "bundesweit",
        "dates": [{"start": "2027-05-01", "end": "2027-05-31"}], "price_member_eur": 100,
        "price_non_member_eur": 150, "proof_tiers": ["participation"],
    }
    created = client.post("/api/provider/modules", json=payload, headers=h(keys["provider_a"]))
    assert created.status_code == 201, created.text
    module_id = created.json()["module_id"]
    own_b = client.get("/api/provider/modules", headers=h(keys["provider_b"])).json()
    assert module_id not in {m["module_id"] for m in own_b}
    assert client.put("/api/provider/modules/zugriff-test-1", json=payload,
                      headers=h(keys["provider_b"])).status_code == 404
    assert client.delete("/api/provider/modules/zugriff-test-1", headers=h(keys["provider_b"])).status_code == 404
    # the public catalogue shows approved modules only: a submitted one is no one else's business
    assert client.get(f"/api/modules/{module_id}", headers=h(keys["provider_b"])).status_code == 404
    assert client.get("/api/modules", params={"status": "submitted"}).status_code == 422
    assert client.get(f"/api/board/modules/{module_id}/decisions", headers=h(keys["provider_b"])).status_code == 403
    with Session(get_engine()) as session:
        assert session.get(Module, module_id).status == "submitted"


# --- admin -----------------------------------------------------------------------------------------------


def test_admin_creates_lists_and_deactivates_scoped_keys(client, keys) -> None:
    admin = h(keys["admin"])
    # an HR key's organisation is registered first (tests/api/test_admin_organisations.py)
    client.post("/api/admin/organisations", json={"id": "neue-stadt", "name": "Neue Stadt"}, headers=admin)
    made = client.post("/api/admin/keys", json={"role": "hr", "org": "neue-stadt", "label": "Personalamt"},
                       headers=admin)
    assert made.status_code == 201, made.text
    plain, key_id = made.json()["key"], made.json()["id"]
    assert client.get("/api/hr/campaigns", headers=h(plain)).json() == []
    listed = client.get("/api/admin/keys", headers=admin).json()
    mine = next(k for k in listed if k["id"] == key_id)
    assert (mine["org"], mine["role"], mine["active"]) == ("neue-stadt", "hr", True)
    assert plain not in str(listed) and "key_hash" not in str(listed)

    for bad, field in (({"role": "hr"}, "org"), ({"role": "provider", "provider_id": "gibt-es-nicht"}, "provider_id"),
                       ({"role": "board", "org": "x"}, "role"), ({"role": "kaiser"}, "role")):
        response = client.post("/api/admin/keys", json=bad, headers=admin)
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == field, response.text
    assert client.delete(f"/api/admin/keys/{key_id}", headers=admin).json()["active"] is False
    assert client.get("/api/hr/campaigns", headers=h(plain)).status_code == 401
    assert client.delete("/api/admin/keys/99999999", headers=admin).status_code == 404
    own_id = next(k["id"] for k in listed if k["label"] == "test admin")
    assert client.delete(f"/api/admin/keys/{own_id}", headers=admin).status_code == 409


# --- a learner's data: own session or signed link only --------------------------------------------------


def test_no_route_takes_a_learner_identity_or_returns_learner_tables(client) -> None:
    found = routes(client.app)
    assert len(found) > 30
    for route in found:
        names = param_names(route.dependant)
        assert not names & LEARNER_PARAMS, (route.path, names & LEARNER_PARAMS)
        leaked = model_names(getattr(route, "response_model", None)) & LEARNER_TABLES
        assert not leaked, (route.path, leaked)


def _fill(route, probe: dict) -> str | None:
    path = route.path
    for param in route.dependant.path_params:
        if param.name == "token":
            value = probe["token"]
        elif param.name == "campaign_id":
            value = str(probe["campaign_id"])
        elif param.name == "role_profile_id":
            value = probe["role_profile_id"]
        elif param.field_info.annotation is int:
            value = "1"
        else:
            value = probe["learner_id"]
        path = path.replace("{" + param.name + "}", value)
    return path if "{" not in path else None


def test_no_key_reads_a_learners_data_through_any_route(client, keys, probe) -> None:
    """Every GET route, with every kind of key and none, with the learner's id or signed link as parameter."""
    secrets = (probe["learner_id"], MARKER, SENDER)
    checked = 0
    for route in routes(client.app):
        if "GET" not in (route.methods or set()) or route.path.startswith(("/docs", "/redoc", "/widget/")):
            continue
        path = _fill(route, probe)
        assert path is not None, route.path
        params = {p.name: probe["learner_id"] for p in route.dependant.query_params if p.field_info.is_required()}
        for key in (None, keys["hr_a"], keys["provider_a"], keys["board"], keys["admin"]):
            response = client.get(path, params=params, headers=h(key))
            assert not any(s in response.text for s in secrets), (path, response.status_code)
            checked += 1
    assert checked >= 5 * 20
    assert client.get(f"/api/invitations/{probe['token']}").status_code == 200  # the signed link itself worked

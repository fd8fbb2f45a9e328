"""Organisations over HTTP: admins register them (membership, synonyms, budget), HR keys need a registered one,
HR sets its budget per learner, and the plans of the organisation's learners follow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest
from sqlmodel import Session, select

from campus.access.models import ApiKey
from campus.catalogue.models import Module
from campus.hr.models import Organisation
from campus.learners.identity import learner_for
from campus.learners.models import PlanItem
from campus.learners.plans import current_plan, plan_items
from campus.learners.profiles import update_profile
from campus.store.db import get_engine
from plan_engine.planner import build_plan

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def admin(new_key) -> dict[str, str]:
    return {"X-API-Key": new_key("admin", label="organisation admin")}


def new_id() -> str:
    return f"gemeinde-{uuid4().hex[:8]}"


def register(client, admin, organisation_id: str, **changes: object):
    data = {"id": organisation_id, "name": f"Gemeinde {organisation_id[-8:].capitalize()}",
            "kind": "municipality", "region": "Hessen", "member": True, "synonyms": [f"Amt {organisation_id[-8:]}"]}
    data.update(changes)
    return client.post("/api/admin/organisations", json=data, headers=admin)


def test_register_list_update_and_filter_by_membership(client, admin) -> None:
    organisation_id = new_id()
    made = register(client, admin, organisation_id, yearly_budget_eur=900)
    assert made.status_code == 201, made.text
    assert (made.json()["member"], made.json()["yearly_budget_eur"]) == (True, 900)
    members = {o["id"] for o in client.get("/api/admin/organisations", params={"member": True}, headers=admin).json()}
    others = {o["id"] for o in client.get("/api/admin/organisations", params={"member": False},
                                          headers=admin).json()}
    assert organisation_id in members and "musterstadt" in members and "beispielhausen" in others
    changed = client.patch(f"/api/admin/organisations/{organisation_id}",
                           json={"member": False, "yearly_budget_eur": None, "synonyms": ["Rathaus Nord", " "]},
                           headers=admin)
    assert changed.status_code == 422 and changed.json()["detail"][0]["field"].startswith("synonyms")
    changed = client.patch(f"/api/admin/organisations/{organisation_id}",
                           json={"member": False, "yearly_budget_eur": None, "synonyms": ["Rathaus Nord"]},
                           headers=admin)
    assert changed.status_code == 200, changed.text
    row = client.get(f"/api/admin/organisations/{organisation_id}", headers=admin).json()
    assert (row["member"], row["yearly_budget_eur"], row["synonyms"], row["region"]) == (
        False, None, ["Rathaus Nord"], "Hessen")


@pytest.mark.parametrize(("changes", "field"), [
    ({"id": "Groß Buchstaben"}, "id"),
    ({"member": "ja"}, "member"),
    ({"kind": "königreich"}, "kind"),
    ({"yearly_budget_eur": -1}, "yearly_budget_eur"),
    ({"yearly_budget_eur": 1e12}, "yearly_budget_eur"),
    ({"yearly_budget_eur": "viel"}, "yearly_budget_eur"),
    ({"synonyms": "Musterstadt"}, "synonyms"),
    ({"synonyms": ["x" * 300]}, "synonyms.0"),
    ({"synonyms": [f"s{i}" * 2 for i in range(30)]}, "synonyms"),
    ({"unbekannt": True}, "unbekannt"),
])
def test_bad_organisations_name_the_field_and_store_nothing(client, admin, changes, field) -> None:
    organisation_id = changes.get("id") if isinstance(changes.get("id"), str) else new_id()
    response = register(client, admin, str(organisation_id), **changes)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["field"] == field and detail["message_de"] and detail["message_en"]
    with Session(get_engine()) as session:
        assert session.get(Organisation, str(organisation_id)) is None


def test_duplicates_and_names_of_others_are_refused_without_a_write(client, admin) -> None:
    assert register(client, admin, "musterstadt").status_code == 409
    taken = register(client, admin, new_id(), synonyms=["stadt musterstadt"])  # another's name, other spelling
    assert taken.status_code == 409 and taken.json()["detail"][0]["field"] == "synonyms"
    organisation_id = new_id()
    assert register(client, admin, organisation_id).status_code == 201
    renamed = client.patch(f"/api/admin/organisations/{organisation_id}", json={"name": "Stadt Musterstadt"},
                           headers=admin)
    assert renamed.status_code == 409 and renamed.json()["detail"][0]["field"] == "name"
    with Session(get_engine()) as session:
        assert session.get(Organisation, organisation_id).name != "Stadt Musterstadt"
        assert session.get(Organisation, "musterstadt").member is True
    assert client.patch("/api/admin/organisations/gibt-es-nicht", json={"member": True},
                        headers=admin).status_code == 404
    assert client.patch(f"/api/admin/organisations/{organisation_id}", json={"member": None},
                        headers=admin).status_code == 422
    deep = client.post("/api/admin/organisations", content=b'{"synonyms":' + b"[" * 3000 + b"]" * 3000 + b"}",
                       headers={**admin, "content-type": "application/json"})
    assert deep.status_code == 400, deep.text


def test_hr_keys_need_a_registered_organisation(client, admin) -> None:
    unknown = client.post("/api/admin/keys", json={"role": "hr", "org": "tippfehler-stadt"}, headers=admin)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "org"
    with Session(get_engine()) as session:
        assert session.exec(select(ApiKey).where(ApiKey.org == "tippfehler-stadt")).first() is None
    organisation_id = new_id()
    assert register(client, admin, organisation_id).status_code == 201
    made = client.post("/api/admin/keys", json={"role": "hr", "org": organisation_id}, headers=admin)
    assert made.status_code == 201, made.text
    own = client.get("/api/hr/organisation", headers={"X-API-Key": made.json()["key"]})
    assert own.status_code == 200 and own.json()["id"] == organisation_id


def test_hr_sets_the_budget_and_its_learners_plans_keep_to_it(client, admin, new_key, encoder) -> None:
    organisation_id = new_id()
    assert register(client, admin, organisation_id).status_code == 201
    hr = {"X-API-Key": new_key("hr", org=organisation_id)}
    with Session(get_engine()) as session:
        learner_id = learner_for(session, "rest", f"budget-{uuid4().hex[:8]}").id
        update_profile(session, learner_id, {"consent": True, "role_id": "sachbearbeitung_buergerbuero",
                                             "organisation_id": organisation_id, "hours_per_month": 40},
                       levels={"e_akte": 0, "data_protection": 0, "ozg_basics": 0})
        before = build_plan(session, learner_id, "interview_completed", encoder=encoder)
        session.commit()
    assert sum(r.price_eur or 0 for r in before) > 0, "the plan without a budget has paid modules"
    for bad in ({"yearly_budget_eur": -5}, {"yearly_budget_eur": "hundert"}, {}):
        response = client.put("/api/hr/organisation/budget", json=bad, headers=hr)
        assert response.status_code == 422, response.text
    response = client.put("/api/hr/organisation/budget", json={"yearly_budget_eur": 0}, headers=hr)
    assert response.status_code == 200 and response.json()["yearly_budget_eur"] == 0
    with Session(get_engine()) as session:  # the background replan ran after the response
        plan = current_plan(session, learner_id)
        assert plan is not None and plan.trigger == "organisation_changed"
        items: list[PlanItem] = plan_items(session, plan.id)
        prices = [session.get(Module, i.module_id).price_member_eur for i in items]
        assert all(p == 0 for p in prices), prices  # a member: member prices, and only free ones fit
    unregistered = {"X-API-Key": new_key("hr", org="nicht-registriert")}
    assert client.get("/api/hr/organisation", headers=unregistered).status_code == 404
    assert client.put("/api/hr/organisation/budget", json={"yearly_budget_eur": 1},
                      headers=unregistered).status_code == 404
    assert client.get("/api/hr/organisation", headers=admin).status_code == 403


def test_the_command_line_registers_lists_and_updates(prepared_store) -> None:
    organisation_id = new_id()

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "campus.cli.organisations", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    made = cli("add", "--id", organisation_id, "--name", "Gemeinde Kommandozeile", "--member", "--budget", "750",
               "--synonym", "Kommandozeile")
    assert made.returncode == 0, made.stderr
    assert cli("update", organisation_id, "--no-member", "--no-budget").returncode == 0
    listed = cli("list")
    line = next(x for x in listed.stdout.splitlines() if x.startswith(organisation_id))
    assert "kein Mitglied" in line and "ohne Budget" in line
    bad = cli("add", "--id", "x", "--name", "Y")
    assert bad.returncode == 2 and "id" in bad.stderr
    with Session(get_engine()) as session:
        row = session.get(Organisation, organisation_id)
        assert row is not None and row.synonyms == ["Kommandozeile"] and row.member is False

"""Admin registers providers over HTTP: one transaction with the first key, keys shown once, hostile input refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest
from sqlmodel import Session, select

from campus.access.keys import find_key
from campus.access.models import ApiKey
from campus.catalogue.models import Provider
from campus.store.db import get_engine

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def admin(new_key) -> dict[str, str]:
    return {"X-API-Key": new_key("admin", label="provider admin")}


def new_id() -> str:
    return f"kvhs_{uuid4().hex[:8]}"


def body(provider_id: str, **changes: object) -> dict:
    data = {"id": provider_id, "name": "Kreisvolkshochschule Nord", "kind": "public_academy",
            "contact": "kurse@kvhs-nord.example", "region": "Niedersachsen"}
    data.update(changes)
    return data


def test_register_issues_a_working_provider_key_once_and_the_provider_can_push_modules(client, admin) -> None:
    provider_id = new_id()
    made = client.post("/api/admin/providers", json=body(provider_id, key_label="Katalog"), headers=admin)
    assert made.status_code == 201, made.text
    data = made.json()
    assert (data["id"], data["contact"], data["kind"]) == (provider_id, "kurse@kvhs-nord.example", "public_academy")
    plain = data["key"]
    with Session(get_engine()) as session:
        key = find_key(session, plain)
        assert key is not None and (key.role, key.provider_id, key.label) == ("provider", provider_id, "Katalog")
        assert plain not in str(session.exec(select(ApiKey.key_hash)).all())  # only the hash is stored
    mine = client.get("/api/provider/modules", headers={"X-API-Key": plain})
    assert mine.status_code == 200 and mine.json() == []
    listed = client.get("/api/admin/providers", headers=admin).json()
    assert provider_id in {p["id"] for p in listed} and plain not in str(listed)
    assert "hs_verwaltung_nord" in {p["id"] for p in listed}  # seeded providers are just providers


def test_more_keys_update_and_a_provider_without_key(client, admin) -> None:
    provider_id = new_id()
    made = client.post("/api/admin/providers", json=body(provider_id, issue_key=False), headers=admin)
    assert made.status_code == 201 and made.json()["key"] is None
    second = client.post(f"/api/admin/providers/{provider_id}/keys", json={"label": "zweites System"}, headers=admin)
    assert second.status_code == 201, second.text
    assert second.json()["provider_id"] == provider_id and second.json()["key"].startswith("kc_")
    changed = client.patch(f"/api/admin/providers/{provider_id}", json={"region": None, "contact": "neu@x.example"},
                           headers=admin)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["region"], changed.json()["contact"], changed.json()["name"]) == (
        None, "neu@x.example", "Kreisvolkshochschule Nord")
    assert client.get(f"/api/admin/providers/{provider_id}", headers=admin).json()["contact"] == "neu@x.example"


@pytest.mark.parametrize(("changes", "field"), [
    ({"id": "Mit Leerzeichen"}, "id"),
    ({"id": "../../etc"}, "id"),
    ({"contact": "keine-adresse"}, "contact"),
    ({"contact": 42}, "contact"),
    ({"kind": "sekte"}, "kind"),
    ({"name": "x" * 201}, "name"),
    ({"issue_key": "ja"}, "issue_key"),
    ({"extra": 1}, "extra"),
])
def test_bad_registrations_name_the_field_and_store_nothing(client, admin, changes, field) -> None:
    provider_id = new_id()
    response = client.post("/api/admin/providers", json=body(provider_id, **changes), headers=admin)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["field"] == field and detail["message_de"] and detail["message_en"]
    with Session(get_engine()) as session:
        assert session.get(Provider, provider_id) is None
        assert session.exec(select(ApiKey).where(ApiKey.provider_id == provider_id)).first() is None


def test_duplicates_malformed_bodies_unknown_ids_and_roles_are_refused(client, admin, new_key) -> None:
    taken = client.post("/api/admin/providers", json=body("hs_verwaltung_nord"), headers=admin)
    assert taken.status_code == 409 and taken.json()["detail"][0]["field"] == "id"
    with Session(get_engine()) as session:
        assert session.get(Provider, "hs_verwaltung_nord").name.endswith("(Beispiel)")  # untouched
    raw = client.post("/api/admin/providers", content=b'{"id": "x",', headers={**admin,
                                                                             "content-type": "application/json"})
    assert raw.status_code == 400 and raw.json()["detail"][0]["field"] == "body"
    nested = client.post("/api/admin/providers", content=b"[" * 3000 + b"]" * 3000,
                         headers={**admin, "content-type": "application/json"})
    assert nested.status_code == 400 and nested.json()["detail"][0]["field"] == "body", nested.text
    huge = client.post("/api/admin/providers", json=body(new_id(), name="x" * 20_000), headers=admin)
    assert huge.status_code == 413
    assert client.patch("/api/admin/providers/gibt_es_nicht", json={"name": "Neu"}, headers=admin).status_code == 404
    assert client.patch("/api/admin/providers/hs_verwaltung_nord", json={}, headers=admin).status_code == 422
    none_name = client.patch("/api/admin/providers/hs_verwaltung_nord", json={"name": None}, headers=admin)
    assert none_name.status_code == 422 and none_name.json()["detail"][0]["field"] == "name"
    assert client.post("/api/admin/providers/gibt_es_nicht/keys", json={}, headers=admin).status_code == 404
    for role in ("provider", "board", "hr"):
        key = new_key(role, provider_id="hs_verwaltung_nord" if role == "provider" else None,
                      org="musterstadt" if role == "hr" else None)
        assert client.get("/api/admin/providers", headers={"X-API-Key": key}).status_code == 403
    assert client.post("/api/admin/providers", json=body(new_id())).status_code == 401


def test_the_command_line_registers_and_prints_the_key_once(prepared_store, test_var_dir) -> None:
    provider_id = new_id()
    run = subprocess.run(
        [sys.executable, "-m", "campus.cli.providers", "add", "--id", provider_id, "--name", "Akademie Süd",
         "--contact", "info@akademie-sued.example", "--kind", "private"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    key_line = run.stdout.strip().splitlines()[-1]
    assert provider_id in run.stdout and key_line.startswith("kc_")
    with Session(get_engine()) as session:
        key = find_key(session, key_line)
        assert key is not None and key.provider_id == provider_id
    bad = subprocess.run([sys.executable, "-m", "campus.cli.providers", "add", "--id", provider_id, "--name", "X",
                          "--contact", "kaputt"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "contact" in bad.stderr and "kc_" not in bad.stdout
    listed = subprocess.run([sys.executable, "-m", "campus.cli.providers", "list"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert provider_id in listed.stdout and key_line not in listed.stdout

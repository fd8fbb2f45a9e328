"""Admin: the allowlist of intranet feed hosts, over HTTP; nothing else opens this machine to a feed URL."""

from __future__ import annotations

import pytest


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


@pytest.fixture(scope="module")
def admin(new_key) -> dict[str, str]:
    return h(new_key("admin"))


def test_only_admins_see_and_change_the_allowlist(client, new_key) -> None:
    provider = h(new_key("provider", provider_id="hs_verwaltung_nord"))
    assert client.get("/api/admin/fetch/allowed-hosts").status_code == 401
    assert client.get("/api/admin/fetch/allowed-hosts", headers=provider).status_code == 403
    assert client.post("/api/admin/fetch/allowed-hosts", json={"host": "evil.intern"},
                       headers=provider).status_code == 403
    assert client.get("/api/admin/fetch/allowed-hosts", headers=h(new_key("board"))).status_code == 403


def test_hosts_are_added_in_one_form_listed_and_removed(client, admin) -> None:
    added = client.post("/api/admin/fetch/allowed-hosts", json={"host": "Feeds.Intern.Example.", "note": "Intranet"},
                        headers=admin)
    assert added.status_code == 201 and added.json()["host"] == "feeds.intern.example"
    again = client.post("/api/admin/fetch/allowed-hosts", json={"host": "feeds.intern.example", "note": "neu"},
                        headers=admin)
    assert again.status_code == 201
    decimal = client.post("/api/admin/fetch/allowed-hosts", json={"host": "167772161"}, headers=admin)
    assert decimal.json()["host"] == "10.0.0.1"
    listed = {row["host"]: row["note"] for row in client.get("/api/admin/fetch/allowed-hosts", headers=admin).json()}
    assert listed["feeds.intern.example"] == "neu" and "10.0.0.1" in listed
    assert client.delete("/api/admin/fetch/allowed-hosts/feeds.intern.example", headers=admin).status_code == 200
    assert client.delete("/api/admin/fetch/allowed-hosts/10.0.0.1", headers=admin).status_code == 200
    gone = client.delete("/api/admin/fetch/allowed-hosts/feeds.intern.example", headers=admin)
    assert gone.status_code == 404 and gone.json()["detail"][0]["field"] == "host"
    remaining = {row["host"] for row in client.get("/api/admin/fetch/allowed-hosts", headers=admin).json()}
    assert not {"feeds.intern.example", "10.0.0.1"} & remaining


@pytest.mark.parametrize("body", [
    {"host": "http://feeds.intern"}, {"host": "feeds.intern:8080"}, {"host": "feeds intern"}, {"host": ""},
    {"host": 42}, {"host": "feeds.intern", "port": 80}, {"host": "a" * 300},
])
def test_what_is_no_host_is_refused_with_the_field(client, admin, body) -> None:
    response = client.post("/api/admin/fetch/allowed-hosts", json=body, headers=admin)
    assert response.status_code == 422
    for detail in response.json()["detail"]:
        assert detail["field"] in ("host", "port") and detail["message_de"] and detail["message_en"]


def test_broken_bodies_are_clear_errors(client, admin) -> None:
    broken = client.post("/api/admin/fetch/allowed-hosts", content=b"{kaputt",
                         headers={**admin, "Content-Type": "application/json"})
    assert broken.status_code == 400
    huge = client.post("/api/admin/fetch/allowed-hosts", content=b'{"host": "' + b"a" * 10_000 + b'"}',
                       headers={**admin, "Content-Type": "application/json"})
    assert huge.status_code == 413

"""Provider feeds over HTTP: register, pull on demand (all pages), read the reports; refusals in one wording.

The feed is a local server that an admin allowlisted for the test (and takes
off the list afterwards); the run is the real one (encoder, tagger, store).
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from campus.catalogue.feeds.sync import claim_feed, release_feed
from campus.store.clock import utcnow
from campus.store.db import get_engine
from tests.unit.catalogue.feed_servers import FeedServer, Listener, body
from tests.unit.catalogue.moochub_support import course

PROVIDER = "kammer_mitteldeutschland"
OTHER = "prozessklar_training"


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def feed_page(courses: list[dict], next_url: str | None = None) -> bytes:
    links = {"self": "x", "first": "x", "last": "x", **({"next": next_url} if next_url else {})}
    return json.dumps({"links": links, "data": courses}).encode()


def numbered(number: int, **attributes) -> dict:
    resource = course(name=f"Datenschutz für Ratsmitglieder, Teil {number}", **attributes)
    resource["id"] = f"kammer-kurs-{number}"
    return resource


@pytest.fixture(scope="module")
def keys(new_key) -> dict[str, dict[str, str]]:
    return {"provider": h(new_key("provider", provider_id=PROVIDER)),
            "other": h(new_key("provider", provider_id=OTHER)), "admin": h(new_key("admin"))}


@pytest.fixture
def server(client, keys):
    feed = FeedServer()
    assert client.post("/api/admin/fetch/allowed-hosts", json={"host": "127.0.0.1"},
                       headers=keys["admin"]).status_code == 201
    yield feed
    client.delete("/api/admin/fetch/allowed-hosts/127.0.0.1", headers=keys["admin"])
    client.delete("/api/provider/feed", headers=keys["provider"])
    feed.close()


def test_a_feed_is_registered_pulled_page_by_page_and_reported(client, keys, server) -> None:
    server.answers["/moochub"] = body(feed_page([numbered(1), numbered(2, teaches=None)], "/moochub?page=2"))
    server.answers["/moochub?page=2"] = body(feed_page([numbered(3)]))
    assert client.get("/api/provider/feed", headers=keys["provider"]).status_code == 404
    registered = client.put("/api/provider/feed", json={"url": server.url("/moochub"), "interval_hours": 12},
                            headers=keys["provider"])
    assert registered.status_code == 200, registered.text
    assert registered.json()["interval_hours"] == 12 and registered.json()["running"] is False
    run = client.post("/api/provider/feed/run", headers=keys["provider"])
    assert run.status_code == 200, run.text
    report = run.json()["report"]
    assert (run.json()["status"], run.json()["trigger"], report["pages"], report["created"]) == (
        "complete", "on_demand", 2, 3)
    by_id = {c["external_id"]: c for c in report["courses"]}
    untagged = by_id["kammer-kurs-2"]
    assert untagged["competencies"] or untagged["flags"] == ["no_fitting_competency"]
    assert all(t["source"] == "inferred" and 0 < t["confidence"] <= 1 for t in untagged["competencies"])
    assert all({"id", "level_from", "level_to", "source", "confidence"} <= set(t)
               for c in report["courses"] for t in c["competencies"])
    again = client.post("/api/provider/feed/run", headers=keys["provider"]).json()
    assert again["report"]["unchanged"] == 3 and again["report"]["created"] == 0
    runs = client.get("/api/provider/feed/runs", headers=keys["provider"]).json()
    assert [r["id"] for r in runs[:2]] == [again["id"], run.json()["id"]]
    assert "courses" not in runs[0]["report"] and runs[0]["report"]["unchanged"] == 3
    full = client.get(f"/api/provider/feed/runs/{run.json()['id']}", headers=keys["provider"]).json()
    assert len(full["report"]["courses"]) == 3
    assert client.get(f"/api/provider/feed/runs/{run.json()['id']}", headers=keys["other"]).status_code == 404
    assert client.get("/api/provider/feed", headers=keys["other"]).status_code == 404


def test_a_course_that_stays_missing_is_withdrawn_after_two_complete_pulls(client, keys, server) -> None:
    server.answers["/moochub"] = body(feed_page([numbered(11), numbered(12)]))
    client.put("/api/provider/feed", json={"url": server.url("/moochub")}, headers=keys["provider"])
    client.post("/api/provider/feed/run", headers=keys["provider"])
    server.answers["/moochub"] = body(feed_page([numbered(11)]))
    first = client.post("/api/provider/feed/run", headers=keys["provider"]).json()
    assert first["report"]["withdrawn"] == 0
    assert client.get("/api/provider/feed", headers=keys["provider"]).json()["missing"] == ["kammer-kurs-12"]
    second = client.post("/api/provider/feed/run", headers=keys["provider"]).json()
    assert [(c["external_id"], c["status"]) for c in second["report"]["courses"] if c["status"] == "withdrawn"] == [
        ("kammer-kurs-12", "withdrawn")]
    own = {m["external_id"]: m["status"] for m in client.get("/api/provider/modules", headers=keys["provider"]).json()}
    assert own["kammer-kurs-12"] == "withdrawn" and own["kammer-kurs-11"] == "submitted"


def test_a_feed_that_fails_is_reported_and_changes_nothing(client, keys, server) -> None:
    server.answers["/moochub"] = body(b"{}", status=500)
    client.put("/api/provider/feed", json={"url": server.url("/moochub")}, headers=keys["provider"])
    before = client.get("/api/provider/modules", headers=keys["provider"]).json()
    run = client.post("/api/provider/feed/run", headers=keys["provider"]).json()
    assert run["status"] == "failed"
    [error] = run["report"]["errors"]
    assert error["field"] == "url" and "nicht abgerufen werden" in error["message_de"]
    assert client.get("/api/provider/modules", headers=keys["provider"]).json() == before


def test_a_running_pull_is_not_started_twice(client, keys, server) -> None:
    server.answers["/moochub"] = body(feed_page([numbered(21)]))
    client.put("/api/provider/feed", json={"url": server.url("/moochub")}, headers=keys["provider"])
    with Session(get_engine()) as session:
        assert claim_feed(session, PROVIDER, utcnow())
    try:
        busy = client.post("/api/provider/feed/run", headers=keys["provider"])
        assert busy.status_code == 409 and busy.json()["detail"][0]["message_en"]
        assert client.get("/api/provider/feed", headers=keys["provider"]).json()["running"] is True
    finally:
        with Session(get_engine()) as session:
            release_feed(session, PROVIDER)
    assert server.requests == []


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:{port}/", "http://2130706433:{port}/", "http://[::ffff:127.0.0.1]:{port}/",
    "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0:{port}/", "file:///etc/passwd",
    "http://localhost:{port}/",
])
def test_a_feed_url_inside_the_network_is_refused_before_any_connection(client, keys, url) -> None:
    listener = Listener()
    try:
        response = client.put("/api/provider/feed", json={"url": url.format(port=listener.port)},
                              headers=keys["provider"])
        assert response.status_code == 422 and listener.connections() == 0
        [detail] = response.json()["detail"]
        assert detail["field"] == "url" and "öffentliche" in detail["message_de"]
    finally:
        listener.close()
    assert client.get("/api/provider/feed", headers=keys["provider"]).status_code == 404


@pytest.mark.parametrize(("payload", "field"), [
    ({"url": "https://feeds.example.org/x", "interval_hours": 0}, "interval_hours"),
    ({"url": "https://feeds.example.org/x", "extra": 1}, "extra"),
    ({"url": 17}, "url"),
    ({}, "url"),
])
def test_bad_registrations_name_the_field(client, keys, payload, field) -> None:
    response = client.put("/api/provider/feed", json=payload, headers=keys["provider"])
    assert response.status_code == 422
    assert any(field in d["field"] for d in response.json()["detail"])


def test_feed_routes_need_a_provider_key(client, keys) -> None:
    assert client.post("/api/provider/feed/run").status_code == 401
    assert client.get("/api/provider/feed/runs", headers=keys["admin"]).status_code == 403
    assert client.delete("/api/provider/feed", headers=keys["provider"]).status_code == 404

"""Provider ingest and board review through the real FastAPI app (in-process)."""

from __future__ import annotations

import copy
import json

import pytest
from sqlmodel import Session, col, select

from campus.catalogue.models import DuplicateFlag, Module, ModuleEmbedding, ModuleVersion, ReviewDecision
from campus.store.db import get_engine
from campus.store.settings import get_settings

PROVIDER = "hs_verwaltung_nord"
OTHER = "digitalwerk_akademie"


@pytest.fixture(scope="module")
def keys(new_key) -> dict[str, str]:
    with Session(get_engine()) as session:
        providers = [p for p in session.exec(select(Module.provider_id).distinct()).all()]
    other = OTHER if OTHER in providers else next(p for p in providers if p != PROVIDER)
    return {"provider": new_key("provider", provider_id=PROVIDER), "other": new_key("provider", provider_id=other),
            "board": new_key("board"), "hr": new_key("hr", org="musterstadt")}


def module_payload(external_id: str = "test-mod-1", **changes) -> dict:
    payload = {
        "external_id": external_id,
        "title": "Digitale Bürgerdienste mit Chatbots gestalten",
        "description": "Das Modul zeigt, wie Kommunen Bürgeranfragen mit einem Chatbot beantworten, "
                       "welche Daten dabei anfallen und wie man die Qualität der Antworten sichert.",
        "learning_outcomes": ["Die Teilnehmenden können Einsatzfelder für Chatbots bewerten."],
        "category": "Basismodul",
        "competencies": [{"id": "generative_ai", "level_from": 0, "level_to": 2}],
        "learning_units": 2, "duration_hours": 16,
        "parts": [{"kind": "online_prep", "hours": 8}, {"kind": "online_follow_up", "hours": 8, "weeks": 4}],
        "format": "online", "language": "de", "region": "bundesweit",
        "dates": [{"start": "2027-03-01", "end": "2027-04-15"}],
        "price_member_eur": 200, "price_non_member_eur": 300, "proof_tiers": ["participation"],
    }
    payload.update(changes)
    return payload


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def test_template_schema_is_published(client) -> None:
    schema = client.get("/api/module-template/schema").json()
    assert "external_id" in schema["properties"] and "competencies" in schema["properties"]
    assert "competencies" not in schema["required"]  # the platform tags modules that come without


def test_authentication_and_roles(client, keys) -> None:
    assert client.get("/api/provider/modules").status_code == 401
    assert client.get("/api/provider/modules", headers=h("kc_falsch")).status_code == 401
    assert client.get("/api/provider/modules", headers=h(keys["board"])).status_code == 403
    assert client.get("/api/board/modules", headers=h(keys["provider"])).status_code == 403
    assert client.get("/api/board/modules", headers=h(keys["hr"])).status_code == 403


def test_create_update_idempotent_and_review_cycle(client, keys) -> None:
    created = client.post("/api/provider/modules", json=module_payload(), headers=h(keys["provider"]))
    assert created.status_code == 201, created.text
    module_id = created.json()["module_id"]
    assert created.json()["version"] == 1

    again = client.post("/api/provider/modules", json=module_payload(), headers=h(keys["provider"]))
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"

    own = client.get("/api/provider/modules", headers=h(keys["provider"])).json()
    assert any(m["module_id"] == module_id and m["status"] == "submitted" for m in own)
    other_view = client.get("/api/provider/modules", headers=h(keys["other"])).json()
    assert all(m["module_id"] != module_id for m in other_view)

    # not yet approved: never in the public (recommendable) list
    public_ids = {m["id"] for m in client.get("/api/modules", params={"limit": 500}).json()}
    assert module_id not in public_ids

    queue = client.get("/api/board/modules", headers=h(keys["board"])).json()
    assert any(item["module"]["id"] == module_id for item in queue)
    assert len(client.get("/api/board/criteria", headers=h(keys["board"])).json()) >= 5

    no_reason = client.post(f"/api/board/modules/{module_id}/decision", json={"decision": "reject"},
                            headers=h(keys["board"]))
    assert no_reason.status_code == 422 and "Begründung" in no_reason.text
    rejected = client.post(f"/api/board/modules/{module_id}/decision",
                           json={"decision": "reject", "reason": "Lernziele zu allgemein"}, headers=h(keys["board"]))
    assert rejected.status_code == 200
    own = {m["module_id"]: m for m in client.get("/api/provider/modules", headers=h(keys["provider"])).json()}
    assert own[module_id]["status"] == "rejected" and own[module_id]["review_reason"] == "Lernziele zu allgemein"

    unchanged = client.post("/api/provider/modules", json=module_payload(), headers=h(keys["provider"]))
    assert unchanged.status_code == 409 and "unverändert" in unchanged.text

    revised = module_payload(learning_outcomes=["Die Teilnehmenden können drei Einsatzfelder benennen und bewerten."])
    updated = client.put("/api/provider/modules/test-mod-1", json=revised, headers=h(keys["provider"]))
    assert updated.status_code == 200 and updated.json()["version"] == 2

    incomplete = client.post(f"/api/board/modules/{module_id}/decision",
                             json={"decision": "approve", "checklist": {"target_group": False}},
                             headers=h(keys["board"]))
    assert incomplete.status_code == 422
    approved = client.post(f"/api/board/modules/{module_id}/decision", json={"decision": "approve"},
                           headers=h(keys["board"]))
    assert approved.status_code == 200
    assert module_id in {m["id"] for m in client.get("/api/modules", params={"limit": 500}).json()}

    trail = client.get(f"/api/board/modules/{module_id}/decisions", headers=h(keys["board"])).json()
    assert [(d["decision"], d["module_version"]) for d in trail] == [("rejected", 1), ("approved", 2)]
    with Session(get_engine()) as session:
        versions = session.exec(select(ModuleVersion).where(ModuleVersion.module_id == module_id)).all()
        assert [v.version for v in versions] == [1, 2]
        assert len(session.exec(select(ReviewDecision).where(ReviewDecision.module_id == module_id)).all()) == 2

    withdrawn = client.delete("/api/provider/modules/test-mod-1", headers=h(keys["provider"]))
    assert withdrawn.json()["status"] == "withdrawn"
    assert module_id not in {m["id"] for m in client.get("/api/modules", params={"limit": 500}).json()}


def test_providers_cannot_touch_each_others_modules(client, keys) -> None:
    client.post("/api/provider/modules", json=module_payload("test-mod-own"), headers=h(keys["provider"]))
    foreign_put = client.put("/api/provider/modules/test-mod-own", json=module_payload("test-mod-own"),
                             headers=h(keys["other"]))
    assert foreign_put.status_code == 404
    assert client.delete("/api/provider/modules/test-mod-own", headers=h(keys["other"])).status_code == 404
    impersonation = client.post("/api/provider/modules", json=module_payload("x-1", provider=PROVIDER),
                                headers=h(keys["other"]))
    assert impersonation.status_code == 422 and "eigenen Anbieterkontos" in impersonation.text


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda m: m.pop("title"), "title"),
        (lambda m: m.update(price_member_eur=-10), "price_member_eur"),
        (lambda m: m.update(dates=[{"start": "2027-05-01", "end": "2027-01-01"}]), "dates"),
        (lambda m: m.update(competencies=[{"id": "kochen", "level_from": 0, "level_to": 1}]), "competencies"),
        (lambda m: m.update(learning_units="zwei"), "learning_units"),
    ],
)
def test_bad_records_are_refused_with_the_field(client, keys, mutate, field) -> None:
    payload = module_payload("test-bad")
    mutate(payload)
    response = client.post("/api/provider/modules", json=payload, headers=h(keys["provider"]))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(field in e["field"] for e in errors) and all(e["message_de"] and e["message_en"] for e in errors)
    with Session(get_engine()) as session:
        assert session.exec(select(Module).where(Module.external_id == "test-bad")).first() is None


def test_wrong_content_type_invalid_json_and_oversized_body(client, keys) -> None:
    headers = h(keys["provider"])
    assert client.post("/api/provider/modules", content="title=x",
                       headers={**headers, "Content-Type": "text/plain"}).status_code == 415
    broken = client.post("/api/provider/modules", content="{kaputt",
                         headers={**headers, "Content-Type": "application/json"})
    assert broken.status_code == 400 and "Ungültiges JSON" in broken.text
    huge = b'{"description": "' + b"x" * (50 * 1024 * 1024) + b'"}'
    too_big = client.post("/api/provider/modules", content=huge,
                          headers={**headers, "Content-Type": "application/json"})
    assert too_big.status_code == 413


def test_modules_without_competencies_are_tagged_in_single_and_bulk_ingest(client, keys) -> None:
    single = module_payload("untagged-1", competencies=[])
    single.pop("competencies")
    created = client.post("/api/provider/modules", json=single, headers=h(keys["provider"]))
    assert created.status_code == 201, created.text
    bulk = "\n".join(json.dumps(module_payload(f"untagged-{n}", competencies=[])) for n in (2, 3))
    report = client.post("/api/provider/modules/bulk", content=bulk.encode(),
                         headers={**h(keys["provider"]), "Content-Type": "application/x-ndjson"}).json()
    assert report["created"] == 2 and report["error"] == 0
    with Session(get_engine()) as session:
        for external_id in ("untagged-1", "untagged-2", "untagged-3"):
            module = session.exec(select(Module).where(Module.external_id == external_id)).one()
            assert module.competencies or module.flags == ["no_fitting_competency"]
            assert all(t["source"] == "inferred" for t in module.competencies)


def test_bulk_jsonl_reports_per_line_and_stores_the_valid_records(client, keys) -> None:
    lines = [
        json.dumps(module_payload("bulk-1")),
        json.dumps(module_payload("bulk-2", title="Chatbots im Bürgerservice – Vertiefung")),
        "{kein json",
        "",
        json.dumps(module_payload("bulk-3", competencies=[{"id": "unbekannt", "level_from": 0, "level_to": 1}])),
        json.dumps(module_payload("bulk-4", title="Noch ein gültiges Modul zum Thema Chatbots")),
    ]
    body = "\n".join(lines).encode()
    response = client.post("/api/provider/modules/bulk", content=body,
                           headers={**h(keys["provider"]), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["received"] == 5 and report["created"] == 3 and report["error"] == 2
    assert {(e["line"], e["field"]) for e in report["errors"]} == {(3, "record"), (5, "competencies")}
    with Session(get_engine()) as session:
        stored = {m.external_id for m in session.exec(select(Module).where(Module.provider_id == PROVIDER)).all()}
    assert {"bulk-1", "bulk-2", "bulk-4"} <= stored and "bulk-3" not in stored
    wrong_type = client.post("/api/provider/modules/bulk", content=body,
                             headers={**h(keys["provider"]), "Content-Type": "application/json"})
    assert wrong_type.status_code == 415


def test_bulk_in_batches_of_two_keeps_order_and_versions(client, keys, monkeypatch) -> None:
    """Batches of two, so a later batch changes an earlier one's module and repeats another one's content."""
    monkeypatch.setattr(get_settings(), "feed_batch_size", 2)
    lines = [
        json.dumps(module_payload("pipe-1")),
        json.dumps(module_payload("pipe-2", competencies=[])),
        "{kaputt",
        json.dumps(module_payload("pipe-3", title="Chatbots im Bürgerservice – Pipeline")),
        json.dumps(module_payload("pipe-1", title="Chatbots im Bürgerservice – zweite Fassung")),
        json.dumps(module_payload("pipe-2", competencies=[])),  # unchanged: same content as line 2
        json.dumps(module_payload("pipe-4")),
    ]
    response = client.post("/api/provider/modules/bulk", content="\n".join(lines).encode(),
                           headers={**h(keys["provider"]), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["received"], report["created"], report["updated"], report["unchanged"], report["error"]) == \
        (7, 4, 1, 1, 1)
    assert [e["line"] for e in report["errors"]] == [3]
    with Session(get_engine()) as session:
        stored = {m.external_id: m for m in session.exec(
            select(Module).where(col(Module.external_id).like("pipe-%"))).all()}
        assert stored["pipe-1"].version == 2 and stored["pipe-1"].title.endswith("zweite Fassung")
        assert stored["pipe-2"].version == 1
        for module in stored.values():
            assert session.get(ModuleEmbedding, module.id) is not None


def test_near_duplicate_of_another_providers_module_is_flagged(client, keys) -> None:
    with Session(get_engine()) as session:
        original = session.exec(select(Module).where(Module.provider_id != PROVIDER,
                                                     Module.status == "approved")).first()
    copy_payload = module_payload(
        "dup-1", title=original.title, description=original.description,
        learning_outcomes=copy.deepcopy(original.learning_outcomes),
    )
    response = client.post("/api/provider/modules", json=copy_payload, headers=h(keys["provider"]))
    assert response.status_code == 201
    assert original.id in response.json()["near_duplicates"]
    with Session(get_engine()) as session:
        flags = session.exec(select(DuplicateFlag).where(DuplicateFlag.module_id == response.json()["module_id"]))
        assert any(f.other_module_id == original.id for f in flags.all())
    queue = client.get("/api/board/modules", headers=h(keys["board"])).json()
    entry = next(i for i in queue if i["module"]["id"] == response.json()["module_id"])
    assert entry["near_duplicates"]


FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures" / "moochub"


def test_moochub_document_import(client, keys) -> None:
    doc = json.loads((FIXTURES / "openhpi_datenschutz.json").read_text(encoding="utf-8"))
    response = client.post("/api/provider/moochub", json=doc, headers=h(keys["provider"]))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["created"] >= 1 and report["error"] == 0
    assert any(issue["field"].startswith("attributes.endDate") for issue in report["mapping_issues"])
    created = [m for m in report["modules"] if m["outcome"] == "created"]
    with Session(get_engine()) as session:
        module = session.get(Module, created[0]["module_id"])
        assert module.status == "submitted" and module.provider_id == PROVIDER
        assert any(c["id"] == "data_protection" for c in module.competencies)
    again = client.post("/api/provider/moochub", json=doc, headers={**h(keys["provider"])})
    assert again.json()["created"] == 0 and again.json()["unchanged"] == report["created"]


def test_moochub_from_a_url_only_when_public_or_allowlisted(client, keys, new_key) -> None:
    import http.server
    import threading

    body = (FIXTURES / "egov_campus_blended.json").read_bytes()
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.api+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    admin = h(new_key("admin"))
    url = f"http://127.0.0.1:{server.server_address[1]}/moochub"
    try:
        refused = client.post("/api/provider/moochub", json={"url": url}, headers=h(keys["other"]))
        assert refused.status_code == 422 and requests == []  # this machine is no feed host until allowed
        [detail] = refused.json()["detail"]
        assert detail["field"] == "url" and "öffentliche" in detail["message_de"] and "public" in detail["message_en"]
        allowed = client.post("/api/admin/fetch/allowed-hosts", json={"host": "127.0.0.1"}, headers=admin)
        assert allowed.status_code == 201
        response = client.post("/api/provider/moochub", json={"url": url}, headers=h(keys["other"]))
        assert response.status_code == 200, response.text
        assert response.json()["created"] >= 1 and requests == ["/moochub"]
    finally:
        client.delete("/api/admin/fetch/allowed-hosts/127.0.0.1", headers=admin)
        server.shutdown()
    outside = client.post("/api/provider/moochub", json={"url": "http://169.254.169.254/latest/meta-data/"},
                          headers=h(keys["provider"]))
    assert outside.status_code == 422 and outside.json()["detail"][0]["message_de"] == detail["message_de"]
    not_moochub = client.post("/api/provider/moochub", json={"hello": "world"}, headers=h(keys["provider"]))
    assert not_moochub.status_code == 422 and "„data“ fehlt" in not_moochub.text


def test_the_real_kicampus_feed_is_imported_and_tagged(client, new_key) -> None:
    """What KI-Campus's real feed carries (no skills, no workload) used to import 0 of its courses."""
    doc = json.loads((FIXTURES / "kicampus_real_feed.json").read_text(encoding="utf-8"))
    provider = "studieninstitut_kueste"
    key = new_key("provider", provider_id=provider)
    response = client.post("/api/provider/moochub", json=doc, headers=h(key))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["created"] + answer["unchanged"], answer["rejected"], answer["error"]) == (47, 0, 0)
    with Session(get_engine()) as session:
        stored = session.exec(select(Module).where(Module.provider_id == provider,
                                                   Module.url.like("https://ki-campus.org/courses/%"))).all()
    assert len(stored) == 47 and sum(m.language == "en" for m in stored) == 14
    for module in stored:  # tagged from its text for the board, or flagged as fitting nothing
        assert all(t["source"] == "inferred" for t in module.competencies)
        assert module.competencies or "no_fitting_competency" in module.flags
        assert module.license == "CC-BY-SA-4.0" and module.status == "submitted"
    assert any(m.competencies for m in stored)
    run = client.get(f"/api/provider/feed/runs/{answer['run_id']}", headers=h(key)).json()
    assert run["trigger"] == "upload" and len(run["report"]["courses"]) == 47


def test_amb_records_as_json_lines_are_imported(client, keys) -> None:
    path = FIXTURES.parents[2].parent / "shared" / "ext" / "kicampus-amb" / "kicampus_oersi_amb_metadata.jsonl"
    lines = path.read_bytes().splitlines()[:5]
    response = client.post("/api/provider/moochub", content=b"\n".join(lines),
                           headers={**h(keys["other"]), "Content-Type": "application/x-ndjson"})
    assert response.status_code == 200, response.text
    assert response.json()["courses_mapped"] == 5 and response.json()["rejected"] == 0

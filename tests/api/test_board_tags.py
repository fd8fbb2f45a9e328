"""The board sees and corrects competency tags, through the real FastAPI app (in-process).

Modules come in untagged through the provider API, so their tags are the
platform's real inferences (embeddings.tagging over the e5 model).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, col, select

from campus.catalogue.models import Competency, Module, TagChange
from campus.store.db import get_engine

PROVIDER = "hs_verwaltung_nord"
BEES = "Sie lernen, wie man Bienenvölker durch das Jahr pflegt, Honig erntet und Varroa-Milben behandelt. " \
       "Mit praktischen Übungen am Bienenstand im Stadtpark."
PRIVACY = "Das Modul erklärt die DSGVO im Alltag des Bürgerbüros: welche personenbezogenen Daten erhoben werden " \
          "dürfen, wie Auskunftsersuchen bearbeitet werden und was bei einer Datenpanne zu tun ist."
CEMETERY = "Rechtliche Grundlagen des Bestattungswesens in der Kommune: Ruhefristen, Grabarten, Umbettungen, " \
           "Grabnutzungsrechte und die Friedhofssatzung."
NEW_COMPETENCY = {
    "id": "test_cemetery_administration", "area": "Fachverfahren der Kommune",
    "label": "Friedhofs- und Bestattungswesen",
    "description": "Friedhöfe verwalten: Grabstätten, Nutzungsrechte, Ruhefristen und Gebühren nach der "
                   "Friedhofssatzung rechtssicher führen.",
    "synonyms": ["Friedhofsverwaltung", "Bestattungswesen", "Grabnutzungsrechte", "Friedhofssatzung"],
    "levels": {"0": "Kennt die Aufgaben der Friedhofsverwaltung noch nicht.",
               "1": "Kann Auskünfte zu Grabarten und Ruhefristen nach Vorlage geben.",
               "2": "Kann Nutzungsrechte vergeben und Gebührenbescheide erstellen.",
               "3": "Kann schwierige Fälle wie Umbettungen rechtssicher entscheiden.",
               "4": "Kann die Friedhofssatzung weiterentwickeln und andere anleiten."},
}


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


@pytest.fixture(scope="module")
def keys(new_key) -> dict[str, str]:
    return {"provider": new_key("provider", provider_id=PROVIDER), "board": new_key("board"),
            "hr": new_key("hr", org="musterstadt")}


def submit(client, keys, external_id: str, title: str, description: str, **extra: Any) -> int:
    payload = {"external_id": external_id, "title": title, "description": description, "category": "Basismodul",
               "learning_units": 1, "duration_hours": 8, "format": "online", **extra}
    response = client.post("/api/provider/modules", json=payload, headers=h(keys["provider"]))
    assert response.status_code == 201, response.text
    return int(response.json()["module_id"])


def queue(client, keys, **params: Any) -> dict[int, dict[str, Any]]:
    response = client.get("/api/board/modules", params={"limit": 1000, **params}, headers=h(keys["board"]))
    assert response.status_code == 200, response.text
    return {entry["module"]["id"]: entry for entry in response.json()}


def stored(module_id: int) -> Module:
    with Session(get_engine()) as session:
        module = session.get(Module, module_id)
        assert module is not None
        return module


@pytest.fixture(scope="module")
def modules(client, keys) -> dict[str, int]:
    return {"privacy": submit(client, keys, "tags-privacy", "Datenschutz im Bürgerbüro", PRIVACY),
            "bees": submit(client, keys, "tags-bees", "Imkerei für Einsteiger", BEES)}


def test_queue_shows_inferred_tags_with_provenance_confidence_and_flags(client, keys, modules) -> None:
    entries = queue(client, keys, provider=PROVIDER)
    privacy, bees = entries[modules["privacy"]], entries[modules["bees"]]
    tag = next(t for t in privacy["tags"] if t["id"] == "data_protection")
    assert tag["source"] == "inferred" and 0 < tag["confidence"] < 1 and tag["confirmed"] is False
    with Session(get_engine()) as session:
        assert tag["label"] == session.get(Competency, "data_protection").label
    assert tag["level_from"] < tag["level_to"]
    assert privacy["flags"] == [] and "near_duplicates" in privacy and privacy["module"]["status"] == "submitted"
    assert bees["tags"] == [] and bees["flags"] == ["no_fitting_competency"]

    flagged = queue(client, keys, flag="no_fitting_competency")
    assert modules["bees"] in flagged and modules["privacy"] not in flagged
    inferred = queue(client, keys, source="inferred")
    assert modules["privacy"] in inferred and modules["bees"] not in inferred
    assert modules["privacy"] not in queue(client, keys, source="provider")
    assert not set(modules.values()) & set(queue(client, keys, provider="digitalwerk_akademie"))
    paged = client.get("/api/board/modules", params={"source": "inferred", "limit": 1, "offset": 0},
                       headers=h(keys["board"])).json()
    assert len(paged) == 1
    assert client.get("/api/board/modules", params={"source": "erfunden"}, headers=h(keys["board"])).status_code == 422


def test_module_record_and_roles(client, keys, modules) -> None:
    record = client.get(f"/api/board/modules/{modules['privacy']}", headers=h(keys["board"]))
    assert record.status_code == 200, record.text
    body = record.json()
    assert body["module"]["description"] == PRIVACY and body["tags"][0]["source"] == "inferred"
    assert [v["version"] for v in body["versions"]] == [1] and body["decisions"] == [] and body["tag_changes"] == []
    assert body["versions"][0]["content"]["competencies"] == stored(modules["privacy"]).competencies
    missing = client.get("/api/board/modules/999999", headers=h(keys["board"]))
    assert missing.status_code == 404 and "nicht gefunden" in missing.json()["detail"][0]["message_de"]
    path = f"/api/board/modules/{modules['privacy']}"
    for call in (lambda k: client.get(path, headers=k), lambda k: client.put(path + "/competencies", json={
            "competencies": []}, headers=k), lambda k: client.delete(path + "/competencies/data_protection", headers=k),
                 lambda k: client.post("/api/board/competencies", json=NEW_COMPETENCY, headers=k)):
        assert call({}).status_code == 401
        assert call(h(keys["provider"])).status_code == 403 and call(h(keys["hr"])).status_code == 403
    assert stored(modules["privacy"]).competencies[0]["source"] == "inferred"  # nothing was changed


def test_board_replaces_confirms_and_removes_tags(client, keys, modules) -> None:
    module_id = modules["bees"]
    path = f"/api/board/modules/{module_id}/competencies"
    put = client.put(path, json={"competencies": [{"id": "dc_information_literacy", "level_from": 0, "level_to": 1},
                                                  {"id": "data_protection", "level_from": 1, "level_to": 2}],
                                 "note": "Recherche zu Bienenkrankheiten"}, headers=h(keys["board"]))
    assert put.status_code == 200, put.text
    body = put.json()
    assert body["status"] == "submitted" and body["flags"] == [] and body["changed"] is True
    assert [(t["id"], t["source"], t["confidence"], t["confirmed"]) for t in body["tags"]] == [
        ("dc_information_literacy", "board", 1.0, True), ("data_protection", "board", 1.0, True)]
    module = stored(module_id)
    assert module.status == "submitted" and module.flags == [] and len(module.competencies) == 2

    removed = client.delete(f"{path}/data_protection", headers=h(keys["board"]))
    assert removed.status_code == 200 and [t["id"] for t in removed.json()["tags"]] == ["dc_information_literacy"]
    assert client.delete(f"{path}/data_protection", headers=h(keys["board"])).status_code == 404
    last = client.delete(f"{path}/dc_information_literacy", headers=h(keys["board"])).json()
    assert last["tags"] == [] and last["flags"] == ["no_fitting_competency"]  # nothing fits again

    privacy_path = f"/api/board/modules/{modules['privacy']}/competencies"
    before = stored(modules["privacy"]).competencies
    confirmed = client.post(f"{privacy_path}/data_protection/confirm", headers=h(keys["board"])).json()
    tag = next(t for t in confirmed["tags"] if t["id"] == "data_protection")
    assert tag["confirmed"] is True and tag["source"] == "inferred"
    assert tag["confidence"] == next(t["confidence"] for t in before if t["id"] == "data_protection")
    assert client.post(f"{privacy_path}/generative_ai/confirm", headers=h(keys["board"])).status_code == 404

    with Session(get_engine()) as session:
        changes = session.exec(select(TagChange).where(TagChange.module_id == module_id)
                               .order_by(col(TagChange.id))).all()
    assert [c.action for c in changes] == ["replace", "remove", "remove"]
    assert changes[0].before == [] and len(changes[0].after) == 2
    assert changes[0].note == "Recherche zu Bienenkrankheiten"
    assert changes[1].competency_id == "data_protection" and changes[0].reviewer_key_id is not None
    record = client.get(f"/api/board/modules/{module_id}", headers=h(keys["board"])).json()
    assert [c["action"] for c in record["tag_changes"]] == ["replace", "remove", "remove"]


@pytest.mark.parametrize(("tags", "field", "status"), [
    ([{"id": "kochen", "level_from": 0, "level_to": 1}], "competencies", 422),
    ([{"id": "data_protection", "level_from": 3, "level_to": 1}], "competencies.0.level_to", 422),
    ([{"id": "data_protection", "level_from": 2, "level_to": 2}], "competencies.0.level_to", 422),
    ([{"id": "data_protection", "level_from": 0, "level_to": 5}], "competencies.0.level_to", 422),
    ([{"id": "data_protection", "level_from": "null", "level_to": 2}], "competencies.0.level_from", 422),
    ([{"id": "data_protection", "level_from": 0, "level_to": 1}] * 2, "competencies", 422),
    ([{"id": "data_protection", "level_from": 0, "level_to": 1, "source": "board"}], "competencies.0.source", 422),
])
def test_bad_tags_are_refused_naming_the_field(client, keys, modules, tags, field, status) -> None:
    before = stored(modules["privacy"]).competencies
    response = client.put(f"/api/board/modules/{modules['privacy']}/competencies", json={"competencies": tags},
                          headers=h(keys["board"]))
    assert response.status_code == status, response.text
    details = response.json()["detail"]
    assert any(d["field"] == field for d in details) and all(d["message_de"] and d["message_en"] for d in details)
    assert stored(modules["privacy"]).competencies == before


def test_bad_bodies_and_unknown_modules(client, keys, modules) -> None:
    board = h(keys["board"])
    assert client.put("/api/board/modules/999999/competencies", json={"competencies": []},
                      headers=board).status_code == 404
    assert client.delete("/api/board/modules/999999/competencies/data_protection", headers=board).status_code == 404
    path = f"/api/board/modules/{modules['privacy']}/competencies"
    assert client.put(path, content="{kaputt", headers={**board, "Content-Type": "application/json"}).status_code == 400
    assert client.put(path, content="x", headers={**board, "Content-Type": "text/plain"}).status_code == 415
    assert client.put(path, json=[], headers=board).status_code == 422
    assert client.put(path, json={"competencies": [{"id": "data_protection"}] * 11}, headers=board).status_code == 422
    deep = {"competencies": [{"id": {"a": [[[[[]]]]]}, "level_from": 0, "level_to": 1}]}
    assert client.put(path, json=deep, headers=board).status_code == 422
    assert client.get("/api/board/modules/abc", headers=board).status_code == 422


def test_approval_confirms_tags_and_refuses_untagged_modules(client, keys, modules) -> None:
    untagged = client.post(f"/api/board/modules/{modules['bees']}/decision", json={"decision": "approve"},
                           headers=h(keys["board"]))
    assert untagged.status_code == 409 and untagged.json()["detail"][0]["field"] == "competencies"
    assert stored(modules["bees"]).status == "submitted"

    module_id = submit(client, keys, "tags-approve", "Datenschutz bei Bürgeranfragen per E-Mail", PRIVACY + " Mit "
                       "Übungen zu verschlüsselten E-Mails.")
    assert all(not t.get("confirmed") for t in stored(module_id).competencies)
    approved = client.post(f"/api/board/modules/{module_id}/decision", json={"decision": "approve"},
                           headers=h(keys["board"]))
    assert approved.status_code == 200, approved.text
    tags = stored(module_id).competencies
    assert tags and all(t["confirmed"] is True and t["source"] == "inferred" for t in tags)
    record = client.get(f"/api/board/modules/{module_id}", headers=h(keys["board"])).json()
    assert [c["action"] for c in record["tag_changes"]] == ["approve"]
    assert record["decisions"][0]["decision"] == "approved"
    approved_queue = queue(client, keys, status="approved", source="inferred")
    assert all(t["confirmed"] for t in approved_queue[module_id]["tags"])

    # the board keeps correcting an approved module: it stays approved and its plans follow
    path = f"/api/board/modules/{module_id}/competencies"
    kept = client.put(path, json={"competencies": [{"id": "data_protection", "level_from": 1, "level_to": 3}]},
                      headers=h(keys["board"])).json()
    assert kept["status"] == "approved" and kept["tags"][0]["source"] == "board"
    assert client.delete(f"{path}/data_protection", headers=h(keys["board"])).status_code == 409
    assert client.put(path, json={"competencies": []}, headers=h(keys["board"])).status_code == 409
    assert stored(module_id).competencies[0]["level_to"] == 3
    from embeddings.index import get_module_index

    with Session(get_engine()) as session:
        snapshot = get_module_index().snapshot(session)
    in_index = next(m for m in snapshot.modules if m.id == module_id)
    assert [(c["id"], c["level_to"]) for c in in_index.competencies] == [("data_protection", 3)]


def test_unapproved_inferred_modules_are_never_recommended(client, keys, modules) -> None:
    from plan_engine.planner import catalogue

    module_id = modules["privacy"]
    assert stored(module_id).status == "submitted"
    title = "Datenschutz im Bürgerbüro"
    assert module_id not in {m["id"] for m in client.get("/api/modules", params={"limit": 500}).json()}
    assert client.get(f"/api/modules/{module_id}").status_code == 404
    hits = client.get("/api/modules/search", params={"q": title, "k": 100}).json()
    assert module_id not in {hit["module_id"] for hit in hits}
    with Session(get_engine()) as session:
        assert module_id not in catalogue(session).position
    # the same checks see an approved module: they can fail
    approved = next(m for m in client.get("/api/modules", params={"limit": 5}).json())
    found = client.get("/api/modules/search", params={"q": approved["title"], "k": 100}).json()
    assert approved["id"] in {hit["module_id"] for hit in found}
    with Session(get_engine()) as session:
        assert approved["id"] in catalogue(session).position


@pytest.fixture
def added_competency() -> Iterator[str]:
    """Takes the test's competency out of the framework again (and the caches), whatever the test did."""
    yield NEW_COMPETENCY["id"]
    from embeddings.retag import clear_framework_caches

    with Session(get_engine()) as session:
        row = session.get(Competency, NEW_COMPETENCY["id"])
        if row is not None:
            session.delete(row)
        for module in session.exec(select(Module)).all():
            kept = [t for t in module.competencies if t["id"] != NEW_COMPETENCY["id"]]
            if kept != module.competencies:
                module.competencies = kept
                session.add(module)
        session.commit()
    clear_framework_caches()


def test_new_competency_retags_waiting_modules_and_leaves_board_tags(client, keys, added_competency) -> None:
    waiting = submit(client, keys, "tags-cemetery", "Grabnutzungsrechte und Bestattungswesen", CEMETERY)
    board_set = submit(client, keys, "tags-cemetery-board", "Friedhofsverwaltung im Fachverfahren", CEMETERY)
    from_provider = submit(client, keys, "tags-cemetery-provider", "Friedhofssatzung verstehen", CEMETERY,
                           competencies=[{"id": "records_management", "level_from": 0, "level_to": 1}])
    set_tags = [{"id": "records_management", "level_from": 1, "level_to": 2}]
    client.put(f"/api/board/modules/{board_set}/competencies", json={"competencies": set_tags},
               headers=h(keys["board"]))
    before = {m: stored(m).competencies for m in (waiting, board_set, from_provider)}
    assert all(t["id"] != added_competency for tags in before.values() for t in tags)

    response = client.post("/api/board/competencies", json=NEW_COMPETENCY, headers=h(keys["board"]))
    assert response.status_code == 201, response.text
    assert waiting in response.json()["retag"]["retagged"]
    tags = {t["id"]: t for t in stored(waiting).competencies}
    assert tags[added_competency]["source"] == "inferred" and tags[added_competency]["confirmed"] is False
    assert stored(board_set).competencies == before[board_set]
    assert stored(from_provider).competencies == before[from_provider]
    listed = {c["id"]: c for c in client.get("/api/competencies").json()}
    assert listed[added_competency]["levels"]["4"] == NEW_COMPETENCY["levels"]["4"]
    entry = queue(client, keys, provider=PROVIDER)[waiting]
    label = next(t["label"] for t in entry["tags"] if t["id"] == added_competency)
    assert label == NEW_COMPETENCY["label"]
    with Session(get_engine()) as session:
        retag = session.exec(select(TagChange).where(TagChange.module_id == waiting,
                                                     TagChange.action == "retag")).one()
    assert retag.competency_id == added_competency
    assert [t["id"] for t in retag.before] == [t["id"] for t in before[waiting]]

    again = client.post("/api/board/competencies", json=NEW_COMPETENCY, headers=h(keys["board"]))
    assert again.status_code == 409 and again.json()["detail"][0]["field"] == "id"
    same_label = client.post("/api/board/competencies", json={**NEW_COMPETENCY, "id": "test_other"},
                             headers=h(keys["board"]))
    assert same_label.status_code == 409 and same_label.json()["detail"][0]["field"] == "label"


@pytest.mark.parametrize(("change", "field"), [
    ({"levels": {k: v for k, v in NEW_COMPETENCY["levels"].items() if k != "4"}}, "levels"),
    ({"levels": {**NEW_COMPETENCY["levels"], "5": "Eine Stufe, die es nicht gibt."}}, "levels"),
    ({"levels": {**NEW_COMPETENCY["levels"], "2": "   "}}, "levels.2"),
    ({"id": "Friedhof mit Leerzeichen"}, "id"),
    ({"label": 42}, "label"),
    ({"synonyms": "Friedhof"}, "synonyms"),
    ({"digcomp": "vier"}, "digcomp"),
    ({"description": ""}, "description"),
    ({"unbekannt": True}, "unbekannt"),
])
def test_bad_competencies_are_refused(client, keys, added_competency, change, field) -> None:
    body = {**NEW_COMPETENCY, **change}
    response = client.post("/api/board/competencies", json=body, headers=h(keys["board"]))
    assert response.status_code == 422, response.text
    assert any(d["field"] == field for d in response.json()["detail"])
    with Session(get_engine()) as session:
        assert session.get(Competency, added_competency) is None


def test_plans_follow_the_boards_tag_edit_of_an_approved_module(client, keys, encoder) -> None:
    from campus.learners.identity import learner_for
    from campus.learners.plans import current_plan, plan_items
    from campus.learners.profiles import update_profile
    from plan_engine.planner import build_plan

    def planned(learner: str) -> tuple[set[int], str]:
        with Session(get_engine()) as session:
            plan = current_plan(session, learner)
            return {item.module_id for item in plan_items(session, plan.id)}, plan.trigger

    with Session(get_engine()) as session:
        learner = learner_for(session, "socketio", "tags-learner").id
        update_profile(session, learner, {"role_id": "sachbearbeitung_buergerbuero", "consent": True,
                                          "format_preference": "online", "hours_per_month": 8},
                       levels={"e_akte": 1, "online_services": 0, "data_protection": 1})
        build_plan(session, learner, "interview_completed", encoder=encoder)
        session.commit()
    module_id = submit(client, keys, "tags-replan", "Digitale Vorgänge: E-Akte und Onlinedienste verbinden",
                       "Anträge aus Onlinediensten landen als Vorgang in der E-Akte: das Modul zeigt Schritt für "
                       "Schritt, wie Sachbearbeitende sie dort weiterführen.", region="bundesweit",
                       competencies=[{"id": "generative_ai", "level_from": 3, "level_to": 4}])
    approved = client.post(f"/api/board/modules/{module_id}/decision", json={"decision": "approve"},
                           headers=h(keys["board"]))
    assert approved.status_code == 200
    assert module_id not in planned(learner)[0]  # wrongly tagged: nothing this learner needs

    tags = [{"id": "e_akte", "level_from": 1, "level_to": 3}, {"id": "online_services", "level_from": 0, "level_to": 3}]
    edit = client.put(f"/api/board/modules/{module_id}/competencies", json={"competencies": tags},
                      headers=h(keys["board"]))
    assert edit.status_code == 200 and edit.json()["status"] == "approved"
    items, trigger = planned(learner)  # the replan ran right after the response
    assert module_id in items and trigger == "module_approved"

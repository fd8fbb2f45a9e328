"""Bad feeds: each gets a clear report (German and English, the course and the field), and nothing stored is lost.

The inputs the issue lists: broken JSON, a JSON:API error document, a wrong
schema, a 50 MB description, HTML with script tags, non-UTF-8 bytes, a feed
that times out, answers 500 or redirects, a private address in the URL. A dry
run reports like a real one and writes nothing.
"""

from __future__ import annotations

import json

import pytest

from campus.catalogue.feeds.fetch import FetchLimits
from campus.catalogue.feeds.sources import DocumentSource, FileSource
from embeddings.feed_pull import run_pull, url_source
from tests.unit.catalogue.feed_kit import PROVIDER, feed_course, modules, own_store, page, row_counts, tools
from tests.unit.catalogue.feed_servers import FeedServer, body, redirect, trickle

LOCAL = frozenset({"127.0.0.1"})


@pytest.fixture
def store(tmp_path):
    engine = own_store(tmp_path)
    run_pull(PROVIDER, DocumentSource({"data": [feed_course(1), feed_course(2)]}), "upload", tools(engine),
             engine=engine)
    return engine


@pytest.fixture(scope="module")
def server():
    feed = FeedServer()
    yield feed
    feed.close()


def snapshot(engine) -> tuple:
    return row_counts(engine)[:3], {k: (m.version, m.status, m.content_hash) for k, m in modules(engine).items()}


def jsonl(tmp_path, *lines: bytes) -> FileSource:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return FileSource(path, chunk=2)


def line(resource: dict) -> bytes:
    return json.dumps(resource, ensure_ascii=False).encode()


@pytest.mark.parametrize(("content", "words"), [
    (b"{kaputt", "weder gültiges JSON"),
    (json.dumps({"errors": [{"status": "503", "title": "Wartungsarbeiten"}]}).encode(), "Wartungsarbeiten"),
    (json.dumps({"data": "Course"}).encode(), "Ungültiges Feld"),
    (json.dumps({"hello": "world"}).encode(), "„data“ fehlt"),
    (json.dumps({"data": [feed_course(3)]}).encode("utf-16"), "Kein MOOChub"),  # JSON, but not UTF-8: still read
    ("{\"data\": [\"Bürger\"]}".encode("latin-1"), "UTF-8"),
])
def test_a_document_that_is_no_feed_fails_the_run_and_keeps_the_store(store, tmp_path, content, words) -> None:
    before = snapshot(store)
    path = tmp_path / "feed.json"
    path.write_bytes(content)
    run = run_pull(PROVIDER, FileSource(path), "cli", tools(store), engine=store)
    if words == "Kein MOOChub":  # json.loads detects UTF-16: the document is read, its course imported
        assert run["status"] == "complete" and run["report"]["created"] == 1
        return
    assert run["status"] == "failed" and run["report"]["courses"] == []
    [error] = run["report"]["errors"]
    assert error["field"] == "path" and words in error["message_de"] and error["message_en"]
    assert snapshot(store) == before


def test_bad_lines_are_that_course_s_error_and_the_others_are_stored(store, tmp_path) -> None:
    huge = feed_course(5, description="<p>" + "Datenschutz " * 4_500_000 + "</p>")  # about 50 MB
    source = jsonl(
        tmp_path, line(feed_course(3)), b"{kein json", '{"id": "kurs-4", "name": "B\xfcrger"}'.encode("latin-1"),
        line(huge), line(feed_course(6, description="<p>Sicher <script>fetch('https://evil.example')</script>"
                                                    "im Netz unterwegs mit <b>DSGVO</b>-Wissen.</p>")),
    )
    run = run_pull(PROVIDER, source, "cli", tools(store), engine=store)
    courses = {c["position"]: c for c in run["report"]["courses"]}
    assert run["status"] == "complete" and [c["status"] for c in courses.values()] == [
        "created", "rejected", "rejected", "rejected", "created"]
    assert [courses[n]["errors"][0]["field"] for n in (2, 3, 4)] == ["record"] * 3
    assert "Ungültiges JSON" in courses[2]["errors"][0]["message_de"]
    assert "utf-8" in courses[3]["errors"][0]["message_en"].lower()
    assert "kB" in courses[4]["errors"][0]["message_de"]  # the line is larger than a course may be
    assert modules(store)["kurs-6"].description == "Sicher im Netz unterwegs mit DSGVO-Wissen."
    assert {"kurs-1", "kurs-2", "kurs-3", "kurs-6"} == set(modules(store))


def test_a_long_description_is_shortened_with_an_issue(store, tmp_path) -> None:
    text = "<p>" + "Die Verwaltung digitalisiert Verfahren. " * 30_000 + "</p>"  # 1.2 MB of HTML
    run = run_pull(PROVIDER, jsonl(tmp_path, line(feed_course(7, description=text))), "cli", tools(store),
                   engine=store)
    [course] = run["report"]["courses"]
    assert course["status"] == "created" and len(modules(store)["kurs-7"].description) <= 10_000
    assert any(i["field"] == "attributes.description" and "gekürzt" in i["message_de"] for i in course["issues"])


@pytest.mark.parametrize("answer", ["status500", "redirect", "timeout", "too_large", "private"])
def test_a_feed_url_that_cannot_be_fetched_fails_with_the_one_text(store, server, answer) -> None:
    server.answers.update({
        "/status500": body(b"{}", status=500), "/redirect": redirect("/ok"), "/ok": body(page([feed_course(9)])),
        "/timeout": trickle(chunks=20, pause=0.1), "/too_large": body(page([feed_course(9)]) + b" " * 3_000),
    })
    kit = tools(store, limits=FetchLimits(deadline_seconds=1.0, max_bytes=2_000))
    before = snapshot(store)
    url = "http://10.0.0.1/feed" if answer == "private" else server.url(f"/{answer}")
    run = run_pull(PROVIDER, url_source(url, LOCAL, kit), "upload", kit, engine=store)
    assert run["status"] == "failed"
    [error] = run["report"]["errors"]
    assert error["field"] == "url" and "nicht abgerufen werden" in error["message_de"]
    assert "could not be fetched" in error["message_en"] and error["page"] == 1
    assert snapshot(store) == before
    assert "/ok" not in [p for p, _ in server.requests]


def test_a_dry_run_reports_like_a_real_one_and_writes_nothing(store, tmp_path) -> None:
    before = row_counts(store)
    changed = feed_course(2, description="<p>Jetzt mit einem neuen Kapitel über Auskunftsersuchen.</p>")
    untagged = feed_course(8, teaches=None, name="Sicher im Netz", description="Phishing erkennen, Passwörter wählen.")
    source = jsonl(tmp_path, line(feed_course(1)), line(changed), line(untagged), line({"id": "x"}))
    run = run_pull(PROVIDER, source, "cli", tools(store), engine=store, dry_run=True)
    assert row_counts(store) == before  # no module, version, vector, nor run
    assert run["id"] is None and run["report"]["dry_run"] is True
    assert [c["status"] for c in run["report"]["courses"]] == ["unchanged", "updated", "created", "rejected"]
    tagged = run["report"]["courses"][2]
    assert [(t["id"], t["source"]) for t in tagged["competencies"]] == [("it_security_basics", "inferred")]
    real = run_pull(PROVIDER, source, "cli", tools(store), engine=store)
    assert [c["status"] for c in real["report"]["courses"]] == ["unchanged", "updated", "created", "rejected"]
    assert real["report"]["courses"][2]["competencies"] == tagged["competencies"]


def test_an_unknown_provider_is_refused_before_anything_runs(store) -> None:
    with pytest.raises(Exception) as caught:
        run_pull("gibt_es_nicht", DocumentSource({"data": []}), "cli", tools(store), engine=store)
    assert getattr(caught.value, "status_code", None) == 404 and "gibt_es_nicht" in caught.value.message_de

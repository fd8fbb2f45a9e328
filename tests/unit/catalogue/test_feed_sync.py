"""Feed sync: paging, idempotent create/update/unchanged by course id, the withdraw rule, the claim, the report.

A local server plays the provider's feed (allowlisted, as an intranet feed
would be); the runs are the real ones against a store of their own.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from campus.catalogue.feeds.allowlist import allow_host
from campus.catalogue.feeds.fetch import FetchFailed
from campus.catalogue.feeds.sync import FeedIn, claim_feed, due_feeds, feed_of, register_feed, withdraw_missing
from campus.catalogue.models import FeedRun, ProviderFeed
from campus.catalogue.template import ModuleIn
from campus.store.clock import utcnow
from embeddings.feed_pull import pull_due_feeds, pull_registered_feed, run_pull
from embeddings.ingest import Ingestor
from tests.unit.catalogue.feed_kit import OTHER, PROVIDER, feed_course, modules, own_store, page, tools
from tests.unit.catalogue.feed_servers import FeedServer, body


@pytest.fixture
def store(tmp_path):
    engine = own_store(tmp_path)
    with Session(engine) as session:
        allow_host(session, "127.0.0.1")
    return engine


@pytest.fixture
def server():
    feed = FeedServer()
    yield feed
    feed.close()


def serve(server: FeedServer, *pages: list[dict]) -> None:
    """The feed as pages linked by relative ``links.next``: /feed, /feed?page=2, …"""
    server.answers.clear()
    for number, courses in enumerate(pages, start=1):
        following = f"/feed?page={number + 1}" if number < len(pages) else None
        path = "/feed" if number == 1 else f"/feed?page={number}"
        server.answers[path] = body(page(courses, following))


def register(store, server: FeedServer, provider_id: str = PROVIDER) -> None:
    with Session(store) as session:
        register_feed(session, provider_id, FeedIn(url=server.url("/feed")), frozenset({"127.0.0.1"}))


def pull(store, kit, provider_id: str = PROVIDER) -> dict:
    run = pull_registered_feed(provider_id, "on_demand", kit, engine=store)
    assert run is not None
    return run


def statuses(run: dict) -> dict[str, str]:
    return {c["external_id"]: c["status"] for c in run["report"]["courses"]}


def test_all_pages_are_read_and_a_second_pull_changes_nothing(store, server) -> None:
    serve(server, [feed_course(1), feed_course(2)], [feed_course(3)], [feed_course(4)])
    register(store, server)
    kit = tools(store)
    run = pull(store, kit)
    assert run["status"] == "complete" and run["report"]["pages"] == 3
    assert statuses(run) == {f"kurs-{n}": "created" for n in range(1, 5)}
    assert [path for path, _ in server.requests] == ["/feed", "/feed?page=2", "/feed?page=3"]
    entry = run["report"]["courses"][0]
    # mapped from the feed's skill (by its name), with provenance and confidence
    assert entry["competencies"] == [{"id": "data_protection", "level_from": 0, "level_to": 2, "source": "feed",
                                      "confidence": 0.75}]
    assert (entry["position"], entry["page"], entry["module_id"] is not None) == (1, 1, True)
    again = pull(store, kit)
    assert statuses(again) == {f"kurs-{n}": "unchanged" for n in range(1, 5)}
    serve(server, [feed_course(1), feed_course(2, description="<p>Neu: mit Übungen zur DSGVO im Bürgerbüro.</p>")],
          [feed_course(3)], [feed_course(4)])
    third = pull(store, kit)
    assert statuses(third)["kurs-2"] == "updated" and third["report"]["updated"] == 1
    assert modules(store)["kurs-2"].version == 2
    with Session(store) as session:
        stored = session.exec(select(FeedRun).where(FeedRun.provider_id == PROVIDER)).all()
        assert [r.status for r in stored] == ["complete"] * 3 and stored[0].report["created"] == 4


def test_an_untagged_course_is_tagged_from_its_text_and_kept(store, server) -> None:
    serve(server, [feed_course(1, teaches=None, name="Sicher im Netz",
                               description="Phishing erkennen und Passwörter sicher wählen.")])
    register(store, server)
    [entry] = pull(store, tools(store))["report"]["courses"]
    assert entry["status"] == "created"
    assert [(t["id"], t["source"]) for t in entry["competencies"]] == [("it_security_basics", "inferred")]
    assert any("nennt keine Kompetenzen" in issue["message_de"] for issue in entry["issues"])


def test_a_course_missing_from_two_successive_complete_pulls_is_withdrawn(store, server) -> None:
    kit = tools(store)
    serve(server, [feed_course(1), feed_course(2)], [feed_course(3)])
    register(store, server)
    pull(store, kit)
    serve(server, [feed_course(1)], [feed_course(3)])
    first = pull(store, kit)
    assert first["report"]["withdrawn"] == 0 and modules(store)["kurs-2"].status == "submitted"
    with Session(store) as session:
        assert feed_of(session, PROVIDER).missing == ["kurs-2"]
    second = pull(store, kit)
    assert second["report"]["withdrawn"] == 1 and statuses(second)["kurs-2"] == "withdrawn"
    assert modules(store)["kurs-2"].status == "withdrawn"
    # it comes back: submitted again, for the board
    serve(server, [feed_course(1), feed_course(2)], [feed_course(3)])
    back = pull(store, kit)
    assert statuses(back)["kurs-2"] == "updated" and modules(store)["kurs-2"].status == "submitted"


def test_a_partial_or_failed_pull_never_withdraws(store, server) -> None:
    kit = tools(store)
    serve(server, [feed_course(1), feed_course(2)], [feed_course(3)])
    register(store, server)
    pull(store, kit)
    serve(server, [feed_course(1)], [feed_course(3)])
    pull(store, kit)  # kurs-2 missing once
    server.answers["/feed?page=2"] = body(b"{}", status=500)  # page 2 fails: kurs-3 is not seen either
    partial = pull(store, kit)
    assert partial["status"] == "partial" and partial["report"]["withdrawn"] == 0
    [error] = partial["report"]["errors"]
    assert (error["field"], error["page"]) == ("links.next[2]", 2) and error["message_de"] and error["message_en"]
    server.answers["/feed"] = body(b"{kaputt")
    failed = pull(store, kit)
    assert failed["status"] == "failed" and failed["report"]["withdrawn"] == 0
    assert {m.external_id: m.status for m in modules(store).values()} == {
        "kurs-1": "submitted", "kurs-2": "submitted", "kurs-3": "submitted"}
    with Session(store) as session:
        assert feed_of(session, PROVIDER).missing == ["kurs-2"]  # neither advanced nor forgotten
    serve(server, [feed_course(1)], [feed_course(3)])
    assert statuses(pull(store, kit))["kurs-2"] == "withdrawn"  # the next complete pull


def test_a_next_link_that_loops_back_makes_the_pull_partial(store, server) -> None:
    server.answers["/feed"] = body(page([feed_course(1)], "/feed?page=2"))
    server.answers["/feed?page=2"] = body(page([feed_course(2)], "/feed"))
    register(store, server)
    run = pull(store, tools(store))
    assert run["status"] == "partial" and statuses(run) == {"kurs-1": "created", "kurs-2": "created"}
    assert "bereits gelesene Seite" in run["report"]["errors"][0]["message_de"]
    assert len(server.requests) == 2


def test_modules_the_provider_sent_another_way_are_never_withdrawn(store, server) -> None:
    kit = tools(store)
    with Session(store, expire_on_commit=False) as session:
        manual = ModuleIn.model_validate({
            "external_id": "handarbeit", "provider": PROVIDER, "title": "Präsenzkurs Datenschutz",
            "description": "Ein Tag Datenschutz in der Praxis, vor Ort.", "category": "Bonusmodul",
            "learning_units": 1, "duration_hours": 8, "format": "presence"})
        Ingestor(session, PROVIDER, kit.encoder).ingest_batch([(1, manual.model_dump(mode="json"))])
    serve(server, [feed_course(1)])
    register(store, server)
    for _ in range(3):
        pull(store, kit)
    assert modules(store)["handarbeit"].status == "submitted"


def test_duplicate_ids_and_foreign_courses_are_reported_per_course(store, server) -> None:
    serve(server, [feed_course(1), feed_course(2)], [feed_course(1, name="Noch einmal Kurs 1"), "kein Kurs"])
    register(store, server)
    run = pull(store, tools(store))
    courses = run["report"]["courses"]
    assert [(c["position"], c["status"]) for c in courses] == [(1, "created"), (2, "created"), (3, "rejected"),
                                                               (4, "rejected")]
    assert courses[2]["external_id"] == "kurs-1" and courses[2]["errors"][0]["field"] == "id"
    assert "mehrfach" in courses[2]["errors"][0]["message_de"]
    assert courses[3]["errors"][0]["field"] == "data" and run["report"]["rejected"] == 2


def test_a_feed_is_claimed_once_and_a_round_that_runs_twice_pulls_it_once(store, server) -> None:
    serve(server, [feed_course(1)])
    register(store, server)
    now = utcnow()
    with Session(store) as session:
        assert claim_feed(session, PROVIDER, now) is True
        assert claim_feed(session, PROVIDER, now) is False  # another worker, another click
    with pytest.raises(Exception) as busy:
        pull_registered_feed(PROVIDER, "on_demand", tools(store), engine=store)
    assert getattr(busy.value, "status_code", None) == 409
    with Session(store) as session:  # a claim whose process died is taken over after a while
        assert claim_feed(session, PROVIDER, now + timedelta(hours=2)) is True
        feed = session.get(ProviderFeed, PROVIDER)
        feed.running_since = None
        session.add(feed)
        session.commit()
    kit = tools(store)
    assert len(pull_due_feeds(lambda: kit, engine=store)) == 1
    assert pull_due_feeds(lambda: kit, engine=store) == []  # pulled: no longer due
    with Session(store) as session:
        assert due_feeds(session, utcnow()) == []
        assert [p for p, _ in due_feeds(session, utcnow() + timedelta(hours=25))] == [PROVIDER]


def test_a_scheduled_pull_yields_to_one_that_ran_meanwhile(store, server) -> None:
    serve(server, [feed_course(1)])
    register(store, server)
    with Session(store) as session:
        [(provider_id, last_run_at)] = due_feeds(session, utcnow())
    kit = tools(store)
    pull(store, kit)  # on demand, between the round's look and its claim
    assert pull_registered_feed(provider_id, "schedule", kit, engine=store, last_run_at=last_run_at) is None


def test_registering_refuses_what_the_fetcher_refuses(store) -> None:
    with Session(store) as session:
        for url in ("http://169.254.169.254/latest/meta-data/", "http://2130706433:5005/", "file:///etc/passwd"):
            with pytest.raises(FetchFailed):
                register_feed(session, PROVIDER, FeedIn(url=url), frozenset())
        assert session.get(ProviderFeed, PROVIDER) is None


def test_a_new_url_starts_the_missing_count_afresh(store, server) -> None:
    register(store, server)
    with Session(store) as session:
        feed = feed_of(session, PROVIDER)
        feed.missing, feed.delivered = ["kurs-9"], ["kurs-9"]
        session.add(feed)
        session.commit()
        renewed = FeedIn(url=server.url("/feed-neu"), interval_hours=6)
        register_feed(session, PROVIDER, renewed, frozenset({"127.0.0.1"}))
        feed = feed_of(session, PROVIDER)
        assert (feed.missing, feed.delivered, feed.interval_hours) == ([], ["kurs-9"], 6)
        assert withdraw_missing(session, feed, set()) == []  # missing once more: remembered, not withdrawn


def test_uploads_and_other_providers_do_not_touch_the_feed_books(store, server) -> None:
    from campus.catalogue.feeds.sources import DocumentSource

    serve(server, [feed_course(1)])
    register(store, server)
    kit = tools(store)
    run = run_pull(OTHER, DocumentSource({"data": [feed_course(1)]}), "upload", kit, engine=store)
    assert statuses(run) == {"kurs-1": "created"}
    with Session(store) as session:
        feed = feed_of(session, PROVIDER)
        assert (feed.delivered, feed.last_run_at) == ([], None)

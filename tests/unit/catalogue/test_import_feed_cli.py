"""``python -m campus.cli.catalogue import-feed``: the API's run from the command line, checked from outside.

Runs in-process against the test store with the real encoder and tagger, as
the command does; the output is what a script reads (one JSON object).
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, func, select

from campus.catalogue.models import FeedRun, Module
from campus.cli.catalogue import main
from campus.store.db import get_engine
from tests.unit.catalogue.moochub_support import FIXTURES, ROOT

AMB_PATH = ROOT.parent / "shared" / "ext" / "kicampus-amb" / "kicampus_oersi_amb_metadata.jsonl"
PROVIDER = "bildungswerk_staedtebund"


def counts() -> tuple[int, int]:
    with Session(get_engine()) as session:
        return (int(session.exec(select(func.count()).select_from(Module)).one()),
                int(session.exec(select(func.count()).select_from(FeedRun)).one()))


def run_cli(capsys, *args: str) -> tuple[int, dict]:
    code = main(["import-feed", *args])
    return code, json.loads(capsys.readouterr().out)


def test_a_dry_run_reports_per_course_and_writes_nothing(prepared_store, tmp_path, capsys) -> None:
    feed = tmp_path / "amb.jsonl"
    feed.write_bytes(b"\n".join(AMB_PATH.read_bytes().splitlines()[:4]) + b"\n")
    before = counts()
    code, out = run_cli(capsys, str(feed), "--provider", PROVIDER, "--dry-run", "--json")
    assert code == 0 and counts() == before
    assert (out["status"], out["dry_run"], out["created"], out["rejected"], out["run_id"]) == (
        "complete", True, 4, 0, None)
    for entry in out["courses"]:
        assert entry["external_id"].startswith("https://ki-campus.org/courses/") and entry["status"] == "created"
        assert all({"id", "level_from", "level_to", "source", "confidence"} <= set(t) for t in entry["competencies"])
        assert entry["competencies"] or entry["flags"] == ["no_fitting_competency"]
    code, out = run_cli(capsys, str(feed), "--provider", PROVIDER, "--json")
    assert code == 0 and out["created"] == 4 and out["run_id"] is not None
    assert counts() == (before[0] + 4, before[1] + 1)
    code, out = run_cli(capsys, str(feed), "--provider", PROVIDER, "--json", "--dry-run")
    assert out["unchanged"] == 4


def test_a_moochub_document_and_the_human_report(prepared_store, capsys) -> None:
    assert main(["import-feed", str(FIXTURES / "kicampus_digcomp.json"), "--provider", PROVIDER, "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "KI in der Verwaltung" in text and "Probelauf: nichts wurde gespeichert." in text
    assert "ai_basics 2→3 (feed, 0.90)" in text and "Abruf vollständig" in text


@pytest.mark.parametrize(("args", "field"), [
    (["{missing}", "--provider", PROVIDER], "path"),
    (["{feed}", "--provider", "gibt_es_nicht"], "provider"),
    (["http://127.0.0.1:9/feed", "--provider", PROVIDER], "url"),
])
def test_what_cannot_be_read_fails_with_a_clear_error(prepared_store, tmp_path, capsys, args, field) -> None:
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps({"data": []}), encoding="utf-8")
    values = {"missing": str(tmp_path / "fehlt.jsonl"), "feed": str(feed)}
    code, out = run_cli(capsys, *[a.format(**values) for a in args], "--json")
    assert code == 1 and out["status"] == "failed"
    [error] = out["errors"]
    assert error["field"] == field and error["message_de"] and error["message_en"]

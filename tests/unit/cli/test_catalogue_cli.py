"""`python -m campus.cli.catalogue search` and `export-moochub` on the test store, in-process and as a process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from campus.catalogue.export import catalogue_document, course_page
from campus.cli.catalogue import main
from campus.cli.catalogue_search import stdin_lines
from campus.store.settings import get_settings

ROOT = Path(__file__).resolve().parents[3]
TODAY = "2026-06-01"  # before every seeded date: results do not change as time passes


def run_main(argv: list[str], capsys, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def answers(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


# --- export-moochub ---------------------------------------------------------------------------------------


def test_export_prints_the_whole_catalogue_as_one_document(prepared_store, capsys):
    code, out, _ = run_main(["export-moochub", "--base-url", "https://kc.example/"], capsys)
    assert code == 0
    with Session(prepared_store) as session:
        assert json.loads(out) == catalogue_document(session, base_url="https://kc.example")


def test_export_prints_one_page_as_the_api_serves_it(prepared_store, capsys):
    code, out, _ = run_main(["export-moochub", "--page", "2", "--size", "3", "--indent", "2"], capsys)
    assert code == 0 and out.startswith('{\n  "links"')
    with Session(prepared_store) as session:
        assert json.loads(out) == course_page(session, 2, 3)


@pytest.mark.parametrize("argv", [["--page", "9999"], ["--size", "0"], ["--page", "0"]])
def test_export_refuses_pages_outside_the_catalogue_in_german(prepared_store, capsys, argv):
    code, out, err = run_main(["export-moochub", *argv], capsys)
    assert (code, out) == (2, "")
    assert "Seite" in err or "Seitengröße" in err or "Seitenzahl" in err


@pytest.mark.parametrize("argv", [["--size", "viele"], ["--base-url", "ftp://kc.example"],
                                  ["--base-url", "https://kc.example/?x=1"]])
def test_export_refuses_malformed_options(prepared_store, capsys, argv):
    with pytest.raises(SystemExit) as exited:
        main(["export-moochub", *argv])
    assert exited.value.code == 2
    assert "ist keine" in capsys.readouterr().err


def test_export_runs_as_a_process_without_a_server(prepared_store):
    """The documented entry point on the configured store (the environment names the test database)."""
    result = subprocess.run([sys.executable, "-m", "campus.cli.catalogue", "export-moochub", "--page", "1",
                             "--size", "2"], cwd=ROOT, env=dict(os.environ), capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    document = json.loads(result.stdout.decode("utf-8"))
    assert len(document["data"]) == 2 and document["links"]["next"].endswith("page=2&page%5Bsize%5D=2")


# --- search: reading lines ----------------------------------------------------------------------------------


def test_stdin_lines_skip_empty_ones_but_keep_the_numbering():
    lines = list(stdin_lines(io.BytesIO(b"E-Akte\n\n  \r\nDatenschutz\r\nKI"), limit=50))
    assert [(line.number, line.query, line.error) for line in lines] == [
        (1, "E-Akte", None), (4, "Datenschutz", None), (5, "KI", None)]


def test_over_long_and_undecodable_lines_carry_their_error_and_reading_goes_on():
    raw = ("ä" * 10 + "\n" + "ä" * 11 + "\n").encode() + b"x" * 1000 + b"\n\xff\nweiter\n"
    lines = list(stdin_lines(io.BytesIO(raw), limit=10))
    assert [(line.number, line.error.field if line.error else None) for line in lines] == [
        (1, None), (2, "query"), (3, "query"), (4, "query"), (5, None)]
    assert lines[1].error and "Zeile 2" in lines[1].error.message_de and "10 Zeichen" in lines[1].error.message_de
    assert lines[3].error and "UTF-8" in lines[3].error.message_de
    assert lines[4].query == "weiter"


class ReadSizes(io.BytesIO):
    """Records how much each ``readline`` returned."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sizes: list[int] = []

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.sizes.append(len(line))
        return line


def test_an_endless_line_is_refused_without_being_held_whole():
    stream = ReadSizes(b"a" * 5_000_000 + b"\nnoch eine\n")
    lines = list(stdin_lines(stream, limit=2000))
    assert stream.sizes[0] <= 4 * 2000 + 3  # four bytes per character at most, and the line break
    assert max(stream.sizes) <= 65_536  # the rest of the line is skipped in bounded chunks
    assert [(line.number, bool(line.error), len(line.query) <= 200) for line in lines] == [
        (1, True, True), (2, False, True)]
    assert lines[1].query == "noch eine"


# --- search: answers -----------------------------------------------------------------------------------------


def chat_ranking(query: str, top: int = 3) -> list[tuple[str, int]]:
    """What the chat's ranker answers (as actions/topic_search.py calls it, without NLU entities)."""
    from embeddings.encoder import get_encoder
    from embeddings.framework_matchers import competency_matcher
    from embeddings.index import get_module_index
    from embeddings.search import FusionWeights
    from plan_engine.topic_search import topic_search

    s = get_settings()
    weights = FusionWeights(s.search_weight_dense, s.search_weight_lexical, s.search_weight_competency,
                            s.search_rrf_k, s.search_fusion)
    from campus.store.db import get_engine

    with Session(get_engine()) as session:
        hits = topic_search(session, query, [], get_encoder(), get_module_index(), competency_matcher(), weights,
                            top_k=top, today=date.fromisoformat(TODAY))
    return [(h.title, h.match_percent) for h in hits]


def test_search_answers_each_line_with_the_chats_ranking(prepared_store, capsys, monkeypatch):
    stdin = "KI für Führungskräfte\n\nDatenschutz im Bürgeramt\n".encode()
    code, out, _ = run_main(["search", "--stdin", "--json", "--today", TODAY], capsys, stdin, monkeypatch)
    assert code == 0
    first, second = answers(out)
    assert (first["line"], first["query"], second["line"]) == (1, "KI für Führungskräfte", 3)
    for answer in (first, second):
        assert [(r["title"], r["match_percent"]) for r in answer["results"]] == chat_ranking(answer["query"])
        assert all(set(r) == {"external_id", "provider", "module_id", "title", "match_percent"}
                   for r in answer["results"])
    assert first["results"][0]["external_id"] == "bwks-ki-fk-10"
    assert first["results"][0]["provider"] == "bildungswerk_staedtebund"


def test_search_answers_an_over_long_line_with_an_error_and_goes_on(prepared_store, capsys, monkeypatch):
    limit = get_settings().max_message_chars
    stdin = ("E-Akte einführen\n" + "Akte " * limit + "\nE-Akte einführen\n").encode()
    code, out, _ = run_main(["search", "--stdin", "--json", "--top", "2", "--today", TODAY], capsys, stdin,
                            monkeypatch)
    assert code == 0
    first, refused, third = answers(out)
    assert refused["line"] == 2 and "results" not in refused
    assert refused["error"]["field"] == "query" and str(limit) in refused["error"]["message_de"]
    assert len(first["results"]) == 2 and first["results"] == third["results"]


def test_search_takes_queries_as_arguments_and_prints_text_without_json(prepared_store, capsys):
    code, out, _ = run_main(["search", "--today", TODAY, "E-Akte einführen"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "E-Akte einführen" and len(lines) == 4 and all(" % " in line for line in lines[1:])


def test_search_without_queries_says_how_to_give_them(capsys):
    code, out, err = run_main(["search", "--json"], capsys)
    assert (code, out) == (2, "") and "--stdin" in err


@pytest.mark.parametrize(("argv", "named"), [(["--top", "0"], "--top"), (["--top", "21"], "--top"),
                                             (["--today", "morgen"], "JJJJ-MM-TT")])
def test_search_refuses_malformed_options(capsys, argv, named):
    with pytest.raises(SystemExit) as exited:
        main(["search", "--stdin", *argv])
    assert exited.value.code == 2
    assert named in capsys.readouterr().err


def test_search_runs_as_a_process_reading_stdin(prepared_store):
    result = subprocess.run([sys.executable, "-m", "campus.cli.catalogue", "search", "--stdin", "--json",
                             "--today", TODAY], input="E-Akte einführen\n\nBPMN modellieren\n".encode(),
                            cwd=ROOT, env=dict(os.environ), capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr.decode()
    lines = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [line["line"] for line in lines] == [1, 3]
    assert all(len(line["results"]) == 3 for line in lines)

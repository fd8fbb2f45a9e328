"""`python -m campus.cli.catalogue search --stdin --json`: the chat's topic search from outside, no server needed.

A stable interface for checking the platform: one query per input line
(empty lines skipped), one JSON line per query, in input order, each naming
its line number. The ranker is the chat's (``plan_engine.topic_search``:
hybrid search plus the match percentage the learner sees), with no
competency named by the NLU, on the configured store (``KC_DATABASE_URL`` /
``var/``). A line the chat would not take (longer than
``max_message_chars``, or not UTF-8) is answered with an ``error`` object
in the project's error shape instead of results; the run goes on. A line is
read with a byte cap, so one endless line cannot fill the memory.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any, BinaryIO

from sqlmodel import Session, col, select

from campus.catalogue.models import Module
from campus.store.db import get_engine
from campus.store.errors import DomainError, message_pair, problem
from campus.store.formats import shorten
from campus.store.settings import get_settings
from campus.store.texts import text
from embeddings.encoder import get_encoder
from embeddings.framework_matchers import competency_matcher
from embeddings.index import get_module_index
from embeddings.search import FusionWeights
from plan_engine.topic_search import TopicHit, topic_search

HELP_KEY = "search"
DEFAULT_TOP = 3  # the chat shows three modules
MAX_TOP = 20
ECHO_CHARS = 200  # how much of a refused line is echoed back
BYTES_PER_CHAR = 4  # UTF-8 needs at most four bytes per character
CHUNK = 65_536


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options = "cli.catalogue.search_options"
    parser.add_argument("queries", nargs="*", help=text(f"{options}.queries"))
    parser.add_argument("--stdin", action="store_true", help=text(f"{options}.stdin"))
    parser.add_argument("--json", action="store_true", help=text(f"{options}.json"))
    parser.add_argument("--top", type=_top, default=DEFAULT_TOP, help=text(f"{options}.top", default=DEFAULT_TOP))
    parser.add_argument("--today", type=_day, default=None, help=text(f"{options}.today"))


def _top(value: str) -> int:
    if not (value.strip().isdigit() and 1 <= int(value) <= MAX_TOP):
        raise argparse.ArgumentTypeError(message_pair("search_top_invalid", maximum=MAX_TOP)[0])
    return int(value)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(message_pair("cli_date_invalid", value=value)[0]) from None


@dataclass(frozen=True)
class Line:
    """One query to answer: its line number, its text, or why it is refused."""

    number: int
    query: str
    error: DomainError | None = None


def run(args: argparse.Namespace) -> int:
    if not args.queries and not args.stdin:
        sys.stderr.write(message_pair("search_no_queries")[0] + "\n")
        return 2
    _utf8(sys.stdout)
    limit = get_settings().max_message_chars
    lines: Iterable[Line] = argument_lines(args.queries, limit)
    if args.stdin:
        lines = chain(lines, stdin_lines(sys.stdin.buffer, limit, first=len(args.queries) + 1))  # answered as read
    searcher = Searcher(args.top, args.today)
    for line in lines:
        answer = searcher.answer(line)
        if args.json:
            sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        else:
            _print_text(answer)
        sys.stdout.flush()
    return 0


def argument_lines(queries: list[str], limit: int) -> list[Line]:
    out = []
    for number, query in enumerate(queries, start=1):
        error = _too_long(number, query.strip(), limit)
        out.append(Line(number, query.strip(), error))
    return out


def stdin_lines(stream: BinaryIO, limit: int, first: int = 1) -> Iterator[Line]:
    """Non-empty lines of ``stream``; a line over ``limit`` characters (or not UTF-8) comes with its error."""
    cap = limit * BYTES_PER_CHAR + 2  # room for "\r\n"
    number = first - 1
    while True:
        raw = stream.readline(cap + 1)
        if not raw:
            return
        number += 1
        overflow = len(raw) > cap and not raw.endswith(b"\n")
        if overflow:
            _skip_rest_of_line(stream)
        try:
            query = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            if overflow:  # cut inside a character: the line is too long either way
                query = raw.decode("utf-8", errors="ignore").strip()
                yield Line(number, _echo(query), problem("search_line_too_long", "query", line=number, limit=limit))
                continue
            yield Line(number, _echo(raw.decode("utf-8", errors="replace").strip()),
                       problem("search_line_not_text", "query", line=number))
            continue
        if not query:
            continue
        error = problem("search_line_too_long", "query", line=number, limit=limit) if overflow else \
            _too_long(number, query, limit)
        yield Line(number, _echo(query) if error else query, error)


def _skip_rest_of_line(stream: BinaryIO) -> None:
    while True:
        chunk = stream.readline(CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return


def _too_long(number: int, query: str, limit: int) -> DomainError | None:
    return problem("search_line_too_long", "query", line=number, limit=limit) if len(query) > limit else None


def _echo(query: str) -> str:
    return shorten(query, ECHO_CHARS)


class Searcher:
    """The chat's ranker, loaded once per run (encoder, index snapshot, competency matcher)."""

    def __init__(self, top: int, today: date | None) -> None:
        self.top = top
        self.today = today
        s = get_settings()
        self.weights = FusionWeights(s.search_weight_dense, s.search_weight_lexical, s.search_weight_competency,
                                     s.search_rrf_k, s.search_fusion)

    def answer(self, line: Line) -> dict[str, Any]:
        if line.error is not None:
            return {"line": line.number, "query": line.query, "error": line.error.as_dict()}
        with Session(get_engine()) as session:
            hits = topic_search(session, line.query, [], get_encoder(), get_module_index(), competency_matcher(),
                                self.weights, top_k=self.top, today=self.today)
            return {"line": line.number, "query": line.query, "results": self._results(session, hits)}

    @staticmethod
    def _results(session: Session, hits: list[TopicHit]) -> list[dict[str, Any]]:
        ids = [h.module_id for h in hits]
        modules = {m.id: m for m in session.exec(select(Module).where(col(Module.id).in_(ids))).all()}
        return [
            {"external_id": modules[h.module_id].external_id, "provider": modules[h.module_id].provider_id,
             "module_id": h.module_id, "title": h.title, "match_percent": h.match_percent}
            for h in hits if h.module_id in modules
        ]


def _print_text(answer: dict[str, Any]) -> None:
    if "error" in answer:
        sys.stderr.write(str(answer["error"]["message_de"]) + "\n")
        return
    sys.stdout.write(text("cli.catalogue.search_output.query", query=answer["query"]) + "\n")
    for result in answer["results"]:
        sys.stdout.write(text("cli.catalogue.search_output.hit", **result) + "\n")
    if not answer["results"]:
        sys.stdout.write(text("cli.catalogue.search_output.none") + "\n")


def _utf8(stream: Any) -> None:
    """JSON Lines are UTF-8 whatever the terminal's locale says."""
    if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower().replace("-", "") != "utf8":
        stream.reconfigure(encoding="utf-8")

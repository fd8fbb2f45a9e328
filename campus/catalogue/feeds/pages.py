"""A feed as pages of course records: reading one body, and following a MOOChub feed's ``links.next``.

A body is a JSON document (a MOOChub JSON:API document, an AMB record or a
list of records) or JSON Lines (one MOOChub course resource or AMB record per
line; a line that cannot be read becomes that course's error, not the page's).
Paging follows ``links.next`` (relative links resolved against the page) for
at most ``max_pages`` pages, never the same page twice; each page URL is
fetched through the safe fetcher again. The first page failing fails the pull;
a later page failing, a loop or the page limit make it partial: what was read
is kept, and a partial pull withdraws nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from campus.catalogue.feeds.amb import is_amb_record
from campus.catalogue.feeds.fetch import shown_url
from campus.catalogue.feeds.moochub.document import COURSE_TYPES, DocumentError, course_resources
from campus.store.errors import DomainError, message_pair, problem

MAX_LINE_BYTES = 2_000_000
_JSON_API_MEMBERS = ("data", "errors", "links", "meta", "jsonapi")

Record = Any  # a raw course record, or the DomainError of a JSON Lines line that could not be read


@dataclass
class Page:
    number: int  # 1-based; the chunks of a streamed file are all page 1
    records: list[Record]
    next_url: str | None = None


def parse_line(raw: bytes) -> Record:
    """One JSON Lines line: its value, or the error saying why it is none."""
    if len(raw) > MAX_LINE_BYTES:
        return problem("line_too_large", "record", kilobytes=MAX_LINE_BYTES // 1000)
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return problem("invalid_json", "record", detail=_short(exc))


def is_json_lines(first_line: bytes) -> bool:
    """Whether a body whose first non-empty line is this is JSON Lines: the line alone is one course record."""
    try:
        value = json.loads(first_line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return is_course_record(value)


def is_course_record(value: Any) -> bool:
    """A MOOChub course resource or an AMB record, as opposed to a whole document or anything else."""
    if not isinstance(value, dict) or any(member in value for member in _JSON_API_MEMBERS):
        return False
    return is_amb_record(value) or "attributes" in value or value.get("type") in COURSE_TYPES


def read_body(body: bytes, number: int, field: str) -> Page:
    """The records of one fetched or uploaded body; a body that is no feed raises a DomainError on ``field``."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if lines and len(lines[0]) <= MAX_LINE_BYTES and is_json_lines(lines[0]):
        return Page(number, [parse_line(line) for line in lines])
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise problem("feed_invalid_json", field, detail=_short(exc)) from exc
    return read_document(doc, number, field)


def read_document(doc: Any, number: int, field: str) -> Page:
    """The records of a parsed document: a MOOChub JSON:API document, one AMB record or a list of records."""
    if isinstance(doc, list):
        return Page(number, list(doc))
    if is_course_record(doc):
        return Page(number, [doc])
    try:
        records = course_resources(doc)
    except DocumentError as exc:
        raise not_a_feed(field, exc) from exc
    links = doc.get("links") if isinstance(doc, dict) else None
    following = links.get("next") if isinstance(links, dict) else None
    next_url: str | None = None
    if following is not None:  # null: the last page
        next_url = following.strip() if isinstance(following, str) else ""  # "": present but unusable
    return Page(number, records, next_url)


def not_a_feed(field: str, exc: DocumentError) -> DomainError:
    german, _ = message_pair("not_moochub", detail=exc.message_de)
    _, english = message_pair("not_moochub", detail=exc.message_en)
    return DomainError(field, german, english)


def page_field(number: int) -> str:
    """Where an error of page ``number`` is reported: the feed URL itself, or the page it was linked as."""
    return "url" if number == 1 else f"links.next[{number}]"


def _canonical(url: str) -> tuple[str, str, str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query


def _short(exc: Exception) -> str:
    return str(exc)[:200]


Fetch = Callable[[str, str], bytes]
"""(URL, field for its errors) → the body; raises a DomainError (the safe fetcher's uniform one)."""


@dataclass
class UrlPages:
    """The pages of a feed URL, following ``links.next``; after iterating, ``status`` and ``errors`` say how it went."""

    url: str
    fetch: Fetch
    max_pages: int
    status: str = "complete"  # complete | partial (the first page failing raises instead)
    errors: list[tuple[int, DomainError]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return shown_url(self.url)

    def pages(self) -> Iterator[Page]:
        url: str | None = self.url
        seen: set[tuple[str, str, str, str]] = set()
        number = 0
        while url is not None:
            number += 1
            if _canonical(url) in seen:
                self._stop(number, problem("feed_page_loop", page_field(number), page=number))
                return
            if number > self.max_pages:
                self._stop(number, problem("feed_too_many_pages", page_field(number), limit=self.max_pages))
                return
            seen.add(_canonical(url))
            try:
                page = read_body(self.fetch(url, page_field(number)), number, page_field(number))
            except DomainError as exc:
                if number == 1:
                    raise
                self._stop(number, exc)
                return
            yield page
            if page.next_url == "":
                self._stop(number + 1, problem("feed_next_invalid", page_field(number + 1)))
                return
            url = urljoin(url, page.next_url) if page.next_url is not None else None

    def _stop(self, number: int, error: DomainError) -> None:
        self.status = "partial"
        self.errors.append((number, error))

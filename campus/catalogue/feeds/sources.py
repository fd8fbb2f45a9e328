"""Where a run's courses come from: a feed URL (paged), an uploaded document, a file on disk (streamed).

Every source gives pages of raw records (:class:`~campus.catalogue.feeds.pages.Page`)
and, once read, whether it was read completely. A JSON Lines file is read
line by line in chunks, so a feed of 10,000 courses is never held in memory
as a whole; a JSON document has to be parsed at once (within a size limit).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from campus.catalogue.feeds.pages import MAX_LINE_BYTES, Page, is_json_lines, parse_line, read_body, read_document
from campus.store.errors import DomainError, problem

MAX_FILE_BYTES = 500_000_000  # a JSON document read whole; JSON Lines files stream without a limit
UPLOAD = "upload"


class FeedSource(Protocol):
    """Pages of course records; ``status`` ("complete" or "partial") and ``errors`` are final after reading."""

    status: str
    errors: list[tuple[int, DomainError]]

    @property
    def label(self) -> str:
        """What the run report names as its source (the URL, "upload" or the file)."""
        ...

    def pages(self) -> Iterator[Page]: ...


@dataclass
class DocumentSource:
    """A document the provider sent in the request (already parsed JSON)."""

    document: Any
    status: str = "complete"
    errors: list[tuple[int, DomainError]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return UPLOAD

    def pages(self) -> Iterator[Page]:
        yield read_document(self.document, 1, "body")


@dataclass
class BodySource:
    """A request body the provider sent as bytes (JSON Lines, or a JSON document)."""

    body: bytes
    status: str = "complete"
    errors: list[tuple[int, DomainError]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return UPLOAD

    def pages(self) -> Iterator[Page]:
        yield read_body(self.body, 1, "body")


@dataclass
class FileSource:
    """A feed file: JSON Lines streamed in chunks of ``chunk`` lines, or one JSON document."""

    path: Path
    chunk: int = 128
    status: str = "complete"
    errors: list[tuple[int, DomainError]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.path)

    def pages(self) -> Iterator[Page]:
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise problem("feed_file_unreadable", "path", path=str(self.path)) from exc
        with handle:
            first = b""
            for line in handle:
                if line.strip():
                    first = line.strip()
                    break
            if first and len(first) <= MAX_LINE_BYTES and is_json_lines(first):
                yield from self._lines(first, handle)
                return
            handle.seek(0)
            body = handle.read(MAX_FILE_BYTES + 1)
        if len(body) > MAX_FILE_BYTES:
            raise problem("feed_file_too_large", "path", megabytes=MAX_FILE_BYTES // 1_000_000)
        yield read_body(body, 1, "path")

    def _lines(self, first: bytes, handle: Any) -> Iterator[Page]:
        records = [parse_line(first)]
        for line in handle:
            if not line.strip():
                continue
            records.append(parse_line(line.strip()))
            if len(records) >= self.chunk:
                yield Page(1, records)
                records = []
        if records:
            yield Page(1, records)

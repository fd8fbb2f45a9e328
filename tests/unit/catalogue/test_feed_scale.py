"""A feed of 10,000 courses streams: read in chunks, stored batch by batch, never held whole.

The encoder is a hash-seeded stand-in (``feed_kit.FakeEncoder``) so that the
run takes seconds; everything else is the product path: the JSON Lines file
source, the MOOChub mapper, the tagger, the Ingestor, the report.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from campus.catalogue.feeds.pages import Page
from campus.catalogue.feeds.sources import FileSource
from campus.catalogue.models import FeedRun, Module, ModuleEmbedding
from campus.store.settings import get_settings
from embeddings import feed_pull
from embeddings.feed_pull import run_pull
from tests.unit.catalogue.feed_kit import PROVIDER, feed_course, own_store, tools

COURSES = 10_000
# SQLite syncs every record's savepoint to disk (pysqlite opens no transaction before SAVEPOINT): keep the
# scale test's store in memory-backed storage where the machine has it, so it measures the code, not the disk
FAST_DIR = Path("/dev/shm") if Path("/dev/shm").is_dir() else None


@pytest.fixture
def store_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="kc-feed-scale-", dir=FAST_DIR))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


class CountingFile(FileSource):
    """The file source, counting the records it has handed out so far."""

    handed_out = 0

    def pages(self) -> Iterator[Page]:
        for chunk in super().pages():
            self.handed_out += len(chunk.records)
            yield chunk


def test_ten_thousand_courses_are_streamed_in_batches(tmp_path, store_dir, monkeypatch) -> None:
    """Read ahead is bounded by a chunk, the encoder by a batch; all 10,000 arrive with vectors and a report."""
    path = tmp_path / "feed.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for number in range(COURSES):
            resource = feed_course(number) if number % 2 else feed_course(number, teaches=None)
            handle.write(json.dumps(resource, ensure_ascii=False) + "\n")
    engine = own_store(store_dir)
    kit = tools(engine)
    batch = get_settings().feed_batch_size
    source = CountingFile(path, chunk=batch)
    ahead: list[int] = []  # records read but not yet stored, at each batch
    stored = 0
    real_ingest = feed_pull.Ingestor.ingest_batch

    def watched(self, records):  # noqa: ANN001, ANN202 - a spy around the real method
        nonlocal stored
        ahead.append(source.handed_out - stored)
        stored += len(records)
        return real_ingest(self, records)

    monkeypatch.setattr(feed_pull.Ingestor, "ingest_batch", watched)
    run = run_pull(PROVIDER, source, "cli", kit, engine=engine)

    assert run["status"] == "complete" and run["report"]["created"] == COURSES and run["report"]["rejected"] == 0
    assert len(ahead) == COURSES // batch + (COURSES % batch > 0)
    assert max(ahead) <= 2 * batch  # at most one chunk read ahead of what is stored
    assert max(kit.encoder.calls) <= batch  # the encoder sees a batch at a time, never the feed
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Module)).one() == COURSES
        assert session.exec(select(func.count()).select_from(ModuleEmbedding)).one() == COURSES
        stored_run = session.get(FeedRun, run["id"])
        assert stored_run is not None and len(stored_run.report["courses"]) == COURSES
        untagged = session.exec(select(Module).where(Module.external_id == "kurs-0")).one()
        assert [t["source"] for t in untagged.competencies] == ["inferred"]  # "Datenschutz" in its title
    engine.dispose()

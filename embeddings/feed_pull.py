"""Bring a provider's courses into the catalogue: read pages, map each record, tag and store them in batches.

One code path for every door: a registered feed pulled on its schedule or on
demand, a MOOChub document or URL posted to the API, ``import-feed`` on the
command line (also ``--dry-run``). A run

* reads its source page by page (``links.next`` followed by the safe
  fetcher, a JSON Lines file in chunks), so 10,000 courses are never all held
  at once: each chunk is mapped, then stored by the :class:`Ingestor` (one
  encoder call per batch, untagged courses tagged from their text), then let go;
* records per course what happened (``campus.catalogue.feeds.report``);
* ends in one transaction (``campus.catalogue.feeds.sync.finish_run``): the
  report, and for a complete pull of the registered feed the withdrawals.

A dry run maps and tags the same way and decides each course's outcome with
the same ``upsert_module`` inside a savepoint that is rolled back: nothing is
written, not even the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from campus.catalogue.feeds.fetch import FetchLimits, Resolver, allowed_hosts, fetch_sync, system_resolver
from campus.catalogue.feeds.moochub.competencies import CompetencyLookup
from campus.catalogue.feeds.pages import Page, UrlPages
from campus.catalogue.feeds.records import listed_id, map_record, record_title
from campus.catalogue.feeds.report import RunReport, issue_dict
from campus.catalogue.feeds.sources import FeedSource
from campus.catalogue.feeds.sync import claim_feed, due_feeds, feed_of, finish_run, release_feed, start_run
from campus.catalogue.models import Module, Provider
from campus.store.clock import utcnow
from campus.store.db import get_engine
from campus.store.errors import DomainError, problem
from campus.store.settings import get_settings
from embeddings.encoder import Encoder
from embeddings.feed_preview import Preview, preview_batch
from embeddings.index import ModuleIndex
from embeddings.ingest import Ingestor, RecordResult
from embeddings.tagging import CompetencyTagger

log = logging.getLogger(__name__)


@dataclass
class PullTools:
    """What a run needs from the services; the API and the CLI use the real ones (:meth:`real`)."""

    encoder: Encoder
    lookup: CompetencyLookup
    tagger: CompetencyTagger | None = None
    index: ModuleIndex | None = None
    resolver: Resolver = system_resolver
    transport: httpx.AsyncBaseTransport | None = None
    limits: FetchLimits | None = None

    @classmethod
    def real(cls, *, with_index: bool = True) -> PullTools:
        """The process's encoder, lookup and tagger; the search index only where this process serves searches."""
        from embeddings.encoder import get_encoder
        from embeddings.framework_matchers import competency_lookup
        from embeddings.index import get_module_index
        from embeddings.tagging import get_tagger

        return cls(get_encoder(), competency_lookup(), get_tagger(), get_module_index() if with_index else None)


@dataclass
class _Mapped:
    position: int
    page: int
    module: dict[str, Any]
    issues: list[dict[str, Any]]


@dataclass
class CourseImport:
    """One run's courses: mapped page by page, stored (or previewed) in batches, reported per course."""

    session: Session
    provider_id: str
    tools: PullTools
    dry_run: bool = False
    batch_size: int = 512
    report: RunReport = field(default_factory=RunReport)
    listed: set[str] = field(default_factory=set)  # ids the feed names (imported or not): never "missing"
    stored: set[str] = field(default_factory=set)  # ids that are modules now
    _seen: set[str] = field(default_factory=set)  # the mapper's duplicate check, across pages
    _pending: list[_Mapped] = field(default_factory=list)
    _position: int = 0
    _ingestor: Ingestor | None = None

    def add_page(self, page: Page) -> None:
        self.report.pages = max(self.report.pages, page.number)
        for raw in page.records:
            self._position += 1
            if isinstance(raw, DomainError):
                self.report.course(self._position, None, "rejected", page=page.number, mapped=False,
                                   errors=[raw.as_dict()], issues=[])
                continue
            if (external_id := listed_id(raw)) is not None:
                self.listed.add(external_id)
            module, issues = map_record(self._position - 1, raw, self.provider_id, self.tools.lookup, self._seen)
            if module is None:
                fatal = [i for i in issues if i.fatal]
                self.report.course(self._position, issues[-1].external_id if issues else None, "rejected",
                                   page=page.number, mapped=False, title=record_title(raw),
                                   errors=[{k: v for k, v in issue_dict(i).items() if k != "fatal"} for i in fatal],
                                   issues=[issue_dict(i) for i in issues if not i.fatal])
                continue
            self._pending.append(_Mapped(self._position, page.number, module, [issue_dict(i) for i in issues]))
            if len(self._pending) >= self.batch_size:
                self.flush()

    def flush(self) -> None:
        """Store (or preview) the mapped courses waiting, report them, and let them go."""
        if not self._pending:
            return
        batch: list[tuple[int, object]] = [(m.position, dict(m.module)) for m in self._pending]
        if self.dry_run:
            previews = preview_batch(self.session, self.provider_id, batch, self.tools.encoder, self.tools.tagger)
        else:
            previews = [Preview(result) for result in self._ingest(batch)]
        for mapped, preview in zip(self._pending, previews, strict=True):
            self._report(mapped, preview)
        self._pending = []
        self.session.expunge_all()  # the batch's modules are reported: keep no ORM objects across batches

    def _ingest(self, batch: list[tuple[int, object]]) -> list[RecordResult]:
        if self._ingestor is None:
            self._ingestor = Ingestor(self.session, self.provider_id, self.tools.encoder, index=self.tools.index,
                                      tagger=self.tools.tagger)
        return self._ingestor.ingest_batch(batch)

    def _report(self, mapped: _Mapped, preview: Preview) -> None:
        result = preview.result
        common = {"page": mapped.page, "mapped": True, "title": mapped.module["title"],
                  "language": mapped.module["language"], "issues": mapped.issues}
        if result.outcome == "error":
            self.report.course(mapped.position, result.external_id, "rejected", **common, errors=result.errors)
            return
        tags, flags = preview.competencies, preview.flags
        if not self.dry_run:
            module = self.session.get(Module, result.module_id)
            tags, flags = (list(module.competencies), list(module.flags)) if module is not None else ([], [])
        self.stored.add(str(result.external_id))
        self.report.course(mapped.position, result.external_id, result.outcome, **common, module_id=result.module_id,
                           version=result.version, competencies=tags, flags=flags,
                           near_duplicates=list(result.duplicates), errors=[])


def run_pull(provider_id: str, source: FeedSource, trigger: str, tools: PullTools, *, dry_run: bool = False,
             engine: Engine | None = None) -> dict[str, Any]:
    """Read ``source`` into the provider's catalogue and return the run (with its report)."""
    settings = get_settings()
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        if session.get(Provider, provider_id) is None:
            raise problem("feed_provider_unknown", "provider", 404, id=provider_id)
        run_id = None if dry_run else start_run(session, provider_id, source.label, trigger)
        courses = CourseImport(session, provider_id, tools, dry_run=dry_run, batch_size=settings.feed_batch_size)
        status = _read(courses, source)
        if run_id is None:
            return {"id": None, "provider_id": provider_id, "source": source.label, "trigger": trigger,
                    "status": status, "report": courses.report.as_dict(status, dry_run=True)}
        return finish_run(session, run_id, status, courses.report, listed=courses.listed, stored=courses.stored)


def _read(courses: CourseImport, source: FeedSource) -> str:
    """Read every page into ``courses``; the run's status (complete, partial or failed)."""
    try:
        for page in source.pages():
            courses.add_page(page)
        courses.flush()
    except DomainError as exc:  # the source itself (first page, file) could not be read
        courses.session.rollback()
        courses.report.error(exc, page=courses.report.pages + 1)
        return "partial" if courses.report.courses else "failed"
    except Exception:  # a bug or the store failing: what was committed stays, nothing is withdrawn
        log.exception("feed run of %s aborted", courses.provider_id)
        courses.session.rollback()
        courses.report.error(problem("feed_run_aborted", "feed"))
        return "partial" if courses.report.courses else "failed"
    for number, error in source.errors:
        courses.report.error(error, page=number)
    return source.status


def url_source(url: str, allowed: frozenset[str], tools: PullTools) -> UrlPages:
    """The pages of a feed URL, each fetched through the safe fetcher."""
    def fetch(page_url: str, field_name: str) -> bytes:
        return fetch_sync(page_url, allowed, tools.limits, field=field_name, resolver=tools.resolver,
                          transport=tools.transport).body

    return UrlPages(url, fetch, get_settings().feed_max_pages)


def pull_registered_feed(provider_id: str, trigger: str, tools: PullTools | Callable[[], PullTools], *,
                         engine: Engine | None = None, last_run_at: datetime | None = None) -> dict[str, Any] | None:
    """Pull the provider's registered feed once it is claimed; None if a scheduled pull found it taken."""
    scheduled = trigger == "schedule"
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        feed = feed_of(session, provider_id)
        url, allowed = feed.url, allowed_hosts(session)
        if not claim_feed(session, provider_id, utcnow(), last_run_at=last_run_at if scheduled else None,
                          scheduled=scheduled):
            if scheduled:
                return None
            raise problem("feed_run_in_progress", "feed", 409)
    try:
        real_tools = tools() if callable(tools) else tools
        return run_pull(provider_id, url_source(url, allowed, real_tools), trigger, real_tools, engine=engine)
    except BaseException:
        with Session(engine or get_engine()) as session:
            release_feed(session, provider_id)
        raise


def pull_due_feeds(tools: Callable[[], PullTools], *, engine: Engine | None = None) -> list[dict[str, Any]]:
    """The background round's part: pull every active feed whose interval has passed (safe to run twice)."""
    with Session(engine or get_engine()) as session:
        due = due_feeds(session, utcnow())
    runs: list[dict[str, Any]] = []
    shared: list[PullTools] = []

    def once() -> PullTools:  # the services are loaded only when a feed is due
        if not shared:
            shared.append(tools())
        return shared[0]

    for provider_id, last_run_at in due:
        try:
            run = pull_registered_feed(provider_id, "schedule", once, engine=engine, last_run_at=last_run_at)
        except Exception:  # one provider's feed (or a removed one) must not keep the others from their pull
            log.exception("scheduled pull of the feed of %s failed", provider_id)
            continue
        if run is not None:
            log.info("feed of %s pulled: %s", provider_id, run["status"])
            runs.append(run)
    return runs

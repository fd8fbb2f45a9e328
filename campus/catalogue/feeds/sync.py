"""A provider's registered feed and its runs: registration, the schedule, the claim, the withdraw rule.

The feed is pulled on its schedule and on demand (``embeddings.feed_pull``
does the pulling; this module keeps the books):

* one feed per provider (``PUT`` replaces it; a new URL starts the missing
  count afresh), refused with the fetcher's uniform error if its URL may not
  be fetched;
* a pull first claims the feed (an atomic compare-and-set on
  ``running_since``), so two processes or two clicks never pull it at once and
  a scheduled round that runs twice pulls a due feed once;
* withdraw rule: a course this feed delivered that is missing from two
  successive *complete* pulls is withdrawn; a failed or partial pull neither
  withdraws nor counts. Modules the provider sent another way are never
  withdrawn by the feed.

Each function that carries out one action commits its own transaction; the
end of a run (report, withdrawals, release of the claim) is one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import CursorResult, or_, update
from sqlmodel import Session, col, select

from campus.catalogue.feeds.fetch import Resolver, system_resolver, validate_url
from campus.catalogue.feeds.report import RunReport, summary
from campus.catalogue.models import FeedRun, Module, ProviderFeed
from campus.store.clock import aware, utcnow
from campus.store.errors import problem
from campus.store.ids import stored_id
from campus.store.settings import get_settings

FEED_TRIGGERS = ("schedule", "on_demand")  # pulls of the registered feed: only these withdraw
RUN_LIST_LIMIT = 50


class FeedIn(BaseModel):
    """What a provider registers: the feed URL, how often to pull it, whether it is pulled at all."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    url: str = Field(min_length=1, max_length=2000)
    interval_hours: float | None = Field(default=None, ge=1, le=720)
    active: bool = True


def feed_view(feed: ProviderFeed) -> dict[str, Any]:
    return {"provider_id": feed.provider_id, "url": feed.url, "active": feed.active,
            "interval_hours": feed.interval_hours, "last_run_at": feed.last_run_at,
            "running": feed.running_since is not None, "missing": list(feed.missing),
            "created_at": feed.created_at}


def feed_of(session: Session, provider_id: str) -> ProviderFeed:
    feed = session.get(ProviderFeed, provider_id)
    if feed is None:
        raise problem("feed_not_registered", "feed", 404)
    return feed


def register_feed(session: Session, provider_id: str, feed_in: FeedIn, allowed: frozenset[str],
                  resolver: Resolver = system_resolver) -> ProviderFeed:
    """Register or replace the provider's feed (one transaction) once its URL passed the fetcher's check."""
    validate_url(feed_in.url, allowed, resolver=resolver)
    interval = feed_in.interval_hours or get_settings().feed_interval_hours
    feed = session.get(ProviderFeed, provider_id)
    if feed is None:
        feed = ProviderFeed(provider_id=provider_id, url=feed_in.url, interval_hours=interval, active=feed_in.active)
    else:
        if feed.url != feed_in.url:
            feed.missing = []  # another feed: it has to miss a course twice itself
        feed.url, feed.interval_hours, feed.active = feed_in.url, interval, feed_in.active
    session.add(feed)
    session.commit()
    session.refresh(feed)
    return feed


def remove_feed(session: Session, provider_id: str) -> None:
    """Stop pulling the provider's feed; its modules and run reports stay (one transaction)."""
    session.delete(feed_of(session, provider_id))
    session.commit()


def due_feeds(session: Session, now: datetime) -> list[tuple[str, datetime | None]]:
    """(provider, last run) of the active feeds whose interval has passed."""
    feeds = session.exec(select(ProviderFeed).where(ProviderFeed.active == True)).all()  # noqa: E712
    return [(f.provider_id, f.last_run_at) for f in feeds
            if f.last_run_at is None or aware(f.last_run_at) + timedelta(hours=f.interval_hours) <= now]


def claim_feed(session: Session, provider_id: str, now: datetime, *, last_run_at: datetime | None = None,
               scheduled: bool = False) -> bool:
    """Atomically mark the feed as being pulled; False if another pull holds it (or, scheduled, ran meanwhile).

    A claim older than ``feed_run_stale_minutes`` (its process died) is taken
    over, and that process's unfinished runs are marked failed.
    """
    stale = now - timedelta(minutes=get_settings().feed_run_stale_minutes)
    statement = update(ProviderFeed).where(
        col(ProviderFeed.provider_id) == provider_id,
        or_(col(ProviderFeed.running_since).is_(None), col(ProviderFeed.running_since) < stale),
    )
    if scheduled:
        unchanged = col(ProviderFeed.last_run_at).is_(None) if last_run_at is None \
            else col(ProviderFeed.last_run_at) == last_run_at
        statement = statement.where(unchanged)
    result = cast(CursorResult[Any], session.execute(statement.values(running_since=now)))
    claimed = result.rowcount == 1
    if claimed:
        abandoned = session.exec(select(FeedRun).where(FeedRun.provider_id == provider_id,
                                                       FeedRun.status == "running",
                                                       col(FeedRun.started_at) < stale)).all()
        for run in abandoned:
            run.status, run.finished_at = "failed", now
            session.add(run)
    session.commit()
    return claimed


def release_feed(session: Session, provider_id: str) -> None:
    """Give up a claim without a run (e.g. the run could not even start); one transaction."""
    feed = session.get(ProviderFeed, provider_id)
    if feed is not None:
        feed.running_since = None
        session.add(feed)
    session.commit()


def start_run(session: Session, provider_id: str, source: str, trigger: str) -> int:
    """Record that a run began (one transaction): it is visible, as running, while it runs."""
    run = FeedRun(provider_id=provider_id, source=source[:2000], trigger=trigger)
    session.add(run)
    session.commit()
    return stored_id(run.id)


def finish_run(session: Session, run_id: int, status: str, report: RunReport, *, listed: set[str],
               stored: set[str], dry_run: bool = False) -> dict[str, Any]:
    """End a run in one transaction: withdrawals (complete feed pulls only), the report, the feed's books."""
    run = session.get(FeedRun, run_id)
    if run is None:
        raise ValueError(f"feed run {run_id} does not exist")
    feed = session.get(ProviderFeed, run.provider_id) if run.trigger in FEED_TRIGGERS else None
    if feed is not None:
        feed.delivered = sorted(set(feed.delivered) | stored)
        if status == "complete":
            for module in withdraw_missing(session, feed, listed):
                report.course(0, module.external_id, "withdrawn", module_id=module.id, title=module.title)
        feed.running_since, feed.last_run_at = None, utcnow()
        session.add(feed)
    run.status, run.finished_at = status, utcnow()
    run.report = report.as_dict(status, dry_run=dry_run)
    session.add(run)
    session.commit()
    return run_view(run)


def withdraw_missing(session: Session, feed: ProviderFeed, listed: set[str]) -> list[Module]:
    """Apply the rule to one complete pull: withdraw what was missing last time too, remember what is missing now."""
    delivered = set(feed.delivered) - listed
    live = [m for m in session.exec(select(Module).where(Module.provider_id == feed.provider_id,
                                                         Module.status != "withdrawn")).all()
            if m.external_id in delivered]
    before = set(feed.missing)
    gone = [m for m in live if m.external_id in before]
    for module in gone:
        module.status, module.updated_at = "withdrawn", utcnow()
        session.add(module)
    feed.missing = sorted({m.external_id for m in live} - {m.external_id for m in gone})
    return gone


def run_view(run: FeedRun) -> dict[str, Any]:
    return {"id": run.id, "provider_id": run.provider_id, "source": run.source, "trigger": run.trigger,
            "status": run.status, "started_at": run.started_at, "finished_at": run.finished_at,
            "report": run.report}


def provider_runs(session: Session, provider_id: str, limit: int = RUN_LIST_LIMIT) -> list[dict[str, Any]]:
    """The provider's latest runs, newest first, with their counts (the per-course lists via ``run_of``)."""
    runs = session.exec(select(FeedRun).where(FeedRun.provider_id == provider_id)
                        .order_by(col(FeedRun.id).desc()).limit(limit)).all()
    return [run_view(run) | {"report": summary(run.report)} for run in runs]


def run_of(session: Session, provider_id: str, run_id: int) -> dict[str, Any]:
    """One of the provider's runs with its full report; another provider's run is "not found"."""
    run = session.get(FeedRun, run_id)
    if run is None or run.provider_id != provider_id:
        raise problem("feed_run_not_found", "run_id", 404, id=run_id)
    return run_view(run)

"""Provider feeds: register the MOOChub (or AMB) feed URL, pull it on demand, read the run reports.

The platform also pulls every registered feed on its interval (the API's
background round, ``campus.api.jobs``). Every run, and every MOOChub upload,
leaves a report: counts, and per course its outcome, competencies with their
provenance, and the reasons for what was rejected.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from campus.api.auth import ProviderKey
from campus.api.deps import SessionDep
from campus.api.jobs import sync_plans
from campus.api.json_body import openapi_body, parse_body
from campus.catalogue.feeds.fetch import allowed_hosts
from campus.catalogue.feeds.sync import (
    FeedIn,
    feed_of,
    feed_view,
    provider_runs,
    register_feed,
    remove_feed,
    run_of,
)
from campus.store.db import get_engine
from embeddings.feed_pull import PullTools, pull_registered_feed

router = APIRouter(prefix="/provider/feed", tags=["provider"])

MAX_BODY_BYTES = 8_000
RunId = Annotated[int, Path(ge=1, le=2**62)]


def _register(provider_id: str, feed_in: FeedIn) -> dict[str, Any]:
    with Session(get_engine()) as session:
        return feed_view(register_feed(session, provider_id, feed_in, allowed_hosts(session)))


@router.put("", openapi_extra=openapi_body(FeedIn), responses={400: {}, 413: {}, 422: {}})
async def put_feed(request: Request, key: ProviderKey) -> dict[str, Any]:
    """Register or replace your feed URL (checked as it will be fetched: public http(s), or allowlisted)."""
    data = await parse_body(request, FeedIn, MAX_BODY_BYTES)
    return await run_in_threadpool(_register, key.provider_id or "", data)


@router.get("", responses={404: {}})
def get_feed(key: ProviderKey, session: SessionDep) -> dict[str, Any]:
    return feed_view(feed_of(session, key.provider_id or ""))


@router.delete("", responses={404: {}})
def delete_feed(key: ProviderKey, session: SessionDep) -> dict[str, Any]:
    """Stop pulling your feed; modules already imported stay as they are."""
    remove_feed(session, key.provider_id or "")
    return {"removed": True}


@router.post("/run", responses={404: {}, 409: {}})
async def run_now(key: ProviderKey, background: BackgroundTasks) -> dict[str, Any]:
    """Pull your feed now (all pages) and return the run with its report."""
    run = await run_in_threadpool(pull_registered_feed, key.provider_id or "", "on_demand", PullTools.real)
    background.add_task(sync_plans)  # withdrawn or changed modules leave the plans that hold them
    return run or {}


@router.get("/runs")
def list_runs(key: ProviderKey, session: SessionDep,
              limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[dict[str, Any]]:
    """Your latest runs and uploads, newest first, with their counts."""
    return provider_runs(session, key.provider_id or "", limit)


@router.get("/runs/{run_id}", responses={404: {}})
def get_run(run_id: RunId, key: ProviderKey, session: SessionDep) -> dict[str, Any]:
    """One run's full report: per course its outcome, competencies and the reasons for rejections."""
    return run_of(session, key.provider_id or "", run_id)

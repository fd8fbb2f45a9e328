"""Work the API process does besides answering requests: pull due feeds, keep plans current, run campaigns.

Board decisions and withdrawals are recorded by the routers; the plan engine
catches up with them here (``sync_catalogue_changes`` is incremental and
idempotent), right after each decision and on a timer as a safety net. The
same timer pulls the providers' feeds that are due (first, so that plans
catch up with what they withdrew in the same round), closes campaigns past
their deadline and queues reminders.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from threading import Lock

from fastapi import FastAPI

from campus.hr.jobs import run_campaign_jobs
from campus.store.clock import utcnow
from campus.store.db import get_engine, session_scope
from campus.store.settings import get_settings
from campus.tables import create_schema

log = logging.getLogger(__name__)
_plan_lock = Lock()  # one replanning round at a time (decisions can arrive in bursts)


def sync_plans() -> int:
    """Replan for catalogue changes since the last round; returns how many learners got a new plan."""
    from plan_engine.replan import sync_catalogue_changes  # loads numpy-heavy modules only when used

    with _plan_lock, session_scope() as session:
        reports = sync_catalogue_changes(session)
    changed = sum(len(r.changed) for r in reports)
    if reports:
        log.info("plans updated: %d catalogue events, %d learners with a new plan", len(reports), changed)
    return changed


def replan_module(module_id: int) -> int:
    """Plans follow the board's tag edit of an approved module, as they follow its approval.

    Tag edits are no board decisions, so ``sync_plans`` does not see them: the
    module is scored against every learner again and the plans that hold it
    are rebuilt (it may now fit others, or no longer fit its learners).
    """
    from plan_engine.replan import on_module_approved

    with _plan_lock, session_scope() as session:
        report = on_module_approved(session, module_id)
    return len(report.changed)


def replan_role_profile(role_profile_id: str) -> int:
    """Rebuild the plans of everyone HR's module preferences for this role profile apply to."""
    from campus.hr.module_preferences import learners_for_role_profile
    from campus.learners.models import LearnerProfile
    from plan_engine.planner import replan_learner

    changed = 0
    with _plan_lock, session_scope() as session:
        for learner_id in learners_for_role_profile(session, role_profile_id):
            profile = session.get(LearnerProfile, learner_id)
            if profile is not None and profile.consent:  # only stored plans are kept current
                changed += replan_learner(session, learner_id, "hr_preferences_changed").changed
    return changed


def campaign_round() -> None:
    with session_scope() as session:
        run_campaign_jobs(session, utcnow())


def feed_round() -> int:
    """Pull the providers' feeds that are due; returns how many runs were made.

    Safe to run twice at once (two workers, an overlapping round): each feed
    is claimed atomically first, and a feed another round pulled is no longer due.
    """
    from embeddings.feed_pull import PullTools, pull_due_feeds  # the encoder loads only when a feed is due

    return len(pull_due_feeds(PullTools.real))


def run_round() -> None:
    for job in (feed_round, sync_plans, campaign_round):
        try:
            job()
        except Exception:  # one failing job (e.g. database busy) must not stop the others or the timer
            log.exception("background job %s failed", job.__name__)


async def _every(seconds: float) -> None:
    while True:
        await asyncio.to_thread(run_round)
        await asyncio.sleep(seconds)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    create_schema(get_engine())  # a store made by an older version gets its new tables
    task = asyncio.create_task(_every(settings.jobs_interval_seconds)) if settings.background_jobs else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()

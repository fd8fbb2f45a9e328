"""Work the API process does besides answering requests: keep plans current, run campaign rounds.

Board decisions and withdrawals are recorded by the routers; the plan engine
catches up with them here (``sync_catalogue_changes`` is incremental and
idempotent), right after each decision and on a timer as a safety net. The
same timer closes campaigns past their deadline and queues reminders.
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


def run_round() -> None:
    for job in (sync_plans, campaign_round):
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

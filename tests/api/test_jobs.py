"""The API's background round: plans catch up with board decisions, campaigns get their reminders."""

from __future__ import annotations

import json

from sqlmodel import Session

from campus.api.jobs import run_round, sync_plans
from campus.store.base import Meta
from campus.store.db import get_engine
from plan_engine.replan import WATERMARK_KEY


def test_a_round_runs_both_jobs_and_remembers_how_far_it_got(prepared_store) -> None:
    run_round()
    with Session(get_engine()) as session:
        marker = session.get(Meta, WATERMARK_KEY)
        assert marker is not None and "decision_id" in json.loads(marker.value)
    assert sync_plans() == 0  # nothing new since the last round: no learner is replanned twice

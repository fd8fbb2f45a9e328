"""Paused interviews: keep the answers so far, hand them back on return.

The state is stored in the same JSON form as the dialogue's slot
(``InterviewState.to_slot()``), so an interview paused by any version reads
back with ``InterviewState.from_slot``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from campus.learners.identity import find_learner, learner_for
from campus.learners.models import InterviewSession
from campus.store.clock import utcnow


def pause(session: Session, channel: str, address: str, state: Mapping[str, Any]) -> None:
    learner = learner_for(session, channel, address)
    row = session.get(InterviewSession, learner.id) or InterviewSession(learner_id=learner.id)
    row.status, row.state, row.updated_at = "paused", dict(state), utcnow()
    session.add(row)


def paused_state(session: Session, channel: str, address: str) -> dict[str, Any] | None:
    learner = find_learner(session, channel, address)
    if learner is None:
        return None
    row = session.get(InterviewSession, learner.id)
    return row.state if row is not None and row.status == "paused" else None


def close(session: Session, channel: str, address: str, status: str) -> None:
    learner = find_learner(session, channel, address)
    if learner is None:
        return
    row = session.get(InterviewSession, learner.id)
    if row is not None:
        row.status, row.updated_at = status, utcnow()
        session.add(row)

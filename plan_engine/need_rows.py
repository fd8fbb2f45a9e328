"""A learner's row of the replanning matrix as stored in ``LearnerNeed``: written with each plan, read back
when the matrix is loaded, so no profile or encoder is needed to replan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from sqlmodel import Session

from campus.learners.models import LearnerNeed
from campus.store.clock import utcnow
from plan_engine.request import PlanRequest, PlanResult, Step


def store_need(session: Session, learner_id: str, request: PlanRequest, result: PlanResult, model: str,
               text_hash: str) -> LearnerNeed:
    row = session.get(LearnerNeed, learner_id) or LearnerNeed(learner_id=learner_id, model=model, text_hash=text_hash,
                                                             vector=b"")
    row.model, row.text_hash = model, text_hash
    row.vector = np.asarray(request.need_vector, dtype=np.float32).tobytes()
    row.interest_vector = (np.asarray(request.interest_vector, dtype=np.float32).tobytes()
                           if request.interest_vector is not None else None)
    data = request.to_json()
    data["plan_state"] = {"reached": result.reached, "taught": [list(pair) for pair in result.taught],
                          "steps": [step.to_json() for step in result.steps]}
    row.gaps = data
    row.preferences = data["preferences"]
    row.threshold = result.threshold
    row.units_left, row.hours_left, row.items_left = result.units_left, result.hours_left, result.items_left
    row.updated_at = utcnow()
    session.add(row)
    return row


class PlanState(Protocol):
    """What a matrix row records of a plan: a fresh :class:`PlanResult` or a :class:`StoredPlanState`."""

    @property
    def units_left(self) -> int: ...
    @property
    def hours_left(self) -> float: ...
    @property
    def items_left(self) -> int: ...
    @property
    def reached(self) -> dict[str, int]: ...
    @property
    def taught(self) -> list[tuple[str, int]]: ...
    @property
    def steps(self) -> list[Step]: ...


@dataclass(frozen=True)
class StoredPlanState:
    """A plan summary read back from ``LearnerNeed``; ``known=False`` for rows written before it was stored."""

    threshold: float | None
    units_left: int
    hours_left: float
    items_left: int
    reached: dict[str, int]
    taught: list[tuple[str, int]]
    steps: list[Step]
    known: bool


def plan_state(row: LearnerNeed) -> StoredPlanState:
    """The stored plan summary the matrix needs (``known=False`` for rows written before it existed)."""
    state = (row.gaps or {}).get("plan_state")
    return StoredPlanState(
        threshold=row.threshold, units_left=row.units_left, hours_left=row.hours_left, items_left=row.items_left,
        reached=(state or {}).get("reached", {}),
        taught=[(cid, level) for cid, level in (state or {}).get("taught", [])],
        steps=[Step.from_json(s) for s in (state or {}).get("steps", [])], known=state is not None)


def request_of(row: LearnerNeed, labels: dict[str, str] | None = None) -> PlanRequest:
    interest = np.frombuffer(row.interest_vector, dtype=np.float32) if row.interest_vector else None
    return PlanRequest.from_json(row.gaps, np.frombuffer(row.vector, dtype=np.float32), interest, labels)

"""Tables of the learners: pseudonyms and channel links, profiles with their history, plans,
what a learner decided about a module, the replanning matrix row and paused interviews.

JSON columns hold small, always-read-together structures; anything queried or joined on gets its
own column or table. All tables share one metadata (``SQLModel.metadata``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field, SQLModel

from campus.store.clock import utcnow


class Learner(SQLModel, table=True):
    id: str = Field(primary_key=True)  # pseudonym, never a channel address
    org: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ChannelIdentity(SQLModel, table=True):
    """Links a channel's sender id (stored hashed) to a learner."""

    channel: str = Field(primary_key=True)
    address_hash: str = Field(primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)


class LearnerProfile(SQLModel, table=True):
    learner_id: str = Field(foreign_key="learner.id", primary_key=True)
    organisation: str | None = None
    role_id: str | None = Field(default=None, foreign_key="roleprofile.id")
    role_text: str | None = None
    leads_staff: bool | None = None
    main_tasks: str | None = None
    depth_preference: str | None = None
    consent: bool = False
    interest_text: str | None = None
    interest_competencies: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    career_goal_role_id: str | None = None
    format_preference: str | None = None
    hours_per_month: float | None = None
    region: str | None = None
    earliest_start: str | None = None
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)
    # the registered organisation the interview answer (or a campaign invitation) named; None: unknown,
    # the ``organisation`` text stays and the learner counts as a non-member
    organisation_id: str | None = Field(default=None, foreign_key="organisation.id")
    yearly_budget_eur: float | None = None  # what the learner wants to spend per year at most (None: no limit)


class CompetencyLevel(SQLModel, table=True):
    learner_id: str = Field(foreign_key="learner.id", primary_key=True)
    competency_id: str = Field(foreign_key="competency.id", primary_key=True)
    level: int = Field(ge=0, le=4)
    source: str = "self_assessment"  # self_assessment | completed_module | hr
    updated_at: datetime = Field(default_factory=utcnow)


class ProfileEvent(SQLModel, table=True):
    """Append-only history: every profile change is an event."""

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    profile_version: int
    field: str
    value: Any = Field(default=None, sa_column=Column(JSON))
    source: str
    at: datetime = Field(default_factory=utcnow)


class Plan(SQLModel, table=True):
    """One version of a learner's plan; a new version is written for every change, never an update."""

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    version: int
    # interview_completed | module_approved | module_withdrawn | profile_changed | module_completed
    # | item_accepted | item_rejected | item_postponed
    trigger: str
    # what caused it, e.g. {"module_id": 12} or {"module_id": 12, "reason": "zu teuer"}
    trigger_detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    # against the previous version: {"added": [module ids], "removed": [...], "kept": [...]}
    diff: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    current: bool = Field(default=True, index=True)  # only the newest version of a learner is current
    created_at: datetime = Field(default_factory=utcnow)


class PlanItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    position: int
    module_id: int = Field(foreign_key="module.id", index=True)
    match_percent: int
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    status: str = "proposed"  # proposed | accepted | enrolled | postponed
    planned_month: str | None = None  # YYYY-MM
    role: str = "selected"  # selected | prerequisite | pinned
    score: float | None = None  # selection score when chosen (replanning compares new modules against it)


class LearnerModuleState(SQLModel, table=True):
    """What a learner decided about a module; survives plan versions so accepted items stay put."""

    learner_id: str = Field(foreign_key="learner.id", primary_key=True)
    module_id: int = Field(foreign_key="module.id", primary_key=True)
    status: str  # accepted | enrolled | postponed | rejected | completed | dropped
    reason: str | None = None
    planned_month: str | None = None  # accepted/enrolled: the month agreed; postponed: not before this month
    updated_at: datetime = Field(default_factory=utcnow)


class LearnerNeed(SQLModel, table=True):
    """A learner's needs as the plan engine last saw them: one row of the replanning matrix.

    Keeping the need vector, the plan request (gaps, levels, preferences,
    agreed and excluded items) and a replay record of the plan's greedy steps
    here lets a newly approved module be scored against every learner at once
    and their plans be rebuilt without re-encoding anyone or reading profiles.
    """

    learner_id: str = Field(foreign_key="learner.id", primary_key=True)
    model: str
    text_hash: str
    vector: bytes = Field(sa_column=Column(LargeBinary))
    interest_vector: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    # plan_engine.request.PlanRequest.to_json() plus "plan_state" (levels reached, pairs taught, greedy steps)
    gaps: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    preferences: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    threshold: float | None = None  # lowest selection score among the plan's selected items
    units_left: int = 0
    hours_left: float = 0
    items_left: int = 0
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class InterviewSession(SQLModel, table=True):
    """A paused interview, so the learner can continue later where they stopped."""

    learner_id: str = Field(foreign_key="learner.id", primary_key=True)
    status: str = "paused"  # paused | completed | cancelled
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    updated_at: datetime = Field(default_factory=utcnow)

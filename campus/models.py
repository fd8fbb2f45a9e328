"""SQLModel tables: the one place where the platform's state is defined.

JSON columns hold small, always-read-together structures (level descriptors,
module parts, dates); anything we query or join on gets its own column or
table.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Meta(SQLModel, table=True):
    """Key/value facts about the store itself (seed hash, schema notes)."""

    key: str = Field(primary_key=True)
    value: str


class Competency(SQLModel, table=True):
    id: str = Field(primary_key=True)
    area: str
    label: str
    description: str
    synonyms: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    levels: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    digcomp: str | None = None


class RoleProfile(SQLModel, table=True):
    id: str = Field(primary_key=True)
    org: str | None = Field(default=None, index=True)
    title: str
    description: str
    synonyms: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    leads_staff: bool = False
    # [{"competency": id, "level": 0-4, "weight": 0-1}]
    targets: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))


class Provider(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str
    kind: str
    region: str | None = None


class Module(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("provider_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: str = Field(foreign_key="provider.id", index=True)
    external_id: str
    version: int = 1
    title: str
    description: str
    learning_outcomes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    category: str
    # [{"id": competency id, "level_from": int, "level_to": int}]
    competencies: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    prerequisites: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    learning_units: int = 1
    duration_hours: float = 8
    parts: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    format: str = "online"
    language: str = "de"
    ects: float = 0
    region: str | None = None
    locations: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    dates: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON))
    price_member_eur: float = 0
    price_non_member_eur: float = 0
    proof_tiers: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    status: str = Field(default="submitted", index=True)
    content_hash: str = ""
    review_reason: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class ModuleEmbedding(SQLModel, table=True):
    """The passage vector of a module, keyed by the text it was computed from."""

    module_id: int = Field(foreign_key="module.id", primary_key=True)
    model: str
    text_hash: str
    vector: bytes = Field(sa_column=Column(LargeBinary))


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


class Outbox(SQLModel, table=True):
    """Messages for learners that a channel (widget, Telegram, dashboard) delivers later."""

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    channel: str
    text: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default="pending", index=True)  # pending | sent | failed
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class ApiKey(SQLModel, table=True):
    """An API key for providers, board members, HR and admins; only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(index=True, unique=True)
    prefix: str  # first characters, so a key can be recognised in lists without revealing it
    role: str  # provider | board | hr | admin
    provider_id: str | None = Field(default=None, foreign_key="provider.id")
    org: str | None = None
    label: str = ""
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class ModuleVersion(SQLModel, table=True):
    """Every submitted content version of a module, kept for audit and change detection."""

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="module.id", index=True)
    version: int
    content_hash: str
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    submitted_at: datetime = Field(default_factory=utcnow)


class ReviewDecision(SQLModel, table=True):
    """Audit trail of the advisory board: who decided what, why, on which version."""

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="module.id", index=True)
    module_version: int
    decision: str  # approved | rejected
    reason: str = ""
    checklist: dict[str, bool] = Field(default_factory=dict, sa_column=Column(JSON))
    reviewer_key_id: int | None = Field(default=None, foreign_key="apikey.id")
    at: datetime = Field(default_factory=utcnow)


class DuplicateFlag(SQLModel, table=True):
    """A near-duplicate of a module from another provider, for the board to look at."""

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="module.id", index=True)
    other_module_id: int = Field(foreign_key="module.id")
    similarity: float
    resolved: bool = False
    at: datetime = Field(default_factory=utcnow)


class InterviewSession(SQLModel, table=True):
    """A paused interview, so the learner can continue later where they stopped."""

    learner_id: str = Field(foreign_key="learner.id", primary_key=True)
    status: str = "paused"  # paused | completed | cancelled
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    updated_at: datetime = Field(default_factory=utcnow)


class ChannelLinkCode(SQLModel, table=True):
    """A short-lived code that connects another channel (phone, Telegram) to the same learner.

    Only a keyed hash of the code is stored; a code works once and expires.
    """

    code_hash: str = Field(primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    expires_at: datetime
    used_at: datetime | None = None


class TelegramChat(SQLModel, table=True):
    """Where the Telegram bridge can reach a Telegram identity, for proactive messages (outbox).

    Keyed like ``ChannelIdentity`` (channel "telegram", keyed hash of the
    bridge's sender id), so a learner found through the identity link is
    reached even after a link code moved the identity to another pseudonym.
    The chat id (for private chats the Telegram user id) is stored encrypted
    with a key derived from the platform secret; the phone number is never seen.
    """

    address_hash: str = Field(primary_key=True)
    chat_id_encrypted: str
    reachable: bool = True  # False once the user blocked the bot (HTTP 403); True again when they write
    unreachable_since: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class OrgRoleProfile(SQLModel, table=True):
    """Bookkeeping for an organisation's own role profile (HR).

    The profile itself is a ``RoleProfile`` row with ``org`` set, so the
    interview and the plan engine use it exactly like a global one; this row
    records which global profile it was copied from and its edit history count.
    """

    role_profile_id: str = Field(foreign_key="roleprofile.id", primary_key=True)
    org: str = Field(index=True)
    based_on: str | None = None  # the global RoleProfile id it was copied from
    revision: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class HrModulePreference(SQLModel, table=True):
    """A module HR recommends or assigns for an organisation's role profile (a strong plan preference)."""

    role_profile_id: str = Field(foreign_key="roleprofile.id", primary_key=True)
    module_id: int = Field(foreign_key="module.id", primary_key=True)
    org: str = Field(index=True)
    kind: str = "recommended"  # recommended | assigned
    created_at: datetime = Field(default_factory=utcnow)


class Campaign(SQLModel, table=True):
    """An HR interview campaign: one org role profile, a list of invitees, a message, start and deadline."""

    id: int | None = Field(default=None, primary_key=True)
    org: str = Field(index=True)
    name: str
    role_profile_id: str = Field(foreign_key="roleprofile.id", index=True)
    message: str
    starts_at: datetime
    deadline: datetime
    status: str = Field(default="draft", index=True)  # draft | running | closed
    # the role profile's targets when the campaign started, so later edits do not change its results
    targets: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    # the anonymised results, computed once when the campaign closes (never recomputed: no differencing)
    report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_by_key_id: int | None = Field(default=None, foreign_key="apikey.id")
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    closed_at: datetime | None = None


class Invitation(SQLModel, table=True):
    """One invitee of a campaign.

    HR's employee reference and the delivery address are personal data: both
    are stored encrypted, the address only until the invitation no longer needs
    delivering. ``ref_hash`` (keyed) finds duplicates without decrypting.
    The link to a learner lives in ``InvitationLearner`` so that erasing the
    learner removes it without touching HR's counts.
    """

    __table_args__ = (UniqueConstraint("campaign_id", "ref_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    public_id: str = Field(index=True, unique=True)  # random; the signed token carries it
    ref_hash: str
    ref_sealed: str
    channel: str  # widget | telegram
    address_sealed: str | None = None
    address_kind: str | None = None  # email | telegram
    status: str = Field(default="pending", index=True)  # pending | invited | started | completed | declined
    status_at: datetime = Field(default_factory=utcnow)
    reminded_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class InvitationEvent(SQLModel, table=True):
    """Status history of an invitation (invited → started → completed / declined)."""

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="invitation.id", index=True)
    status: str
    at: datetime = Field(default_factory=utcnow)


class InvitationLearner(SQLModel, table=True):
    """Which learner took up an invitation (set when the conversation starts from the signed link)."""

    invitation_id: int = Field(foreign_key="invitation.id", primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    linked_at: datetime = Field(default_factory=utcnow)


class InvitationDelivery(SQLModel, table=True):
    """An invitation or reminder message for an invitee who is not (yet) a learner.

    ``Outbox`` needs a learner; before the invitee opens the link there is
    none, only the address HR gave. A relay (e-mail) reads pending rows, the
    address comes from the invitation (decrypted only for sending).
    """

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="invitation.id", index=True)
    kind: str  # invitation | reminder
    channel: str  # email | telegram
    text: str
    status: str = Field(default="pending", index=True)  # pending | sent | failed | cancelled
    due_at: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None

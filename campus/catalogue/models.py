"""Tables of the catalogue: the competency framework, role profiles, providers, modules with
their versions, vectors, board decisions and near-duplicate flags, provider feeds and their runs.

JSON columns hold small, always-read-together structures; anything queried or joined on gets its
own column or table. All tables share one metadata (``SQLModel.metadata``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from campus.store.clock import utcnow


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
    contact: str | None = None  # whom the platform writes to about reviews and feed runs (e-mail)
    created_at: datetime = Field(default_factory=utcnow)


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
    # [{"id": competency id, "level_from": int, "level_to": int, "source": provider|feed|inferred|board,
    #   "confidence": 0-1}] (older rows may lack source and confidence: they came from the provider)
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
    url: str | None = None  # the course page at the provider (the MOOChub course id for feeds)
    license: str | None = None
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    status: str = Field(default="submitted", index=True)
    # what the board should look at besides the content, e.g. "no_fitting_competency" (set by ingest)
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    content_hash: str = ""
    review_reason: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class ModuleEmbedding(SQLModel, table=True):
    """The passage vector of a module, keyed by the text it was computed from."""

    module_id: int = Field(foreign_key="module.id", primary_key=True)
    model: str
    text_hash: str
    vector: bytes = Field(sa_column=Column(LargeBinary))


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


class ProviderFeed(SQLModel, table=True):
    """A provider's MOOChub v3 feed the platform pulls on a schedule and on demand (one per provider)."""

    provider_id: str = Field(foreign_key="provider.id", primary_key=True)
    url: str
    active: bool = True
    interval_hours: float = 24.0
    # external ids missing from the last complete pull: withdrawn if they are missing again from the next one
    missing: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    last_run_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # external ids this feed has delivered: only these are ever withdrawn for missing from it (modules the
    # provider sent another way stay)
    delivered: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    running_since: datetime | None = None  # set while a pull runs, so that a second process does not run it too


class FeedRun(SQLModel, table=True):
    """One pull (or upload) of a provider's feed and its report: counts and per course what happened."""

    id: int | None = Field(default=None, primary_key=True)
    provider_id: str = Field(foreign_key="provider.id", index=True)
    source: str  # the URL, or "upload"
    trigger: str = "schedule"  # schedule | on_demand | upload | cli
    status: str = "running"  # running | complete | partial | failed
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    # {"created": n, "updated": n, "unchanged": n, "withdrawn": n, "rejected": n, "courses": [...], "errors": [...]}
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class FetchAllowedHost(SQLModel, table=True):
    """An intranet host an admin allows feed URLs to point at (public hosts need no entry)."""

    host: str = Field(primary_key=True)  # lower-case host name or IP literal
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class TagChange(SQLModel, table=True):
    """Audit trail of a module's competency tags: who changed them, when, and what they were before and after.

    Append only, like ``ReviewDecision``: tags decide what a module is
    recommended for, so every board edit, confirmation, approval and re-tag
    after a framework change leaves one row with the complete lists.
    """

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="module.id", index=True)
    module_version: int
    action: str  # replace | confirm | remove | approve | retag
    competency_id: str | None = None  # the one tag a confirm or remove was about
    before: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    after: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    note: str = ""
    reviewer_key_id: int | None = Field(default=None, foreign_key="apikey.id")
    at: datetime = Field(default_factory=utcnow)

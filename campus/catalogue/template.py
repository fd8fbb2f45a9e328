"""The standardised module template, as validated input.

Seed data and (later) provider ingest both go through :class:`ModuleIn`, so a
module that reaches the store has passed the same checks whichever door it
came through.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Category = Literal["Basismodul", "Intensivmodul", "Bonusmodul"]
Format = Literal["online", "presence", "blended"]
PartKind = Literal["online_prep", "presence_workshop", "online_follow_up"]
ProofTier = Literal["participation", "scores", "certificate"]
Status = Literal["submitted", "approved", "rejected", "withdrawn"]
# Where a competency tag comes from: the provider named our id, the feed named a skill we could map (a
# crosswalk or a lookup), the platform inferred it from the text, or the board set it.
TagSource = Literal["provider", "feed", "inferred", "board"]
MAX_COMPETENCIES = 10


class CompetencyTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64)
    level_from: int = Field(ge=0, le=4)
    level_to: int = Field(ge=0, le=4)
    source: TagSource = "provider"
    confidence: float = Field(default=1.0, ge=0, le=1)

    @model_validator(mode="after")
    def _raises_level(self) -> CompetencyTarget:
        if self.level_to <= self.level_from:
            raise ValueError("level_to must be greater than level_from")
        return self


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: PartKind
    hours: float = Field(ge=0, le=500)
    weeks: int | None = Field(default=None, ge=1, le=52)


class DateWindow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> DateWindow:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class ModuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str = Field(min_length=1, max_length=128)
    provider: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=3, max_length=300)
    description: str = Field(min_length=10, max_length=10_000)
    learning_outcomes: list[str] = Field(default_factory=list, max_length=30)
    category: Category
    # may be empty: the platform then tags the module from its text (embeddings.tagging) for the board
    competencies: list[CompetencyTarget] = Field(default_factory=list, max_length=MAX_COMPETENCIES)
    prerequisites: list[str] = Field(default_factory=list, max_length=20)
    learning_units: int = Field(ge=1, le=20)
    duration_hours: float = Field(gt=0, le=1000)
    parts: list[Part] = Field(default_factory=list, max_length=10)
    format: Format
    language: str = Field(default="de", pattern=r"^[a-z]{2}$")
    ects: float = Field(default=0, ge=0, le=30)
    region: str | None = Field(default=None, max_length=100)
    locations: list[str] = Field(default_factory=list, max_length=50)
    dates: list[DateWindow] = Field(default_factory=list, max_length=50)
    price_member_eur: float = Field(default=0, ge=0, le=100_000)
    price_non_member_eur: float = Field(default=0, ge=0, le=100_000)
    proof_tiers: list[ProofTier] = Field(default_factory=list)
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")
    license: str | None = Field(default=None, max_length=300)
    # what else the provider says about the topic (MOOChub keywords, subject labels): hints for tagging
    keywords: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50)
    status: Status = "submitted"

    @field_validator("competencies")
    @classmethod
    def _unique_competencies(cls, value: list[CompetencyTarget]) -> list[CompetencyTarget]:
        ids = [c.id for c in value]
        if len(ids) != len(set(ids)):
            raise ValueError("each competency may appear only once")
        return value

    def passage_text(self) -> str:
        return module_passage_text(self.title, self.description, self.learning_outcomes)


def module_passage_text(title: str, description: str, outcomes: list[str]) -> str:
    """The text a module is embedded and searched by (title, description, outcomes)."""
    parts = [title.strip(), description.strip()]
    if outcomes:
        parts.append("Lernziele: " + " ".join(o.strip() for o in outcomes))
    return "\n".join(parts)

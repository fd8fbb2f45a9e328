"""The plan engine's input and output, free of any database: what the learner needs and what we propose.

A :class:`PlanRequest` serialises to JSON, so the replanning matrix can
rebuild any learner's plan from one stored row without reading profiles.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from campus.store.settings import Settings
from plan_engine.constraints import Preferences
from plan_engine.gaps import Gap
from plan_engine.recommend import Recommendation, Weights


@dataclass(frozen=True)
class Limits:
    """Learning-path structure and score knobs; from the ``KC_PLAN_*`` settings in production."""

    max_units: int = 5  # units of one learning path (the KommunalCampus rule: at most five per Lernpfad)
    max_items: int = 5
    max_paths: int = 1  # learning paths one after the other within the horizon
    min_score: float = 0.15
    format_penalty: float = 0.1
    preferred_boost: float = 0.5
    weights: Weights = Weights()

    @property
    def unit_budget(self) -> int:
        """Units the whole plan may hold: a module fits into one path, the plan into ``max_paths`` of them."""
        return self.max_units * self.max_paths

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_units=settings.plan_max_learning_units, max_items=settings.plan_size,
            max_paths=settings.plan_max_paths,
            min_score=settings.plan_min_score, format_penalty=settings.plan_format_penalty,
            preferred_boost=settings.plan_preferred_boost,
            weights=Weights(settings.weight_gap, settings.weight_semantic),
        )


@dataclass(frozen=True)
class PinnedItem:
    """An item the learner said yes to (accepted/enrolled) or asked to move (postponed)."""

    module_id: int
    status: str
    month: str | None = None  # accepted/enrolled: agreed month; postponed: not before this month


@dataclass
class PlanRequest:
    gaps: dict[str, Gap]
    levels: dict[str, int]
    need_vector: npt.NDArray[np.float32]
    preferences: Preferences = field(default_factory=Preferences)
    labels: dict[str, str] = field(default_factory=dict)
    interest_vector: npt.NDArray[np.float32] | None = None
    interest_text: str | None = None
    role_title: str | None = None
    career_title: str | None = None
    pinned: tuple[PinnedItem, ...] = ()
    excluded: frozenset[int] = frozenset()  # rejected, completed or dropped modules
    completed: frozenset[int] = frozenset()
    preferred: frozenset[int] = frozenset()  # e.g. assigned by HR: strongly boosted

    def to_json(self) -> dict[str, Any]:
        """Everything but the vectors (stored as bytes next to it) and the labels (from the framework)."""
        prefs = asdict(self.preferences)
        start = self.preferences.earliest_start
        prefs["earliest_start"] = start.isoformat() if start else None
        return {
            "gaps": [asdict(g) for g in self.gaps.values()],
            "levels": dict(self.levels),
            "preferences": prefs,
            "interest_text": self.interest_text, "role_title": self.role_title, "career_title": self.career_title,
            "pinned": [asdict(p) for p in self.pinned],
            "excluded": sorted(self.excluded), "completed": sorted(self.completed),
            "preferred": sorted(self.preferred),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], need_vector: npt.NDArray[np.float32],
                  interest_vector: npt.NDArray[np.float32] | None = None,
                  labels: dict[str, str] | None = None) -> PlanRequest:
        prefs = dict(data.get("preferences") or {})
        if prefs.get("earliest_start"):
            prefs["earliest_start"] = date.fromisoformat(prefs["earliest_start"])
        return cls(
            gaps={g["competency_id"]: Gap(**g) for g in data.get("gaps", [])},
            levels={k: int(v) for k, v in (data.get("levels") or {}).items()},
            need_vector=need_vector, preferences=Preferences(**prefs), labels=labels or {},
            interest_vector=interest_vector, interest_text=data.get("interest_text"),
            role_title=data.get("role_title"), career_title=data.get("career_title"),
            pinned=tuple(PinnedItem(**p) for p in data.get("pinned", [])),
            excluded=frozenset(data.get("excluded", [])), completed=frozenset(data.get("completed", [])),
            preferred=frozenset(data.get("preferred", [])),
        )


@dataclass
class PlanResult:
    items: list[Recommendation]
    warnings: list[str] = field(default_factory=list)
    threshold: float | None = None  # lowest selection score among selected items; None: nothing selected
    units_left: int = 0
    hours_left: float = 0.0
    items_left: int = 0
    # the plan's end state, for the replanning matrix: levels the plan raises gaps to, (competency, level) taught
    reached: dict[str, int] = field(default_factory=dict)
    taught: list[tuple[str, int]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)


@dataclass
class Step:
    """One greedy step of a plan, as the replanning matrix replays it: the score of the module it added, and
    the units, hours, gap levels and (competency, level) pairs the plan had just before."""

    score: float
    units: int
    hours: float
    reached: dict[str, int] = field(default_factory=dict)  # gap competencies above the learner's level
    taught: list[tuple[str, int]] = field(default_factory=list)
    tier: int = 0  # 2: a named interest, 1: a gap the learner rated or named, 0: the role's gaps only

    def to_json(self) -> dict[str, Any]:
        return {"score": self.score, "units": self.units, "hours": self.hours, "reached": self.reached,
                "taught": [list(t) for t in self.taught], "tier": self.tier}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        return cls(float(data["score"]), int(data["units"]), float(data["hours"]),
                   {k: int(v) for k, v in data.get("reached", {}).items()},
                   [(c, int(lt)) for c, lt in data.get("taught", [])], int(data.get("tier", 0)))

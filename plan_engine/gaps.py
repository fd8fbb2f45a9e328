"""Gap analysis: where does the learner stand against what the role (and the career goal) needs?

A gap is ``target − current`` levels on one competency, weighted by how
important the competency is and by how sure we are about the current level:

* targets come from the role profile (full weight), the career goal's role
  (weight × ``career_weight``, so today's job comes first) and interests
  (a modest target at ``interest_weight``);
* a level proven by evidence (a completed module, HR) is trusted fully; a
  self-assessment slightly less (``self_confidence``) and an unassessed
  competency, counted as level 0, half (``unassessed_confidence``), unless it
  is only there because the learner named it as an interest: then its need
  counts like a self-assessment.
  The confidence discounts the gap's *need*, so among equally large gaps the
  one we are surest about is closed first; it never changes the level
  arithmetic shown to the learner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

INTEREST_WEIGHT = 0.5
INTEREST_TARGET = 2
CAREER_WEIGHT = 0.5
SELF_CONFIDENCE = 0.9
# an unassessed competency counts half: the learner's own words (interests, self-rated gaps) come first,
# the role profile fills in (bench/plan_quality.py: 13 → 15 of 18 personas, named topics 23 → 25 of 28)
UNASSESSED_CONFIDENCE = 0.5
EVIDENCE_SOURCES = frozenset({"completed_module", "hr"})


@dataclass(frozen=True)
class Gap:
    competency_id: str
    current: int
    target: int
    weight: float
    assessed: bool
    from_interest: bool = False
    confidence: float = 1.0
    from_career: bool = False
    evidence: bool = False
    from_role: bool = False

    @property
    def interest_only(self) -> bool:
        return self.from_interest and not self.from_role and not self.from_career

    @property
    def size(self) -> int:
        return max(0, self.target - self.current)

    @property
    def per_level(self) -> float:
        """What closing one level of this gap is worth."""
        return self.weight * self.confidence

    @property
    def need(self) -> float:
        """Importance-weighted gap in levels; the quantity selection tries to close."""
        return self.size * self.per_level


def confidence_of(source: str | None, self_confidence: float, unassessed_confidence: float) -> float:
    if source is None:
        return unassessed_confidence
    return 1.0 if source in EVIDENCE_SOURCES else self_confidence


def analyse_gaps(
    targets: Sequence[Mapping[str, Any]],
    levels: Mapping[str, int],
    interest_competencies: Iterable[str] = (),
    *,
    career_targets: Iterable[Mapping[str, Any]] = (),
    sources: Mapping[str, str] | None = None,
    career_weight: float = CAREER_WEIGHT,
    interest_weight: float = INTEREST_WEIGHT,
    self_confidence: float = SELF_CONFIDENCE,
    unassessed_confidence: float = UNASSESSED_CONFIDENCE,
) -> dict[str, Gap]:
    """Role targets, then career-goal targets, then interests; an unassessed competency counts as level 0.

    ``sources`` maps a competency to where its level came from
    (``self_assessment``, ``completed_module``, ``hr``); without it every
    given level counts as self-assessed.
    """
    def make(cid: str, target: int, weight: float, **flags: bool) -> Gap:
        source = (sources or {}).get(cid, "self_assessment") if cid in levels else None
        return Gap(cid, int(levels.get(cid, 0)), int(target), float(weight), cid in levels,
                   confidence=confidence_of(source, self_confidence, unassessed_confidence),
                   evidence=source in EVIDENCE_SOURCES, **flags)

    gaps: dict[str, Gap] = {}
    for target in targets:
        cid = target["competency"]
        gaps[cid] = make(cid, int(target["level"]), float(target.get("weight", 1.0)), from_role=True)
    for target in career_targets:
        cid, level = target["competency"], int(target["level"])
        weight = float(target.get("weight", 1.0)) * career_weight
        existing = gaps.get(cid)
        if existing is None:
            gaps[cid] = make(cid, level, weight, from_career=True)
        elif level > existing.target:
            # the levels beyond today's role target count at the (lower) career weight
            role_levels, extra = existing.size, level - max(existing.target, existing.current)
            blended = (existing.weight * role_levels + weight * extra) / max(1, role_levels + extra)
            gaps[cid] = make(cid, level, blended, from_career=True, from_role=True)
    for cid in interest_competencies:
        existing = gaps.get(cid)
        # the learner named it: its need is as sure as a self-assessment even where the level was not asked
        named = max(self_confidence, confidence_of(None, self_confidence, unassessed_confidence))
        if existing is None:
            current = int(levels.get(cid, 0))
            gap = make(cid, max(current + 1, INTEREST_TARGET), interest_weight, from_interest=True)
            gaps[cid] = gap if gap.assessed else replace(gap, confidence=named)
        else:
            # an interest in a role competency makes it matter more, never less; its confidence stays that of
            # its level, so a named topic the learner also rated low comes before one nobody asked about
            gaps[cid] = replace(existing, weight=min(1.0, existing.weight + 0.2), from_interest=True)
    return gaps


@dataclass(frozen=True)
class GapVectors:
    """The gaps laid out over the catalogue's competency index, for vectorised coverage."""

    current: npt.NDArray[np.int16]  # (C,)
    target: npt.NDArray[np.int16]  # (C,)
    per_level: npt.NDArray[np.float32]  # (C,), 0 where there is no gap
    max_need: float


def gap_vectors(gaps: Mapping[str, Gap], competency_index: Mapping[str, int]) -> GapVectors:
    size = len(competency_index)
    current = np.zeros(size, dtype=np.int16)
    target = np.zeros(size, dtype=np.int16)
    per_level = np.zeros(size, dtype=np.float32)
    for cid, gap in gaps.items():
        position = competency_index.get(cid)
        if position is None:
            continue
        current[position], target[position] = gap.current, gap.target
        per_level[position] = gap.per_level if gap.size > 0 else 0.0
    max_need = max((g.need for g in gaps.values()), default=0.0)
    return GapVectors(current, target, per_level, float(max_need))

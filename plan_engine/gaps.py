"""Gap analysis: where does the learner stand against what the role needs?"""

from __future__ import annotations

from dataclasses import dataclass

INTEREST_WEIGHT = 0.5
INTEREST_TARGET = 2


@dataclass(frozen=True)
class Gap:
    competency_id: str
    current: int
    target: int
    weight: float
    assessed: bool
    from_interest: bool = False

    @property
    def size(self) -> int:
        return max(0, self.target - self.current)

    @property
    def need(self) -> float:
        """Importance-weighted gap in levels; the quantity selection tries to close."""
        return self.size * self.weight


def analyse_gaps(
    targets: list[dict],
    levels: dict[str, int],
    interest_competencies: list[str] = (),
) -> dict[str, Gap]:
    """Role targets plus interests; an unassessed competency counts as level 0."""
    gaps: dict[str, Gap] = {}
    for target in targets:
        cid = target["competency"]
        gaps[cid] = Gap(cid, levels.get(cid, 0), int(target["level"]), float(target.get("weight", 1.0)), cid in levels)
    for cid in interest_competencies:
        current = levels.get(cid, 0)
        existing = gaps.get(cid)
        if existing is None:
            gaps[cid] = Gap(cid, current, max(current + 1, INTEREST_TARGET), INTEREST_WEIGHT, cid in levels, True)
        else:
            # an interest in a role competency makes it matter more, never less
            gaps[cid] = Gap(cid, existing.current, existing.target, min(1.0, existing.weight + 0.2),
                            existing.assessed, True)
    return gaps

"""Vectorised gap coverage: how much of the learner's weighted need each module closes.

One function serves the first plan, every greedy step and the replanning
matrix, so a module is scored the same way wherever it is looked at.
"""

from __future__ import annotations

import numpy as np

from plan_engine.gaps import GapVectors

TOO_ADVANCED_DISCOUNT = 0.5
SIM_FLOOR = 0.76
SIM_CEILING = 0.89


def semantic_fit(similarity: np.ndarray | float, floor: float = SIM_FLOOR, ceiling: float = SIM_CEILING):
    """Cosine similarity mapped linearly from ``[floor, ceiling]`` onto 0..1 (see ``recommend`` for why)."""
    return np.clip((np.asarray(similarity) - floor) / (ceiling - floor), 0.0, 1.0)


def closed_need(
    comp: np.ndarray, level_from: np.ndarray, level_to: np.ndarray, gaps: GapVectors, reached: np.ndarray,
    discount: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted levels each (module, competency) closes above ``reached``, and the level it ends at.

    ``reached`` is the learner's level per competency, raised by modules
    already in the plan, so a module repeating what the plan already
    teaches closes nothing. A module starting above the reached level
    counts half per missing level (``discount``); the bound used to prune
    candidates and to flag learners for replanning leaves it out.
    """
    valid = comp >= 0
    c = np.where(valid, comp, 0)
    base = reached[c]
    start = np.maximum(level_from, base)
    end = np.minimum(level_to, gaps.target[c])
    gained = np.maximum(end - start, 0).astype(np.float32)
    closed = gained * gaps.per_level[c]
    if discount:
        closed = closed * np.float32(TOO_ADVANCED_DISCOUNT) ** np.maximum(level_from - base, 0)
    closed = np.where(valid, closed, 0.0)
    end_level = np.where(valid & (gained > 0), np.maximum(base, end), base)
    return closed, end_level


def coverage(closed: np.ndarray, max_need: float) -> np.ndarray:
    """Closed need relative to the learner's largest single need, capped at 1."""
    if max_need <= 0:
        return np.zeros(closed.shape[0], dtype=np.float32)
    return np.minimum(1.0, closed.sum(axis=1) / max_need)


def closed_bound(by_competency, gaps: GapVectors, size: int) -> np.ndarray:
    """Per module: weighted levels it could close from the learner's current levels, without the discount.

    Walks only the competencies the learner has a gap in (CSR lists from the
    catalogue), so the cost follows the learner's gaps, not the catalogue size.
    """
    closed = np.zeros(size, dtype=np.float32)
    for c in np.nonzero(gaps.per_level > 0)[0]:
        rows, level_from, level_to = by_competency[c]
        gained = np.maximum(np.minimum(level_to, gaps.target[c]) - np.maximum(level_from, gaps.current[c]), 0)
        closed[rows] += gained.astype(np.float32) * gaps.per_level[c]  # a module lists a competency once
    return closed

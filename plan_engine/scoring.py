"""Vectorised gap coverage: how much of the learner's weighted need each module closes.

One function serves the first plan, every greedy step and the replanning
matrix, so a module is scored the same way wherever it is looked at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from plan_engine.catalogue import CatalogueArrays, CompetencyRows
from plan_engine.constraints import Window, available, format_adjustment
from plan_engine.gaps import GapVectors
from plan_engine.request import Limits, PlanRequest

TOO_ADVANCED_DISCOUNT = 0.5
SIM_FLOOR = 0.76
SIM_CEILING = 0.89


@overload
def semantic_fit(similarity: float) -> float: ...
@overload
def semantic_fit(similarity: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.floating[Any]]: ...
def semantic_fit(similarity: float | npt.NDArray[np.floating[Any]]) -> float | npt.NDArray[np.floating[Any]]:
    """Cosine similarity mapped linearly from ``[SIM_FLOOR, SIM_CEILING]`` onto 0..1 (see ``recommend`` for why).

    A single cosine gives a numpy float64, which is a ``float``; an array gives an array.
    """
    cosine: npt.NDArray[np.floating[Any]] = np.asarray(similarity)
    fit: npt.NDArray[np.floating[Any]] = np.clip((cosine - SIM_FLOOR) / (SIM_CEILING - SIM_FLOOR), 0.0, 1.0)
    return fit


def closed_need(
    comp: npt.NDArray[np.int32], level_from: npt.NDArray[np.int16], level_to: npt.NDArray[np.int16],
    gaps: GapVectors, reached: npt.NDArray[np.int16],
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int16]]:
    """Weighted levels each (module, competency) closes above ``reached``, and the level it ends at.

    ``reached`` is the learner's level per competency, raised by modules
    already in the plan, so a module repeating what the plan already
    teaches closes nothing. A module starting above the reached level
    counts half per missing level; the bound used to prune candidates
    (:func:`closed_bound`) leaves that discount out.
    """
    valid = comp >= 0
    c = np.where(valid, comp, 0)
    base = reached[c]
    start = np.maximum(level_from, base)
    end = np.minimum(level_to, gaps.target[c])
    gained = np.maximum(end - start, 0).astype(np.float32)
    closed = gained * gaps.per_level[c]
    closed = closed * np.float32(TOO_ADVANCED_DISCOUNT) ** np.maximum(level_from - base, 0)
    closed = np.where(valid, closed, 0.0)
    end_level = np.where(valid & (gained > 0), np.maximum(base, end), base)
    return closed, end_level


def coverage(closed: npt.NDArray[np.float32], max_need: float) -> npt.NDArray[np.float32]:
    """Closed need relative to the learner's largest single need, capped at 1."""
    if max_need <= 0:
        return np.zeros(closed.shape[0], dtype=np.float32)
    total: npt.NDArray[np.float32] = closed.sum(axis=1)
    capped: npt.NDArray[np.float32] = np.minimum(1.0, total / max_need)
    return capped


def closed_bound(by_competency: Sequence[CompetencyRows], gaps: GapVectors, size: int) -> npt.NDArray[np.float32]:
    """Per module: weighted levels it could close from the learner's current levels, without the discount.

    Walks only the competencies the learner has a gap in (CSR lists from the
    catalogue), so the cost follows the learner's gaps, not the catalogue size.
    """
    closed = np.zeros(size, dtype=np.float32)
    for c in np.nonzero(gaps.per_level > 0)[0]:
        rows, level_from, level_to = by_competency[int(c)]
        gained = np.maximum(np.minimum(level_to, gaps.target[c]) - np.maximum(level_from, gaps.current[c]), 0)
        closed[rows] += gained.astype(np.float32) * gaps.per_level[c]  # a module lists a competency once
    return closed


@dataclass
class Scores:
    """Per-module parts of the score for one learner, over the whole catalogue."""

    semantic: npt.NDArray[np.float32]
    adjust: npt.NDArray[np.float32]  # preferences: format penalty, HR boost
    bound: npt.NDArray[np.floating[Any]]  # upper bound of the score at any greedy step
    available: npt.NDArray[np.bool_]


def score_catalogue(arrays: CatalogueArrays, request: PlanRequest, gv: GapVectors, window: Window,
                    limits: Limits) -> Scores:
    semantic = semantic_fit(arrays.vectors @ request.need_vector).astype(np.float32)
    adjust = format_adjustment(arrays.format_code, request.preferences, limits.format_penalty)
    if request.preferred:
        preferred = np.isin(arrays.ids, np.fromiter(request.preferred, dtype=np.int64))
        adjust = adjust + np.where(preferred, limits.preferred_boost, 0.0).astype(np.float32)
    closed = closed_bound(arrays.by_competency, gv, len(arrays))
    cov = np.minimum(1.0, closed / gv.max_need) if gv.max_need > 0 else np.zeros(len(arrays), np.float32)
    bound = limits.weights.gap * cov + limits.weights.semantic * semantic + adjust
    return Scores(semantic, adjust, bound, available(arrays, request.preferences, window, limits.max_units))

"""What the selection builds up: the chosen modules with their roles, scores, slots, and its greedy steps.

Kept apart from :mod:`plan_engine.select` (how modules are chosen) so that the
engine reading a finished selection does not depend on the choosing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from plan_engine.schedule import Slot


@dataclass(frozen=True)
class StepState:
    score: float
    units: int
    hours: float
    reached: npt.NDArray[np.int16]  # levels per catalogue competency before the step
    keys: frozenset[int]  # (competency, level) pairs taught before the step
    tier: int = 0  # the tier that won the step (``Selector._scores``): a higher one beats any score


@dataclass
class Selection:
    chosen: list[int] = field(default_factory=list)  # catalogue positions, in the order chosen
    role: dict[int, str] = field(default_factory=dict)
    score: dict[int, float] = field(default_factory=dict)
    coverage: dict[int, float] = field(default_factory=dict)
    covered: dict[int, dict[str, int]] = field(default_factory=dict)
    levels_before: dict[int, dict[str, int]] = field(default_factory=dict)
    prerequisite_for: dict[int, int] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)
    slots: dict[int, Slot] = field(default_factory=dict)
    after: dict[int, list[int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    units: int = 0
    hours: float = 0.0
    # per greedy step that added a module: its score and the plan's state just before it
    steps: list[StepState] = field(default_factory=list)

"""The replanning matrix: every learner's need vector, gaps and plan state, side by side in numpy.

When a module is approved we want to know, for all learners at once, whether
it could enter their plan. Each learner contributes one row (persisted in
``LearnerNeed`` whenever their plan is built): the need vector, current and
target level and weight per gap, preferences, and a replay record of their
plan's greedy steps: for every step, the score of the module it added and
the state just before it (units and hours used, gap levels reached,
competency/level pairs taught), plus the state after the last step.

The new module's score at each of those states is computed for every learner
at once (one matrix-vector product for the semantic part, a few column
operations for the coverage), exactly as the greedy would compute it. It can
change a plan only if it could win one of the steps (score at that state ≥
the step's score, teaches something new, repeats no pair, fits the units and
hours left then) or be added after the last one (score ≥ the minimum, room
left), and if the learner can take it at all (format, region, dates, size, a
month by which its hours are saved up). Only those learners are rebuilt. The
filter may flag a learner whose plan then stays the same (the schedule or a
prerequisite can still refuse the module), but it never misses one whose
plan would change; ``tests/unit/plan_engine/test_plan_properties.py`` checks that.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campus.learners.models import LearnerNeed
from campus.store.ids import stored_id
from plan_engine.catalogue import NATIONWIDE, CatalogueArrays, CatalogueModule
from plan_engine.constraints import region_keys
from plan_engine.need_rows import PlanState, plan_state, request_of
from plan_engine.request import Limits, PlanRequest
from plan_engine.scoring import TOO_ADVANCED_DISCOUNT, semantic_fit

EPS = 1e-6
EPOCH = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class ModuleFeatures:
    """One module as the matrix needs it."""

    module_id: int
    vector: npt.NDArray[np.float32]
    competencies: tuple[tuple[str, int, int], ...]
    hours: float
    units: int
    format: str
    everywhere: bool
    places: tuple[str, ...]
    window_starts: npt.NDArray[np.int64]  # ordinals; empty = self-paced

    @classmethod
    def of(cls, module: CatalogueModule, vector: npt.ArrayLike) -> ModuleFeatures:
        region = (module.region or "").strip().lower()
        everywhere = module.format == "online" or region in ("", NATIONWIDE)
        places = () if everywhere else tuple(sorted({region, *(x.strip().lower() for x in module.locations)}))
        starts = np.array(sorted(date.fromisoformat(str(w["start"])).toordinal() for w in module.dates),
                          dtype=np.int64)
        return cls(stored_id(module.id), np.asarray(vector, dtype=np.float32),
                   tuple((c["id"], int(c["level_from"]), int(c["level_to"])) for c in module.competencies),
                   float(module.duration_hours), int(module.learning_units), module.format, everywhere, places,
                   starts)

    @classmethod
    def from_arrays(cls, arrays: CatalogueArrays, position: int) -> ModuleFeatures:
        return cls.of(arrays.modules[position], arrays.vectors[position])


class NeedMatrix:
    """Rows of learner needs; grows in place, updates a learner's row when their plan is rebuilt.

    ``steps`` is the most greedy steps a plan can have (the item limit); a
    stored plan with more (the limit was lowered since) counts as unknown and
    is always rebuilt.
    """

    # one row per learner (rows from ``len(self)`` on are spare capacity), allocated in ``_allocate``
    vectors: npt.NDArray[np.float32]  # need vectors
    current: npt.NDArray[np.int8]  # level per gap column
    target: npt.NDArray[np.int8]
    per_level: npt.NDArray[np.float32]  # what a level of the gap is worth; 0 = no gap
    max_need: npt.NDArray[np.float32]
    online_only: npt.NDArray[np.bool_]
    presence_pref: npt.NDArray[np.bool_]
    region_a: npt.NDArray[np.int32]  # place index of the region answer, -1 = none
    region_b: npt.NDArray[np.int32]  # place index of its state, -1 = none
    earliest: npt.NDArray[np.int64]  # date ordinal, 0 = no earliest start
    horizon: npt.NDArray[np.int16]  # months
    budget: npt.NDArray[np.float32]  # hours over the horizon
    per_month: npt.NDArray[np.float32]
    known: npt.NDArray[np.bool_]  # False: the plan's steps are unknown, always rebuild
    units_left: npt.NDArray[np.int16]
    hours_left: npt.NDArray[np.float32]
    items_left: npt.NDArray[np.int16]
    named: npt.NDArray[np.bool_]  # (rows, columns): a named interest with a gap
    own: npt.NDArray[np.bool_]  # (rows, columns): a gap the learner rated or named (not only the role's)
    final: npt.NDArray[np.int8]  # levels reached after the last step
    taught: npt.NDArray[np.uint8]  # per column, bit ``level`` set for each (competency, level) taught
    step_score: npt.NDArray[np.float32]  # (rows, steps), inf where there was no step
    step_units: npt.NDArray[np.int16]
    step_hours: npt.NDArray[np.float32]
    step_reached: npt.NDArray[np.int8]  # (rows, steps, columns)
    step_taught: npt.NDArray[np.uint8]
    step_tier: npt.NDArray[np.int8]  # (rows, steps), the tier that won the step; 127 where there was no step
    active: npt.NDArray[np.bool_]  # False: the learner is gone

    def __init__(self, dim: int, competency_ids: Iterable[str], capacity: int = 1024, steps: int = 5) -> None:
        self.dim = dim
        self.steps = steps
        self.columns = {cid: i for i, cid in enumerate(sorted(set(competency_ids)))}
        self.places: dict[str, int] = {}
        self.learners: list[str] = []
        self.row_of: dict[str, int] = {}
        self.seen_at: datetime | None = None
        self._allocate(max(1, capacity))

    def _allocate(self, capacity: int) -> None:
        c, s = len(self.columns), self.steps
        fields: dict[str, npt.NDArray[Any]] = {
            "vectors": np.zeros((capacity, self.dim), np.float32), "current": np.zeros((capacity, c), np.int8),
            "target": np.zeros((capacity, c), np.int8), "per_level": np.zeros((capacity, c), np.float32),
            "max_need": np.zeros(capacity, np.float32), "online_only": np.zeros(capacity, bool),
            "presence_pref": np.zeros(capacity, bool), "region_a": np.full(capacity, -1, np.int32),
            "region_b": np.full(capacity, -1, np.int32), "earliest": np.zeros(capacity, np.int64),
            "horizon": np.zeros(capacity, np.int16), "budget": np.zeros(capacity, np.float32),
            "per_month": np.zeros(capacity, np.float32), "known": np.zeros(capacity, bool),
            "units_left": np.zeros(capacity, np.int16), "hours_left": np.zeros(capacity, np.float32),
            "items_left": np.zeros(capacity, np.int16), "named": np.zeros((capacity, c), bool),
            "own": np.zeros((capacity, c), bool), "step_tier": np.full((capacity, s), 127, np.int8),
            "final": np.zeros((capacity, c), np.int8), "taught": np.zeros((capacity, c), np.uint8),
            "step_score": np.full((capacity, s), np.inf, np.float32), "step_units": np.zeros((capacity, s), np.int16),
            "step_hours": np.zeros((capacity, s), np.float32), "step_reached": np.zeros((capacity, s, c), np.int8),
            "step_taught": np.zeros((capacity, s, c), np.uint8), "active": np.zeros(capacity, bool),
        }
        for name, array in fields.items():
            old = getattr(self, name, None)
            if old is not None:
                array[: len(self.learners)] = old[: len(self.learners)]
            setattr(self, name, array)
        self.capacity = capacity

    def __len__(self) -> int:
        return len(self.learners)

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))

    def _place(self, key: str) -> int:
        return self.places.setdefault(key, len(self.places))

    def upsert(self, learner_id: str, request: PlanRequest, result: PlanState) -> None:
        """Write one learner's row from a :class:`PlanResult` (or :func:`plan_state` of a stored row)."""
        row = self.row_of.get(learner_id)
        if row is None:
            if len(self.learners) == self.capacity:
                self._allocate(self.capacity * 2)
            row = len(self.learners)
            self.learners.append(learner_id)
            self.row_of[learner_id] = row
        self.active[row] = True
        self.vectors[row] = request.need_vector
        self.current[row] = self.target[row] = self.per_level[row] = 0
        self.named[row] = self.own[row] = False
        for cid, gap in request.gaps.items():
            col = self.columns.get(cid)
            if col is not None:
                self.current[row, col], self.target[row, col] = gap.current, gap.target
                self.per_level[row, col] = gap.per_level if gap.size > 0 else 0.0
                self.named[row, col] = gap.from_interest and gap.size > 0
                self.own[row, col] = (gap.from_interest or gap.assessed) and gap.size > 0
        self.max_need[row] = max((g.need for g in request.gaps.values()), default=0.0)
        prefs = request.preferences
        self.online_only[row] = prefs.format == "online"
        self.presence_pref[row] = prefs.format == "presence"
        keys = region_keys(prefs.region) if prefs.format != "online" else ()
        self.region_a[row] = self._place(keys[0]) if keys else -1
        self.region_b[row] = self._place(keys[1]) if len(keys) > 1 else -1
        self.earliest[row] = prefs.earliest_start.toordinal() if prefs.earliest_start else 0
        self.horizon[row] = prefs.horizon_months
        self.budget[row] = prefs.budget_hours
        self.per_month[row] = prefs.hours_per_month
        self.units_left[row], self.hours_left[row] = result.units_left, result.hours_left
        self.items_left[row] = result.items_left
        steps = list(result.steps)
        self.known[row] = getattr(result, "known", True) and len(steps) <= self.steps
        self.final[row], self.taught[row] = self._state(row, result.reached, result.taught)
        self.step_score[row], self.step_units[row], self.step_hours[row], self.step_tier[row] = np.inf, 0, 0, 127
        for k, step in enumerate(steps[: self.steps]):
            self.step_score[row, k], self.step_units[row, k], self.step_hours[row, k], self.step_tier[row, k] = (
                step.score, step.units, step.hours, step.tier)
            self.step_reached[row, k], self.step_taught[row, k] = self._state(row, step.reached, step.taught)

    def _state(self, row: int, reached: dict[str, int],
               taught: Iterable[tuple[str, int]]) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.uint8]]:
        levels = self.current[row].copy()
        for cid, level in reached.items():
            col = self.columns.get(cid)
            if col is not None:
                levels[col] = max(int(levels[col]), int(level))
        pairs = np.zeros(len(self.columns), np.uint8)
        for cid, level in taught:
            col = self.columns.get(cid)
            if col is not None:
                pairs[col] |= np.uint8(1 << int(level))
        return levels, pairs

    def windows(self, today: date) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Each learner's planning period as of ``today`` (same rule as ``constraints.planning_window``)."""
        n = len(self.learners)
        start = np.maximum(self.earliest[:n], today.toordinal())
        days = (start - EPOCH).astype("datetime64[D]")
        end = ((days.astype("datetime64[M]") + self.horizon[:n].astype("timedelta64[M]")).astype("datetime64[D]")
               .astype(np.int64) + EPOCH)
        return start, end

    def _score_at(self, module: ModuleFeatures, reached: npt.NDArray[np.int8], taught: npt.NDArray[np.uint8],
                  fixed: npt.NDArray[np.floating[Any]], limits: Limits,
                  ) -> tuple[npt.NDArray[np.floating[Any]], npt.NDArray[np.int8]]:
        """The module's greedy score against one plan state per learner (−inf where it repeats a taught pair
        or teaches nothing beyond the reached levels) and its tier there, as ``Selector._scores`` ranks it."""
        n = len(self.learners)
        closed = np.zeros(n, dtype=np.float32)
        redundant = np.zeros(n, dtype=bool)
        new = np.zeros(n, dtype=bool)
        named = np.zeros(n, dtype=bool)
        own = np.zeros(n, dtype=bool)
        for cid, level_from, level_to in module.competencies:
            col = self.columns.get(cid)
            if col is None:
                new[:] = True  # a competency nobody has a gap in: it is new to everyone's plan
                continue
            level = reached[:, col].astype(np.int16)
            target = self.target[:n, col].astype(np.int16)
            gained = np.clip(np.minimum(level_to, target) - np.maximum(level_from, level), 0, None)
            discount = np.float32(TOO_ADVANCED_DISCOUNT) ** np.clip(level_from - level, 0, None)
            closes = (gained > 0) & (self.per_level[:n, col] > 0)
            closed += gained * discount * self.per_level[:n, col]
            # a named interest or rated gap is open while no item has raised it above the learner's level
            named |= closes & self.named[:n, col] & (level <= self.current[:n, col])
            own |= closes & self.own[:n, col] & (level <= self.current[:n, col])
            redundant |= (taught[:, col] & np.uint8(1 << level_to)) > 0
            # the matrix knows levels only where there is a gap; elsewhere assume the module is new
            new |= (level_to > level) | (self.per_level[:n, col] == 0)
        max_need = self.max_need[:n]
        cov = np.where(max_need > 0, np.minimum(1.0, closed / np.maximum(max_need, EPS)), 0.0)
        tier = np.where(named, 2, np.where(own, 1, 0)).astype(np.int8)
        return np.where(new & ~redundant, limits.weights.gap * cov + fixed, -np.inf), tier

    def _can_take(self, module: ModuleFeatures, limits: Limits, today: date) -> npt.NDArray[np.bool_]:
        n = len(self.learners)
        ok = (module.units <= limits.max_units) & (self.budget[:n] >= module.hours - EPS)
        if module.format != "online":
            ok &= ~self.online_only[:n]
        if not module.everywhere:
            ids = np.array([self.places[p] for p in module.places if p in self.places], dtype=np.int32)
            in_region = np.isin(self.region_a[:n], ids) | np.isin(self.region_b[:n], ids)
            ok &= (self.region_a[:n] < 0) | in_region
        if len(module.window_starts):
            # a window inside the planning period by whose month the learner has saved up the module's hours
            start, end = self.windows(today)
            first = (start - EPOCH).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
            month = (module.window_starts - EPOCH).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
            starts = module.window_starts[None, :]
            inside = (starts >= start[:, None]) & (starts < end[:, None])
            saved = self.per_month[:n, None] * (month[None, :] - first[:, None] + 1)
            ok &= (inside & (saved >= module.hours - EPS)).any(axis=1)
        return ok

    def affected(self, modules: Sequence[ModuleFeatures], limits: Limits, today: date) -> npt.NDArray[np.bool_]:
        """Learners whose plan one of ``modules`` could change (bool per row)."""
        n = len(self.learners)
        flagged = np.zeros(n, dtype=bool)
        for module in modules:
            can = self._can_take(module, limits, today)
            if not can.any():
                continue
            fixed = limits.weights.semantic * semantic_fit(self.vectors[:n] @ module.vector)
            if module.format == "online":
                fixed = fixed - np.where(self.presence_pref[:n], limits.format_penalty, 0.0)
            wins = np.zeros(n, dtype=bool)
            for k in range(self.steps):
                score, tier = self._score_at(module, self.step_reached[:n, k], self.step_taught[:n, k], fixed,
                                             limits)
                # a higher tier wins the step whatever the score (if the module is good enough at all)
                beats = np.where(tier == self.step_tier[:n, k], score >= self.step_score[:n, k] - EPS,
                                 (tier > self.step_tier[:n, k]) & (score >= limits.min_score - EPS))
                wins |= (beats & (self.step_units[:n, k] + module.units
                                                                     <= limits.unit_budget)
                         & (self.step_hours[:n, k] + module.hours <= self.budget[:n] + EPS))
            end, _ = self._score_at(module, self.final[:n], self.taught[:n], fixed, limits)
            room = ((end >= limits.min_score - EPS) & (self.items_left[:n] >= 1)
                    & (self.units_left[:n] >= module.units) & (self.hours_left[:n] >= module.hours - EPS))
            flagged |= can & (wins | room | ~self.known[:n])
        return flagged & self.active[:n]

    def drop(self, learner_id: str) -> None:
        """A learner who is gone (erased, consent withdrawn) is no longer scored."""
        row = self.row_of.get(learner_id)
        if row is not None:
            self.active[row] = False

    def ids(self, mask: npt.NDArray[np.bool_]) -> list[str]:
        return [self.learners[i] for i in np.nonzero(mask)[0]]


_matrices: dict[str, NeedMatrix] = {}
_matrix_lock = threading.Lock()


def need_matrix(session: Session, competency_ids: Iterable[str], dim: int, steps: int) -> NeedMatrix:
    """The process-wide matrix of this database, refreshed with only the rows changed since the last look."""
    competency_ids = set(competency_ids)
    bind = session.get_bind()
    key = str((bind if isinstance(bind, Engine) else bind.engine).url)
    with _matrix_lock:
        count, latest = session.exec(select(func.count(col(LearnerNeed.learner_id)),
                                            func.max(col(LearnerNeed.updated_at)))).one()
        matrix = _matrices.get(key)
        if (matrix is None or matrix.dim != dim or matrix.steps != steps or len(matrix) > count
                or not competency_ids <= set(matrix.columns)):
            matrix = NeedMatrix(dim, competency_ids, capacity=max(1024, count), steps=steps)
        if latest is not None and (matrix.seen_at is None or latest > matrix.seen_at or len(matrix) < count):
            query = select(LearnerNeed)
            if matrix.seen_at is not None:
                query = query.where(LearnerNeed.updated_at >= matrix.seen_at)
            _load(matrix, session.exec(query).all())
            if len(matrix) < count:  # rows written with an older clock: read everything once
                _load(matrix, session.exec(select(LearnerNeed)).all())
            matrix.seen_at = latest
        _matrices[key] = matrix
        return matrix


def _load(matrix: NeedMatrix, rows: Iterable[LearnerNeed]) -> None:
    for row in rows:
        if len(row.vector) == matrix.dim * 4:
            matrix.upsert(row.learner_id, request_of(row), plan_state(row))


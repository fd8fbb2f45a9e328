"""Choose the plan's modules: greedy on residual weighted need, within every limit, prerequisites included.

Items the learner agreed to (accepted, enrolled, postponed) go in first. Then
each greedy step takes the best feasible candidate (ties: lowest module id,
so the same input always gives the same plan). Feasible means: learning
units, items and hours left; it teaches something beyond the levels the plan
reaches; no (competency, level) pair that the plan already teaches (no
redundancy); its missing prerequisites can be added (walked iteratively; a
cycle raises :class:`PrerequisiteCycleError`, which is caught, reported and
the module skipped); and the whole plan can still be ordered and scheduled.

Speed: candidates are pruned once by an upper bound of their score
(coverage from the learner's levels without the too-advanced discount,
computed only over the competencies the learner has gaps in); scores are
computed once with numpy and, after each choice, recomputed only for the
candidates sharing a competency with what was added. Each step also records
the plan's state before it (:class:`StepState`), which the replanning matrix
replays to decide whom a newly approved module can reach. A yearly budget in
euros is one more limit (``plan_engine.budget``): a candidate must fit what
is left of it, and the best candidates it stops are remembered so the plan
can name them with an alternative.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from plan_engine.budget import MAX_NAMED, YearlyBudget
from plan_engine.catalogue import CatalogueArrays, PrerequisiteCheck
from plan_engine.constraints import Window
from plan_engine.edges import order_edges
from plan_engine.gaps import gap_vectors
from plan_engine.interests import open_interests, own_words
from plan_engine.order import PrerequisiteCycleError, SortKey, topological_order
from plan_engine.request import Limits, PlanRequest
from plan_engine.schedule import Fixed, Slot, schedule
from plan_engine.scoring import closed_need, coverage, score_catalogue
from plan_engine.selection import Selection, StepState
from plan_engine.texts import messages

EPS = 1e-9


class PrerequisiteUnavailable(LookupError):
    """A prerequisite exists but the learner cannot take it (not approved, no date, rejected...)."""


class Selector:
    def __init__(self, arrays: CatalogueArrays, request: PlanRequest, window: Window, limits: Limits) -> None:
        self.arrays = arrays
        self.request = request
        self.window = window
        self.limits = limits
        self.gv = gap_vectors(request.gaps, arrays.competency_index)
        self.scores = score_catalogue(arrays, request, self.gv, window, limits)
        prefs = request.preferences
        self.budget = YearlyBudget.of(prefs.budget_eur, arrays.prices(prefs.member), window.months)
        self.reached = self.gv.current.copy()
        for cid, level in request.levels.items():
            position = arrays.competency_index.get(cid)
            if position is not None:
                self.reached[position] = max(int(self.reached[position]), int(level))
        self.initial = self.reached.copy()
        # the learner's own words first: a named interest no item raises yet (tier 2), then a gap the learner
        # rated themselves that no item raises yet (tier 1); deepening, and what only the role profile asks
        # for, fill in (tier 0). Breadth over the learner's own topics before depth in one of them.
        self.open_interest = open_interests(request.gaps, arrays.competency_index)
        self.own_words = own_words(request.gaps, arrays.competency_index)
        # a module HR assigned to the role ranks with the learner's own gaps (its score boost decides among them)
        self.assigned = np.isin(arrays.ids, np.fromiter(request.preferred, dtype=np.int64))
        positions = arrays.position
        self.excluded = {positions[m] for m in request.excluded if m in positions}
        self.fixed: dict[int, Fixed] = {}
        self.keys: set[int] = set()
        self.sel = Selection()

    # -- public ---------------------------------------------------------------------------------------
    def run(self) -> Selection:
        self._add_pinned()
        self._greedy()
        return self.sel

    # -- pinned items stay, whatever the scores say ------------------------------------------------------
    def _add_pinned(self) -> None:
        position = self.arrays.position
        for pin in sorted(self.request.pinned, key=lambda p: p.module_id):
            i = position.get(pin.module_id)
            if i is None or i in self.sel.role:
                continue  # the module left the catalogue: it drops out of the plan
            if pin.month:
                year, month = (int(x) for x in pin.month.split("-")[:2])
                self.fixed[i] = Fixed(self.window.month_index(date(year, month, 1)), exact=pin.status != "postponed")
            try:
                bundle = self._missing_prerequisites(i)
            except (PrerequisiteCycleError, PrerequisiteUnavailable):
                bundle = []
            for j in bundle:
                self._commit(j, "prerequisite", dependant=i)
            self._commit(i, "pinned")
        if not self.sel.chosen:
            return
        arranged = self._arrange(self.sel.chosen)
        if arranged is None:
            # what the learner agreed to stays, even when it no longer fits their hours or dates
            for i in self.sel.chosen:
                if i not in self.fixed or not self.fixed[i].exact:
                    month = self.fixed[i].month_index if i in self.fixed else self._first_window_month(i)
                    self.fixed[i] = Fixed(month, exact=True)
            arranged = self._arrange(self.sel.chosen, hours_per_month=1e9)
        if arranged is not None:
            self.sel.order, self.sel.slots, self.sel.after = arranged
        self.budget.fix_base(self.sel.chosen, self.sel.slots)  # agreed items stay, whatever they cost

    def _first_window_month(self, i: int) -> int:
        starts, _ = self.arrays.windows(i)
        later = starts[(starts >= self.window.start_ordinal) & (starts < self.window.end_ordinal)]
        return self.window.month_index(date.fromordinal(int(later[0]))) if len(later) else 0

    # -- greedy ------------------------------------------------------------------------------------------
    def _greedy(self) -> None:
        """Greedy steps with cached scores: after a choice only candidates sharing a competency are re-scored.

        A candidate's score depends on the plan only through the levels
        reached on its own competencies, and its feasibility through the
        units, hours and (competency, level) pairs already taken; all three
        are kept as arrays and updated incrementally. The winner of each step
        is the full argmax (ties: lowest module id, the catalogue order).
        """
        limits, sel, arrays = self.limits, self.sel, self.arrays
        mask = self.scores.available & (self.scores.bound >= limits.min_score - EPS)
        for i in list(self.excluded) + sel.chosen:
            mask[i] = False
        cand = np.nonzero(mask)[0]
        if not len(cand):
            return
        slot = np.full(len(arrays), -1, dtype=np.int64)
        slot[cand] = np.arange(len(cand))
        score, teaches_new, serves, tier = self._scores(cand)
        alive = np.ones(len(cand), dtype=bool)
        if self.keys:
            alive &= ~np.isin(arrays.pair_keys(cand), np.fromiter(self.keys, dtype=np.int64)).any(axis=1)
        units, hours = arrays.units[cand], arrays.hours[cand]
        budget = self.request.preferences.budget_hours + 1e-6
        while len(sel.chosen) < limits.max_items:
            feasible = alive & teaches_new & (sel.units + units <= limits.unit_budget) & (sel.hours + hours <= budget)
            # beyond the first learning path an item must close some of the learner's gaps: a text that only
            # reads like the learner's words does not earn a place in the later months
            feasible &= serves | (sel.units + units <= limits.max_units)
            if self.budget.active:
                cheap = self.budget.affordable(cand, self.budget.room(sel.chosen, sel.slots))
                self._note_left_out(cand, np.where(feasible & ~cheap, score, -np.inf),
                                    np.where(feasible & cheap, score, -np.inf))
                feasible &= cheap
            # the highest tier with a module good enough wins the step (see ``__init__``)
            eligible = feasible & (score >= limits.min_score - EPS)
            top = int(tier[eligible].max()) if eligible.any() else 0
            masked = np.where(feasible & (tier == top), score, -np.inf)
            best = int(np.argmax(masked))
            if not np.isfinite(masked[best]) or masked[best] < limits.min_score - EPS:
                break
            alive[best] = False
            before = len(sel.chosen)
            self._try_add(int(cand[best]), float(masked[best]), top)
            touched: set[int] = set()
            for i in sel.chosen[before:]:
                for k in range(arrays.comp.shape[1]):
                    c = int(arrays.comp[i, k])
                    if c < 0:
                        continue
                    touched.add(c)
                    rows, _, level_to = arrays.by_competency[c]
                    taken = slot[rows[level_to == arrays.level_to[i, k]]]
                    alive[taken[taken >= 0]] = False  # same competency to the same level: redundant now
            if touched:
                rows = np.concatenate([arrays.by_competency[c][0] for c in touched])  # repeats are harmless
                positions = slot[rows]
                positions = positions[positions >= 0]
                score[positions], teaches_new[positions], serves[positions], tier[positions] = self._scores(
                    cand[positions])

    def _in_a_later_year(self, members: list[int], everything: list[int],
                         ) -> tuple[list[int], dict[int, Slot], dict[int, list[int]]] | None:
        """Over budget in the year the schedule chose: the first later plan year whose budget has room."""
        saved = {j: self.fixed[j] for j in members if j in self.fixed}
        for month in self.budget.later_year_starts():
            self.fixed.update({j: Fixed(max(month, saved[j].month_index) if j in saved else month, exact=False)
                               for j in members if j not in saved or not saved[j].exact})
            arranged = self._arrange(everything)
            if arranged is not None and self.budget.fits(everything, arranged[1]):
                return arranged
        for j in members:
            self.fixed.pop(j, None)
        self.fixed.update(saved)
        return None

    def _note_left_out(self, cand: npt.NDArray[np.intp], blocked: npt.NDArray[np.float64],
                       affordable: npt.NDArray[np.float64]) -> None:
        """Remember the best candidates the budget stops that would have beaten every affordable one.

        Only modules the learner could take otherwise count (their prerequisites can be added).
        """
        bar = max(float(affordable.max(initial=-np.inf)), self.limits.min_score - EPS)
        above = np.nonzero(blocked > bar)[0]
        for k in above[np.argsort(-blocked[above], kind="stable")][:MAX_NAMED]:
            try:
                self._missing_prerequisites(int(cand[k]))
            except (PrerequisiteCycleError, PrerequisiteUnavailable):
                continue
            self.budget.note(int(cand[k]), float(blocked[k]))

    def _scores(self, rows: npt.NDArray[np.intp]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_],
                                                            npt.NDArray[np.bool_], npt.NDArray[np.int8]]:
        """Score against the levels the plan reaches now, whether the module still teaches anything new,
        whether it closes any of the learner's gaps, and its tier (2: raises a named interest still open,
        1: raises a gap the learner rated, still open, 0: otherwise)."""
        arrays, limits = self.arrays, self.limits
        comp, lf, lt = arrays.comp[rows], arrays.level_from[rows], arrays.level_to[rows]
        closed, _ = closed_need(comp, lf, lt, self.gv, self.reached)
        score = (limits.weights.gap * coverage(closed, self.gv.max_need)
                 + limits.weights.semantic * self.scores.semantic[rows] + self.scores.adjust[rows])
        # a module must teach something the learner does not reach yet, however well its text fits
        valid = comp >= 0
        teaches_new = (valid & (lt > self.reached[np.where(valid, comp, 0)])).any(axis=1)
        serves = np.asarray(closed.sum(axis=1) > 0)
        c = np.where(valid, comp, 0)
        named = ((closed > 0) & self.open_interest[c]).any(axis=1)
        own = ((closed > 0) & self.own_words[c]).any(axis=1)
        tier = np.where(named, 2, np.where(own | self.assigned[rows], 1, 0)).astype(np.int8)
        return score.astype(np.float64), np.asarray(teaches_new), serves, tier  # numpy types any() loosely

    def _try_add(self, i: int, step_score: float, tier: int = 0) -> bool:
        arrays, limits, sel = self.arrays, self.limits, self.sel
        try:
            bundle = self._missing_prerequisites(i)
        except PrerequisiteCycleError as exc:
            wording = messages()
            chain = wording["changes"]["chain_joiner"].join(
                wording["changes"]["quoted"].format(title=arrays.modules[self.arrays.position[m]].title)
                for m in exc.chain)
            sel.warnings.append(wording["warnings"]["prerequisite_cycle"].format(
                title=arrays.modules[i].title, chain=chain))
            return False
        except PrerequisiteUnavailable:
            return False
        members = bundle + [i]
        if len(sel.chosen) + len(members) > limits.max_items:
            return False
        if sel.units + int(arrays.units[members].sum()) > limits.unit_budget:
            return False
        if sel.hours + float(arrays.hours[members].sum()) > self.request.preferences.budget_hours + 1e-6:
            return False
        seen = set(self.keys)
        for j in members:
            row = {int(k) for k in arrays.pair_keys(np.array([j]))[0] if k >= 0}
            if row & seen:
                return False
            seen |= row
        arranged = self._arrange(sel.chosen + members)
        if arranged is not None and not self.budget.fits(sel.chosen + members, arranged[1]):
            arranged = self._in_a_later_year(members, sel.chosen + members)
            if arranged is None:  # with its prerequisites, no plan year has room for it
                self.budget.note(i, step_score)
        if arranged is None:
            return False
        sel.steps.append(StepState(step_score, sel.units, sel.hours, self.reached.copy(), frozenset(self.keys),
                                   tier))
        for j in bundle:
            self._commit(j, "prerequisite", dependant=i)
        self._commit(i, "selected", step_score=step_score)
        sel.order, sel.slots, sel.after = arranged
        return True

    def _commit(self, i: int, role: str, step_score: float | None = None, dependant: int | None = None) -> None:
        arrays, sel = self.arrays, self.sel
        rows = np.array([i])
        closed, end = closed_need(arrays.comp[rows], arrays.level_from[rows], arrays.level_to[rows], self.gv,
                                  self.reached)
        cov = float(coverage(closed, self.gv.max_need)[0])
        if step_score is None:
            step_score = (self.limits.weights.gap * cov + self.limits.weights.semantic
                          * float(self.scores.semantic[i]) + float(self.scores.adjust[i]))
        covered, before = {}, {}
        for k in range(arrays.comp.shape[1]):
            c = int(arrays.comp[i, k])
            if c < 0:
                continue
            if int(end[0, k]) > int(self.reached[c]):
                cid = arrays.modules[i].competencies[k]["id"]
                covered[cid], before[cid] = int(end[0, k]), int(self.reached[c])
                self.open_interest[c] = self.own_words[c] = False
            self.reached[c] = max(int(self.reached[c]), int(arrays.level_to[i, k]))
            self.keys.add(c * 8 + int(arrays.level_to[i, k]))
        sel.chosen.append(i)
        sel.role[i] = role
        sel.score[i] = step_score
        sel.coverage[i] = cov
        sel.covered[i] = covered
        sel.levels_before[i] = before
        if dependant is not None:
            sel.prerequisite_for[i] = dependant
        sel.units += int(arrays.units[i])
        sel.hours += float(arrays.hours[i])

    # -- prerequisites -----------------------------------------------------------------------------------
    def prerequisite_blocked(self, i: int) -> bool:
        """Whether ``i`` cannot enter the plan because of its prerequisites (unavailable, or a cycle)."""
        try:
            self._missing_prerequisites(i)
        except (PrerequisiteCycleError, PrerequisiteUnavailable):
            return True
        return False

    def _satisfied(self, check: PrerequisiteCheck) -> bool:
        if check.module_id is None:
            return True  # unknown reference: reported, not enforced
        if check.module_id in self.request.completed or (check.index >= 0 and check.index in self.sel.role):
            return True
        index = self.arrays.competency_index
        if not check.levels:
            return False
        return all(cid in index and int(self.reached[index[cid]]) >= level for cid, level in check.levels)

    def _missing_prerequisites(self, i: int) -> list[int]:
        """Prerequisites to add before ``i``, dependencies first; iterative DFS that detects cycles."""
        arrays = self.arrays
        state: dict[int, int] = {i: 1}  # 1 = on the path, 2 = done
        path = [i]
        stack = [iter(arrays.prerequisites[i])]
        out: list[int] = []
        while stack:
            advanced = False
            for check in stack[-1]:
                if self._satisfied(check):
                    continue
                j = check.index
                if j < 0 or not self.scores.available[j] or j in self.excluded:
                    raise PrerequisiteUnavailable(check.ref)
                if state.get(j) == 1:
                    chain = path[path.index(j):] + [j]
                    raise PrerequisiteCycleError([int(arrays.ids[p]) for p in chain])
                if state.get(j) == 2:
                    continue
                state[j] = 1
                path.append(j)
                stack.append(iter(arrays.prerequisites[j]))
                advanced = True
                break
            if not advanced:
                stack.pop()
                node = path.pop()
                state[node] = 2
                if node != i:
                    out.append(node)
        return out

    # -- order and schedule ------------------------------------------------------------------------------
    def _arrange(self, members: list[int], hours_per_month: float | None = None,
                 ) -> tuple[list[int], dict[int, Slot], dict[int, list[int]]] | None:
        """Order and schedule ``members``: (order, slots, prerequisites per item), or None if they do not fit."""
        arrays, window = self.arrays, self.window
        hard, soft = order_edges(arrays, members, self.request.completed, self.initial)
        first_start = {}
        for m in members:
            starts, _ = arrays.windows(m)
            later = starts[starts >= window.start_ordinal]
            first_start[m] = int(later[0]) if len(later) else window.start_ordinal

        def key(m: int) -> SortKey:
            return (int(arrays.category_rank[m]), int(arrays.min_level[m]), first_start[m], int(arrays.ids[m]))

        try:
            order = topological_order(members, hard, key, soft)
        except PrerequisiteCycleError:
            return None
        position = {m: k for k, m in enumerate(order)}
        after: dict[int, list[int]] = {}
        for a, b in hard:
            after.setdefault(b, []).append(a)
        before_start: dict[int, list[int]] = {}
        for a, b in soft:
            if position[a] < position[b]:
                before_start.setdefault(b, []).append(a)
        hours = hours_per_month or self.request.preferences.hours_per_month
        slots = schedule(order, arrays, window, hours, after, before_start, self.fixed)
        if slots is None:
            return None
        return order, slots, after

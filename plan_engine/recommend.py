"""Match percentage and German reasons for a module in a learner's plan.

Scoring blends two signals that each mean something on their own:

* **gap coverage** (0..1): the share of the learner's largest weighted gap
  that a module closes at the right level. A module that takes the learner
  from their current level to the role's target on their most important gap
  scores 1; a module that starts above the learner's level is discounted
  (half per missing level), one on a competency without a gap scores 0.
  In a plan, coverage is measured against what the plan still needs when
  the module is chosen: levels that earlier items already teach count
  as reached, so the Intensivmodul after its Basismodul is not discounted
  and a second module on an already closed gap scores 0.
* **semantic fit** (0..1): cosine similarity between the learner's needs
  (gap labels + free-text interest, as an e5 query) and the module passage,
  mapped linearly from the range ``[sim_floor, sim_ceiling]`` onto 0..1.
  e5 cosines of unrelated German texts sit around 0.75, close paraphrases
  around 0.9, which is where the default bounds come from.

``match = round(100 * clip(w_gap * coverage + w_sem * semantic + preference, 0, 1))``
with weights from the settings (0.6 / 0.4). ``preference`` is 0 unless the
module's format goes against the learner's wish (``-plan_format_penalty``,
e.g. an online module for someone who prefers presence) or HR has
assigned it (``+plan_preferred_boost``). So 100 % means "closes your biggest
gap and talks about exactly what you asked for", a module on your biggest
gap with an average text lands at about 60-75 %, and an unrelated module
lands near 0 %. tests/unit/test_recommend.py pins these anchor points.
Selection is greedy on *residual* needs, so a second module on a gap that
the first already closes loses its coverage and is not chosen twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from campus.store.wording import hours_label
from plan_engine.gaps import Gap, gap_vectors
from plan_engine.scoring import SIM_CEILING, SIM_FLOOR, TOO_ADVANCED_DISCOUNT, closed_need, semantic_fit
from plan_engine.scoring import coverage as coverage_of
from plan_engine.texts import reasons

__all__ = [
    "CandidateModule", "Recommendation", "Weights", "closing_fraction", "coverage", "explain", "recommend",
    "semantic_fit", "SIM_FLOOR", "SIM_CEILING", "TOO_ADVANCED_DISCOUNT",
]

INTEREST_REASON_MIN_SIM = 0.80


@dataclass(frozen=True)
class CandidateModule:
    id: int
    title: str
    competencies: list[dict]
    format: str
    duration_hours: float
    category: str = "Basismodul"
    learning_units: int = 1


@dataclass
class Recommendation:
    module_id: int
    title: str
    match_percent: int
    reasons: list[str]
    coverage: float
    semantic: float
    covered: dict[str, int] = field(default_factory=dict)  # competency -> level reached
    planned_month: str | None = None  # YYYY-MM
    starts_on: str | None = None  # ISO date: the date window's start, or when a self-paced module can begin
    ends_on: str | None = None  # ISO date: the window's end, or the expected end of a self-paced module
    category: str | None = None
    learning_units: int | None = None
    hours: float | None = None
    format: str | None = None
    status: str = "proposed"  # proposed | accepted | enrolled | postponed
    role: str = "selected"  # selected | prerequisite | pinned
    score: float | None = None  # selection score when chosen
    prerequisite_ids: list[int] = field(default_factory=list)  # plan items that must come first

    @property
    def reason_line(self) -> str:
        return reasons()["joiner"].join(self.reasons)


@dataclass(frozen=True)
class Weights:
    gap: float = 0.6
    semantic: float = 0.4


def closing_fraction(gap: Gap, level_from: int, level_to: int) -> tuple[float, int]:
    """Share of ``gap`` a module teaching ``level_from → level_to`` closes, and the level reached."""
    if gap.size == 0:
        return 0.0, gap.current
    start = max(level_from, gap.current)
    end = min(level_to, gap.target)
    gained = max(0, end - start)
    fraction = gained / gap.size
    if level_from > gap.current:
        fraction *= TOO_ADVANCED_DISCOUNT ** (level_from - gap.current)
    return fraction, max(gap.current, end) if gained else gap.current


def coverage(module: CandidateModule, gaps: dict[str, Gap], residual: dict[str, float]) -> tuple[float, dict[str, int]]:
    """Weighted need closed by ``module`` relative to the largest single need (scalar form, for one module)."""
    max_need = max((g.need for g in gaps.values()), default=0.0)
    if max_need <= 0:
        return 0.0, {}
    closed = 0.0
    reached: dict[str, int] = {}
    for comp in module.competencies:
        gap = gaps.get(comp["id"])
        if gap is None:
            continue
        fraction, level = closing_fraction(gap, int(comp["level_from"]), int(comp["level_to"]))
        if fraction > 0:
            closed += residual.get(gap.competency_id, 0.0) * fraction
            reached[gap.competency_id] = level
    return min(1.0, closed / max_need), reached


def _pad(modules: Sequence[CandidateModule], index: Mapping[str, int]) -> tuple[np.ndarray, ...]:
    width = max((len(m.competencies) for m in modules), default=1) or 1
    comp = np.full((len(modules), width), -1, dtype=np.int32)
    lf = np.zeros((len(modules), width), dtype=np.int16)
    lt = np.zeros((len(modules), width), dtype=np.int16)
    for i, m in enumerate(modules):
        for k, c in enumerate(m.competencies):
            comp[i, k], lf[i, k], lt[i, k] = index[c["id"]], int(c["level_from"]), int(c["level_to"])
    return comp, lf, lt


def recommend(
    modules: list[CandidateModule],
    module_vectors: np.ndarray,
    gaps: dict[str, Gap],
    need_vector: np.ndarray,
    labels: dict[str, str],
    limit: int = 5,
    weights: Weights = Weights(),
    interest_vector: np.ndarray | None = None,
    interest_text: str | None = None,
    role_title: str | None = None,
) -> list[Recommendation]:
    """Greedy ranking of up to ``limit`` modules without plan constraints (a topic search, a preview).

    Plans use :mod:`plan_engine.select`, which adds budget, dates,
    prerequisites and the learning-path structure on top of the same scores.
    """
    if not modules:
        return []
    index = {cid: i for i, cid in enumerate(sorted({c["id"] for m in modules for c in m.competencies} | set(gaps)))}
    gv = gap_vectors(gaps, index)
    comp, lf, lt = _pad(modules, index)
    semantic = semantic_fit(module_vectors @ need_vector)
    interest_sim = module_vectors @ interest_vector if interest_vector is not None else None
    reached = gv.current.copy()
    full_closed, full_end = closed_need(comp, lf, lt, gv, gv.current)
    full_cov = coverage_of(full_closed, gv.max_need)
    remaining = np.ones(len(modules), dtype=bool)
    chosen: list[Recommendation] = []
    while remaining.any() and len(chosen) < limit:
        closed, _ = closed_need(comp, lf, lt, gv, reached)
        score = weights.gap * coverage_of(closed, gv.max_need) + weights.semantic * semantic
        score = np.where(remaining, score, -np.inf)
        best = int(np.argmax(score))
        remaining[best] = False
        module = modules[best]
        covered = _covered(module, comp[best], full_end[best], gv.current, index)
        percent = int(round(100 * (weights.gap * float(full_cov[best]) + weights.semantic * float(semantic[best]))))
        interest_hit = interest_sim is not None and float(interest_sim[best]) >= INTEREST_REASON_MIN_SIM
        chosen.append(Recommendation(
            module_id=module.id, title=module.title, match_percent=max(0, min(100, percent)),
            reasons=explain(module, gaps, covered, labels, interest_text if interest_hit else None, role_title),
            coverage=float(full_cov[best]), semantic=float(semantic[best]), covered=covered,
            category=module.category, learning_units=module.learning_units, hours=module.duration_hours,
            format=module.format,
        ))
        valid = comp[best] >= 0
        reached[comp[best][valid]] = np.maximum(reached[comp[best][valid]], full_end[best][valid])
    chosen.sort(key=lambda r: r.match_percent, reverse=True)
    return chosen


def _covered(module: CandidateModule, comp_row: np.ndarray, end_row: np.ndarray, current: np.ndarray,
             index: Mapping[str, int]) -> dict[str, int]:
    out = {}
    for k, c in enumerate(module.competencies):
        position = int(comp_row[k])
        if position >= 0 and int(end_row[k]) > int(current[position]):
            out[c["id"]] = int(end_row[k])
    return out


def explain(
    module: CandidateModule,
    gaps: dict[str, Gap],
    reached: dict[str, int],
    labels: dict[str, str],
    interest_text: str | None,
    role_title: str | None,
    *,
    career_title: str | None = None,
    prerequisite_for: str | None = None,
    preferred: bool = False,
    levels_before: Mapping[str, int] | None = None,
) -> list[str]:
    """German reasons, most important first, logistics last; wording from ``data/texts/reasons.yml``."""
    texts = reasons()
    out: list[str] = []
    if prerequisite_for:
        out.append(texts["prerequisite_for"].format(title=prerequisite_for))
    if preferred:
        out.append(texts["preferred"])
    # interest-only gaps are explained by the interest reason below, not as a "gap"
    by_need = sorted((cid for cid in reached if cid in gaps and not gaps[cid].interest_only),
                     key=lambda cid: (-gaps[cid].need, cid))
    for cid in by_need[:2]:
        gap = gaps[cid]
        level = reached[cid]
        template = texts["gap"] if level >= gap.target else texts["gap_partial"]
        current = (levels_before or {}).get(cid, gap.current)  # in a plan: the level earlier items lead to
        out.append(template.format(label=labels.get(cid, cid), current=current, target=gap.target, reached=level))
    interests = [c["id"] for c in module.competencies if c["id"] in gaps and gaps[c["id"]].from_interest]
    if interests:
        out.append(texts["interest_competency"].format(label=labels.get(interests[0], interests[0])))
    elif interest_text:
        short = interest_text.strip()
        if len(short) > 60:
            short = short[:57].rsplit(" ", 1)[0] + " …"
        out.append(texts["interest"].format(interest=short))
    if career_title and any(gaps[cid].from_career for cid in by_need):
        out.append(texts["career"].format(role=career_title))
    if not out and module.competencies:
        first = module.competencies[0]
        if role_title and first["id"] in gaps:
            out.append(texts["role_fit"].format(role=role_title))
        else:
            out.append(texts["deepen"].format(label=labels.get(first["id"], first["id"]), reached=first["level_to"]))
    format_text = texts["formats"].get(module.format, module.format)
    out.append(texts["logistics"].format(format=format_text, hours=hours_label(module.duration_hours)))
    return out

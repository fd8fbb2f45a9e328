"""Choose and explain the modules that close a learner's largest gaps.

Scoring blends two signals that each mean something on their own:

* **gap coverage** (0..1): the share of the learner's largest weighted gap
  that a module closes at the right level. A module that takes the learner
  from their current level to the role's target on their most important gap
  scores 1; a module that starts above the learner's level is discounted
  (half per missing level), one on a competency without a gap scores 0.
* **semantic fit** (0..1): cosine similarity between the learner's needs
  (gap labels + free-text interest, as an e5 query) and the module passage,
  mapped linearly from the range ``[sim_floor, sim_ceiling]`` onto 0..1.
  e5 cosines of unrelated German texts sit around 0.75, close paraphrases
  around 0.9, which is where the default bounds come from.

``match = round(100 * (w_gap * coverage + w_sem * semantic))`` with weights
from the settings (0.6 / 0.4), so 100 % means "closes your biggest gap and
talks about exactly what you asked for", and an unrelated module lands
near 0 %. Selection is greedy on *residual* needs, so a second module on a
gap that the first already closes loses its coverage and is not chosen twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from plan_engine.gaps import Gap

SIM_FLOOR = 0.76
SIM_CEILING = 0.89
INTEREST_REASON_MIN_SIM = 0.80
TOO_ADVANCED_DISCOUNT = 0.5


@dataclass(frozen=True)
class CandidateModule:
    id: int
    title: str
    competencies: list[dict]
    format: str
    duration_hours: float
    category: str = "Basismodul"


@dataclass
class Recommendation:
    module_id: int
    title: str
    match_percent: int
    reasons: list[str]
    coverage: float
    semantic: float
    covered: dict[str, int] = field(default_factory=dict)  # competency -> level reached

    @property
    def reason_line(self) -> str:
        return _texts()["joiner"].join(self.reasons)


@dataclass(frozen=True)
class Weights:
    gap: float = 0.6
    semantic: float = 0.4


@lru_cache
def _load_texts(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


_TEXTS_PATH = Path(__file__).resolve().parent.parent / "data" / "texts" / "reasons.yml"


def _texts() -> dict:
    return _load_texts(_TEXTS_PATH)


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
    """Weighted need closed by ``module`` relative to the largest single need."""
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


def semantic_fit(similarity: np.ndarray | float, floor: float = SIM_FLOOR, ceiling: float = SIM_CEILING):
    return np.clip((np.asarray(similarity) - floor) / (ceiling - floor), 0.0, 1.0)


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
    """Greedy selection of up to ``limit`` modules, each with match percentage and reasons."""
    if not modules:
        return []
    semantic = semantic_fit(module_vectors @ need_vector)
    interest_sim = module_vectors @ interest_vector if interest_vector is not None else None
    full_need = {cid: g.need for cid, g in gaps.items()}
    residual = dict(full_need)
    chosen: list[Recommendation] = []
    remaining = set(range(len(modules)))
    while remaining and len(chosen) < limit:
        best_index, best_score = -1, -1.0
        for i in sorted(remaining):
            cov, _ = coverage(modules[i], gaps, residual)
            score = weights.gap * cov + weights.semantic * float(semantic[i])
            if score > best_score + 1e-12:
                best_index, best_score = i, score
        remaining.discard(best_index)
        module = modules[best_index]
        full_cov, reached = coverage(module, gaps, full_need)
        percent = int(round(100 * (weights.gap * full_cov + weights.semantic * float(semantic[best_index]))))
        interest_hit = interest_sim is not None and float(interest_sim[best_index]) >= INTEREST_REASON_MIN_SIM
        chosen.append(Recommendation(
            module_id=module.id, title=module.title, match_percent=max(0, min(100, percent)),
            reasons=explain(module, gaps, reached, labels, interest_text if interest_hit else None, role_title),
            coverage=full_cov, semantic=float(semantic[best_index]), covered=reached,
        ))
        for cid, level in reached.items():
            gap = gaps[cid]
            closed_levels = max(0, level - gap.current)
            residual[cid] = max(0.0, residual[cid] - closed_levels * gap.weight)
    chosen.sort(key=lambda r: r.match_percent, reverse=True)
    return chosen


def explain(
    module: CandidateModule,
    gaps: dict[str, Gap],
    reached: dict[str, int],
    labels: dict[str, str],
    interest_text: str | None,
    role_title: str | None,
) -> list[str]:
    texts = _texts()
    reasons: list[str] = []
    by_need = sorted(reached, key=lambda cid: gaps[cid].need, reverse=True)
    for cid in by_need[:2]:
        gap = gaps[cid]
        label = labels.get(cid, cid)
        level = reached[cid]
        template = texts["gap"] if level >= gap.target else texts["gap_partial"]
        reasons.append(template.format(label=label, current=gap.current, target=gap.target, reached=level))
    if interest_text:
        short = interest_text.strip()
        if len(short) > 60:
            short = short[:57].rsplit(" ", 1)[0] + " …"
        reasons.append(texts["interest"].format(interest=short))
    if not reasons and module.competencies:
        first = module.competencies[0]
        if role_title and first["id"] in gaps:
            reasons.append(texts["role_fit"].format(role=role_title))
        else:
            label = labels.get(first["id"], first["id"])
            reasons.append(texts["deepen"].format(label=label, reached=first["level_to"]))
    hours = module.duration_hours
    hours_text = f"{int(hours)}" if float(hours).is_integer() else f"{hours:.1f}".replace(".", ",")
    format_text = texts["formats"].get(module.format, module.format)
    reasons.append(texts["logistics"].format(format=format_text, hours=hours_text))
    return reasons

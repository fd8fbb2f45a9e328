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
  mapped linearly from ``[SIM_FLOOR, SIM_CEILING]`` (``plan_engine.scoring``)
  onto 0..1. e5 cosines of unrelated German texts sit around 0.75, close
  paraphrases around 0.9, which is where the bounds come from.

``match = round(100 * clip(w_gap * coverage + w_sem * semantic + preference, 0, 1))``
with weights from the settings (0.6 / 0.4). ``preference`` is 0 unless the
module's format goes against the learner's wish (``-plan_format_penalty``,
e.g. an online module for someone who prefers presence) or HR has
assigned it (``+plan_preferred_boost``). So 100 % means "closes your biggest
gap and talks about exactly what you asked for", a module on your biggest
gap with an average text lands at about 60-75 %, and an unrelated module
lands near 0 %. ``tests/unit/plan_engine/test_plan_engine.py`` pins both ends.
Selection (:mod:`plan_engine.select`) is greedy on *residual* needs, so a
second module on a gap that the first already closes loses its coverage and
is not chosen twice. This module holds what a plan item shows: its fields
and its German reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from campus.learners.prices import price_label
from campus.store.wording import hours_label
from plan_engine.catalogue import CatalogueModule
from plan_engine.gaps import Gap
from plan_engine.texts import reasons

__all__ = ["Recommendation", "Weights", "explain"]


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
    price_eur: float | None = None  # the price that applies to the learner (member or non-member)
    path: int = 1  # the learning path (of at most five units) the item belongs to, in plan order

    @property
    def reason_line(self) -> str:
        return str(reasons()["joiner"].join(self.reasons))


@dataclass(frozen=True)
class Weights:
    gap: float = 0.6
    semantic: float = 0.4


def explain(
    module: CatalogueModule,
    gaps: dict[str, Gap],
    reached: dict[str, int],
    labels: dict[str, str],
    role_title: str | None,
    *,
    career_title: str | None = None,
    prerequisite_for: str | None = None,
    preferred: bool = False,
    levels_before: Mapping[str, int] | None = None,
    price: float | None = None,
    member: bool = False,
) -> list[str]:
    """German reasons, most important first, logistics (and the learner's price) last; wording from
    ``data/texts/reasons.yml``."""
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
        if not gap.assessed and (levels_before or {}).get(cid, gap.current) <= gap.current:
            # never asked, and no earlier item leads to a level: "Stufe 0 → 2" would be a level nobody gave
            out.append(texts["gap_unknown"].format(label=labels.get(cid, cid)))
            continue
        template = texts["gap"] if level >= gap.target else texts["gap_partial"]
        current = (levels_before or {}).get(cid, gap.current)  # in a plan: the level earlier items lead to
        out.append(template.format(label=labels.get(cid, cid), current=current, target=gap.target, reached=level))
    interests = [c["id"] for c in module.competencies if c["id"] in gaps and gaps[c["id"]].from_interest]
    if interests:
        out.append(texts["interest_competency"].format(label=labels.get(interests[0], interests[0])))
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
    if price is not None:
        out.append(price_label(price, member))
    return out

"""From which level to which level (0–4) a module takes a competency it was tagged with.

Feeds rarely say it in our terms, so the levels are read from what they do
say, strongest first: a difficulty or educational level named in the
keywords (the mapper passes MOOChub's ``educationalLevel`` names there),
difficulty words in the title and text ("Einführung", "Vertiefung",
"advanced"), whether the text asks for prior knowledge, the module's
category, and optionally which of the competency's level descriptors the
learning outcomes come closest to. All vocabulary lives in
``data/tagging.yml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_LEVEL = 4


@dataclass(frozen=True)
class LevelRules:
    by_category: dict[str, tuple[int, int]]
    default: tuple[int, int]
    # difficulty words → (lowest level_from, lowest level_to, highest level_to)
    difficulty: tuple[tuple[tuple[str, ...], tuple[int, int, int]], ...]
    no_prior_knowledge: tuple[str, ...]
    prior_knowledge: tuple[str, ...]
    descriptor_step: bool  # move level_to one step towards the best-matching level descriptor of the outcomes
    descriptor_margin: float

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> LevelRules:
        difficulty = []
        for entry in data["difficulty"]:
            words = tuple(str(w).casefold() for w in entry["words"])
            difficulty.append((words, (int(entry["from_at_least"]), int(entry["to_at_least"]),
                                       int(entry["to_at_most"]))))
        return cls(
            by_category={str(k): (int(v[0]), int(v[1])) for k, v in data["by_category"].items()},
            default=(int(data["default"][0]), int(data["default"][1])),
            difficulty=tuple(difficulty),
            no_prior_knowledge=tuple(str(w).casefold() for w in data["no_prior_knowledge"]),
            prior_knowledge=tuple(str(w).casefold() for w in data["prior_knowledge"]),
            descriptor_step=bool(data.get("descriptor_step", False)),
            descriptor_margin=float(data.get("descriptor_margin", 0.0)),
        )


def _difficulty(rules: LevelRules, texts: Sequence[str]) -> tuple[int, int, int] | None:
    """The first difficulty found, the keywords before the title before the text; the highest in one text."""
    for text in texts:
        hits = [bounds for words, bounds in rules.difficulty if any(word in text for word in words)]
        if hits:
            return max(hits, key=lambda b: (b[1], b[0]))
    return None


def module_levels(rules: LevelRules, category: str, keywords: str, title: str, body: str) -> tuple[int, int]:
    """The module's levels from its category and words (texts case-folded), before any descriptor match."""
    level_from, level_to = rules.by_category.get(category, rules.default)
    found = _difficulty(rules, [keywords, title, body])
    if found is not None:
        low_from, low_to, high_to = found
        level_from = max(level_from, low_from)
        level_to = min(max(level_to, low_to), high_to)
    everything = "\n".join([keywords, title, body])
    if any(phrase in everything for phrase in rules.no_prior_knowledge):
        level_from = 0
    elif any(phrase in everything for phrase in rules.prior_knowledge):
        level_from = max(level_from, 1)
    return settle(level_from, level_to)


def towards_descriptor(rules: LevelRules, levels: tuple[int, int], descriptor_scores: Sequence[float] | None
                       ) -> tuple[int, int]:
    """``levels`` with level_to one step towards the level descriptor (1–4) the outcomes match best, if clearly."""
    if not rules.descriptor_step or descriptor_scores is None or len(descriptor_scores) <= 1:
        return levels
    level_from, level_to = levels
    scores = list(descriptor_scores)
    best = max(range(1, len(scores)), key=lambda level: scores[level])
    if best != level_to and scores[best] - scores[level_to] >= rules.descriptor_margin:
        level_to += 1 if best > level_to else -1
    return settle(level_from, level_to)


def settle(level_from: int, level_to: int) -> tuple[int, int]:
    """Levels on the 0–4 scale with level_from below level_to (the template's rule)."""
    level_to = min(max(level_to, 1), MAX_LEVEL)
    level_from = min(max(level_from, 0), level_to - 1)
    return level_from, level_to

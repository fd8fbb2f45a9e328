"""The tagger's thresholds, weights and vocabulary, as ``data/tagging.yml`` states them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from campus.catalogue.template import MAX_COMPETENCIES
from campus.store.texts import data_file
from embeddings.tagging_levels import LevelRules
from embeddings.tagging_lexical import LexicalRules

# The signals the score weighs, in the order the weights are stated (bench/tagging_quality.py fits them).
FEATURES = ("passage_z", "sentence_z", "title_hit", "body_hits", "keyword_hit")


@dataclass(frozen=True)
class TaggingRules:
    bias: float
    weights: dict[str, float]
    min_confidence: float
    max_confidence: float
    max_tags: int
    feed_confidence: float
    feed_shared_confidence: float
    lexical: LexicalRules
    levels: LevelRules

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> TaggingRules:
        score = data["score"]
        weights = {name: float(score["weights"][name]) for name in FEATURES}
        return cls(
            bias=float(score["bias"]), weights=weights,
            min_confidence=float(data["min_confidence"]), max_confidence=float(data["max_confidence"]),
            max_tags=min(int(data["max_tags"]), MAX_COMPETENCIES),
            feed_confidence=float(data["feed"]["confidence"]),
            feed_shared_confidence=float(data["feed"]["shared_confidence"]),
            lexical=LexicalRules(int(data["lexical"]["prefix_chars"]), int(data["lexical"]["infix_chars"])),
            levels=LevelRules.from_data(data["levels"]),
        )

    @classmethod
    def load(cls) -> TaggingRules:
        data: dict[str, Any] = data_file("tagging.yml")
        return cls.from_data(data)

    def with_changes(self, **changes: Any) -> TaggingRules:
        """A copy with some fields replaced (the benchmark's variants)."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(changes)
        return TaggingRules(**values)

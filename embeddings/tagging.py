"""Tag a module with competencies of the framework from its own text ("embedding ingest").

Real provider feeds never carry KommunalCampus competency ids, so a module
that arrives without them is tagged here: named labels and synonyms in its
text (lexical, near-certain), then the meaning of its passage against each
competency (dense, with a confidence the board sees). Levels come from the
module's category and the difficulty words in its text. Every tag says where
it came from (``inferred``) and how sure it is; a module for which nothing
fits stays untagged and is flagged for the board, never dropped.

The vocabulary (difficulty words, thresholds) lives in ``data/tagging.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from sqlmodel import Session

from campus.catalogue.framework import competencies
from campus.catalogue.template import MAX_COMPETENCIES, CompetencyTarget, ModuleIn
from campus.store.db import get_engine
from campus.store.texts import data_file
from embeddings.encoder import Encoder, get_encoder

NO_FITTING_COMPETENCY = "no_fitting_competency"
Vector = npt.NDArray[np.float32]


class FrameworkEntry(Protocol):
    """What the tagger reads of a competency (the ``Competency`` table row is one)."""

    id: str
    label: str
    description: str
    synonyms: list[str]
    levels: dict[str, str]


@dataclass(frozen=True)
class TaggingRules:
    """Thresholds and vocabulary from ``data/tagging.yml``."""

    dense_min: float
    dense_margin: float
    max_tags: int
    lexical_confidence: float
    min_term_chars: int
    levels_by_category: dict[str, tuple[int, int]]
    advanced_words: tuple[str, ...]
    beginner_words: tuple[str, ...]

    @classmethod
    def load(cls) -> TaggingRules:
        data: dict[str, Any] = data_file("tagging.yml")
        return cls(
            dense_min=float(data["dense_min"]), dense_margin=float(data["dense_margin"]),
            max_tags=min(int(data["max_tags"]), MAX_COMPETENCIES),
            lexical_confidence=float(data["lexical_confidence"]), min_term_chars=int(data["min_term_chars"]),
            levels_by_category={str(k): (int(v[0]), int(v[1])) for k, v in data["levels_by_category"].items()},
            advanced_words=tuple(str(w).lower() for w in data["advanced_words"]),
            beginner_words=tuple(str(w).lower() for w in data["beginner_words"]),
        )


@dataclass
class TaggingResult:
    tags: list[CompetencyTarget] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def module_text(module: ModuleIn) -> str:
    """Everything the module says about its topic, for the lexical pass."""
    return "\n".join([module.title, module.description, *module.learning_outcomes, *module.keywords])


class CompetencyTagger:
    """Tags modules against one framework; build it once per process and reuse it across batches."""

    def __init__(self, framework: Sequence[FrameworkEntry], encoder: Encoder,
                 rules: TaggingRules | None = None) -> None:
        self.framework = list(framework)
        self.encoder = encoder
        self.rules = rules or TaggingRules.load()
        self._patterns = [self._pattern(entry) for entry in self.framework]
        self._vectors: Vector = encoder.queries([self._competency_text(e) for e in self.framework]) \
            if self.framework else np.zeros((0, encoder.dim), dtype=np.float32)

    def _pattern(self, entry: FrameworkEntry) -> re.Pattern[str] | None:
        terms = sorted({t.strip().lower() for t in (entry.label, *entry.synonyms) if t.strip()}, key=len,
                       reverse=True)
        parts = []
        for term in terms:
            escaped = re.escape(term)
            # long terms also match as the start of a German compound ("Datenschutzschulung")
            parts.append(rf"\b{escaped}" if len(term) >= self.rules.min_term_chars else rf"\b{escaped}\b")
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None

    @staticmethod
    def _competency_text(entry: FrameworkEntry) -> str:
        synonyms = ", ".join(entry.synonyms)
        return f"{entry.label}. {synonyms}. {entry.description}".strip()

    def tag(self, module: ModuleIn, passage_vector: Vector | None = None) -> TaggingResult:
        """The competencies the module teaches, by its text; ``passage_vector`` saves encoding it again."""
        if not self.framework:
            return TaggingResult(flags=[NO_FITTING_COMPETENCY])
        text = module_text(module)
        scores: dict[int, tuple[float, str]] = {}
        for index, pattern in enumerate(self._patterns):
            if pattern is not None and pattern.search(text):
                scores[index] = (self.rules.lexical_confidence, "lexical")
        vector = passage_vector if passage_vector is not None else self.encoder.passages([module.passage_text()])[0]
        similarity = self._vectors @ vector
        best = float(similarity.max())
        for index in np.argsort(-similarity)[: self.rules.max_tags]:
            value = float(similarity[index])
            if value >= self.rules.dense_min and value >= best - self.rules.dense_margin:
                confidence = self._dense_confidence(value)
                if confidence > scores.get(int(index), (0.0, ""))[0]:
                    scores[int(index)] = (confidence, "dense")
        ranked = sorted(scores.items(), key=lambda item: (-item[1][0], -float(similarity[item[0]])))
        level_from, level_to = self._levels(module, text)
        tags = [CompetencyTarget(id=self.framework[i].id, level_from=level_from, level_to=level_to,
                                 source="inferred", confidence=round(conf, 3))
                for i, (conf, _) in ranked[: self.rules.max_tags]]
        return TaggingResult(tags, [] if tags else [NO_FITTING_COMPETENCY])

    def _dense_confidence(self, similarity: float) -> float:
        """0.5 at the threshold, rising towards 0.9 a tenth above it."""
        return float(min(0.9, 0.5 + 4.0 * (similarity - self.rules.dense_min)))

    def _levels(self, module: ModuleIn, text: str) -> tuple[int, int]:
        level_from, level_to = self.rules.levels_by_category.get(module.category, (0, 2))
        lowered = text.lower()
        if any(word in lowered for word in self.rules.advanced_words):
            level_from, level_to = max(level_from, 2), max(level_to, 3)
        elif any(word in lowered for word in self.rules.beginner_words):
            level_from, level_to = 0, min(max(level_to, 1), 2)
        return level_from, level_to


@lru_cache
def get_tagger() -> CompetencyTagger:
    """The tagger over the stored framework, built once per process."""
    with Session(get_engine()) as session:
        framework = list(competencies(session).values())
    return CompetencyTagger(framework, get_encoder())

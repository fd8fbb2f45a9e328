"""Tag a module with competencies of the framework from its own text ("embedding ingest").

Real provider feeds never carry KommunalCampus competency ids, so a module
that arrives without them is tagged here, from what it says and what its
feed carries:

* the meaning of its passage against each competency (label, synonyms and
  description as an e5 query), and of each part on its own (title, every
  sentence, every learning outcome), so that a long marketing text does not
  drown the outcomes; the parts' vectors are pooled from the passage's one
  encoding (:mod:`embeddings.tagging_vectors`);
* the competencies' labels and synonyms named in the title, the text and
  the keywords, German compounds included (:mod:`embeddings.tagging_lexical`);
* keywords that are ESCO URIs or DigComp codes, through ``data/crosswalk.yml``
  (:mod:`embeddings.tagging_crosswalk`): those tags say ``source: "feed"``.

The signals are weighed by a logistic score fitted on a labelled set
(``data/tagging.yml``, ``bench/tagging_quality.py``), so a tag's confidence
says how often a tag that sure was right there. Levels come from the
difficulty, the category and the text (:mod:`embeddings.tagging_levels`). A
module for which nothing reaches the threshold stays untagged and is flagged
for the board, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np
import numpy.typing as npt
from sqlmodel import Session

from campus.catalogue.framework import competencies, framework_signature
from campus.catalogue.template import MAX_COMPETENCIES, CompetencyTarget, ModuleIn
from campus.store.db import get_engine
from embeddings.encoder import Encoder, PassageTokens, get_encoder
from embeddings.tagging_crosswalk import Crosswalk, load_crosswalk
from embeddings.tagging_levels import module_levels, towards_descriptor
from embeddings.tagging_lexical import TermIndex
from embeddings.tagging_rules import FEATURES, TaggingRules
from embeddings.tagging_text import ModuleText, module_text
from embeddings.tagging_vectors import Vector, encode_for_tagging, part_vectors

NO_FITTING_COMPETENCY = "no_fitting_competency"
Signal = npt.NDArray[np.float64]
LEVELS = 5

__all__ = ["NO_FITTING_COMPETENCY", "CompetencyTagger", "Evidence", "TaggingResult", "Vector", "get_tagger"]


class FrameworkEntry(Protocol):
    """What the tagger reads of a competency (the ``Competency`` table row is one)."""

    id: str
    label: str
    description: str
    synonyms: list[str]
    levels: dict[str, str]


@dataclass
class TaggingResult:
    tags: list[CompetencyTarget] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Evidence:
    """What the tagger found in one module: each signal per competency (framework order), and the rest."""

    signals: dict[str, Signal]
    feed: list[list[int]]  # per ESCO/DigComp keyword, the competencies it names
    levels: tuple[int, int]  # the module's levels before any descriptor match
    descriptors: npt.NDArray[np.float32] | None  # outcomes × level descriptors: best cosine per (competency, level)


def competency_text(entry: FrameworkEntry) -> str:
    synonyms = ", ".join(entry.synonyms)
    return f"{entry.label}. {synonyms}. {entry.description}".strip()


def _z(values: Signal) -> Signal:
    """How far each competency stands out for this module: the same text is close to all of them in e5."""
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


class CompetencyTagger:
    """Tags modules against one framework; build it once per process and reuse it across batches."""

    def __init__(self, framework: Sequence[FrameworkEntry], encoder: Encoder, rules: TaggingRules | None = None,
                 crosswalk: Crosswalk | None = None) -> None:
        self.framework = list(framework)
        self.encoder = encoder
        self.rules = rules or TaggingRules.load()
        self.crosswalk = crosswalk if crosswalk is not None else load_crosswalk()
        self._index = {entry.id: i for i, entry in enumerate(self.framework)}
        names = [[entry.label, *entry.synonyms] for entry in self.framework]
        self._text_terms = TermIndex(names, self.rules.lexical)
        self._keyword_terms = TermIndex([[*n, *self.crosswalk.terms_of(e.id)] for n, e in zip(
            names, self.framework, strict=True)], self.rules.lexical)
        self._vectors = encoder.queries([competency_text(e) for e in self.framework]) if self.framework \
            else np.zeros((0, encoder.dim), dtype=np.float32)
        self._level_vectors = self._descriptor_vectors() if self.rules.levels.descriptor_step else None

    def _descriptor_vectors(self) -> npt.NDArray[np.float32]:
        """Each competency's level descriptors 0–4 as e5 queries: (competencies, levels, dim)."""
        texts = [str(entry.levels.get(str(level), entry.label)) for entry in self.framework for level in range(LEVELS)]
        return self.encoder.queries(texts).reshape(len(self.framework), LEVELS, -1)

    def tag(self, module: ModuleIn, passage_vector: Vector | None = None,
            tokens: PassageTokens | None = None) -> TaggingResult:
        """The competencies the module teaches; pass the passage's encoding to save encoding it again.

        ``tokens`` (from :meth:`Encoder.passage_tokens`) lets the tagger read the module part by part;
        with only ``passage_vector`` it reads the passage as a whole.
        """
        if not self.framework:
            return TaggingResult(flags=[NO_FITTING_COMPETENCY])
        evidence = self.evidence(module, passage_vector, tokens)
        tags = self._choose(evidence, self.confidences(evidence))
        return TaggingResult(tags, [] if tags else [NO_FITTING_COMPETENCY])

    def evidence(self, module: ModuleIn, passage_vector: Vector | None = None,
                 tokens: PassageTokens | None = None) -> Evidence:
        """Every signal the score weighs, for each competency of the framework."""
        text = module_text(module)
        if tokens is None and passage_vector is None:
            tokens = encode_for_tagging(self.encoder, [text.passage])[0]
        vector = tokens.vector if tokens is not None else passage_vector
        assert vector is not None  # one of the two was given or encoded above
        passage = (self._vectors @ vector).astype(np.float64)
        spans, parts = part_vectors(text, tokens, self.encoder)
        similarity = parts @ self._vectors.T if len(spans) else None
        best_part = similarity.max(axis=0).astype(np.float64) if similarity is not None else passage
        keywords = "\n".join(text.keywords)
        signals = {
            "passage_z": _z(passage),
            "sentence_z": _z(best_part),
            "title_hit": np.minimum(self._text_terms.counts(text.title), 1.0),
            "body_hits": np.log1p(self._text_terms.counts(text.body)),
            "keyword_hit": np.minimum(self._keyword_terms.counts(keywords), 1.0),
        }
        outcomes = [row for row, span in zip(parts, spans, strict=True) if span.kind == "outcome"]
        descriptors = None
        if self._level_vectors is not None and outcomes:
            descriptors = np.einsum("od,cld->ocl", np.stack(outcomes), self._level_vectors).max(axis=0)
        levels = module_levels(self.rules.levels, module.category, keywords.casefold(), text.title.casefold(),
                               text.body.casefold())
        return Evidence(signals, self._feed_references(text), levels, descriptors)

    def _feed_references(self, text: ModuleText) -> list[list[int]]:
        found = []
        for keyword in text.keywords:
            known = [self._index[c] for c in self.crosswalk.by_code(keyword) if c in self._index]
            if known:
                found.append(known)
        return found

    def confidences(self, evidence: Evidence) -> Signal:
        """sigmoid(bias + Σ weight × signal) per competency, capped at ``max_confidence``."""
        score = np.full(len(self.framework), self.rules.bias, dtype=np.float64)
        for name in FEATURES:
            score += self.rules.weights[name] * evidence.signals[name]
        confidence: Signal = 1.0 / (1.0 + np.exp(-score))
        return np.minimum(confidence, self.rules.max_confidence)

    def _choose(self, evidence: Evidence, confidence: Signal) -> list[CompetencyTarget]:
        """Feed references first (the provider's own statement), then the surest inferences above the threshold."""
        chosen: dict[int, tuple[float, str]] = {}
        for candidates in evidence.feed:
            if len(candidates) == 1:
                chosen.setdefault(candidates[0], (self.rules.feed_confidence, "feed"))
                continue
            best = max(candidates, key=lambda i: float(confidence[i]))
            chosen.setdefault(best, (max(self.rules.feed_shared_confidence, float(confidence[best])), "feed"))
        inferred = 0
        for index in np.argsort(-confidence, kind="stable"):
            value = float(confidence[index])
            if value < self.rules.min_confidence or inferred >= self.rules.max_tags:
                break
            if int(index) not in chosen:
                chosen[int(index)] = (value, "inferred")
                inferred += 1
        tags = []
        for index, (value, source) in list(chosen.items())[:MAX_COMPETENCIES]:
            level_from, level_to = self.levels_for(evidence, index)
            tags.append(CompetencyTarget(id=self.framework[index].id, level_from=level_from, level_to=level_to,
                                         source="feed" if source == "feed" else "inferred",
                                         confidence=round(value, 3)))
        return tags


    def levels_for(self, evidence: Evidence, index: int) -> tuple[int, int]:
        """The levels a tag of competency ``index`` gets in the module ``evidence`` describes."""
        scores = evidence.descriptors[index].tolist() if evidence.descriptors is not None else None
        return towards_descriptor(self.rules.levels, evidence.levels, scores)


def get_tagger() -> CompetencyTagger:
    """The tagger over the stored framework, rebuilt when the framework changed (in any process)."""
    with Session(get_engine()) as session:
        signature = framework_signature(session)
    return _tagger(signature)


@lru_cache(maxsize=2)
def _tagger(signature: tuple[str, ...]) -> CompetencyTagger:
    with Session(get_engine()) as session:
        framework = list(competencies(session).values())
    return CompetencyTagger(framework, get_encoder())

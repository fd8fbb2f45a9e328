"""Interview rules: which questions to ask and how to judge an answer.

Matching free text needs the embedding model, which the store layer must not
import; callers pass a matcher (anything with ``match(text, top_k)``
returning candidates with ``id``, ``label``, ``score`` and ``lexical``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from campus.catalogue.models import RoleProfile

QUESTIONS_PER_ROLE = 3
# Dense (paraphrase) matches: accept above ROLE_ACCEPT when clearly ahead of
# the runner-up; between ROLE_SUGGEST and ROLE_ACCEPT offer the candidates.
ROLE_ACCEPT = 0.86
ROLE_MARGIN = 0.015
ROLE_SUGGEST = 0.81
INTEREST_MATCH = 0.855
# Level descriptions in the learner's own words, matched by meaning: a guess
# only when the best level is this close and ahead of the runner-up.
LEVEL_GUESS = 0.83
LEVEL_MARGIN = 0.004
INTEREST_SPREAD = 0.015  # paraphrase matches must also be close to the best one
MIN_LETTERS = 2
COMPETENCY_EXTRACTOR = "CompetencyEntityExtractor"


class Candidate(Protocol):
    # read-only, so frozen candidates (the embeddings' MatchCandidate) fit
    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def lexical(self) -> bool: ...


class Matcher(Protocol):
    def match(self, text: str, top_k: int = 3) -> Sequence[Candidate]: ...


@dataclass
class RoleDecision:
    role_id: str | None
    label: str | None = None
    suggestions: list[Candidate] = field(default_factory=list)
    certain: bool = True  # False for a paraphrase match: the dialogue asks for confirmation
    score: float = 1.0


def text_problem(text: str | None, max_chars: int) -> str | None:
    """Why a free-text answer cannot be used, or None if it can."""
    if text is None or not text.strip():
        return "empty"
    if len(text) > max_chars:
        return "too_long"
    if len(re.findall(r"[^\W\d_]", text)) < MIN_LETTERS:
        return "no_words"
    return None


def assessment_questions(role: RoleProfile, limit: int = QUESTIONS_PER_ROLE) -> list[str]:
    """The role's most important competencies (weight x target level), asked first."""
    ranked = sorted(role.targets, key=lambda t: (-(float(t["weight"]) * int(t["level"])), t["competency"]))
    return [t["competency"] for t in ranked[:limit]]


def decide_role(text: str, matcher: Matcher) -> RoleDecision:
    candidates = matcher.match(text, top_k=3)
    if not candidates:
        return RoleDecision(None)
    best = candidates[0]
    if best.lexical:
        return RoleDecision(best.id, best.label)
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    if best.score >= ROLE_ACCEPT and best.score - runner_up >= ROLE_MARGIN:
        return RoleDecision(best.id, best.label, certain=False, score=best.score)
    suggestions = [c for c in candidates if c.score >= ROLE_SUGGEST]
    return RoleDecision(None, suggestions=suggestions)


def decide_level(text: str, matcher: Matcher) -> tuple[int, float] | None:
    """A level guessed from a free description (items "0".."4"), with its score; None if unclear."""
    candidates = matcher.match(text, top_k=8)
    if not candidates:
        return None
    best = candidates[0]
    if best.lexical:
        return int(best.id), 1.0
    # items may repeat a level (one per self-description): the runner-up is the best *other* level
    runner_up = max((c.score for c in candidates if c.id != best.id), default=0.0)
    if best.score >= LEVEL_GUESS and best.score - runner_up >= LEVEL_MARGIN:
        return int(best.id), best.score
    return None


@dataclass
class CompetencyMatch:
    """Competencies found in a free-text answer: certain ones and guesses to confirm."""

    certain: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)

    @property
    def all(self) -> list[str]:
        return self.certain + self.uncertain


def match_competencies(
    text: str, matcher: Matcher, entities: Sequence[Mapping[str, Any]] = (), limit: int = 3
) -> CompetencyMatch:
    """Merge the NLU's competency entities with the matcher's view of the same text.

    Entities from the framework lexicon (confidence 1.0) and the matcher's
    lexical hits are certain; paraphrase matches from either side are guesses.
    """
    result = CompetencyMatch()
    for entity in entities:
        # only the framework extractor's values are competency ids (DIET's are the words as written)
        if entity.get("entity") != "competency" or entity.get("extractor") != COMPETENCY_EXTRACTOR \
                or not entity.get("value"):
            continue
        target = result.certain if float(entity.get("confidence_entity") or 0) >= 1.0 else result.uncertain
        if entity["value"] not in result.all:
            target.append(str(entity["value"]))
    candidates = matcher.match(text, top_k=limit)
    for candidate in _accepted(candidates):
        if candidate.id not in result.all:
            (result.certain if candidate.lexical else result.uncertain).append(candidate.id)
    result.uncertain = [c for c in result.uncertain if c not in result.certain]
    keep = result.all[:limit]
    return CompetencyMatch([c for c in result.certain if c in keep], [c for c in result.uncertain if c in keep])


def interest_competencies(text: str, matcher: Matcher, limit: int = 3) -> list[str]:
    """Competencies a free-text interest refers to: lexical hits, then close paraphrases."""
    return [c.id for c in _accepted(matcher.match(text, top_k=limit))]


def _accepted(candidates: Sequence[Candidate]) -> list[Candidate]:
    best_dense = max((c.score for c in candidates if not c.lexical), default=0.0)
    return [c for c in candidates
            if c.lexical or (c.score >= INTEREST_MATCH and c.score >= best_dense - INTEREST_SPREAD)]

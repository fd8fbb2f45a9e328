"""Interview rules: which questions to ask and how to judge an answer.

Matching free text needs the embedding model, which the store layer must not
import; callers pass a matcher (anything with ``match(text, top_k)``
returning candidates with ``id``, ``label``, ``score`` and ``lexical``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from campus.models import RoleProfile

QUESTIONS_PER_ROLE = 3
# Dense (paraphrase) matches: accept above ROLE_ACCEPT when clearly ahead of
# the runner-up; between ROLE_SUGGEST and ROLE_ACCEPT offer the candidates.
ROLE_ACCEPT = 0.86
ROLE_MARGIN = 0.015
ROLE_SUGGEST = 0.81
INTEREST_MATCH = 0.855
INTEREST_SPREAD = 0.015  # paraphrase matches must also be close to the best one
MIN_LETTERS = 2


class Candidate(Protocol):
    id: str
    label: str
    score: float
    lexical: bool


class Matcher(Protocol):
    def match(self, text: str, top_k: int = 3) -> list[Candidate]: ...


@dataclass
class RoleDecision:
    role_id: str | None
    label: str | None = None
    suggestions: list[Candidate] = field(default_factory=list)


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
        return RoleDecision(best.id, best.label)
    suggestions = [c for c in candidates if c.score >= ROLE_SUGGEST]
    return RoleDecision(None, suggestions=suggestions)


def interest_competencies(text: str, matcher: Matcher, limit: int = 3) -> list[str]:
    """Competencies a free-text interest refers to: lexical hits, then close paraphrases."""
    candidates = matcher.match(text, top_k=limit)
    best_dense = max((c.score for c in candidates if not c.lexical), default=0.0)
    return [
        c.id for c in candidates
        if c.lexical or (c.score >= INTEREST_MATCH and c.score >= best_dense - INTEREST_SPREAD)
    ]

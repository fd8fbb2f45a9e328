"""Shared pieces of the interview tests: the committed guide, fake matchers, walking a guide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from campus.learners.interview.guide import Guide
from campus.learners.interview.state import InterviewState, next_step, record, skip
from campus.store.settings import get_settings

GUIDE_PATH = get_settings().data_dir / "interview_guide.yml"
QUEUE = ["e_akte", "data_protection", "ozg_basics"]


@dataclass
class Cand:
    id: str
    label: str
    score: float
    lexical: bool


class FakeRoles:
    def match(self, text: str, top_k: int = 3) -> list[Cand]:
        if "rechnung" in text.lower():
            return [Cand("kaemmerei", "Kämmerei", 0.9, False), Cand("bauamt", "Bauamt", 0.8, False)]
        return [Cand("ordnungsamt", "Ordnungsamt", 0.83, False), Cand("bauamt", "Bauamt", 0.825, False)]


class FakeLevels:
    def match(self, text: str, top_k: int = 3) -> list[Cand]:
        if "schulungen" in text.lower():
            return [Cand("4", "Expertenwissen", 0.90, False), Cand("2", "Anwendung", 0.86, False)]
        return [Cand("1", "Grundkenntnisse", 0.80, False)]


def walk(guide: Guide, state: InterviewState, answers: dict[str, Any]) -> tuple[InterviewState, list[str]]:
    """Answer steps in order from a dict keyed by step key; returns the final state and the keys asked."""
    asked = []
    while (step := next_step(guide, state)) is not None:
        asked.append(step.key)
        value = answers.get(step.key, answers.get(step.question.type))
        if value == "skip":
            state = skip(state, step)
            continue
        queue = QUEUE if step.question.field == "role_id" else None
        state = record(state, step, value, queue)
    return state, asked

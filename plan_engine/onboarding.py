"""Finishing the first interview: store the profile and build the first plan in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from campus.db import session_scope
from campus.identity import learner_for
from campus.interview import interest_competencies
from campus.profiles import update_profile
from embeddings.framework_matchers import competency_matcher
from plan_engine.planner import build_plan
from plan_engine.recommend import Recommendation


@dataclass
class InterviewAnswers:
    role_id: str
    role_text: str
    levels: dict[str, int]
    interest_text: str


def complete_interview(channel: str, sender_id: str, answers: InterviewAnswers) -> tuple[str, list[Recommendation]]:
    """Returns the learner's pseudonym and the recommendations of the new plan version."""
    interests = interest_competencies(answers.interest_text, competency_matcher())
    with session_scope() as session:
        learner = learner_for(session, channel, sender_id)
        update_profile(
            session, learner.id,
            {
                "role_id": answers.role_id, "role_text": answers.role_text,
                "interest_text": answers.interest_text, "interest_competencies": interests,
            },
            levels=answers.levels,
        )
        recommendations = build_plan(session, learner.id, trigger="interview_completed")
        return learner.id, recommendations

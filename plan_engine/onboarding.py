"""Finishing the interview: store the profile (with consent), build the first plan, complete the HR invitation.

All of it is one user action and so one transaction: if the plan cannot be
built, no profile is stored and no campaign counts the learner as done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from campus.hr.invitation_flow import mark_completed
from campus.learners.identity import learner_for
from campus.learners.interview.rules import interest_competencies
from campus.learners.interview.sessions import close
from campus.learners.profiles import ProfileView, update_profile
from campus.store.db import session_scope
from embeddings.framework_matchers import competency_matcher
from plan_engine.planner import recommend_for, replan_learner
from plan_engine.request import PlanResult


@dataclass
class InterviewAnswers:
    fields: dict[str, Any]
    levels: dict[str, int] = field(default_factory=dict)
    consent: bool = False


def complete_interview(
    channel: str, sender_id: str, answers: InterviewAnswers
) -> tuple[str | None, PlanResult]:
    """Returns the learner's pseudonym (None without consent: nothing is stored) and the first plan.

    The plan's ``items`` are the recommendations, its ``warnings`` what the
    learner should know about it (e.g. a module left out for the budget).

    Only a stored (consented) profile completes the learner's started HR
    invitations: without consent no levels are kept, so the person cannot
    count in a campaign's results.
    """
    fields = dict(answers.fields)
    interest = fields.get("interest_text")
    if "interest_competencies" not in fields:  # the interview usually recognised (and confirmed) them already
        fields["interest_competencies"] = interest_competencies(interest, competency_matcher()) if interest else []
    with session_scope() as session:
        if not answers.consent:
            view = ProfileView(learner_id="", role_id=fields.get("role_id"), levels=answers.levels,
                               interest_text=interest, interest_competencies=fields["interest_competencies"])
            close(session, channel, sender_id, "completed")
            return None, recommend_for(session, view, answers=fields)
        learner = learner_for(session, channel, sender_id)
        update_profile(session, learner.id, {**fields, "consent": True}, levels=answers.levels)
        close(session, channel, sender_id, "completed")
        result = replan_learner(session, learner.id, "interview_completed", force=True, notify=False).result
        mark_completed(session, learner.id)
        return learner.id, result

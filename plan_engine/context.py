"""Read what the plan engine needs about a learner from the store and turn it into a :class:`PlanRequest`.

The need vectors (e5 queries of the learner's gaps and interest) are cached
in ``LearnerNeed`` under a hash of their text, so a replan after an accepted
item or a catalogue change never loads the model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from sqlmodel import Session, select

from campus.catalogue.framework import competencies
from campus.catalogue.models import RoleProfile
from campus.hr.organisations import find_organisation
from campus.learners.models import CompetencyLevel, LearnerModuleState, LearnerNeed, LearnerProfile
from campus.learners.prices import Membership, membership, membership_of
from campus.learners.profiles import ProfileView
from campus.store.settings import Settings
from plan_engine.constraints import Preferences
from plan_engine.gaps import Gap, analyse_gaps
from plan_engine.request import PinnedItem, PlanRequest
from plan_engine.texts import messages, no_goal_words

PINNED = ("accepted", "enrolled", "postponed")
EXCLUDED = ("rejected", "completed", "dropped")
TOP_GAPS_IN_QUERY = 4


def parse_month(value: str | None) -> date | None:
    """``2027-03`` or ``2027-03-15`` → the first day of that month; anything else → None."""
    match = re.match(r"^\s*(\d{4})-(\d{1,2})", value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def preferences_of(row: LearnerProfile | None, settings: Settings, who: Membership | None = None) -> Preferences:
    """The plan's limits from the profile; ``who`` adds the prices that apply (member or not) and the budget."""
    who = who or Membership()
    if row is None:
        return Preferences(hours_per_month=settings.plan_default_hours_per_month,
                           horizon_months=settings.plan_horizon_months, member=who.member, budget_eur=who.budget)
    hours = row.hours_per_month if row.hours_per_month and row.hours_per_month > 0 else None
    return Preferences(
        format=row.format_preference if row.format_preference in ("online", "presence", "blended") else None,
        hours_per_month=float(hours or settings.plan_default_hours_per_month),
        region=row.region or None, earliest_start=parse_month(row.earliest_start),
        horizon_months=settings.plan_horizon_months, member=who.member, budget_eur=who.budget,
    )


def need_text(role_title: str | None, gap_labels: list[str], interest: str | None) -> str:
    """The learner's needs as one e5 query: what to learn, for which role, what interests them."""
    texts = messages()["need_query"]
    parts: list[str] = []
    if gap_labels:
        parts.append(texts["gaps"].format(labels=texts["list_joiner"].join(gap_labels)))
    if role_title:
        parts.append(texts["role"].format(role=role_title))
    if interest:
        parts.append(texts["interest"].format(interest=interest))
    return str(texts["joiner"].join(parts) or texts["fallback"])


def query_texts(gaps: dict[str, Gap], labels: dict[str, str], role_title: str | None,
                interest: str | None) -> list[str]:
    top = sorted((g for g in gaps.values() if g.need > 0), key=lambda g: (-g.need, g.competency_id))
    query = need_text(role_title, [labels.get(g.competency_id, g.competency_id) for g in top[:TOP_GAPS_IN_QUERY]],
                      interest)
    return [query] + ([interest] if interest else [])


def texts_hash(texts: list[str]) -> str:
    return hashlib.sha256("\x1f".join(texts).encode("utf-8")).hexdigest()[:32]


@dataclass
class Vectors:
    need: npt.NDArray[np.float32]
    interest: npt.NDArray[np.float32] | None
    model: str
    text_hash: str


def need_vectors(texts: list[str], cached: LearnerNeed | None, model_name: str,
                 encode: Callable[[list[str]], npt.NDArray[np.float32]]) -> Vectors:
    digest = texts_hash(texts)
    if cached is not None and cached.text_hash == digest and cached.model == model_name:
        need = np.frombuffer(cached.vector, dtype=np.float32)
        interest = np.frombuffer(cached.interest_vector, dtype=np.float32) if cached.interest_vector else None
        return Vectors(need, interest, model_name, digest)
    vectors = encode(texts)
    return Vectors(vectors[0], vectors[1] if len(texts) > 1 else None, model_name, digest)


@dataclass
class LearnerContext:
    """Everything about one learner the plan depends on, read in a handful of queries."""

    profile: ProfileView
    row: LearnerProfile | None
    sources: dict[str, str]
    states: list[LearnerModuleState]
    role: RoleProfile | None
    career: RoleProfile | None
    labels: dict[str, str]
    who: Membership = Membership()  # the learner's organisation: which prices apply, which budget


def load_context(session: Session, profile: ProfileView, stored: bool = True,
                 row: LearnerProfile | None = None) -> LearnerContext:
    """``stored=False``: a profile that is not kept (no consent); ``row`` then carries the unsaved answers."""
    if stored:
        row = session.get(LearnerProfile, profile.learner_id)
    sources: dict[str, str] = {}
    states: list[LearnerModuleState] = []
    if stored:
        levels = session.exec(select(CompetencyLevel).where(CompetencyLevel.learner_id == profile.learner_id)).all()
        sources = {lvl.competency_id: lvl.source for lvl in levels}
        states = list(session.exec(
            select(LearnerModuleState).where(LearnerModuleState.learner_id == profile.learner_id)).all())
    role = session.get(RoleProfile, profile.role_id) if profile.role_id else None
    goal = row.career_goal_role_id if row is not None else None
    wanted = goal and goal.lower() not in no_goal_words() and goal != profile.role_id
    career = session.get(RoleProfile, goal) if wanted else None
    labels = {cid: c.label for cid, c in competencies(session).items()}
    if stored:
        who = membership_of(session, profile.learner_id, row)
    else:  # the unsaved answers name the organisation (or a campaign did: it is in the answers then too)
        who = membership(find_organisation(session, row.organisation_id if row else None),
                         row.yearly_budget_eur if row else None)
    return LearnerContext(profile, row, sources, states, role, career, labels, who)


def make_request(context: LearnerContext, vectors: Vectors, settings: Settings, preferred: frozenset[int] = frozenset(),
                 gaps: dict[str, Gap] | None = None) -> PlanRequest:
    profile = context.profile
    return PlanRequest(
        gaps=gaps if gaps is not None else context_gaps(context, settings),
        levels=dict(profile.levels), need_vector=vectors.need,
        preferences=preferences_of(context.row, settings, context.who), labels=context.labels,
        interest_vector=vectors.interest, interest_text=profile.interest_text,
        role_title=context.role.title if context.role else None,
        career_title=context.career.title if context.career else None,
        pinned=tuple(PinnedItem(s.module_id, s.status, s.planned_month)
                     for s in sorted(context.states, key=lambda s: s.module_id) if s.status in PINNED),
        excluded=frozenset(s.module_id for s in context.states if s.status in EXCLUDED),
        completed=frozenset(s.module_id for s in context.states if s.status == "completed"),
        preferred=preferred,
    )


def context_gaps(context: LearnerContext, settings: Settings) -> dict[str, Gap]:
    return analyse_gaps(
        context.role.targets if context.role else [], context.profile.levels, context.profile.interest_competencies,
        career_targets=context.career.targets if context.career else (), sources=context.sources,
        career_weight=settings.plan_career_weight, interest_weight=settings.plan_interest_weight,
        self_confidence=settings.plan_self_assessment_confidence,
        unassessed_confidence=settings.plan_unassessed_confidence,
    )

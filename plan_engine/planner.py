"""Build a learner's plan from the stored profile and persist it as a new version."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from campus.catalogue import competencies
from campus.models import Plan, PlanItem, RoleProfile
from campus.profiles import ProfileView, load_profile
from campus.settings import get_settings
from embeddings.encoder import Encoder, get_encoder
from embeddings.index import ModuleIndex, SearchFilters, get_module_index
from plan_engine.gaps import analyse_gaps
from plan_engine.recommend import CandidateModule, Recommendation, Weights, recommend


def need_text(role_title: str | None, gap_labels: list[str], interest: str | None) -> str:
    """The learner's needs as one e5 query: what to learn, for which role, what interests them."""
    parts = []
    if gap_labels:
        parts.append("Weiterbildung zu " + ", ".join(gap_labels))
    if role_title:
        parts.append(f"für {role_title}")
    if interest:
        parts.append(f"Interesse: {interest}")
    return ". ".join(parts) or "Weiterbildung für die digitale Verwaltung"


def build_plan(
    session: Session,
    learner_id: str,
    trigger: str,
    encoder: Encoder | None = None,
    index: ModuleIndex | None = None,
    today: date | None = None,
) -> list[Recommendation]:
    """Recommend for the stored profile and persist the result as the learner's next plan version."""
    recommendations = recommend_for(session, load_profile(session, learner_id), encoder, index, today)
    save_plan(session, learner_id, trigger, recommendations)
    return recommendations


def recommend_for(
    session: Session,
    profile: ProfileView,
    encoder: Encoder | None = None,
    index: ModuleIndex | None = None,
    today: date | None = None,
) -> list[Recommendation]:
    """Recommendations for a profile, stored or not (a learner without consent gets a plan that is not kept)."""
    encoder = encoder or get_encoder()
    index = index or get_module_index()
    settings = get_settings()
    role = session.get(RoleProfile, profile.role_id) if profile.role_id else None
    framework = competencies(session)
    labels = {cid: c.label for cid, c in framework.items()}
    gaps = analyse_gaps(role.targets if role else [], profile.levels, profile.interest_competencies)
    top_gaps = sorted((g for g in gaps.values() if g.need > 0), key=lambda g: g.need, reverse=True)[:4]
    query = need_text(role.title if role else None, [labels[g.competency_id] for g in top_gaps], profile.interest_text)
    texts = [query] + ([profile.interest_text] if profile.interest_text else [])
    vectors = encoder.queries(texts)
    snap = index.snapshot(session)
    # only current offers: at least one date window that has not ended yet (or self-paced)
    current = SearchFilters(date_from=today or date.today()).mask(snap.modules)
    modules = [m for m, keep in zip(snap.modules, current, strict=True) if keep]
    candidates = [CandidateModule(m.id, m.title, m.competencies, m.format, m.duration_hours, m.category)
                  for m in modules]
    recommendations = recommend(
        candidates, snap.vectors[current], gaps, vectors[0], labels, limit=settings.plan_size,
        weights=Weights(settings.weight_gap, settings.weight_semantic),
        interest_vector=vectors[1] if profile.interest_text else None,
        interest_text=profile.interest_text, role_title=role.title if role else None,
    )
    return recommendations


def save_plan(session: Session, learner_id: str, trigger: str, items: list[Recommendation]) -> Plan:
    latest = session.exec(select(func.max(Plan.version)).where(Plan.learner_id == learner_id)).one()
    plan = Plan(learner_id=learner_id, version=(latest or 0) + 1, trigger=trigger)
    session.add(plan)
    session.flush()
    for position, rec in enumerate(items, start=1):
        session.add(PlanItem(
            plan_id=plan.id, position=position, module_id=rec.module_id,
            match_percent=rec.match_percent, reasons=rec.reasons,
        ))
    session.flush()
    return plan

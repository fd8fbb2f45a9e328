"""The learner's competency profile: read it, change it, keep its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from campus.hr.organisations import MAX_BUDGET_EUR, find_organisation
from campus.learners.models import CompetencyLevel, LearnerProfile, ProfileEvent
from campus.store.clock import utcnow

PROTECTED_FIELDS = {"learner_id", "version", "updated_at"}  # set by this module, never by a caller


@dataclass
class ProfileView:
    learner_id: str
    role_id: str | None = None
    role_text: str | None = None
    levels: dict[str, int] = field(default_factory=dict)
    interest_text: str | None = None
    interest_competencies: list[str] = field(default_factory=list)
    version: int = 0


def load_profile(session: Session, learner_id: str) -> ProfileView:
    row = session.get(LearnerProfile, learner_id)
    levels = {
        lvl.competency_id: lvl.level
        for lvl in session.exec(select(CompetencyLevel).where(CompetencyLevel.learner_id == learner_id)).all()
    }
    if row is None:
        return ProfileView(learner_id=learner_id, levels=levels)
    return ProfileView(
        learner_id=learner_id, role_id=row.role_id, role_text=row.role_text, levels=levels,
        interest_text=row.interest_text, interest_competencies=list(row.interest_competencies or []),
        version=row.version,
    )


def checked_levels(levels: dict[str, Any]) -> dict[str, int]:
    """Levels as integers 0-4; refuses the whole set if one is out of range or not a number."""
    checked: dict[str, int] = {}
    for competency_id, level in levels.items():
        try:
            value = int(level)
        except (TypeError, ValueError):
            raise ValueError(f"level for {competency_id} must be 0-4") from None
        if not 0 <= value <= 4:
            raise ValueError(f"level for {competency_id} must be 0-4")
        checked[competency_id] = value
    return checked


def checked_values(session: Session, changes: dict[str, Any]) -> dict[str, Any]:
    """The organisation must be a registered one (else the free text stands alone) and a budget a sum of euros.

    Refused before anything is written, like an unknown field.
    """
    out = dict(changes)
    organisation_id = out.get("organisation_id")
    if organisation_id is not None and find_organisation(session, str(organisation_id)) is None:
        raise ValueError(f"organisation {organisation_id!r} is not registered")
    if out.get("yearly_budget_eur") is not None:
        try:
            budget = float(out["yearly_budget_eur"])
        except (TypeError, ValueError):
            raise ValueError("yearly_budget_eur must be a number of euros") from None
        if not 0 <= budget <= MAX_BUDGET_EUR:  # also refuses NaN
            raise ValueError(f"yearly_budget_eur must be 0-{MAX_BUDGET_EUR:.0f}")
        out["yearly_budget_eur"] = budget
    return out


def update_profile(
    session: Session,
    learner_id: str,
    changes: dict[str, Any],
    levels: dict[str, int] | None = None,
    source: str = "self_assessment",
) -> ProfileView:
    """Apply changes in the caller's transaction, recording one event per changed field.

    Every field name and level is checked before the first write: a refused
    change must leave nothing behind in the session, since the caller may
    commit it for other work of the same turn.
    """
    row = session.get(LearnerProfile, learner_id) or LearnerProfile(learner_id=learner_id)
    for name in changes:
        if name not in LearnerProfile.model_fields or name in PROTECTED_FIELDS:
            raise ValueError(f"unknown profile field {name!r}")
    changes = checked_values(session, changes)
    checked = checked_levels(levels or {})
    events: list[tuple[str, Any]] = []
    for name, value in changes.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            events.append((name, value))
    for competency_id, level in checked.items():
        current = session.get(CompetencyLevel, (learner_id, competency_id))
        if current is None or current.level != level or current.source != source:
            session.merge(CompetencyLevel(
                learner_id=learner_id, competency_id=competency_id, level=level,
                source=source, updated_at=utcnow(),
            ))
            events.append((f"level:{competency_id}", level))
    if events:
        row.version += 1
        row.updated_at = utcnow()
        session.add(row)
        for name, value in events:
            session.add(ProfileEvent(
                learner_id=learner_id, profile_version=row.version, field=name, value=value, source=source,
            ))
    session.flush()
    return load_profile(session, learner_id)

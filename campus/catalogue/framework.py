"""The competency framework and the catalogue's read side; the board may add a competency.

A competency the board adds lives in the store next to the seeded ones (the
seed upserts its own ids and never deletes others). It must be complete, as
the framework's users read all of it: a German label and description, the
synonyms the taggers and matchers look for, and a descriptor for each of
the five levels 0–4, which the interview and the plans speak in.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from campus.catalogue.models import Competency, RoleProfile
from campus.store.errors import problem

RECOMMENDABLE = "approved"
LEVEL_KEYS = ("0", "1", "2", "3", "4")


class CompetencyIn(BaseModel):
    """A new competency of the framework, as the board sends it (``POST /api/board/competencies``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=3, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    area: str = Field(min_length=2, max_length=120)
    label: str = Field(min_length=3, max_length=200)
    description: str = Field(min_length=20, max_length=2000)
    synonyms: list[Annotated[str, Field(min_length=2, max_length=120)]] = Field(default_factory=list, max_length=40)
    # "0".."4" → what a person at that level can do (JSON object keys are strings)
    levels: dict[Annotated[str, Field(max_length=2)], Annotated[str, Field(min_length=10, max_length=1000)]] = Field(
        min_length=1, max_length=5)
    digcomp: str | None = Field(default=None, pattern=r"^\d{1,2}\.\d{1,2}$")


def framework_signature(session: Session) -> tuple[str, ...]:
    """What changes when the framework does (the board adds competencies; none is ever removed or renamed).

    Processes that build something over the framework (the tagger, the
    competency matcher) key it by this, so a competency the board added in
    the API process reaches the action server without a restart.
    """
    return tuple(sorted(session.exec(select(Competency.id)).all()))


def competencies(session: Session) -> dict[str, Competency]:
    return {c.id: c for c in session.exec(select(Competency)).all()}


def role_profiles(session: Session, org: str | None = None) -> list[RoleProfile]:
    query = select(RoleProfile).where((RoleProfile.org == None) | (RoleProfile.org == org))  # noqa: E711
    return list(session.exec(query.order_by(RoleProfile.title)).all())


def add_competency(session: Session, new: CompetencyIn) -> Competency:
    """Add ``new`` to the framework; committed here (the re-tag of waiting modules follows in the service layer)."""
    unknown = sorted(set(new.levels) - set(LEVEL_KEYS))
    if unknown:
        raise problem("board_levels_unknown", "levels", keys=", ".join(unknown))
    missing = [key for key in LEVEL_KEYS if key not in new.levels]
    if missing:
        raise problem("board_levels_missing", "levels", keys=", ".join(missing))
    existing = competencies(session)
    if new.id in existing:
        raise problem("board_competency_exists", "id", 409, id=new.id)
    same_label = next((c for c in existing.values() if c.label.casefold() == new.label.casefold()), None)
    if same_label is not None:
        raise problem("board_competency_label_exists", "label", 409, label=new.label, id=same_label.id)
    seen = {new.label.casefold()}
    synonyms = []
    for synonym in new.synonyms:  # each once (case aside), in the board's order
        if synonym.casefold() not in seen:
            seen.add(synonym.casefold())
            synonyms.append(synonym)
    row = Competency(id=new.id, area=new.area, label=new.label, description=new.description, synonyms=synonyms,
                     levels={key: new.levels[key] for key in LEVEL_KEYS}, digcomp=new.digcomp)
    session.add(row)
    try:
        session.commit()
    except IntegrityError as exc:  # the same id, added by someone else a moment ago
        session.rollback()
        raise problem("board_competency_exists", "id", 409, id=new.id) from exc
    return row

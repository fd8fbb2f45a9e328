"""Registered organisations (municipalities, cities, counties …), their cooperative membership and budget.

The organisation is the scope of HR keys and campaigns (its ``id`` is their
``org``) and decides the price a learner pays: employees of member
administrations get the modules at the member price. Registering and
changing one is a user action of an admin (or, for the budget, of the
organisation's HR) and one transaction each.

Budget model: ``yearly_budget_eur`` is the most each learner of the
organisation may spend per year (see ``campus.hr.models.Organisation``);
the plan engine keeps every learner's plan within the lower of that and the
learner's own budget.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr
from sqlmodel import Session, col, select

from campus.hr.models import Organisation
from campus.hr.organisation_matching import OrganisationMatcher, OrganisationTerms, normalise
from campus.learners.models import LearnerProfile
from campus.store.clock import utcnow
from campus.store.errors import problem

ORGANISATION_KINDS = ("municipality", "city", "county", "district", "association", "state_agency", "other")
OrganisationKind = Literal["municipality", "city", "county", "district", "association", "state_agency", "other"]
SLUG = r"^[a-z0-9][a-z0-9_-]{1,62}$"
MAX_SYNONYMS = 20
MAX_BUDGET_EUR = 1_000_000.0
Synonym = Annotated[StrictStr, Field(min_length=2, max_length=200)]
Budget = Annotated[float, Field(ge=0, le=MAX_BUDGET_EUR, allow_inf_nan=False)]


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: StrictStr = Field(pattern=SLUG, description="Kennung: das ``org`` von HR-Schlüsseln und Kampagnen")
    name: StrictStr = Field(min_length=2, max_length=200)
    kind: OrganisationKind = "municipality"
    region: StrictStr | None = Field(default=None, min_length=1, max_length=100)
    member: StrictBool = False
    synonyms: list[Synonym] = Field(default_factory=list, max_length=MAX_SYNONYMS)
    yearly_budget_eur: Budget | None = None


class OrganisationUpdate(BaseModel):
    """The fields to change; left out stays. ``null`` removes the region or the budget; synonyms are replaced."""

    model_config = ConfigDict(extra="forbid")

    name: StrictStr | None = Field(default=None, min_length=2, max_length=200)
    kind: OrganisationKind | None = None
    region: StrictStr | None = Field(default=None, min_length=1, max_length=100)
    member: StrictBool | None = None
    synonyms: list[Synonym] | None = Field(default=None, max_length=MAX_SYNONYMS)
    yearly_budget_eur: Budget | None = None


class BudgetIn(BaseModel):
    """HR sets (or with ``null`` removes) the yearly budget per learner of its organisation."""

    model_config = ConfigDict(extra="forbid")

    yearly_budget_eur: Budget | None


REQUIRED_ON_UPDATE = ("name", "kind", "member", "synonyms")


def organisation_view(row: Organisation) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kind": row.kind, "region": row.region, "member": row.member,
            "synonyms": list(row.synonyms or []), "yearly_budget_eur": row.yearly_budget_eur,
            "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat()}


def list_organisations(session: Session, member: bool | None = None) -> list[Organisation]:
    query = select(Organisation).order_by(col(Organisation.id))
    if member is not None:
        query = query.where(Organisation.member == member)
    return list(session.exec(query).all())


def find_organisation(session: Session, organisation_id: str | None) -> Organisation | None:
    return session.get(Organisation, organisation_id) if organisation_id else None


def get_organisation(session: Session, organisation_id: str) -> Organisation:
    row = session.get(Organisation, organisation_id)
    if row is None:
        raise problem("organisation_not_found", "organisation_id", 404, id=organisation_id)
    return row


def _clean(values: list[str]) -> list[str]:
    """Synonyms stripped, without repeats (as compared when matching)."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        key = normalise(value)
        if key and key not in seen:
            seen.add(key)
            out.append(value.strip())
    return out


def _check_unique_terms(session: Session, organisation_id: str, name: str, synonyms: list[str]) -> None:
    """A name or synonym of another organisation would make interview answers ambiguous: refused."""
    mine = {normalise(t): t for t in (name, *synonyms)}
    for other in session.exec(select(Organisation).where(Organisation.id != organisation_id)).all():
        for term in (other.name, *(other.synonyms or [])):
            key = normalise(term)
            if key in mine:
                field = "name" if key == normalise(name) else "synonyms"
                raise problem("organisation_name_taken", field, 409, term=mine[key], other=other.id)


def register_organisation(session: Session, data: OrganisationIn) -> Organisation:
    """Store a new organisation (one transaction); every check runs before the write."""
    if session.get(Organisation, data.id) is not None:
        raise problem("organisation_exists", "id", 409, id=data.id)
    synonyms = _clean(data.synonyms)
    _check_unique_terms(session, data.id, data.name.strip(), synonyms)
    row = Organisation(id=data.id, name=data.name.strip(), kind=data.kind,
                       region=data.region.strip() if data.region else None, member=data.member,
                       synonyms=synonyms, yearly_budget_eur=data.yearly_budget_eur)
    session.add(row)
    session.commit()
    return row


def update_organisation(session: Session, organisation_id: str, data: OrganisationUpdate) -> Organisation:
    """Change the given fields (one transaction)."""
    row = get_organisation(session, organisation_id)
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    if not changes:
        raise problem("empty_update", "body")
    for name in REQUIRED_ON_UPDATE:
        if name in changes and changes[name] is None:
            raise problem("field_not_nullable", name, name=name)
    if "synonyms" in changes:
        changes["synonyms"] = _clean(changes["synonyms"])
    if "name" in changes or "synonyms" in changes:
        _check_unique_terms(session, row.id, (changes.get("name") or row.name).strip(),
                            changes.get("synonyms", list(row.synonyms or [])))
    for name, value in changes.items():
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    row.updated_at = utcnow()
    session.add(row)
    session.commit()
    return row


def set_budget(session: Session, organisation_id: str, amount: float | None) -> Organisation:
    """HR sets the yearly budget per learner of its own organisation (one transaction)."""
    row = session.get(Organisation, organisation_id)
    if row is None:
        raise problem("hr_organisation_not_registered", "X-API-Key", 404, org=organisation_id)
    row.yearly_budget_eur, row.updated_at = amount, utcnow()
    session.add(row)
    session.commit()
    return row


def seed_organisation(session: Session, item: dict[str, Any]) -> Organisation:
    """An organisation from the seed file (caller's transaction): created, or its seeded fields updated.

    What the seed does not state (the budget, usually) keeps what an admin or HR set.
    """
    data = OrganisationIn.model_validate(item)
    row = session.get(Organisation, data.id) or Organisation(id=data.id, name=data.name)
    row.name, row.kind, row.member, row.synonyms = data.name, data.kind, data.member, _clean(data.synonyms)
    for name in ("region", "yearly_budget_eur"):
        if name in item:
            setattr(row, name, getattr(data, name))
    session.add(row)
    return row


def organisation_matcher(session: Session) -> OrganisationMatcher:
    """A matcher over every registered organisation (for the interview's organisation question)."""
    rows = session.exec(select(Organisation).order_by(col(Organisation.id))).all()
    return OrganisationMatcher(OrganisationTerms(r.id, r.name, tuple(r.synonyms or ())) for r in rows)


def learner_ids_of(session: Session, organisation_id: str) -> list[str]:
    """The learners whose profile names the organisation (their plans change with its membership or budget)."""
    query = select(LearnerProfile.learner_id).where(LearnerProfile.organisation_id == organisation_id,
                                                    LearnerProfile.consent == True)  # noqa: E712
    return sorted(session.exec(query).all())

"""The price that applies to a learner, and the budget their plan keeps to.

Employees of member administrations of the cooperative pay the member
price, everybody else the non-member price. The organisation comes from the
profile (the interview answer matched to a registered organisation, or the
campaign that invited the learner); an unknown organisation counts as a
non-member, and the chat says so, so nobody is shown a price they will not
get. The budget is the lower of the learner's own and their organisation's
yearly budget per learner. Wording: ``data/texts/plan_chat.yml`` (``price``)
and the short labels in ``data/texts/reasons.yml`` (``price``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session

from campus.hr.models import Organisation
from campus.hr.organisations import find_organisation
from campus.learners.models import Learner, LearnerProfile
from campus.store.texts import texts
from campus.store.wording import euro


class Priced(Protocol):
    @property
    def price_member_eur(self) -> float: ...
    @property
    def price_non_member_eur(self) -> float: ...


@dataclass(frozen=True)
class Membership:
    """Whom the learner works for, as far as the platform knows, and what that means for prices and budget."""

    organisation_id: str | None = None
    organisation_name: str | None = None
    member: bool = False
    learner_budget: float | None = None
    organisation_budget: float | None = None

    @property
    def known(self) -> bool:
        return self.organisation_id is not None

    @property
    def budget(self) -> float | None:
        """The lower of the two budgets; None when neither is set (no limit)."""
        given = [b for b in (self.learner_budget, self.organisation_budget) if b is not None]
        return min(given) if given else None


def membership(organisation: Organisation | None, learner_budget: float | None = None) -> Membership:
    if organisation is None:
        return Membership(learner_budget=learner_budget)
    return Membership(organisation.id, organisation.name, bool(organisation.member), learner_budget,
                      organisation.yearly_budget_eur)


def membership_of(session: Session, learner_id: str, profile: LearnerProfile | None = None) -> Membership:
    """The learner's membership: the profile's organisation, else the organisation of their invitation."""
    row = profile if profile is not None else session.get(LearnerProfile, learner_id)
    organisation_id = row.organisation_id if row is not None else None
    if organisation_id is None:
        learner = session.get(Learner, learner_id)
        organisation_id = learner.org if learner is not None else None
    return membership(find_organisation(session, organisation_id), row.yearly_budget_eur if row else None)


def membership_after_interview(session: Session, learner_id: str | None, fields: Mapping[str, Any]) -> Membership:
    """After the interview: the stored profile's membership, or (no consent, nothing stored) the answers'."""
    if learner_id is not None:
        return membership_of(session, learner_id)
    budget = fields.get("yearly_budget_eur")
    return membership(find_organisation(session, fields.get("organisation_id")),
                      float(budget) if isinstance(budget, int | float) else None)


def applicable_price(module: Priced, who: Membership) -> float:
    return float(module.price_member_eur if who.member else module.price_non_member_eur)


def price_label(price: float, member: bool) -> str:
    """The short form in plan lines and search hits: "450 € Mitgliedspreis", "600 €", "kostenfrei"."""
    labels = texts("reasons")["price"]
    if price <= 0:
        return str(labels["free"])
    return str(labels["member" if member else "non_member"]).format(price=euro(price))


def short_price(module: Priced, who: Membership) -> str:
    return price_label(applicable_price(module, who), who.member)


def price_details(module: Priced, who: Membership) -> str:
    """Which price applies to the learner and why, for the module details."""
    wording = texts("plan_chat")["price"]
    member, other = float(module.price_member_eur), float(module.price_non_member_eur)
    price = applicable_price(module, who)
    if price <= 0:
        return str(wording["free"])
    if member == other:
        return str(wording["same"]).format(price=euro(price))
    key = "member" if who.member else ("non_member" if who.known else "unknown")
    return str(wording[key]).format(price=euro(price), member=euro(member), other=euro(other),
                                    organisation=who.organisation_name or "")


def budget_note(who: Membership) -> str | None:
    """The budget the plan keeps to and whose it is, or None without one."""
    budget = who.budget
    if budget is None:
        return None
    wording = texts("plan_chat")["budget"]
    by_organisation = who.organisation_budget is not None and budget == who.organisation_budget \
        and (who.learner_budget is None or who.learner_budget > budget)
    return str(wording["organisation" if by_organisation else "own"]).format(
        budget=euro(budget), organisation=who.organisation_name or "")

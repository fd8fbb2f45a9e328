"""The learner's current plan as the chat shows it, and which item a message refers to.

Learners refer to items by position ("das zweite Modul", "Modul 3", "das
letzte"), by topic ("den E-Akte-Kurs") or not at all ("Warum?" right after
looking at one item). Resolving that is dialogue-independent logic, so it
lives here and the Rasa actions stay thin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from campus.catalogue.models import Module, Provider
from campus.learners.models import LearnerProfile, Plan, PlanItem
from campus.learners.plans import current_plan, plan_items
from campus.learners.prices import Membership, membership_of, price_details, short_price
from campus.store.ids import stored_id
from campus.store.texts import texts as load_texts
from campus.store.wording import hours_label, month_label


def texts() -> dict[str, Any]:
    return load_texts("plan_chat")


@dataclass(frozen=True)
class ItemView:
    position: int
    item: PlanItem
    module: Module
    who: Membership = Membership()  # decides the price shown (member or non-member)

    @property
    def month(self) -> str:
        return month_label(self.item.planned_month) if self.item.planned_month else str(texts()["no_dates"])

    @property
    def format_label(self) -> str:
        return str(load_texts("reasons")["formats"].get(self.module.format, self.module.format))

    @property
    def hours(self) -> str:
        return hours_label(self.module.duration_hours)

    @property
    def price(self) -> str:
        """The price that applies to this learner, short ("450 € Mitgliedspreis")."""
        return short_price(self.module, self.who)

    def card(self) -> str:
        """One line per item in the format of the first plan (the widget renders it as a card)."""
        t = texts()
        line = t["item_line"].format(month=self.month, format=self.format_label, hours=self.hours, price=self.price,
                                     category=self.module.category, status=t["status"].get(self.item.status, ""))
        return str(t["item"]).format(position=self.position, title=self.module.title,
                                     match_percent=self.item.match_percent, line=line)


@dataclass(frozen=True)
class PlanView:
    plan: Plan | None
    items: list[ItemView]
    consent: bool
    who: Membership = Membership()

    def by_position(self, position: int) -> ItemView | None:
        return next((i for i in self.items if i.position == position), None)

    def by_module(self, module_id: int) -> ItemView | None:
        return next((i for i in self.items if i.module.id == module_id), None)


def load_view(session: Session, learner_id: str) -> PlanView:
    profile = session.get(LearnerProfile, learner_id)
    who = membership_of(session, learner_id, profile)
    plan = current_plan(session, learner_id)
    if plan is None:
        return PlanView(None, [], bool(profile and profile.consent), who)
    items = []
    for item in plan_items(session, stored_id(plan.id)):
        module = session.get(Module, item.module_id)
        if module is not None:
            items.append(ItemView(item.position, item, module, who))
    return PlanView(plan, items, bool(profile and profile.consent), who)


def resolve_item(view: PlanView, positions: list[str], competencies: list[str], focus: str | None) -> ItemView | None:
    """The item a message means: an explicit position, else a named topic, else the item in focus.

    ``positions`` are NLU values ("1".."5", "last"); ``competencies`` are
    framework ids the NLU found; ``focus`` is the position last looked at.
    """
    if not view.items:
        return None
    for value in positions:
        if value == "last":
            return view.items[-1]
        if str(value).isdigit():
            found = view.by_position(int(value))
            if found is not None:
                return found
    if competencies:
        matching = [i for i in view.items if {c["id"] for c in i.module.competencies} & set(competencies)]
        if len(matching) == 1:
            return matching[0]
    if focus and str(focus).isdigit():
        found = view.by_position(int(focus))
        if found is not None:
            return found
    return view.items[0] if len(view.items) == 1 else None


def details_text(session: Session, item: ItemView) -> str:
    t = texts()
    module = item.module
    provider = session.get(Provider, module.provider_id)
    dates = ", ".join(t["date_range"].format(start=d["start"], end=d["end"]) for d in module.dates) or t["no_dates"]
    proof = ", ".join(t["proof_tiers"].get(p, p) for p in module.proof_tiers) or "–"
    outcomes = "; ".join(module.learning_outcomes[:3]) or "–"
    return str(t["details"]).format(
        title=module.title, category=module.category, provider=provider.name if provider else module.provider_id,
        description=module.description, outcomes=outcomes, format=item.format_label, hours=item.hours, dates=dates,
        price=price_details(module, item.who), proof=proof,
    )


def why_text(item: ItemView) -> str:
    t = texts()
    reasons = "; ".join(item.item.reasons) or "–"
    why = str(t["why"]).format(title=item.module.title, match_percent=item.item.match_percent, reasons=reasons)
    return why + " " + str(t["why_percent"])


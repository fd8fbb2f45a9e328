"""The price a learner is shown: member price for members, else the non-member price, and why; the budget kept."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from campus.catalogue.models import Module, Provider
from campus.hr.models import Organisation
from campus.learners.models import Learner, LearnerProfile, Plan, PlanItem
from campus.learners.plan_view import details_text, load_view
from campus.learners.prices import Membership, budget_note, membership_after_interview, membership_of, short_price
from campus.learners.profiles import update_profile
from campus.store.db import make_engine
from campus.tables import create_schema


@pytest.fixture
def session(tmp_path) -> Session:
    engine = make_engine(f"sqlite:///{tmp_path / 'prices.db'}")
    create_schema(engine)
    with Session(engine) as session:
        session.add(Provider(id="p", name="Akademie", kind="private"))
        session.add(Organisation(id="musterstadt", name="Stadt Musterstadt", member=True, yearly_budget_eur=900))
        session.add(Organisation(id="beispielhausen", name="Gemeinde Beispielhausen", member=False))
        session.flush()
        session.add(Module(id=1, provider_id="p", external_id="m1", title="E-Akte kompakt", description="d",
                           category="Basismodul", price_member_eur=450, price_non_member_eur=1200, status="approved"))
        session.add(Module(id=2, provider_id="p", external_id="m2", title="Frei", description="d",
                           category="Basismodul", status="approved"))
        session.commit()
        yield session


def learner(session: Session, learner_id: str, org: str | None = None, **profile: object) -> str:
    session.add(Learner(id=learner_id, org=org))
    session.flush()
    update_profile(session, learner_id, {"consent": True, **profile})
    plan = Plan(learner_id=learner_id, version=1, trigger="interview_completed")
    session.add(plan)
    session.flush()
    session.add(PlanItem(plan_id=plan.id, position=1, module_id=1, match_percent=80, reasons=["r"]))
    session.commit()
    return learner_id


def details(session: Session, learner_id: str) -> str:
    view = load_view(session, learner_id)
    return details_text(session, view.items[0])


def test_members_see_the_member_price_and_why(session: Session) -> None:
    who = learner(session, "L-member", organisation_id="musterstadt")
    view = load_view(session, who)
    assert view.who.member and "450 € Mitgliedspreis" in view.items[0].card()
    text = details(session, who)
    assert "Preis: 450 € für Sie – der Mitgliedspreis, weil Stadt Musterstadt Mitglied der Kooperation ist " \
           "(sonst 1.200 €)" in text
    assert budget_note(view.who) == "Ihr Lernplan bleibt im Jahresbudget von 900 €, das Stadt Musterstadt " \
                                    "pro Person vorsieht."


def test_known_non_members_and_unknown_organisations_pay_the_non_member_price(session: Session) -> None:
    other = learner(session, "L-other", organisation_id="beispielhausen", organisation="Gemeinde Beispielhausen")
    assert "Preis: 1.200 € für Sie – Gemeinde Beispielhausen ist kein Mitglied der Kooperation " \
           "(Mitglieder zahlen 450 €)" in details(session, other)
    unknown = learner(session, "L-unknown", organisation="Gemeinde Irgendwo")
    text = details(session, unknown)
    assert "Preis: 1.200 € – der Preis für Nichtmitglieder, weil uns Ihre Verwaltung nicht als Mitglied" in text
    assert "Mitglieder zahlen 450 €" in text
    assert " · 1.200 € · " in load_view(session, unknown).items[0].card()
    assert budget_note(membership_of(session, unknown)) is None


def test_the_campaign_organisation_counts_until_the_profile_names_one(session: Session) -> None:
    invited = learner(session, "L-invited", org="musterstadt")
    assert membership_of(session, invited).member
    update_profile(session, invited, {"organisation_id": "beispielhausen"})
    assert not membership_of(session, invited).member  # the learner's own answer wins


def test_the_lower_budget_applies_and_free_modules_say_so(session: Session) -> None:
    own = learner(session, "L-own", organisation_id="musterstadt", yearly_budget_eur=300)
    who = membership_of(session, own)
    assert who.budget == 300 and budget_note(who) == "Ihr Lernplan bleibt in Ihrem Jahresbudget von 300 €."
    assert membership_after_interview(session, None, {"organisation_id": "musterstadt",
                                                      "yearly_budget_eur": 2000}).budget == 900
    assert membership_after_interview(session, None, {}).budget is None
    free = session.get(Module, 2)
    assert short_price(free, Membership()) == "kostenfrei"


@pytest.mark.parametrize(("changes", "message"), [
    ({"organisation_id": "gibt-es-nicht"}, "not registered"),
    ({"yearly_budget_eur": -1}, "0-"),
    ({"yearly_budget_eur": float("nan")}, "0-"),
    ({"yearly_budget_eur": "viel"}, "number"),
])
def test_profile_writes_refuse_unknown_organisations_and_bad_budgets_before_writing(session, changes,
                                                                                   message) -> None:
    session.add(Learner(id="L-bad"))
    session.commit()
    with pytest.raises(ValueError, match=message):
        update_profile(session, "L-bad", {"interest_text": "KI", **changes})
    assert session.get(LearnerProfile, "L-bad") is None

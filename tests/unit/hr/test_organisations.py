"""Registered organisations: one transaction per change, unambiguous names, the seed keeps what admins set,
and the matcher that finds an organisation in an interview answer."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from campus.catalogue.models import Provider
from campus.catalogue.seed import load_seed
from campus.hr.models import Organisation
from campus.hr.organisation_matching import OrganisationMatcher, OrganisationTerms, normalise
from campus.hr.organisations import (
    OrganisationIn,
    OrganisationUpdate,
    learner_ids_of,
    organisation_matcher,
    register_organisation,
    set_budget,
    update_organisation,
)
from campus.learners.models import Learner, LearnerProfile
from campus.store.db import make_engine
from campus.store.errors import DomainError
from campus.store.settings import get_settings
from campus.tables import create_schema

KASSEL = [OrganisationTerms("kassel", "Stadt Kassel"), OrganisationTerms("lk-kassel", "Landkreis Kassel"),
          OrganisationTerms("musterstadt", "Stadt Musterstadt", ("Stadtverwaltung Musterstadt",)),
          OrganisationTerms("muenster", "Stadt Münster"), OrganisationTerms("au", "Gemeinde Au")]


def organisation(**changes: object) -> OrganisationIn:
    data = {"id": "testdorf", "name": "Gemeinde Testdorf", "member": True, "synonyms": ["Testdorf", "testdorf "]}
    data.update(changes)
    return OrganisationIn.model_validate(data)


def test_register_cleans_synonyms_and_update_changes_only_what_is_given(session: Session) -> None:
    row = register_organisation(session, organisation(yearly_budget_eur=500))
    assert row.synonyms == ["Testdorf"]  # repeats (as compared when matching) dropped
    updated = update_organisation(session, "testdorf", OrganisationUpdate.model_validate({"region": "Hessen"}))
    assert (updated.region, updated.member, updated.yearly_budget_eur, updated.name) == (
        "Hessen", True, 500, "Gemeinde Testdorf")
    cleared = update_organisation(session, "testdorf",
                                  OrganisationUpdate.model_validate({"yearly_budget_eur": None, "member": False}))
    assert cleared.yearly_budget_eur is None and cleared.member is False
    assert set_budget(session, "testdorf", 250.0).yearly_budget_eur == 250.0


def test_refusals_leave_the_store_as_it_was(session: Session) -> None:
    register_organisation(session, organisation())
    with pytest.raises(DomainError) as exists:
        register_organisation(session, organisation(name="Anders"))
    assert exists.value.status_code == 409 and exists.value.field == "id"
    with pytest.raises(DomainError) as taken:  # the other's synonym in another spelling
        register_organisation(session, organisation(id="nachbarort", name="Nachbarort", synonyms=["TESTDORF"]))
    assert taken.value.field == "synonyms" and "testdorf" in taken.value.message_de
    with pytest.raises(DomainError) as empty:
        update_organisation(session, "testdorf", OrganisationUpdate.model_validate({}))
    assert empty.value.field == "body"
    with pytest.raises(DomainError):
        update_organisation(session, "testdorf", OrganisationUpdate.model_validate({"name": None}))
    with pytest.raises(DomainError) as missing:
        update_organisation(session, "nirgendwo", OrganisationUpdate.model_validate({"member": True}))
    assert missing.value.status_code == 404
    with pytest.raises(DomainError):
        set_budget(session, "nirgendwo", 1.0)
    session.rollback()
    assert [o.id for o in session.exec(select(Organisation)).all()] == ["testdorf"]
    assert session.get(Organisation, "testdorf").name == "Gemeinde Testdorf"
    for bad in ({"yearly_budget_eur": float("nan")}, {"yearly_budget_eur": float("inf")}, {"id": "a"},
                {"synonyms": ["x"]}, {"kind": "imperium"}):
        with pytest.raises(ValidationError):
            organisation(**bad)


def test_learners_of_an_organisation_are_the_consenting_ones_naming_it(session: Session) -> None:
    register_organisation(session, organisation())
    for learner_id, consent in (("L-a", True), ("L-b", False)):
        session.add(Learner(id=learner_id))
        session.add(LearnerProfile(learner_id=learner_id, organisation_id="testdorf", consent=consent))
    session.commit()
    assert learner_ids_of(session, "testdorf") == ["L-a"]
    assert organisation_matcher(session).match("Gemeinde Testdorf, Kasse").id == "testdorf"


def test_the_seed_keeps_contacts_and_budgets_admins_set(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'seed.db'}")
    create_schema(engine)
    seed = get_settings().seed_dir
    with Session(engine) as session:
        report = load_seed(session, seed)
        session.commit()
        assert report.organisations >= 3 and session.get(Organisation, "musterstadt").member is True
        session.get(Provider, "hs_verwaltung_nord").contact = "weiterbildung@hs-nord.example"
        session.get(Organisation, "musterstadt").yearly_budget_eur = 1200
        session.commit()
        load_seed(session, seed, force=True)
        session.commit()
        assert session.get(Provider, "hs_verwaltung_nord").contact == "weiterbildung@hs-nord.example"
        assert session.get(Organisation, "musterstadt").yearly_budget_eur == 1200


@pytest.mark.parametrize(("text", "expected", "certain"), [
    ("Stadt Musterstadt, Bürgeramt", "musterstadt", True),
    ("Ich arbeite in der Stadtverwaltung Musterstadt", "musterstadt", True),
    ("musterstadt", "musterstadt", True),
    ("Musterstad, Bürgeramt", "musterstadt", False),  # a typo: a guess to confirm
    ("Stadt Kassel, Ordnungsamt", "kassel", True),  # the county's "Kassel" lies inside the city's name
    ("Landkreis Kassel, Bauamt", "lk-kassel", True),
    ("Kassel", "kassel", False),  # city or county: asked back
    ("Stadtverwaltung Muenster", "muenster", True),  # umlauts as ae/oe/ue
    ("Gemeinde Testdorf im Landkreis Kassel", "lk-kassel", False),  # another administration is named too
    ("Stadt", None, None),
    ("Bürgeramt der Stadt", None, None),
    ("Gemeinde Irgendwo", None, None),
    ("Auerbach", None, None),  # "Au" is too short to match inside other words or alone
    ("", None, None),
])
def test_the_matcher_finds_registered_organisations_in_free_text(text, expected, certain) -> None:
    found = OrganisationMatcher(KASSEL).match(text)
    if expected is None:
        assert found is None, found
    else:
        assert found is not None and (found.id, found.certain) == (expected, certain)


def test_the_matcher_stays_quick_and_bounded_on_long_or_hostile_text() -> None:
    many = [OrganisationTerms(f"ort-{i}", f"Gemeinde Ort{i:05d}") for i in range(3000)]
    matcher = OrganisationMatcher(many)
    assert matcher.match("Gemeinde Ort02999, Kasse").id == "ort-2999"
    assert matcher.match("🙂 " * 5000) is None
    assert normalise("Köln-Mülheim, Straße") == "koeln muelheim strasse"

"""The organisation answer matched to a registered organisation (a guess is confirmed, a "no" keeps the words),
the yearly budget in euros or in words, and both as the profile stores them and the summary shows them."""

from __future__ import annotations

from datetime import date

import pytest

from campus.hr.organisation_matching import OrganisationMatcher, OrganisationTerms
from campus.learners.interview.answers import judge, parse_number, with_organisation, without_organisation
from campus.learners.interview.guide import GuideError, load_guide, parse_guide
from campus.learners.interview.state import Step, new_state, organisation_step, record
from campus.learners.interview.summary import describe, profile_fields, summary_lines
from tests.unit.learners.interview.kit import GUIDE_PATH, FakeRoles

REGISTERED = OrganisationMatcher([OrganisationTerms("musterstadt", "Stadt Musterstadt"),
                                  OrganisationTerms("lk-musterland", "Landkreis Musterland")])
LEVEL_NAMES = {0: "keine", 1: "Grundkenntnisse", 2: "Anwendung", 3: "Vertiefung", 4: "Expertenwissen"}


def answer(question_id: str, text: str):
    guide = load_guide(GUIDE_PATH)
    question = guide.question(question_id)
    step = Step(question_id, question, question.competency)
    judged = judge(step, text, 2000, lambda: FakeRoles(), date(2026, 11, 23))
    return step, with_organisation(step, judged, lambda: REGISTERED)


def test_the_organisation_question_recognises_registered_organisations() -> None:
    step, sure = answer("organisation", "Stadt Musterstadt, Bürgeramt")
    assert step == organisation_step(load_guide(GUIDE_PATH))
    assert sure.certain and sure.value == {"text": "Stadt Musterstadt, Bürgeramt", "organisation_id": "musterstadt",
                                           "organisation": "Stadt Musterstadt"}
    _, typo = answer("organisation", "Musterstad, Ordnungsamt")
    assert not typo.certain and typo.value["organisation_id"] == "musterstadt" and typo.confidence < 1
    assert without_organisation(typo.value) == {"text": "Musterstad, Ordnungsamt", "organisation_id": None,
                                                "organisation": None}
    _, unknown = answer("organisation", "Gemeinde Irgendwo, Kasse")
    assert unknown.certain and unknown.value["organisation_id"] is None and unknown.value["text"].startswith("Gem")
    _, bad = answer("organisation", "🙂")
    assert bad.problem == "no_words"  # judged before any matching
    _, other = answer("main_tasks", "Stadt Musterstadt")  # free text without an organisation field stays text
    assert other.value == "Stadt Musterstadt"


@pytest.mark.parametrize(("text", "value"), [
    ("800", 800), ("etwa 1.500 €", 1500), ("2.000,50 Euro", 2000.5), ("höchstens 750,- im Jahr", 750),
    ("kein Budget", None), ("Da gibt es keine Grenze", None), ("egal", None),
    ("nur kostenlose Angebote", 0), ("0", 0),
])
def test_the_budget_question_takes_euros_and_words(text, value) -> None:
    _, judged = answer("yearly_budget", text)
    assert judged.ok and judged.certain and judged.value == value, (text, judged)


@pytest.mark.parametrize(("text", "problem"), [("-5", "out_of_range"), ("200000", "out_of_range"),
                                               ("vielleicht", "not_understood"), ("", "empty")])
def test_budget_answers_that_cannot_be_used(text, problem) -> None:
    _, judged = answer("yearly_budget", text)
    assert judged.problem == problem, (text, judged)


def test_german_thousands_and_decimals() -> None:
    assert [parse_number(t) for t in ("1.500", "1.500.", "1,5", "1.5", "12.000,75", "500 bis 1.000", "2-3 Stunden",
                                      "-20")] == [1500, 1500, 1.5, 1.5, 12000.75, 500, 2, -20]


def test_profile_and_summary_of_the_organisation_and_the_budget() -> None:
    guide = load_guide(GUIDE_PATH)
    state = record(new_state(guide), organisation_step(guide), {
        "text": "Stadt Musterstadt, Bürgeramt", "organisation_id": "musterstadt", "organisation": "Stadt Musterstadt"})
    budget = guide.question("yearly_budget")
    state = record(state, Step("yearly_budget", budget), None)
    fields, _, _ = profile_fields(guide, state)
    assert fields == {"organisation": "Stadt Musterstadt, Bürgeramt", "organisation_id": "musterstadt",
                      "yearly_budget_eur": None}
    lines = summary_lines(guide, state, {}, {}, LEVEL_NAMES)
    assert any(line.endswith(": Stadt Musterstadt, Bürgeramt") for line in lines)
    assert any(line.endswith(": keine Grenze") for line in lines), lines
    assert describe(800, budget, {}) == "800 Euro pro Jahr"
    # a state stored before organisations were matched holds the text alone: kept as it is
    old = record(new_state(guide), organisation_step(guide), "Stadt X")
    assert profile_fields(guide, old)[0] == {"organisation": "Stadt X"}


def test_the_guide_refuses_phrases_that_stand_for_no_number() -> None:
    base = {"sections": [{"id": "s", "questions": [
        {"id": "b", "text": "Budget?", "type": "number", "field": "yearly_budget_eur", "phrases": {}}]}]}
    for bad in ({"viel": "tausend"}, ["kein budget"], {"ja": True}):
        base["sections"][0]["questions"][0]["phrases"] = bad
        with pytest.raises(GuideError):
            parse_guide(base)
    base["sections"][0]["questions"][0]["phrases"] = {"kein": None, "kein budget": None, "gratis": 0}
    assert [p for p, _ in parse_guide(base).questions[0].phrases] == ["kein budget", "gratis", "kein"]

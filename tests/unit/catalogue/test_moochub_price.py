"""MOOChub mapping: offers and access → price, numberOfCredits → ECTS, credentials → proof tiers."""

from __future__ import annotations

import pytest

from tests.unit.catalogue.moochub_support import course, document, run


@pytest.mark.parametrize(
    ("offers", "access", "price", "issue"),
    [
        ([{"price": 120, "priceCurrency": "EUR", "paymentFrequency": "one-time", "category": "complete"}],
         ["paid"], 120.0, None),
        ([{"price": 0, "priceCurrency": "EUR", "paymentFrequency": "one-time", "category": "course"},
          {"price": 99, "priceCurrency": "EUR", "paymentFrequency": "one-time", "category": "course"}],
         ["free", "paid"], 0.0, None),
        ([{"price": 50, "priceCurrency": "EUR", "paymentFrequency": "monthly", "category": "course"}],
         ["paid"], 100.0, "attributes.offer[0]"),  # P6W → two months
        ([{"price": 200, "priceCurrency": "CHF", "paymentFrequency": "one-time", "category": "course"}],
         ["paid"], 0.0, "attributes.offer[0]"),
        (None, ["paid"], 0.0, "attributes.offer"),
        (None, ["free"], 0.0, None),
    ],
)
def test_price_from_offers(offers, access, price, issue) -> None:
    result = run(document(course(offer=offers, access=access, duration="P6W")))
    module = result.modules[0]
    assert module["price_member_eur"] == module["price_non_member_eur"] == price
    fields = [i.field for i in result.issues]
    assert (issue in fields) if issue else fields == []


def test_ects_and_proof_tiers() -> None:
    module = run(document(course(
        numberOfCredits=5, educationalCredentialsAwarded=["certificate", "confirmation of participation"]
    ))).modules[0]
    assert (module["ects"], module["proof_tiers"]) == (5.0, ["participation", "certificate"])
    result = run(document(course(numberOfCredits=45)))
    assert result.modules[0]["ects"] == 0.0
    assert [i.field for i in result.issues] == ["attributes.numberOfCredits"]

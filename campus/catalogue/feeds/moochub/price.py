"""What a course costs and what it certifies: ``offer[]``/``access[]`` → price, ``numberOfCredits`` → ECTS,
``educationalCredentialsAwarded[]`` → proof tiers.

The template has one course price for members and non-members alike; the
cheapest usable offer wins. Certificate fees cannot be expressed and are
dropped; prices in other currencies are not converted; a recurring price is
extrapolated over the course length. No offer means free if ``access`` says
so, else 0 € with an issue.
"""

from __future__ import annotations

import math
from typing import Any

from campus.catalogue.feeds.moochub.document import entries
from campus.catalogue.feeds.moochub.issues import CourseSkipped, IssueLog
from campus.store.formats import DAYS_PER_MONTH, DAYS_PER_YEAR

MAX_ECTS = 30
MAX_PRICE = 100_000
CURRENCY = "EUR"

_PAYMENT_PERIOD_DAYS = {
    "weekly": 7.0,
    "monthly": DAYS_PER_MONTH,
    "quarterly": DAYS_PER_YEAR / 4,
    "half-yearly": DAYS_PER_YEAR / 2,
    "by semester": DAYS_PER_YEAR / 2,
    "yearly": DAYS_PER_YEAR,
}
_ONE_TIME = (None, "one-time")
_CREDENTIAL_TIERS = {
    "confirmation of participation": "participation",
    "record of achievement": "scores",
    "certificate": "certificate",
}
_TIER_ORDER = ("participation", "scores", "certificate")


def course_price(attrs: dict[str, Any], length_days: float | None, log: IssueLog) -> float:
    """The course price in euro; skips the course above :data:`MAX_PRICE`."""
    offers = attrs.get("offer")
    path = "attributes.offer"
    if offers is None and "offers" in attrs:
        offers, path = attrs.get("offers"), "attributes.offers"
    totals: list[float] = []
    for position, offer in entries(offers):
        if isinstance(offer, dict):
            total = _offer_total(offer, f"{path}[{position}]", length_days, log)
            if total is not None:
                totals.append(round(total, 2))
    if totals:
        price_eur = min(totals)
    else:
        access = attrs.get("access")
        price_eur = 0.0
        if not (isinstance(access, list) and "free" in access):
            log.warn(path, "price.no_price")
    if price_eur > MAX_PRICE:
        raise CourseSkipped(path, "price.price_too_high", price=price_eur, limit=MAX_PRICE)
    return price_eur


def _offer_total(offer: dict[str, Any], where: str, length_days: float | None, log: IssueLog) -> float | None:
    """What one offer costs over the whole course, or None if it is not a usable course price."""
    price = offer.get("price")
    if isinstance(price, bool) or not isinstance(price, (int, float)) or not 0 <= price < math.inf:
        log.warn(where, "price.bad_price")
        return None
    if offer.get("category") == "certificate":
        if price > 0:
            log.warn(where, "price.certificate_fee", price=price, currency=offer.get("priceCurrency") or CURRENCY)
        return None
    currency = offer.get("priceCurrency")
    if not (isinstance(currency, str) and currency.strip().upper() == CURRENCY) and price > 0:
        shown = currency if isinstance(currency, str) and currency.strip() else "?"
        log.warn(where, "price.foreign_currency", currency=shown)
        return None
    frequency = offer.get("paymentFrequency")
    if frequency is not None and not isinstance(frequency, str):
        frequency = str(frequency)
    total = float(price)
    if price > 0 and frequency in _PAYMENT_PERIOD_DAYS:
        if length_days:
            periods = max(1, math.ceil(length_days / _PAYMENT_PERIOD_DAYS[frequency] - 1e-9))
            total = float(price) * periods
            log.warn(where, "price.recurring_extrapolated", frequency=frequency, periods=periods, price=price)
        else:
            log.warn(where, "price.recurring_single", frequency=frequency)
    elif price > 0 and frequency not in _ONE_TIME:
        log.warn(where, "price.unclear_frequency", frequency=frequency)
    return total


def course_ects(attrs: dict[str, Any], log: IssueLog) -> float:
    credits = attrs.get("numberOfCredits")
    if credits is None:
        return 0.0
    if isinstance(credits, bool) or not isinstance(credits, (int, float)) or not 0 <= credits <= MAX_ECTS:
        log.warn("attributes.numberOfCredits", "price.bad_ects", value=credits, limit=MAX_ECTS)
        return 0.0
    return float(credits)


def proof_tiers(attrs: dict[str, Any], log: IssueLog) -> list[str]:
    raw = attrs.get("educationalCredentialsAwarded")
    tiers: set[str] = set()
    for value in raw if isinstance(raw, list) else []:
        tier = _CREDENTIAL_TIERS.get(value) if isinstance(value, str) else None
        if tier is None:
            log.warn("attributes.educationalCredentialsAwarded", "price.unknown_credential", value=value)
        else:
            tiers.add(tier)
    return [t for t in _TIER_ORDER if t in tiers]

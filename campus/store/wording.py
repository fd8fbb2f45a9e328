"""Numbers and months as a German reader expects them (``März 2027``, ``12,5``, ``1.200``).

The month names and patterns come from ``data/texts/formats.yml``.
"""

from __future__ import annotations

from campus.store.texts import texts


def month_label(month: str) -> str:
    """``2027-03`` → ``März 2027``."""
    formats = texts("formats")
    year, number = month.split("-")[:2]
    return str(formats["month_label"]).format(month=formats["months"][int(number) - 1], year=year)


def hours_label(hours: float) -> str:
    return f"{int(hours)}" if float(hours).is_integer() else f"{hours:.1f}".replace(".", ",")


def euro(value: float) -> str:
    """Whole euros with a thousands dot, cents with a decimal comma."""
    return f"{value:,.0f}".replace(",", ".") if float(value).is_integer() else f"{value:.2f}".replace(".", ",")

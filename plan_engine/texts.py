"""German wording of the plan engine, read from ``data/texts`` so nobody edits Python to reword a reason."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@lru_cache
def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


REASONS = DATA_DIR / "texts" / "reasons.yml"
MESSAGES = DATA_DIR / "texts" / "plan_messages.yml"
REGIONS = DATA_DIR / "regions.yml"


def reasons() -> dict:
    return _load(REASONS)


def messages() -> dict:
    return _load(MESSAGES)


def regions() -> dict[str, list[str]]:
    return _load(REGIONS)["regions"]


def month_label(month: str) -> str:
    """``2027-03`` → ``März 2027``."""
    texts = messages()
    year, number = month.split("-")[:2]
    return texts["month_label"].format(month=texts["months"][int(number) - 1], year=year)


def hours_label(hours: float) -> str:
    return f"{int(hours)}" if float(hours).is_integer() else f"{hours:.1f}".replace(".", ",")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"

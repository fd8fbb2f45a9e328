"""German wording of the plan engine, read from ``data/`` so nobody edits Python to reword a reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from campus.store.texts import data_file, texts


def reasons() -> dict[str, Any]:
    return texts("reasons")


def messages() -> dict[str, Any]:
    return texts("plan_messages")


def regions() -> dict[str, list[str]]:
    return dict(data_file("regions.yml")["regions"])


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def no_goal_words() -> set[str]:
    """Stored career goals that mean "none" (``data/texts/answer_words.yml``)."""
    return {str(word) for word in texts("answer_words")["no_goal"]}

"""The interview's answers as a person reads them, and as the profile stores them.

The summary before the plan, a corrected answer and a guess asked back for
confirmation all show answers in the same words; their wording lives in
``data/texts/summary.yml``. Names of competencies, roles and levels come
from the caller (they live in the catalogue), so this module needs no session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from campus.learners.interview.guide import CHOICE_TYPES, Guide, Question
from campus.learners.interview.state import InterviewState, answered
from campus.store.texts import texts

SHORT_QUESTION_CHARS = 70
BOOLEAN_FIELDS = {"leads_staff", "consent"}
NONE_VALUES = {"none"}


def describe(value: Any, question: Question, role_titles: Mapping[str, str]) -> str:
    """An answer as a person reads it in the summary."""
    wording = texts("summary")
    if value is None:
        return question.none_label or str(wording["no_value"])
    if question.type == "role":
        option = next((o for o in question.options if o.value == value), None)
        return option.label if option else role_titles.get(value, str(value))
    if question.type in CHOICE_TYPES:
        values = value if isinstance(value, list) else [value]
        return str(wording["choice_joiner"]).join(
            next((o.label for o in question.options if o.value == v), str(v)) for v in values)
    if question.type == "number" and question.unit:
        return str(wording["with_unit"]).format(value=value, unit=question.unit)
    if isinstance(value, dict) and "text" in value:
        return str(value["text"])
    return str(value)


def short_question(text: str) -> str:
    """A question cut to its first clause, short enough for one summary line."""
    first = text.split("?")[0].split("(")[0].strip()
    if len(first) <= SHORT_QUESTION_CHARS:
        return first
    return str(texts("summary")["shortened"]).format(text=first[:SHORT_QUESTION_CHARS - 3].rsplit(" ", 1)[0])


def join_topics(names: list[str]) -> str:
    """„KI“, „E-Akte“ und „Datenschutz“."""
    wording = texts("summary")["topics"]
    quoted = [str(wording["quoted"]).format(topic=name) for name in names]
    if len(quoted) == 1:
        return quoted[0]
    return str(wording["joiner"]).join(quoted[:-1]) + str(wording["last_joiner"]) + quoted[-1]


def summary_lines(
    guide: Guide,
    state: InterviewState,
    labels: Mapping[str, str],
    role_titles: Mapping[str, str],
    level_names: Mapping[int, str],
) -> list[str]:
    """One line per answer and self-assessed level, in the order of the guide."""
    wording = texts("summary")

    def level_line(competency: str) -> str:
        level = state.levels[competency]
        return str(wording["level_line"]).format(competency=labels.get(competency, competency), level=level,
                                                 level_name=level_names[level])

    lines = []
    for question in guide.questions:
        if question.type == "competency_scales":
            lines += [level_line(competency) for competency in state.queue if competency in state.levels]
        elif question.type == "scale":
            if question.competency is not None and question.competency in state.levels \
                    and answered(state, question.id):
                lines.append(level_line(question.competency))
        elif question.id in state.answers:
            value = describe(state.answers[question.id], question, role_titles)
            lines.append(str(wording["answer_line"]).format(question=short_question(question.text), value=value))
    return lines


def profile_fields(guide: Guide, state: InterviewState) -> tuple[dict[str, Any], dict[str, int], bool]:
    """The interview's answers as profile fields, competency levels and the consent flag."""
    fields: dict[str, Any] = {}
    for question in guide.questions:
        if question.field == "levels" or question.id not in state.answers:
            continue
        value = state.answers[question.id]
        if question.competency_field and isinstance(value, dict):
            fields[question.competency_field] = list(value.get("competencies", []))
            value = value.get("text")
        elif question.organisation_field and isinstance(value, dict):  # older states hold the text alone
            fields[question.organisation_field] = value.get("organisation_id") or None
            value = value.get("text")
        if question.field in BOOLEAN_FIELDS:
            value = value == "yes"
        elif isinstance(value, str) and value in NONE_VALUES:  # a multi-choice list is never "none"
            value = None
        fields[question.field] = value
    consent = bool(fields.pop("consent", False))
    return fields, {k: int(v) for k, v in state.levels.items()}, consent

"""The interview guide as data: its format, checked when it is read.

The guide (``data/interview_guide.yml``) is the single source of the
questions, their wording, why-texts, answer types, conditions and target
profile fields, so a question added to the file is asked without any code or
domain change. Walking it lives in ``state``, judging answers in ``answers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campus.store.texts import data_file, read_yaml

GUIDE_FILE = "interview_guide.yml"
TYPES = {"free_text", "single_choice", "multi_choice", "scale", "number", "role", "competency_scales", "month"}
SCALE_TYPES = ("scale", "competency_scales")
CHOICE_TYPES = ("single_choice", "multi_choice")


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    why: str
    type: str
    field: str
    section: str
    options: tuple[Option, ...] = ()
    when: dict[str, Any] | None = None
    required: bool = False
    count: int = 3
    competency: str | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    # free text whose competencies are recognised and stored in this profile field
    competency_field: str | None = None
    # free text whose registered organisation is recognised and its id stored in this profile field
    organisation_field: str | None = None
    # number questions: replies in words and the value they stand for (None: no value, e.g. "kein Budget")
    phrases: tuple[tuple[str, float | None], ...] = ()
    none_label: str | None = None  # how the summary shows an answer without a value


@dataclass(frozen=True)
class Guide:
    version: int
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def scales(self) -> Question | None:
        """The question that expands into one self-assessment per competency of the role, if the guide has one."""
        return next((q for q in self.questions if q.type == "competency_scales"), None)


class GuideError(ValueError):
    pass


def parse_guide(data: dict[str, Any]) -> Guide:
    """The guide from its YAML form; a mistake in the file is refused with the question it concerns."""
    questions: list[Question] = []
    seen: set[str] = set()
    for section in data["sections"]:
        for raw in section["questions"]:
            qid = raw["id"]
            if qid in seen:
                raise GuideError(f"duplicate question id {qid!r}")
            if raw["type"] not in TYPES:
                raise GuideError(f"question {qid!r}: unknown type {raw['type']!r}")
            options = tuple(
                Option(str(o["value"]), o["label"], tuple(s.lower() for s in o.get("synonyms", ())))
                for o in raw.get("options", ())
            )
            if raw["type"] in CHOICE_TYPES and not options:
                raise GuideError(f"question {qid!r}: choice questions need options")
            phrases = _phrases(qid, raw.get("phrases") or {})
            when = raw.get("when")
            if when and "answer" in when and when["answer"] not in seen:
                raise GuideError(f"question {qid!r}: condition refers to later or unknown question {when['answer']!r}")
            seen.add(qid)
            questions.append(Question(
                id=qid, text=raw["text"], why=raw.get("why", ""), type=raw["type"], field=raw["field"],
                section=section["id"], options=options, when=when, required=bool(raw.get("required", False)),
                count=int(raw.get("count", 3)), competency=raw.get("competency"), unit=raw.get("unit"),
                min=raw.get("min"), max=raw.get("max"), competency_field=raw.get("competency_field"),
                organisation_field=raw.get("organisation_field"), phrases=phrases, none_label=raw.get("none_label"),
            ))
    return Guide(int(data.get("version", 1)), tuple(questions))


def _phrases(qid: str, raw: object) -> tuple[tuple[str, float | None], ...]:
    """``{"kein budget": null, "kostenlos": 0}`` as (lower-case phrase, value), longest phrase first."""
    if not isinstance(raw, dict):
        raise GuideError(f"question {qid!r}: phrases must map words to numbers or null")
    out: list[tuple[str, float | None]] = []
    for phrase, value in raw.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise GuideError(f"question {qid!r}: phrase {phrase!r} must stand for a number or null")
        out.append((str(phrase).lower(), float(value) if value is not None else None))
    return tuple(sorted(out, key=lambda item: -len(item[0])))


def load_guide(path: Path | None = None) -> Guide:
    """The guide (``data/interview_guide.yml`` unless ``path`` names another), re-read when the file changes.

    Reading goes through the one data loader, so an edited guide applies
    without a restart and tests can point the platform at other data.
    """
    data = read_yaml(path) if path is not None else data_file(GUIDE_FILE)
    if not isinstance(data, dict):
        raise GuideError(f"{path or GUIDE_FILE} does not hold a guide")
    return parse_guide(data)

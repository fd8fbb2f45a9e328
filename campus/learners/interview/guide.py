"""The interview guide as data: loading it, walking it, judging answers.

The guide (``data/interview_guide.yml``) is the single source of the
questions, their wording, why-texts, answer types, conditions and target
profile fields. The dialogue keeps a small JSON state (answers, the step
being asked, the order of steps) and asks this module what comes next, so a
question added to the file is asked without any code or domain change.

A *step* is one question as asked: a question id, or ``levels:<competency>``
for each competency a ``competency_scales`` question expands into.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from campus.learners.interview.levels import parse_level
from campus.learners.interview.rules import Matcher, decide_level, decide_role, text_problem

TYPES = {"free_text", "single_choice", "multi_choice", "scale", "number", "role", "competency_scales", "month"}
MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3, "mär": 3, "april": 4, "apr": 4,
    "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9,
    "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "dezember": 12, "dez": 12,
}
NOW_WORDS = ("sofort", "jetzt", "gleich", "ab sofort", "direkt", "asap")
NUMBER_WORDS = {"eins": 1, "ein": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
                "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "zwölf": 12, "fünfzehn": 15, "zwanzig": 20,
                "dreißig": 30, "vierzig": 40}


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


@dataclass(frozen=True)
class Guide:
    version: int
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


@dataclass(frozen=True)
class Step:
    key: str
    question: Question
    competency: str | None = None


@dataclass
class Answer:
    """The outcome of judging one reply to one step."""

    value: Any = None
    problem: str | None = None  # empty | too_long | no_words | out_of_range | not_understood | role_unclear
    suggestions: list[Any] = field(default_factory=list)
    # False when the value was inferred from a paraphrase: the dialogue confirms it before storing
    certain: bool = True
    # how sure the inference is (1.0 for exact matches), kept with the pending confirmation
    confidence: float = 1.0

    @property
    def ok(self) -> bool:
        return self.problem is None


class GuideError(ValueError):
    pass


def parse_guide(data: dict) -> Guide:
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
            if raw["type"] in ("single_choice", "multi_choice") and not options:
                raise GuideError(f"question {qid!r}: choice questions need options")
            when = raw.get("when")
            if when and "answer" in when and when["answer"] not in seen:
                raise GuideError(f"question {qid!r}: condition refers to later or unknown question {when['answer']!r}")
            seen.add(qid)
            questions.append(Question(
                id=qid, text=raw["text"], why=raw.get("why", ""), type=raw["type"], field=raw["field"],
                section=section["id"], options=options, when=when, required=bool(raw.get("required", False)),
                count=int(raw.get("count", 3)), competency=raw.get("competency"), unit=raw.get("unit"),
                min=raw.get("min"), max=raw.get("max"), competency_field=raw.get("competency_field"),
            ))
    return Guide(int(data.get("version", 1)), tuple(questions))


@lru_cache
def _load(path: Path, mtime: float) -> Guide:
    return parse_guide(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_guide(path: Path) -> Guide:
    """The guide, re-read whenever the file changes (so edits apply without a restart)."""
    return _load(path, path.stat().st_mtime)


# -- state --------------------------------------------------------------------------------------

def new_state(guide: Guide) -> dict[str, Any]:
    return {"guide_version": guide.version, "answers": {}, "levels": {}, "queue": [], "asked": [], "skipped": [],
            "current": None, "pending": None}


def _condition_holds(when: dict[str, Any] | None, state: dict[str, Any]) -> bool:
    if not when:
        return True
    answers, levels = state["answers"], state["levels"]
    if "answer" in when:
        value = answers.get(when["answer"])
        if "equals" in when:
            return value == when["equals"]
        if "in" in when:
            return value in when["in"]
        return value is not None
    if "level" in when:
        return levels.get(when["level"], -1) >= int(when.get("at_least", 0))
    if "any_level_at_least" in when:
        return any(level >= int(when["any_level_at_least"]) for level in levels.values())
    return True


def next_step(guide: Guide, state: dict[str, Any], labels: dict[str, str]) -> Step | None:
    done = set(state["asked"])
    for question in guide.questions:
        if not _condition_holds(question.when, state):
            continue
        if question.type == "competency_scales":
            for competency in state.get("queue", []):
                key = f"levels:{competency}"
                if key not in done:
                    return Step(key, question, competency)
            continue
        if question.id not in done:
            return Step(question.id, question, question.competency)
    return None


def step_for(guide: Guide, key: str) -> Step:
    if key.startswith("levels:"):
        competency = key.split(":", 1)[1]
        question = next(q for q in guide.questions if q.type == "competency_scales")
        return Step(key, question, competency)
    question = guide.question(key)
    return Step(key, question, question.competency)


def question_text(step: Step, labels: dict[str, str]) -> str:
    return step.question.text.replace("{competency}", labels.get(step.competency or "", step.competency or ""))


def buttons(step: Step, scale_buttons: list[dict[str, str]]) -> list[dict[str, str]]:
    if step.question.type in ("scale", "competency_scales"):
        return scale_buttons
    return [{"title": o.label, "payload": o.label} for o in step.question.options]


def record(state: dict[str, Any], step: Step, value: Any, queue: list[str] | None = None) -> dict[str, Any]:
    """A new state with ``value`` stored for ``step`` (never mutates the given state).

    ``queue`` replaces the competencies to self-assess (given when the role changes).
    """
    new = {**state, "answers": dict(state["answers"]), "levels": dict(state["levels"]),
           "asked": [k for k in state["asked"] if k != step.key] + [step.key],
           "skipped": [k for k in state["skipped"] if k != step.key], "pending": None}
    if step.question.type in ("scale", "competency_scales"):
        new["levels"][step.competency] = int(value)
    else:
        new["answers"][step.question.id] = value
    if queue is not None:
        new["queue"] = list(queue)
    return new


def skip(state: dict[str, Any], step: Step) -> dict[str, Any]:
    answers = {k: v for k, v in state["answers"].items() if k != step.question.id or step.competency}
    levels = {k: v for k, v in state["levels"].items() if k != step.competency}
    return {**state, "answers": answers, "levels": levels,
            "asked": [k for k in state["asked"] if k != step.key] + [step.key],
            "skipped": [k for k in state["skipped"] if k != step.key] + [step.key], "pending": None}


def go_back(state: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Reopen the most recently answered or skipped step; returns its key (None at the start)."""
    if not state["asked"]:
        return {**state, "pending": None}, None
    last = state["asked"][-1]
    return {**state, "asked": state["asked"][:-1], "skipped": [k for k in state["skipped"] if k != last],
            "pending": None}, last


def propose(state: dict[str, Any], step: Step, answer: Answer) -> dict[str, Any]:
    """A new state holding ``answer`` for ``step`` until the learner confirms it."""
    return {**state, "pending": {"step": step.key, "value": answer.value, "confidence": round(answer.confidence, 3)}}


def pending_for(state: dict[str, Any], step: Step) -> dict[str, Any] | None:
    """The unconfirmed answer waiting for ``step``, if any."""
    pending = state.get("pending")
    return pending if isinstance(pending, dict) and pending.get("step") == step.key else None


def drop_pending(state: dict[str, Any]) -> dict[str, Any]:
    return {**state, "pending": None}


def answered(state: dict[str, Any], key: str) -> bool:
    return key in state["asked"] and key not in state["skipped"]


# -- judging answers -----------------------------------------------------------------------------

def _normalise(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


def match_option(options: tuple[Option, ...], text: str) -> Option | None:
    norm = _normalise(text)
    for option in options:  # exact label or value first
        if norm.strip() in (option.label.lower(), option.value.lower()):
            return option
    best: tuple[int, Option] | None = None
    for option in options:
        for term in (option.label.lower(), *option.synonyms):
            term_norm = _normalise(term)
            if term_norm.strip() and term_norm in norm and (best is None or len(term_norm) > best[0]):
                best = (len(term_norm), option)
    return best[1] if best else None


def parse_number(text: str) -> float | None:
    lowered = text.lower()
    digits = re.findall(r"\d+(?:[.,]\d+)?", lowered)
    if digits:
        return float(digits[0].replace(",", "."))
    for word in re.findall(r"\w+", lowered):
        if word in NUMBER_WORDS:
            return float(NUMBER_WORDS[word])
    return None


def parse_month(text: str, today: date) -> str | None:
    lowered = text.lower().strip()
    if any(word in lowered for word in NOW_WORDS):
        return f"{today.year:04d}-{today.month:02d}"
    iso = re.search(r"(\d{4})-(\d{1,2})", lowered)
    if iso and 1 <= int(iso.group(2)) <= 12:
        return f"{int(iso.group(1)):04d}-{int(iso.group(2)):02d}"
    slash = re.search(r"(\d{1,2})\s*[./]\s*(\d{4})", lowered)
    if slash and 1 <= int(slash.group(1)) <= 12:
        return f"{int(slash.group(2)):04d}-{int(slash.group(1)):02d}"
    year_match = re.search(r"\b(20\d{2})\b", lowered)
    for word in re.findall(r"\w+", lowered):
        if word in MONTHS:
            month = MONTHS[word]
            year = int(year_match.group(1)) if year_match else (today.year if month >= today.month
                                                                else today.year + 1)
            return f"{year:04d}-{month:02d}"
    if "nächst" in lowered and "jahr" in lowered:
        return f"{today.year + 1:04d}-01"
    if "nächst" in lowered and "monat" in lowered:
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return f"{year:04d}-{month:02d}"
    return None


def _describes(text: str) -> bool:
    """A description in words (at least two), not a button payload like "/affirm"."""
    return not text.strip().startswith("/") and len(re.findall(r"[^\W\d_]{2,}", text)) >= 2


def judge(
    step: Step,
    text: str,
    max_chars: int,
    role_matcher: Callable[[], Matcher] | None = None,
    today: date | None = None,
    level_matcher: Callable[[], Matcher] | None = None,
) -> Answer:
    """Interpret ``text`` as the answer to ``step``; never raises on bad input.

    ``level_matcher`` (items "0".."4") understands level descriptions the
    phrase list does not know; such answers come back uncertain.
    """
    question = step.question
    problem = text_problem(text, max_chars)
    if problem in ("empty", "too_long"):
        return Answer(problem=problem)
    if question.type in ("scale", "competency_scales"):
        level = parse_level(text)
        if level.ok:
            return Answer(level.level)
        if level.problem == "not_understood" and level_matcher is not None and not problem \
                and _describes(text):
            guess = decide_level(text, level_matcher())
            if guess is not None:
                return Answer(guess[0], certain=False, confidence=guess[1])
        return Answer(problem=level.problem)
    if question.type == "number":
        number = parse_number(text)
        if number is None:
            return Answer(problem="not_understood")
        if (question.min is not None and number < question.min) or (question.max is not None and number > question.max):
            return Answer(problem="out_of_range")
        return Answer(int(number) if float(number).is_integer() else number)
    if problem:  # the remaining types need words
        return Answer(problem=problem)
    if question.type == "free_text":
        return Answer(text.strip())
    if question.type == "month":
        month = parse_month(text, today or date.today())
        return Answer(month) if month else Answer(problem="not_understood")
    if question.type == "single_choice":
        option = match_option(question.options, text)
        return Answer(option.value) if option else Answer(problem="not_understood")
    if question.type == "multi_choice":
        values = [o.value for o in question.options if match_option((o,), text)]
        return Answer(values) if values else Answer(problem="not_understood")
    if question.type == "role":
        option = match_option(question.options, text)
        if option is not None:
            return Answer(option.value)
        if role_matcher is None:
            return Answer(problem="not_understood")
        decision = decide_role(text, role_matcher())
        if decision.role_id:
            return Answer(decision.role_id, certain=decision.certain,
                          confidence=1.0 if decision.certain else decision.score)
        return Answer(problem="role_unclear", suggestions=decision.suggestions)
    return Answer(problem="not_understood")


def describe(value: Any, step: Step, labels: dict[str, str], role_titles: dict[str, str]) -> str:
    """An answer as a person reads it in the summary."""
    question = step.question
    if value is None:
        return "–"
    if question.type == "role":
        option = next((o for o in question.options if o.value == value), None)
        return option.label if option else role_titles.get(value, str(value))
    if question.type in ("single_choice", "multi_choice"):
        values = value if isinstance(value, list) else [value]
        return ", ".join(next((o.label for o in question.options if o.value == v), str(v)) for v in values)
    if question.type == "number" and question.unit:
        return f"{value} {question.unit}"
    if isinstance(value, dict) and "text" in value:
        return str(value["text"])
    return str(value)


BOOLEAN_FIELDS = {"leads_staff", "consent"}
NONE_VALUES = {"none"}


def profile_fields(guide: Guide, state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int], bool]:
    """The interview's answers as profile fields, competency levels and the consent flag."""
    fields: dict[str, Any] = {}
    for question in guide.questions:
        if question.field == "levels" or question.id not in state["answers"]:
            continue
        value = state["answers"][question.id]
        if question.competency_field and isinstance(value, dict):
            fields[question.competency_field] = list(value.get("competencies", []))
            value = value.get("text")
        if question.field in BOOLEAN_FIELDS:
            value = value == "yes"
        elif value in NONE_VALUES:
            value = None
        fields[question.field] = value
    consent = bool(fields.pop("consent", False))
    return fields, {k: int(v) for k, v in state["levels"].items()}, consent

"""Judging a learner's reply to one step: choices, numbers, months, levels, roles, topics, yes or no.

Judging never raises on bad input: every reply comes back as a value or as a
``problem`` the dialogue explains. The German words it understands (month
names, number words, "sofort", "nächst…") live in
``data/texts/answer_words.yml``, the yes and no words in
``data/texts/confirmation.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from campus.hr.organisation_matching import OrganisationMatch
from campus.learners.interview.guide import CHOICE_TYPES, SCALE_TYPES, Guide, Option, Question
from campus.learners.interview.levels import parse_level
from campus.learners.interview.rules import (
    Candidate,
    Matcher,
    decide_level,
    decide_role,
    match_competencies,
    text_problem,
)
from campus.learners.interview.state import InterviewState, Step, answered, step_for
from campus.store.texts import texts

WORDS = "answer_words"


class OrganisationFinder(Protocol):
    """What finds a registered organisation in free text (``campus.hr.organisations.organisation_matcher``)."""

    def match(self, text: str) -> OrganisationMatch | None: ...


@dataclass
class Answer:
    """The outcome of judging one reply to one step."""

    value: Any = None
    problem: str | None = None  # empty | too_long | no_words | out_of_range | not_understood | role_unclear
    suggestions: list[Candidate] = field(default_factory=list)
    # False when the value was inferred from a paraphrase: the dialogue confirms it before storing
    certain: bool = True
    # how sure the inference is (1.0 for exact matches), kept with the pending confirmation
    confidence: float = 1.0

    @property
    def ok(self) -> bool:
        return self.problem is None


def _normalise(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


def match_option(options: tuple[Option, ...], text: str) -> Option | None:
    """The option a reply names: its exact label or value, else the longest label or synonym it contains."""
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


GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?(?!\d|\.\d)")  # German thousands: "1.500", "2.000,50"


def parse_number(text: str) -> float | None:
    """The first number in a reply: "8", "7,5", "1.500 €" (German thousands), or a number word ("zehn")."""
    lowered = text.lower()
    grouped = GROUPED.search(lowered)
    # a minus only as a sign ("-5"), not between numbers ("2-3 Stunden"): a negative answer is out of range
    digits = re.findall(r"(?:(?<!\S)-)?\d+(?:[.,]\d+)?", lowered)
    if grouped and (not digits or lowered.find(grouped.group()) <= lowered.find(digits[0].lstrip("-"))):
        return float(grouped.group().replace(".", "").replace(",", "."))
    if digits:
        return float(digits[0].replace(",", "."))
    number_words: dict[str, int] = texts(WORDS)["numbers"]
    for word in re.findall(r"\w+", lowered):
        if word in number_words:
            return float(number_words[word])
    return None


def _month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def parse_month(text: str, today: date) -> str | None:
    """A start month ("ab März", "04/2027", "sofort", "nächstes Jahr") as ``YYYY-MM``; a bare month is the next one."""
    words = texts(WORDS)
    lowered = text.lower().strip()
    if any(word in lowered for word in words["now"]):
        return _month(today.year, today.month)
    iso = re.search(r"(\d{4})-(\d{1,2})", lowered)
    if iso and 1 <= int(iso.group(2)) <= 12:
        return _month(int(iso.group(1)), int(iso.group(2)))
    slash = re.search(r"(\d{1,2})\s*[./]\s*(\d{4})", lowered)
    if slash and 1 <= int(slash.group(1)) <= 12:
        return _month(int(slash.group(2)), int(slash.group(1)))
    year_match = re.search(r"\b(20\d{2})\b", lowered)
    months: dict[str, int] = words["months"]
    for word in re.findall(r"\w+", lowered):
        if word in months:
            month = months[word]
            year = int(year_match.group(1)) if year_match else (today.year if month >= today.month
                                                                else today.year + 1)
            return _month(year, month)
    following = words["next"]
    if following["stem"] in lowered and following["year"] in lowered:
        return _month(today.year + 1, 1)
    if following["stem"] in lowered and following["month"] in lowered:
        return _month(today.year + 1, 1) if today.month == 12 else _month(today.year, today.month + 1)
    return None


def asks_about_levels(text: str) -> bool:
    """A question about the scale ("Was bedeutet Stufe 3?") rather than a level given as the answer."""
    cues = re.compile("|".join(texts(WORDS)["question_cues"]), re.IGNORECASE)
    return cues.search(text) is not None


def says_command(command: str, text: str) -> bool:
    """A reply that names the interview command (cancel, go back, skip) in words of its own, not only by its
    intent (``data/texts/interview_control.yml``)."""
    cues = re.compile("|".join(texts("interview_control")["command_cues"][command]), re.IGNORECASE)
    return cues.search(text.lower()) is not None


def gives_no_reason(text: str) -> bool:
    """A reply that declines to give a reason ("ohne Angabe", "-")."""
    return text.strip().lower() in texts(WORDS)["no_reason"]


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
    if question.type in SCALE_TYPES:
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
            return _number_phrase(question, text)
        if (question.min is not None and number < question.min) or (question.max is not None and number > question.max):
            return Answer(problem="out_of_range")
        return Answer(int(number) if float(number).is_integer() else number)
    if question.type == "month":  # "2027-04", the guide's own example, has no letters and is an answer
        month = parse_month(text, today or date.today())
        return Answer(month) if month else Answer(problem=problem or "not_understood")
    if problem:  # the remaining types need words
        return Answer(problem=problem)
    if question.type == "free_text":
        return Answer(text.strip())
    if question.type == "single_choice":
        option = match_option(question.options, text)
        return Answer(option.value) if option else Answer(problem="not_understood")
    if question.type == "multi_choice":
        values = [o.value for o in question.options if match_option((o,), text)]
        return Answer(values) if values else Answer(problem="not_understood")
    if question.type == "role":
        return _judge_role(step, text, role_matcher)
    return Answer(problem="not_understood")


def _number_phrase(question: Question, text: str) -> Answer:
    """A number question answered in words the guide lists ("kein Budget" → no value, "kostenlos" → 0)."""
    norm = _normalise(text)
    for phrase, value in question.phrases:
        if _normalise(phrase) in norm:
            return Answer(int(value) if value is not None and float(value).is_integer() else value)
    return Answer(problem="not_understood")


def with_organisation(step: Step, answer: Answer, finder: Callable[[], OrganisationFinder]) -> Answer:
    """Free text with an organisation field also gets the registered organisation it names.

    The value becomes ``{"text", "organisation_id", "organisation"}`` (id and
    name None when no registered organisation is named: the text stays, the
    learner counts as a non-member); a guess is confirmed before it is kept.
    """
    if not answer.ok or not step.question.organisation_field:
        return answer
    found = finder().match(str(answer.value))
    if found is None:
        return Answer({"text": answer.value, "organisation_id": None, "organisation": None})
    value = {"text": answer.value, "organisation_id": found.id, "organisation": found.name}
    return Answer(value, certain=found.certain, confidence=1.0 if found.certain else min(found.score, 0.99))


def without_organisation(value: Mapping[str, Any]) -> dict[str, Any]:
    """An organisation answer whose guess the learner declined: only their own words remain."""
    return {**value, "organisation_id": None, "organisation": None}


def _judge_role(step: Step, text: str, role_matcher: Callable[[], Matcher] | None) -> Answer:
    """A button label, else the role the learner's own words describe (a paraphrase is confirmed first)."""
    option = match_option(step.question.options, text)
    if option is not None:
        return Answer(option.value)
    if role_matcher is None:
        return Answer(problem="not_understood")
    decision = decide_role(text, role_matcher())
    if decision.role_id:
        return Answer(decision.role_id, certain=decision.certain,
                      confidence=1.0 if decision.certain else decision.score)
    return Answer(problem="role_unclear", suggestions=decision.suggestions)


def with_topics(step: Step, answer: Answer, matcher: Callable[[], Matcher],
                entities: Sequence[Mapping[str, Any]] = ()) -> Answer:
    """Free text with a competency field also gets the competencies it names; guesses make it uncertain.

    The value becomes ``{"text", "competencies", "certain"}``: all topics
    found, and the ones found for sure (kept when the learner declines the guesses).
    """
    if not answer.ok or not step.question.competency_field:
        return answer
    found = match_competencies(answer.value, matcher(), entities)
    value = {"text": answer.value, "competencies": found.all, "certain": found.certain}
    return Answer(value, certain=not found.uncertain, confidence=1.0 if not found.uncertain else 0.5)


def certain_topics(value: Mapping[str, Any]) -> dict[str, Any]:
    """A topics answer whose guesses the learner declined: only the competencies found for sure remain."""
    return {**value, "competencies": list(value.get("certain", []))}


CORRECTABLE_TYPES = ("role", *CHOICE_TYPES)


def correction_for(
    guide: Guide,
    state: InterviewState,
    text: str,
    current: str | None,
    judge_step: Callable[[Step, str], Answer],
) -> tuple[Step, Answer] | None:
    """The answered question a correction ("Nein, ich bin doch Führungskraft") changes, latest first.

    Only choices and the role can be corrected this way, never the question
    being asked (``current``), and only to a different value.
    """
    for key in reversed(state.asked):
        try:
            step = step_for(guide, key)
        except KeyError:  # a step of an older guide
            continue
        if key == current or step.question.type not in CORRECTABLE_TYPES or not answered(state, key):
            continue
        answer = judge_step(step, text)
        if answer.ok and answer.value != state.answers.get(step.question.id):
            return step, answer
    return None


def confirmation_verdict(text: str | None) -> bool | None:
    """True for a plain yes, False for a plain no, None for anything else (a new answer).

    A reply made only of yes- and filler words is a yes; one with a no-word
    and nothing but yes-, no- and filler words is a no.
    """
    data = texts("confirmation")
    yes, no, filler = set(data["affirm"]), set(data["deny"]), set(data["filler"])
    words = set(re.findall(r"\w+", (text or "").lower()))
    if words & no and words <= no | yes | filler:
        return False
    if words & yes and words <= yes | filler:
        return True
    return None

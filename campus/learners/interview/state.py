"""Where an interview stands, as a typed value, and how it moves on.

The dialogue keeps the state between turns in the Rasa slot
``interview_state`` (and a paused interview in ``InterviewSession.state``)
as a JSON dict; ``InterviewState.to_slot``/``from_slot`` translate, keeping
the keys that running conversations and stored pauses already use. Every
move returns a new state, so a turn that fails half-way leaves the slot as
it was.

A *step* is one question as asked: a question id, or ``levels:<competency>``
for each competency a ``competency_scales`` question expands into.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from campus.learners.interview.guide import SCALE_TYPES, Guide, Question

if TYPE_CHECKING:  # answers judge steps, so they import this module
    from campus.learners.interview.answers import Answer

log = logging.getLogger(__name__)

LEVELS_PREFIX = "levels:"


@dataclass(frozen=True)
class Pending:
    """An answer inferred from a paraphrase, held for ``step`` until the learner confirms it."""

    step: str
    value: Any
    confidence: float = 1.0

    def to_slot(self) -> dict[str, Any]:
        return {"step": self.step, "value": copy.deepcopy(self.value), "confidence": self.confidence}


@dataclass(frozen=True)
class InterviewState:
    """The answers so far, the self-assessed levels and which steps were asked, skipped or are pending.

    ``queue`` holds the competencies to self-assess (set with the role);
    ``current`` the step a paused interview was left at.
    """

    guide_version: int
    answers: Mapping[str, Any] = field(default_factory=dict)
    levels: Mapping[str, int] = field(default_factory=dict)
    queue: tuple[str, ...] = ()
    asked: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    current: str | None = None
    pending: Pending | None = None

    def to_slot(self) -> dict[str, Any]:
        """The JSON dict kept in the ``interview_state`` slot and in a paused ``InterviewSession``."""
        return {"guide_version": self.guide_version, "answers": copy.deepcopy(dict(self.answers)),
                "levels": dict(self.levels), "queue": list(self.queue), "asked": list(self.asked),
                "skipped": list(self.skipped), "current": self.current,
                "pending": self.pending.to_slot() if self.pending else None}

    @classmethod
    def from_slot(cls, value: object, guide: Guide) -> InterviewState:
        """The state in a slot value; anything unusable (no slot yet, an old or damaged value) is a new interview.

        Keys missing from states stored by earlier versions take their
        defaults; a damaged pending guess is dropped (the question is asked again).
        """
        if not isinstance(value, dict) or not isinstance(value.get("answers"), dict):
            return new_state(guide)
        try:
            return cls(
                guide_version=int(value.get("guide_version", guide.version)),
                answers=copy.deepcopy(value["answers"]),
                levels={str(k): int(v) for k, v in _mapping(value.get("levels")).items()},
                queue=_keys(value.get("queue")), asked=_keys(value.get("asked")),
                skipped=_keys(value.get("skipped")),
                current=str(value["current"]) if value.get("current") else None,
                pending=_pending(value.get("pending")),
            )
        except (TypeError, ValueError):
            log.warning("unusable interview state in the slot; starting a new interview")
            return new_state(guide)


def _mapping(value: object) -> Mapping[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError("expected a mapping")
    return value


def _keys(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise TypeError("expected a list of step keys")
    return tuple(str(key) for key in value)


def _pending(value: object) -> Pending | None:
    if not isinstance(value, dict) or not isinstance(value.get("step"), str):
        return None
    try:
        confidence = float(value.get("confidence", 1.0))
    except (TypeError, ValueError):
        return None
    return Pending(value["step"], copy.deepcopy(value.get("value")), confidence)


def new_state(guide: Guide) -> InterviewState:
    return InterviewState(guide_version=guide.version)


# -- steps --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    question: Question
    competency: str | None = None


def _condition_holds(when: dict[str, Any] | None, state: InterviewState) -> bool:
    if not when:
        return True
    answers, levels = state.answers, state.levels
    if "answer" in when:
        value = answers.get(when["answer"])
        if "equals" in when:
            return bool(value == when["equals"])
        if "in" in when:
            return value in when["in"]
        return value is not None
    if "level" in when:
        return levels.get(when["level"], -1) >= int(when.get("at_least", 0))
    if "any_level_at_least" in when:
        return any(level >= int(when["any_level_at_least"]) for level in levels.values())
    return True


def next_step(guide: Guide, state: InterviewState) -> Step | None:
    """The first step not asked yet whose condition holds; None when the interview is complete."""
    done = set(state.asked)
    # a competency is asked about once: by the self-assessment queue or by a scale question of its own
    by_scale = {q.competency: q.id for q in guide.questions if q.type != "competency_scales" and q.competency}
    for question in guide.questions:
        if not _condition_holds(question.when, state):
            continue
        if question.type == "competency_scales":
            for competency in state.queue:
                key = f"{LEVELS_PREFIX}{competency}"
                if key not in done and by_scale.get(competency) not in done:
                    return Step(key, question, competency)
            continue
        if question.competency and f"{LEVELS_PREFIX}{question.competency}" in done:
            continue
        if question.id not in done:
            return Step(question.id, question, question.competency)
    return None


def step_for(guide: Guide, key: str) -> Step:
    """The step a key names; KeyError for a key the guide does not know (e.g. after a change of the guide)."""
    if key.startswith(LEVELS_PREFIX):
        question = guide.scales()
        if question is None:
            raise KeyError(key)
        return Step(key, question, key.split(":", 1)[1])
    question = guide.question(key)
    return Step(key, question, question.competency)


def role_step(guide: Guide) -> Step | None:
    """The step that asks for the role profile (an HR invitation answers it in advance)."""
    question = next((q for q in guide.questions if q.field == "role_id"), None)
    return Step(question.id, question, question.competency) if question is not None else None


def organisation_step(guide: Guide) -> Step | None:
    """The step that asks for the organisation (an HR invitation answers it in advance when it is registered)."""
    question = next((q for q in guide.questions if q.organisation_field), None)
    return Step(question.id, question, question.competency) if question is not None else None


def question_text(step: Step, labels: Mapping[str, str]) -> str:
    return step.question.text.replace("{competency}", labels.get(step.competency or "", step.competency or ""))


def buttons(step: Step, scale_buttons: list[dict[str, str]]) -> list[dict[str, str]]:
    if step.question.type in SCALE_TYPES:
        return scale_buttons
    return [{"title": o.label, "payload": o.label} for o in step.question.options]


# -- moves --------------------------------------------------------------------------------------


def _without(keys: Iterable[str], key: str) -> tuple[str, ...]:
    return tuple(k for k in keys if k != key)


def record(state: InterviewState, step: Step, value: Any, queue: list[str] | None = None) -> InterviewState:
    """A new state with ``value`` stored for ``step``.

    ``queue`` replaces the competencies to self-assess (given when the role changes).
    """
    answers, levels = dict(state.answers), dict(state.levels)
    if step.question.type in SCALE_TYPES:
        levels[step.competency or ""] = int(value)
    else:
        answers[step.question.id] = value
    return replace(state, answers=answers, levels=levels, asked=(*_without(state.asked, step.key), step.key),
                   skipped=_without(state.skipped, step.key), pending=None,
                   queue=tuple(queue) if queue is not None else state.queue)


def skip(state: InterviewState, step: Step) -> InterviewState:
    answers = {k: v for k, v in state.answers.items() if k != step.question.id or step.competency}
    levels = {k: v for k, v in state.levels.items() if k != step.competency}
    return replace(state, answers=answers, levels=levels, asked=(*_without(state.asked, step.key), step.key),
                   skipped=(*_without(state.skipped, step.key), step.key), pending=None)


def go_back(state: InterviewState) -> tuple[InterviewState, str | None]:
    """Reopen the most recently answered or skipped step; returns its key (None at the start)."""
    if not state.asked:
        return replace(state, pending=None), None
    last = state.asked[-1]
    return replace(state, asked=state.asked[:-1], skipped=_without(state.skipped, last), pending=None), last


def propose(state: InterviewState, step: Step, answer: Answer) -> InterviewState:
    """A new state holding ``answer`` for ``step`` until the learner confirms it."""
    return replace(state, pending=Pending(step.key, answer.value, round(answer.confidence, 3)))


def pending_for(state: InterviewState, step: Step) -> Pending | None:
    """The unconfirmed answer waiting for ``step``, if any."""
    return state.pending if state.pending is not None and state.pending.step == step.key else None


def drop_pending(state: InterviewState) -> InterviewState:
    return replace(state, pending=None)


def answered(state: InterviewState, key: str) -> bool:
    return key in state.asked and key not in state.skipped

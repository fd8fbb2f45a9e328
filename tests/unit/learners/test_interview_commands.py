"""Commands that throw answers away or move the interview need their own words, not only the classifier's intent.

The classifier heard "cancel" in "BundID hab ich schon mal gehört, mehr nicht" (and threw the interview away)
and "go back" in "Stadt Osnabrück, Fachbereich Schule" (and never left the first question). Every training
example of these intents must still count as the command; the answers that were misheard must not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from campus.learners.interview.answers import says_command

ROOT = Path(__file__).resolve().parents[3]
INTENTS = {"cancel_interview": "cancel", "go_back": "go_back", "skip_question": "skip"}


def examples(intent: str) -> list[str]:
    data = yaml.safe_load((ROOT / "data/nlu/interview.yml").read_text(encoding="utf-8"))
    [block] = [b for b in data["nlu"] if b.get("intent") == intent]
    lines = [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]
    return [re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line) for line in lines]


def names(intent: str, text: str) -> bool:
    return says_command(INTENTS[intent], text)


@pytest.mark.parametrize("intent", sorted(INTENTS))
def test_every_training_example_of_the_command_says_it(intent: str) -> None:
    assert [text for text in examples(intent) if not names(intent, text)] == []


@pytest.mark.parametrize("answer", [
    "BundID hab ich schon mal gehört, mehr nicht", "Stadt Osnabrück, Fachbereich Schule", "Frankfurt",
    "nicht so gut", "ehrlich gesagt nicht so gut, da ist Luft nach oben", "Landkreis Musterland, Kämmerei",
    "Stufe 2", "8 Stunden, mehr ist nicht drin",
])
def test_answers_the_classifier_misheard_name_no_command(answer: str) -> None:
    assert not any(names(intent, answer) for intent in INTENTS)


def test_a_vague_level_is_a_skip() -> None:
    assert says_command("skip", "schwer zu sagen, kommt drauf an") and says_command("skip", "Weiß ich nicht genau")

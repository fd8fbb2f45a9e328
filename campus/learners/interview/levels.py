"""Understand a self-assessed level (0-4) from a button payload or free text.

The words ("sehr gut", "Grundkenntnisse", "drei") live in
``data/texts/level_phrases.yml``, read through the one data loader so edits
apply without a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from campus.store.texts import read_yaml, texts

MIN_LEVEL, MAX_LEVEL = 0, 4


@dataclass(frozen=True)
class LevelAnswer:
    level: int | None
    problem: str | None = None  # "out_of_range" | "not_understood" | None

    @property
    def ok(self) -> bool:
        return self.level is not None


@dataclass(frozen=True)
class _Vocabulary:
    number_words: dict[str, int]
    phrases: list[tuple[str, int]]  # longest first


def _vocabulary(path: Path | None) -> _Vocabulary:
    data = read_yaml(path) if path is not None else texts("level_phrases")
    phrases = [(p.lower(), int(level)) for level, items in data["phrases"].items() for p in items]
    phrases.sort(key=lambda item: len(item[0]), reverse=True)
    return _Vocabulary({k.lower(): int(v) for k, v in data["number_words"].items()}, phrases)


def parse_level(text: str | None, vocabulary_path: Path | None = None) -> LevelAnswer:
    if not text or not text.strip():
        return LevelAnswer(None, "not_understood")
    vocab = _vocabulary(vocabulary_path)
    lowered = text.lower().strip()
    numbers = re.findall(r"-?\d+(?:[.,]\d+)?", lowered)
    if numbers:
        value = float(numbers[0].replace(",", "."))
        if value.is_integer() and MIN_LEVEL <= value <= MAX_LEVEL:
            return LevelAnswer(int(value))
        return LevelAnswer(None, "out_of_range")
    words = re.findall(r"\w+", lowered)
    for word in words:
        if word in vocab.number_words:
            value = vocab.number_words[word]
            if MIN_LEVEL <= value <= MAX_LEVEL:
                return LevelAnswer(value)
            return LevelAnswer(None, "out_of_range")
    padded = " " + " ".join(words) + " "
    for phrase, level in vocab.phrases:
        if f" {phrase} " in padded:
            return LevelAnswer(level)
    return LevelAnswer(None, "not_understood")

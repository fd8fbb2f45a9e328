"""Where the framework's names occur in a course text, German compounds included.

A course that says "Datenschutzschulung", "Beschäftigtendatenschutz" or
"KI-gestützt" names a competency as surely as one that says "Datenschutz" or
"KI": German glues words together. So a long single-word name also matches
inside a word, a shorter one at the start of a word, and a very short one
(an acronym like "KI", "BSI") only as a whole word with a German inflection
ending. Hyphens count as spaces ("E-Akte" is "e akte"), and the longest
name wins where names overlap, so "hybride Teams" is leadership, not the
collaboration tool "Teams".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_JOINERS = re.compile(r"[-‐‑–—_/]+")
_WORD_START = re.compile(r"(?<!\w)\w")
_ENDING = re.compile(r"(?:e|en|er|es|n|s)?(?!\w)")  # German inflection after a short name, then the word ends
_HEAD = 2


@dataclass(frozen=True)
class LexicalRules:
    """How much of a word a name must be to match: the compound rule's two lengths."""

    prefix_chars: int = 5  # a name this long also matches at the start of a longer word
    infix_chars: int = 8  # a one-word name this long also matches inside a word


def normalise(text: str) -> str:
    """Lower case, hyphens and slashes as spaces, runs of white space as one."""
    return " ".join(_JOINERS.sub(" ", text.casefold()).split())


class TermIndex:
    """The names of each item (a competency's label, synonyms, crosswalk terms), found longest first.

    One big regular expression of all names is far too slow in Python (it tries every name at every
    character), so names are looked up by their first two letters at each word start, and the long one-word
    names that may sit inside a compound are searched with ``str.find``.
    """

    def __init__(self, names: Sequence[Sequence[str]], rules: LexicalRules | None = None) -> None:
        self.rules = rules or LexicalRules()
        self.size = len(names)
        self._owners: dict[str, list[int]] = {}
        for index, item_names in enumerate(names):
            for name in item_names:
                term = normalise(name)
                if term and index not in self._owners.setdefault(term, []):
                    self._owners[term].append(index)
        self._inside = sorted(t for t in self._owners if " " not in t and len(t) >= self.rules.infix_chars)
        self._by_head: dict[str, list[tuple[str, bool]]] = {}
        for term in sorted(set(self._owners) - set(self._inside), key=len, reverse=True):
            whole_word = len(term.split(" ")[-1]) < self.rules.prefix_chars
            self._by_head.setdefault(term[:_HEAD], []).append((term, whole_word))

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, name) in the normalised text, leftmost first, longest at a tie."""
        norm = normalise(text)
        found: list[tuple[int, int, str]] = []
        for word in _WORD_START.finditer(norm):
            position = word.start()
            for term, whole_word in self._by_head.get(norm[position:position + _HEAD], ()):
                if not norm.startswith(term, position):
                    continue
                end = position + len(term)
                if whole_word:
                    ending = _ENDING.match(norm, end)
                    if ending is None:
                        continue
                    end = ending.end()
                found.append((position, end, term))
        for term in self._inside:
            start = norm.find(term)
            while start >= 0:
                found.append((start, start + len(term), term))
                start = norm.find(term, start + 1)
        found.sort(key=lambda m: (m[0], m[0] - m[1]))
        chosen: list[tuple[int, int, str]] = []
        for match in found:
            if not chosen or match[0] >= chosen[-1][1]:
                chosen.append(match)
        return chosen

    def counts(self, text: str) -> npt.NDArray[np.float64]:
        """How often each item is named in ``text``."""
        out = np.zeros(self.size, dtype=np.float64)
        for _, _, term in self.matches(text):
            for index in self._owners[term]:
                out[index] += 1.0
        return out

    def names_found(self, text: str) -> list[str]:
        """The names found, in order (for explanations and tests)."""
        return [term for _, _, term in self.matches(text)]

"""Which registered organisation a learner's words name ("Stadt Musterstadt, Bürgeramt" → Musterstadt).

Pure matching over the organisations' names and synonyms, no session: the
caller loads the organisations (``campus.hr.organisations.organisation_matcher``).
A name or synonym found word for word is certain when no other organisation
is named; several organisations, or a name found only approximately (a typo,
"Musterstad"), make a guess the interview asks back. Generic words of
administrations ("Stadt", "Landkreis", "Verwaltung") never match on their
own; the list lives in ``data/texts/organisations.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from campus.store.texts import texts

FUZZY_ACCEPT = 0.86  # similarity ratio of a typo'd name ("musterstad" vs "musterstadt": 0.95)
MIN_TERM_CHARS = 4  # shorter terms ("Au") match too much by accident
MAX_TEXT_WORDS = 60
FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@dataclass(frozen=True)
class OrganisationTerms:
    """One organisation as the matcher sees it."""

    id: str
    name: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrganisationMatch:
    id: str
    name: str
    certain: bool
    score: float  # 1.0 for a name found word for word


def normalise(text: str) -> str:
    """Lower case, umlauts folded (ä → ae), punctuation as spaces: "Köln-Mülheim" → "koeln muelheim"."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().translate(FOLD)))


def generic_words() -> frozenset[str]:
    return frozenset(normalise(w) for w in texts("organisations")["matching"]["generic_words"])


def terms_of(org: OrganisationTerms, generic: frozenset[str]) -> set[str]:
    """The name, the synonyms, and the name without generic words ("Stadt Musterstadt" → "musterstadt")."""
    out: set[str] = set()
    for raw in (org.name, *org.synonyms, org.id.replace("_", " ").replace("-", " ")):
        term = normalise(raw)
        core = " ".join(w for w in term.split() if w not in generic)
        for candidate in (term, core):
            if len(candidate) >= MIN_TERM_CHARS and not set(candidate.split()) <= generic:
                out.add(candidate)
    return out


@dataclass(frozen=True)
class _Span:
    org: int
    start: int
    end: int  # exclusive, in words


class OrganisationMatcher:
    """Finds registered organisations in free text; built once per list of organisations."""

    def __init__(self, organisations: Iterable[OrganisationTerms]) -> None:
        self.organisations: list[OrganisationTerms] = list(organisations)
        self.generic = generic_words()
        self.kind_words = frozenset(normalise(w) for w in texts("organisations")["matching"]["kind_words"])
        self.by_term: dict[str, list[int]] = {}
        for i, org in enumerate(self.organisations):
            for term in terms_of(org, self.generic):
                self.by_term.setdefault(term, []).append(i)
        self.max_words = max((len(t.split()) for t in self.by_term), default=1)
        # for the approximate search: per number of words, the terms and who owns each
        self.by_size: dict[int, tuple[list[str], list[list[int]]]] = {}
        for term, orgs in sorted(self.by_term.items()):
            terms, owners = self.by_size.setdefault(len(term.split()), ([], []))
            terms.append(term)
            owners.append(orgs)

    def match(self, text: str) -> OrganisationMatch | None:
        words = normalise(text).split()[:MAX_TEXT_WORDS]
        if not words or not self.organisations:
            return None
        spans = self._exact(words)
        if spans:
            return self._decide(spans, words)
        return self._fuzzy(words)

    def _exact(self, words: Sequence[str]) -> list[_Span]:
        found = [_Span(org, start, start + size)
                 for size in range(1, self.max_words + 1) for start in range(len(words) - size + 1)
                 for org in self.by_term.get(" ".join(words[start:start + size]), [])]
        # a short match inside another organisation's longer one ("Kassel" in "Stadt Kassel") does not count
        return [s for s in found if not any(o.org != s.org and o.start <= s.start and s.end <= o.end
                                            and o.end - o.start > s.end - s.start for o in found)]

    def _decide(self, spans: list[_Span], words: Sequence[str]) -> OrganisationMatch:
        """One organisation named: certain. Several, or another administration named besides it ("Gemeinde
        Testdorf im Landkreis Musterland", Testdorf unregistered): the first named is a guess to confirm."""
        orgs = {s.org for s in spans}
        first = min(spans, key=lambda s: (s.start, -(s.end - s.start), self.organisations[s.org].id))
        org = self.organisations[first.org]
        return OrganisationMatch(org.id, org.name, certain=len(orgs) == 1 and not self._names_another(spans, words),
                                 score=1.0)

    def _names_another(self, spans: list[_Span], words: Sequence[str]) -> bool:
        """A kind word ("Gemeinde", "Stadt") outside the matches, followed by a name: another administration."""
        covered = {i for s in spans for i in range(s.start, s.end)}
        return any(word in self.kind_words and i not in covered and i + 1 < len(words)
                   and words[i + 1] not in self.generic and i + 1 not in covered
                   for i, word in enumerate(words))

    def _fuzzy(self, words: Sequence[str]) -> OrganisationMatch | None:
        """The name closest to some run of words (rapidfuzz's normalised Indel ratio, as difflib's), if close."""
        best: tuple[float, str, int] | None = None
        for size, (terms, owners) in self.by_size.items():
            for start in range(len(words) - size + 1):
                window = words[start:start + size]
                if set(window) <= self.generic:
                    continue
                hit = process.extractOne(" ".join(window), terms, scorer=fuzz.ratio,
                                         score_cutoff=100 * FUZZY_ACCEPT)
                if hit is None:
                    continue
                ratio = float(hit[1]) / 100
                for org in owners[hit[2]]:  # the closest name wins; ties: the lowest id, so the guess is stable
                    org_id = self.organisations[org].id
                    if best is None or ratio > best[0] or (ratio == best[0] and org_id < best[1]):
                        best = (ratio, org_id, org)
        if best is None:
            return None
        found = self.organisations[best[2]]
        return OrganisationMatch(found.id, found.name, certain=False, score=round(best[0], 3))

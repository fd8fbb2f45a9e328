"""Text matchers over the competency framework and the role profiles, cached per process."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from sqlmodel import Session

from campus.catalogue.framework import competencies, framework_signature, role_profiles
from campus.store.db import get_engine
from campus.store.texts import data_file, texts
from embeddings.encoder import get_encoder
from embeddings.tagging_crosswalk import load_crosswalk
from embeddings.text_matcher import LabelledItem, TextMatcher


@lru_cache
def role_matcher() -> TextMatcher:
    with Session(get_engine()) as session:
        items = [LabelledItem(r.id, r.title, tuple(r.synonyms), r.description) for r in role_profiles(session)]
    return TextMatcher(items, get_encoder())


def competency_matcher() -> TextMatcher:
    """The matcher over the stored framework, rebuilt when the framework changed (in any process)."""
    with Session(get_engine()) as session:
        signature = framework_signature(session)
    return _competency_matcher(signature)


@lru_cache(maxsize=2)
def _competency_matcher(signature: tuple[str, ...]) -> TextMatcher:
    with Session(get_engine()) as session:
        items = [
            LabelledItem(c.id, c.label, tuple(c.synonyms), c.description)
            for c in competencies(session).values()
        ]
    return TextMatcher(items, get_encoder())


@lru_cache
def level_matcher() -> TextMatcher:
    """Levels "0".."4" described in a learner's words (data/texts/level_phrases.yml + level names)."""
    phrases = texts("level_phrases")
    names = data_file("seed/competencies.yml")["level_names"]
    items = []
    for level in sorted(int(k) for k in names):
        synonyms = tuple(phrases["phrases"].get(level, ()))
        items.append(LabelledItem(str(level), names[level], synonyms))
        # each self-description is its own item (same id), so one close sentence is enough
        items.extend(LabelledItem(str(level), names[level], (), text)
                     for text in phrases.get("descriptions", {}).get(level, ()))
    return TextMatcher(items, get_encoder())


DENSE_LOOKUP_MIN = 0.88


def competency_lookup() -> Callable[[str], str | None]:
    """Map an external competency reference (ESCO URI, DigComp code, a name) to one of our ids.

    The crosswalk (``data/crosswalk.yml``) answers first: ESCO URIs, DigComp
    codes (``DigComp:4.2``, ``4.2``, an area ``4``) and the terms feeds use;
    a reference it lists under several competencies gets the first of them.
    Then DigComp codes through the framework's own ``digcomp`` alignment (a
    competence like 4.2, else its area 4.0), and names through the text
    matcher, accepting lexical hits and close paraphrases only. Other URLs
    are not guessed at.
    """
    with Session(get_engine()) as session:
        framework = competencies(session)
    by_digcomp = {c.digcomp: c.id for c in framework.values() if c.digcomp}
    crosswalk = load_crosswalk()
    matcher = competency_matcher()

    def lookup(reference: str) -> str | None:
        text = (reference or "").strip()
        if not text:
            return None
        known = [c for c in crosswalk.references(text) if c in framework]
        if known:
            return known[0]
        if text.startswith(("http://", "https://")):
            return None
        code = text.split(":", 1)[1].strip() if text.lower().startswith("digcomp:") else text
        if code in by_digcomp:
            return by_digcomp[code]
        if re.fullmatch(r"\d+\.\d+", code):
            return by_digcomp.get(code.split(".")[0] + ".0")
        best = matcher.match(text, top_k=1)
        if best and (best[0].lexical or best[0].score >= DENSE_LOOKUP_MIN):
            return best[0].id
        return None

    return lookup

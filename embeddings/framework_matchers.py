"""Text matchers over the competency framework and the role profiles, cached per process."""

from __future__ import annotations

from functools import lru_cache

from sqlmodel import Session

from campus.catalogue import competencies, role_profiles
from campus.db import get_engine
from embeddings.encoder import get_encoder
from embeddings.text_matcher import LabelledItem, TextMatcher


@lru_cache
def role_matcher() -> TextMatcher:
    with Session(get_engine()) as session:
        items = [LabelledItem(r.id, r.title, tuple(r.synonyms), r.description) for r in role_profiles(session)]
    return TextMatcher(items, get_encoder())


@lru_cache
def competency_matcher() -> TextMatcher:
    with Session(get_engine()) as session:
        items = [
            LabelledItem(c.id, c.label, tuple(c.synonyms), c.description)
            for c in competencies(session).values()
        ]
    return TextMatcher(items, get_encoder())

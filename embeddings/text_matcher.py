"""Match a learner's free text to labelled items (role profiles, competencies).

Two signals, strongest first: a lexical hit on the label or one of its
synonyms (whole words, case-insensitive), then dense similarity between the
text as an e5 query and each item's label, synonyms and description as a
passage. Lexical hits are certain; dense matches carry their cosine so the
caller can ask for confirmation when it is low.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from embeddings.encoder import Encoder


@dataclass(frozen=True)
class LabelledItem:
    id: str
    label: str
    synonyms: tuple[str, ...] = ()
    description: str = ""

    def passage(self) -> str:
        extra = ", ".join(self.synonyms)
        return f"{self.label}. {extra}. {self.description}".strip()


@dataclass(frozen=True)
class MatchCandidate:
    id: str
    label: str
    score: float
    lexical: bool


def _normalise(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


class TextMatcher:
    def __init__(self, items: list[LabelledItem], encoder: Encoder) -> None:
        self.items = items
        self.encoder = encoder
        self._vectors = encoder.passages([item.passage() for item in items])
        self._terms = [
            sorted({_normalise(t) for t in (item.label, *item.synonyms) if t.strip()}, key=len, reverse=True)
            for item in items
        ]
        self._centre: npt.NDArray[np.float32] | None = None
        self._centre_lock = threading.Lock()

    def query_centre(self) -> npt.NDArray[np.float32] | None:
        """The mean of the items as e5 queries: the direction all queries about these items share.

        The hybrid search subtracts part of it from each query (``FusionWeights.centring``), so what a
        query says specifically counts more than its being about the domain at all; computed once.
        """
        with self._centre_lock:
            if self._centre is None and self.items:
                centre = self.encoder.queries([item.passage() for item in self.items]).mean(axis=0)
                self._centre = np.asarray(centre, dtype=np.float32)
            return self._centre

    def lexical(self, text: str) -> list[MatchCandidate]:
        norm = _normalise(text)
        hits: list[tuple[int, LabelledItem]] = []
        for item, terms in zip(self.items, self._terms, strict=False):
            best = max((len(t) for t in terms if t in norm), default=0)
            if best:
                hits.append((best, item))
        hits.sort(key=lambda h: h[0], reverse=True)
        return [MatchCandidate(item.id, item.label, 1.0, True) for _, item in hits]

    def dense(self, text: str, top_k: int = 3) -> list[MatchCandidate]:
        if not self.items:
            return []
        scores = self._vectors @ self.encoder.query(text)
        order = np.argsort(-scores)[:top_k]
        return [MatchCandidate(self.items[i].id, self.items[i].label, float(scores[i]), False) for i in order]

    def match(self, text: str, top_k: int = 3) -> list[MatchCandidate]:
        found = self.lexical(text)
        seen = {c.id for c in found}
        for cand in self.dense(text, top_k):
            if cand.id not in seen:
                found.append(cand)
        return found[:top_k]


def soft_weights(
    matcher: TextMatcher, text: str, query_vector: npt.NDArray[np.float32], top: int = 3, temperature: float = 0.02
) -> dict[str, float]:
    """A distribution over the matcher's items for a query: softmax over the top dense similarities.

    Lexical hits get full weight on top, so an explicit mention ("DSGVO")
    always dominates a paraphrase guess.
    """
    if not matcher.items:
        return {}
    scores = matcher._vectors @ query_vector
    order = np.argsort(-scores)[:top]
    logits = (scores[order] - scores[order].max()) / temperature
    weights = np.exp(logits) / np.exp(logits).sum()
    out = {matcher.items[i].id: float(w) for i, w in zip(order, weights, strict=True)}
    for hit in matcher.lexical(text):
        out[hit.id] = out.get(hit.id, 0.0) + 1.0
    return out

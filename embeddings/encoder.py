"""The one shared sentence encoder (multilingual-e5-small by default).

e5 was trained with the prefixes "query: " and "passage: "; the model folder
we build declares them as prompts, and this wrapper is the only place that
chooses between them, so no caller can embed a query as a passage by mistake.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from campus.store.settings import get_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class Encoder:
    def __init__(self, model_name_or_path: str, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = model_name_or_path
        self.batch_size = batch_size
        self._model = SentenceTransformer(model_name_or_path, device="cpu")
        model = self._model
        # sentence-transformers renamed the method; older versions only have the long name
        dimension: Callable[[], int | None] = (getattr(model, "get_embedding_dimension", None)
                                               or model.get_sentence_embedding_dimension)
        size = dimension()
        if size is None:
            raise TypeError(f"{model_name_or_path} does not declare its embedding dimension")
        self.dim = int(size)
        prompts: dict[str, str] = getattr(self._model, "prompts", {}) or {}
        self._query_prompt = prompts.get("query", "query: ")
        self._passage_prompt = prompts.get("passage", "passage: ")
        # torch modules are not guaranteed re-entrant across threads.
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], prompt: str) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors: npt.NDArray[np.floating[Any]] = self._model.encode(
                texts, prompt=prompt, batch_size=self.batch_size,
                normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
            )
        return vectors.astype(np.float32, copy=False)

    def queries(self, texts: list[str]) -> npt.NDArray[np.float32]:
        return self._encode(texts, self._query_prompt)

    def query(self, text: str) -> npt.NDArray[np.float32]:
        vector: npt.NDArray[np.float32] = self.queries([text])[0]  # numpy types a row of a matrix as Any
        return vector

    def passages(self, texts: list[str]) -> npt.NDArray[np.float32]:
        return self._encode(texts, self._passage_prompt)


@lru_cache
def get_encoder() -> Encoder:
    settings = get_settings()
    path = settings.embedding_model_path
    if not settings.embedding_model and not path.exists():
        raise RuntimeError(
            f"Embedding model folder {path} is missing; run `make models` "
            "(or `python -m embeddings.model_builder`)."
        )
    return Encoder(str(path), settings.embedding_batch_size)

"""The one shared sentence encoder (multilingual-e5-small by default).

e5 was trained with the prefixes "query: " and "passage: "; the model folder
we build declares them as prompts, and this wrapper is the only place that
chooses between them, so no caller can embed a query as a passage by mistake.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from campus.store.settings import get_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@dataclass(frozen=True)
class PassageTokens:
    """One passage's encoding with its token embeddings, so parts of it can be pooled without encoding again.

    ``vector`` is what :meth:`Encoder.passages` returns for the text; ``tokens`` are the contextual token
    embeddings it was mean-pooled from, and ``spans`` their character offsets in the text (-1 for the prompt
    and special tokens). ``truncated`` says the text was longer than the model's window.
    """

    vector: npt.NDArray[np.float32]
    tokens: npt.NDArray[np.float32]
    spans: npt.NDArray[np.int64]
    truncated: bool


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

    def passage_tokens(self, texts: list[str]) -> list[PassageTokens]:
        """Passages with their token embeddings and offsets, from the same single forward pass."""
        if not texts:
            return []
        prompt = self._passage_prompt
        limit = int(self._model.max_seq_length or 512)
        with self._lock:
            outputs: Any = self._model.encode(
                texts, prompt=prompt, batch_size=self.batch_size, output_value=None, show_progress_bar=False)
            marks = self._model.tokenizer([prompt + text for text in texts], return_offsets_mapping=True,
                                          truncation=True, max_length=limit)
        result = []
        for text, output, offsets in zip(texts, outputs, marks["offset_mapping"], strict=True):
            count = int(output["attention_mask"].sum())
            tokens = output["token_embeddings"][:count].float().numpy().astype(np.float32, copy=False)
            spans = np.asarray(offsets, dtype=np.int64).reshape(-1, 2) - len(prompt)
            if len(spans) != count:  # a tokenizer that does not reproduce the model's input: no spans
                spans = np.full((count, 2), -1, dtype=np.int64)
            spans[:, 0] = np.maximum(spans[:, 0], 0)  # a word piece's leading space may be the prompt's
            spans[spans[:, 1] <= spans[:, 0]] = -1
            vector = output["sentence_embedding"].float().numpy().astype(np.float32, copy=False)
            vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
            covered = int(spans[:, 1].max()) if len(spans) else 0
            result.append(PassageTokens(vector, tokens, spans, covered < len(text.rstrip()) and count >= limit))
        return result


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

"""Vectors of a module's parts, pooled from the one encoding of its passage.

Encoding every sentence and outcome on its own would cost more than
encoding the passage (measured in bench/tagging_quality.py); the passage's
token embeddings are there anyway, and the mean of a part's tokens is the
part's vector in the context of the whole text, which is what e5's own mean
pooling does for the passage. Only the parts beyond the model's window (a
very long description pushes the outcomes out of it) are encoded again, in
one extra text per module, title first for context and the outcomes next.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from embeddings.encoder import Encoder, PassageTokens
from embeddings.tagging_text import ModuleText, Span

Vector = npt.NDArray[np.float32]
Matrix = npt.NDArray[np.float32]


def encode_for_tagging(encoder: Encoder, texts: list[str]) -> list[PassageTokens]:
    """Passages with their token embeddings; an encoder without token output gives the passage vectors only."""
    method = getattr(encoder, "passage_tokens", None)
    if callable(method):
        result: list[PassageTokens] = method(texts)
        return result
    empty = np.zeros((0, encoder.dim), dtype=np.float32)
    no_spans = np.zeros((0, 2), dtype=np.int64)
    return [PassageTokens(vector, empty, no_spans, False) for vector in encoder.passages(texts)]


def pool(tokens: PassageTokens, start: int, end: int) -> Vector | None:
    """The normalised mean of the tokens overlapping ``start:end``, or None if no token does."""
    if not len(tokens.spans):
        return None
    inside = (tokens.spans[:, 1] > start) & (tokens.spans[:, 0] < end) & (tokens.spans[:, 0] >= 0)
    if not inside.any():
        return None
    vector = tokens.tokens[inside].mean(axis=0)
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else None


def part_vectors(text: ModuleText, tokens: PassageTokens | None, encoder: Encoder) -> tuple[list[Span], Matrix]:
    """The spans that got a vector and their vectors (rows), in passage order."""
    if tokens is None or not len(tokens.tokens):
        return [], np.zeros((0, encoder.dim), dtype=np.float32)
    found: dict[Span, Vector] = {}
    missing: list[Span] = []
    for span in text.spans:
        vector = pool(tokens, span.start, span.end)
        if vector is not None:
            found[span] = vector
        else:
            missing.append(span)
    if missing and tokens.truncated:
        found.update(_overflow(text, missing, encoder))
    spans = [span for span in text.spans if span in found]
    if not spans:
        return [], np.zeros((0, encoder.dim), dtype=np.float32)
    return spans, np.stack([found[span] for span in spans])


def _overflow(text: ModuleText, missing: Sequence[Span], encoder: Encoder) -> dict[Span, Vector]:
    """Vectors of the parts the passage's window did not reach, from one extra encoding (title first)."""
    title = next((s for s in text.spans if s.kind == "title"), None)
    # outcomes first: when even this text overflows the window, what the course teaches is what stays in it
    ordered = [s for s in missing if s.kind == "outcome"] + [s for s in missing if s.kind != "outcome"]
    parts = ([title] if title is not None and title not in missing else []) + ordered
    pieces: list[str] = []
    offsets: list[tuple[Span, int, int]] = []
    position = 0
    for span in parts:
        piece = text.part(span)
        offsets.append((span, position, position + len(piece)))
        pieces.append(piece)
        position += len(piece) + 1
    encoded = encode_for_tagging(encoder, ["\n".join(pieces)])[0]
    out: dict[Span, Vector] = {}
    for span, start, end in offsets:
        if span in missing:
            vector = pool(encoded, start, end)
            if vector is not None:
                out[span] = vector
    return out

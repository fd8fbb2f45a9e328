"""The dense scan at scale: an int8 copy of the module vectors, scored with one quantised matrix product.

From ``SCAN_QUANTISED_FROM`` modules on, a search waits for one thing above
all: reading every vector. An int8 copy (one scale per row) is a quarter of
float32's memory traffic, and PyTorch's quantised linear (fbgemm/oneDNN, with
the CPU's VNNI instructions) scores 100,000 vectors in about a millisecond on
two cores where a bfloat16 or float32 product takes 5 to 8. Its error on a
cosine is about 0.004, as with bfloat16; ``embeddings.search`` scores the best
fused candidates again with the exact float32 cosine, so a hit's score and
order are the exact ones.

Packing costs about 4.5 µs per row, too much to repeat for every change, so a
packed copy stays as it is while the catalogue changes: each snapshot
position points at its row in the copy, and positions whose vector is new or
changed since packing (the overlay) are scored exactly from the float32
vectors. When the overlay grows past ``REPACK_SHARE`` of the catalogue the
copy is packed again. A removed module only drops its pointer.

PyTorch marks its eager quantisation API as deprecated (it moves to torchao).
The version in requirements/app.txt has it; where a build lacks it, the
same scan runs over a bfloat16 copy with ``torch.nn.functional.linear``
(oneDNN's bfloat16 kernel), about five times slower, with identical results up
to rounding.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
REPACK_SHARE = 1 / 32  # overlay rows (scored exactly) allowed before the copy is packed again
MIN_REPACK = 1024


def _int8_pack(vectors: Vector) -> Any:
    import torch

    scale = np.maximum(np.abs(vectors).max(axis=1), 1e-12).astype(np.float64) / 127.0
    with warnings.catch_warnings():  # the deprecation notice of quantize_per_channel; see the module docstring
        warnings.simplefilter("ignore")
        weight = torch.quantize_per_channel(torch.from_numpy(np.ascontiguousarray(vectors)),
                                            torch.from_numpy(scale), torch.zeros(len(vectors), dtype=torch.int64),
                                            0, torch.qint8)
        return torch.ops.quantized.linear_prepack(weight, None)


def _int8_scores(packed: Any, query: Vector) -> Vector:
    import torch

    with torch.inference_mode():
        out = torch.ops.quantized.linear_dynamic(torch.from_numpy(query)[None], packed)[0]
    return np.asarray(out.numpy(), dtype=np.float32)


def _bf16_pack(vectors: Vector) -> Any:
    import torch

    return torch.from_numpy(np.ascontiguousarray(vectors)).to(torch.bfloat16)


def _bf16_scores(packed: Any, query: Vector) -> Vector:
    import torch

    with torch.inference_mode():
        # linear takes oneDNN's bfloat16 kernel; torch.mv on bfloat16 does not and is twice as slow
        out = torch.nn.functional.linear(torch.from_numpy(query).to(torch.bfloat16)[None], packed)[0]
    return np.asarray(out.float().numpy(), dtype=np.float32)


@lru_cache
def int8_available() -> bool:
    """Whether this PyTorch build scores with quantised int8 (checked once on a tiny example)."""
    try:
        probe = np.eye(4, dtype=np.float32)
        return bool(np.allclose(_int8_scores(_int8_pack(probe), probe[1]), probe[1], atol=0.02))
    except (AttributeError, RuntimeError, NotImplementedError):
        return False


@dataclass(frozen=True)
class DenseScan:
    """Approximate cosines of a query with every snapshot position; immutable, changes give a new scan."""

    packed: Any  # the packed int8 weight, or a bfloat16 tensor (``kind``)
    kind: str  # int8 | bfloat16
    rows: npt.NDArray[np.int64]  # per position: its row in ``packed``, -1 where the vector changed since packing
    overlay: npt.NDArray[np.int64]  # the positions with -1, scored exactly
    identity: bool  # rows == arange(len(packed)): no gather needed

    @classmethod
    def build(cls, vectors: Vector, kind: str | None = None) -> DenseScan:
        kind = kind or ("int8" if int8_available() else "bfloat16")
        packed = _int8_pack(vectors) if kind == "int8" else _bf16_pack(vectors)
        return cls(packed, kind, np.arange(len(vectors), dtype=np.int64), np.zeros(0, dtype=np.int64), True)

    def scores(self, vectors: Vector, query: Vector) -> Vector:
        """``vectors`` are the snapshot's float32 rows, for the overlay."""
        base = _int8_scores(self.packed, query) if self.kind == "int8" else _bf16_scores(self.packed, query)
        out = base if self.identity else base[self.rows]
        if len(self.overlay):
            out[self.overlay] = vectors[self.overlay] @ query
        return out

    def changed(self, position: int | None, removed: bool, vectors: Vector) -> DenseScan:
        """The scan after appending (``position`` None), replacing or removing one position.

        ``vectors`` are the new snapshot's rows; they are packed afresh once the overlay is too large.
        """
        if removed:
            assert position is not None
            rows = np.delete(self.rows, position)
        elif position is None:
            rows = np.append(self.rows, -1)
        else:
            rows = self.rows.copy()
            rows[position] = -1
        overlay = np.flatnonzero(rows < 0).astype(np.int64)
        if len(overlay) > max(MIN_REPACK, int(REPACK_SHARE * len(rows))):
            return DenseScan.build(vectors, self.kind)
        return DenseScan(self.packed, self.kind, rows, overlay, False)

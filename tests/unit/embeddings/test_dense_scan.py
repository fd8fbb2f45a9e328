"""The quantised dense scan: close to the exact cosines, exact where the catalogue changed, repacked in time."""

from __future__ import annotations

import numpy as np
import pytest

import embeddings.dense_scan as dense_scan
from embeddings.dense_scan import DenseScan, int8_available


def unit_rows(rng: np.random.Generator, count: int, dim: int = 64) -> np.ndarray:
    rows = rng.normal(size=(count, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_this_build_has_the_int8_scan() -> None:
    """requirements/app.txt pins a PyTorch with quantised int8; losing it would slow search five times."""
    assert int8_available()


@pytest.mark.parametrize("kind", ["int8", "bfloat16"])
def test_scores_are_the_cosines_up_to_rounding(kind: str) -> None:
    rng = np.random.default_rng(1)
    vectors = unit_rows(rng, 500)
    query = unit_rows(rng, 1)[0]
    scan = DenseScan.build(vectors, kind)
    assert scan.kind == kind
    assert np.abs(scan.scores(vectors, query) - vectors @ query).max() < 0.01


def test_changed_positions_are_scored_exactly_and_removed_ones_drop_out() -> None:
    rng = np.random.default_rng(2)
    vectors = unit_rows(rng, 200)
    scan = DenseScan.build(vectors)
    query = unit_rows(rng, 1)[0]
    new_row = unit_rows(rng, 1)
    vectors = np.vstack([vectors, new_row])
    scan = scan.changed(None, False, vectors)  # appended
    vectors[7] = unit_rows(rng, 1)[0]
    scan = scan.changed(7, False, vectors)  # replaced
    vectors = np.delete(vectors, 3, axis=0)
    scan = scan.changed(3, True, vectors)  # removed: later positions move up
    scores = scan.scores(vectors, query)
    assert len(scores) == len(vectors) == 200
    assert scores[6] == pytest.approx(float(vectors[6] @ query), abs=1e-6)  # the replaced one, now at 6
    assert scores[-1] == pytest.approx(float(vectors[-1] @ query), abs=1e-6)  # the appended one
    assert np.abs(scores - vectors @ query).max() < 0.01
    assert list(scan.overlay) == [6, 199]


def test_a_large_overlay_is_packed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dense_scan, "MIN_REPACK", 4)
    rng = np.random.default_rng(3)
    vectors = unit_rows(rng, 50)
    scan = DenseScan.build(vectors)
    for position in range(5):
        vectors[position] = unit_rows(rng, 1)[0]
        scan = scan.changed(position, False, vectors)
        assert len(scan.overlay) == (position + 1 if position < 4 else 0)
    assert scan.identity
    query = unit_rows(rng, 1)[0]
    assert np.abs(scan.scores(vectors, query) - vectors @ query).max() < 0.01

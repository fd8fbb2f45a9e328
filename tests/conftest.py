"""Test session setup: an isolated var/ directory, the shared model folders.

Settings are read once per process, so the environment is fixed here before
any ``campus`` module is imported by a test.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_TEST_VAR = Path(tempfile.mkdtemp(prefix="kc-test-var-"))
os.environ["KC_VAR_DIR"] = str(_TEST_VAR)
os.environ.setdefault("KC_EMBEDDING_MODEL", str(ROOT / "var" / "models" / "multilingual-e5-small"))
os.environ["KC_DATABASE_URL"] = f"sqlite:///{_TEST_VAR / 'campus.db'}"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# unit tests drive the API in-process: no timer-driven background rounds there (board decisions still sync)
os.environ.setdefault("KC_BACKGROUND_JOBS", "false")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def schema() -> None:
    """Every table in the test database, as ``make db`` creates them for a real run."""
    from campus.store.db import get_engine
    from campus.tables import create_schema

    create_schema(get_engine())


@pytest.fixture(scope="session")
def test_var_dir() -> Path:
    return _TEST_VAR


@pytest.fixture(scope="session")
def encoder():
    from embeddings.encoder import get_encoder

    return get_encoder()


@pytest.fixture(scope="session")
def prepared_store(encoder):
    """The test database with the seed data and module vectors, built once per session."""
    from campus.catalogue.seed import load_seed
    from campus.store.db import get_engine, session_scope
    from campus.store.settings import get_settings
    from embeddings.module_vectors import sync_module_vectors

    engine = get_engine()
    with session_scope(engine) as session:
        load_seed(session, get_settings().seed_dir)
    with session_scope(engine) as session:
        sync_module_vectors(session, encoder)
    return engine

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


# What `make test` builds before it runs pytest (Makefile: setup). A test that needs one of them and finds it
# missing fails with this message: a skipped test would look like a passed one in a green run.
RASA_BIN = ROOT / ".venv-rasa" / "bin"
SPACY_MODEL = ROOT / "var" / "models" / "spacy-de"
RASA_MODELS = ROOT / "var" / "models" / "rasa"
HOW = "`make test` creates it (or `make setup` before running pytest by hand)"


def _missing(what: str, path: Path) -> None:
    pytest.fail(f"{what} is missing ({path}); {HOW}", pytrace=False)


def require_rasa_venv() -> Path:
    """The Rasa venv (Python 3.10) with its spaCy model; returns its ``bin`` folder."""
    for name in ("python", "rasa"):
        if not (RASA_BIN / name).exists():
            _missing("the Rasa venv .venv-rasa", RASA_BIN / name)
    if not (SPACY_MODEL / "meta.json").exists():
        _missing("the German spaCy model", SPACY_MODEL)
    return RASA_BIN


def require_rasa_model() -> Path:
    """The Rasa venv and a trained Rasa model; returns the newest model (the one ``make run`` serves)."""
    require_rasa_venv()
    models = sorted(RASA_MODELS.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        _missing("a trained Rasa model", RASA_MODELS / "*.tar.gz")
    return models[-1]


def require_embedding_model() -> Path:
    """The e5 model folder the encoder loads (``KC_EMBEDDING_MODEL``)."""
    folder = Path(os.environ["KC_EMBEDDING_MODEL"])
    if not folder.is_dir() or not any(folder.iterdir()):
        _missing("the e5 embedding model", folder)
    return folder


@pytest.fixture(scope="session")
def rasa_venv() -> Path:
    """For tests that run something in the Rasa venv (NLU components, ``rasa data validate``)."""
    return require_rasa_venv()


@pytest.fixture(scope="session")
def trained_rasa_model() -> Path:
    """For tests that need the trained bot (``rasa test``, the running platform)."""
    return require_rasa_model()


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

    require_embedding_model()

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

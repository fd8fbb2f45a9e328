"""Shared fixtures of the API tests: the real FastAPI app in-process and keys to call it with."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from campus.access.keys import create_key
from campus.store.db import get_engine

KeyMaker = Callable[..., str]


@pytest.fixture(scope="session")
def client(prepared_store) -> TestClient:
    from campus.api.main import app

    return TestClient(app)


@pytest.fixture(scope="session")
def new_key(prepared_store) -> KeyMaker:
    """``new_key("hr", org="musterstadt")``: a fresh plain key of that role and scope."""

    def make(role: str, provider_id: str | None = None, org: str | None = None, label: str = "") -> str:
        with Session(get_engine()) as session:
            plain = create_key(session, role, provider_id=provider_id, org=org, label=label)[0]
            session.commit()
        return plain

    return make

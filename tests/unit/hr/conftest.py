"""Fixtures of the HR core tests: a fresh store per test, Telegram configured."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from campus.catalogue.models import Competency, Module, Provider, RoleProfile
from campus.store.db import make_engine
from campus.store.settings import get_settings
from campus.tables import create_schema
from tests.unit.hr.campaign_kit import TARGETS


@pytest.fixture(autouse=True)
def telegram_bot(monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "telegram_bot_username", "KommunalCampusBot")


@pytest.fixture
def session(tmp_path) -> Session:
    engine = make_engine(f"sqlite:///{tmp_path / 'campaigns.db'}")
    create_schema(engine)
    with Session(engine) as session:
        for cid, label in (("e_akte", "E-Akte"), ("data_protection", "Datenschutz"), ("ai_basics", "KI")):
            session.add(Competency(id=cid, area="a", label=label, description="d"))
        session.add(RoleProfile(id="sb", title="Sachbearbeitung", description="global", targets=TARGETS))
        session.add(Provider(id="p", name="Anbieter", kind="university"))
        session.flush()
        for module_id, status in ((1, "approved"), (2, "approved"), (3, "withdrawn")):
            session.add(Module(id=module_id, provider_id="p", external_id=f"m{module_id}", title=f"Modul {module_id}",
                               description="D", category="Basismodul", status=status))
        session.commit()
        yield session

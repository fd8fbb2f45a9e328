"""A store made by an older version: its tables lack columns added since; the start adds them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session

from campus.catalogue.models import Module
from campus.learners.models import LearnerProfile
from campus.tables import create_schema


def test_an_older_store_gets_the_new_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    create_schema(engine)
    with Session(engine) as session:
        session.add(Module(provider_id="p", external_id="m1", title="Alt", description="Ein altes Modul",
                           category="Basismodul", status="approved"))
        session.commit()
    with engine.begin() as connection:  # make it look like the store before keywords/flags and budgets
        connection.execute(text("ALTER TABLE module DROP COLUMN keywords"))
        connection.execute(text("ALTER TABLE module DROP COLUMN flags"))
        connection.execute(text("ALTER TABLE learnerprofile DROP COLUMN yearly_budget_eur"))
    assert "keywords" not in {c["name"] for c in inspect(engine).get_columns("module")}

    create_schema(engine)  # what `make db` and the API's start do
    create_schema(engine)  # idempotent

    columns = {c["name"] for c in inspect(engine).get_columns("module")}
    assert {"keywords", "flags"} <= columns
    assert "yearly_budget_eur" in {c["name"] for c in inspect(engine).get_columns("learnerprofile")}
    with Session(engine) as session:
        old = session.query(Module).one()
        assert (old.title, old.keywords, old.flags) == ("Alt", [], [])
        assert session.query(LearnerProfile).count() == 0

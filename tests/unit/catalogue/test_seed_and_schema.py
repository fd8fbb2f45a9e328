import copy
import json

import pytest
from pydantic import ValidationError
from sqlmodel import Session, SQLModel, func, select

from campus.catalogue.models import Competency, Module, RoleProfile
from campus.catalogue.seed import load_seed
from campus.catalogue.template import ModuleIn
from campus.store.db import make_engine
from campus.store.settings import get_settings

SEED = get_settings().seed_dir


def first_module() -> dict:
    with (SEED / "catalogue.jsonl").open(encoding="utf-8") as handle:
        return json.loads(handle.readline())


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'seed.db'}")
    SQLModel.metadata.create_all(engine)
    return engine


def test_seed_meets_the_minimums_and_is_idempotent(engine) -> None:
    with Session(engine) as session:
        report = load_seed(session, SEED)
        session.commit()
    assert report.competencies >= 40 and report.roles >= 12 and report.modules >= 150
    with Session(engine) as session:
        again = load_seed(session, SEED)
        assert again.skipped
        forced = load_seed(session, SEED, force=True)
        session.commit()
        assert forced.modules == report.modules
        assert session.exec(select(func.count(Module.id))).one() == report.modules
        approved = session.exec(select(func.count(Module.id)).where(Module.status == "approved")).one()
        assert approved >= 30
        assert session.exec(select(func.count(Competency.id))).one() == report.competencies
        assert session.exec(select(func.count(RoleProfile.id))).one() == report.roles


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda m: m.update(price_member_eur=-5), "price_member_eur"),
        (lambda m: m.update(dates=[{"start": "2027-05-01", "end": "2027-04-01"}]), "dates"),
        (lambda m: m.pop("title"), "title"),
        (lambda m: m.update(category="Spezialmodul"), "category"),
        (lambda m: m.update(competencies=[{"id": "e_akte", "level_from": 3, "level_to": 2}]), "competencies"),
        (lambda m: m.update(unexpected="x"), "unexpected"),
        (lambda m: m.update(learning_units="viele"), "learning_units"),
    ],
)
def test_module_template_rejects_bad_input(change, field) -> None:
    data = copy.deepcopy(first_module())
    change(data)
    with pytest.raises(ValidationError) as info:
        ModuleIn.model_validate(data)
    assert field in str(info.value)


def test_module_template_accepts_seed_record() -> None:
    module = ModuleIn.model_validate(first_module())
    assert module.title in module.passage_text()

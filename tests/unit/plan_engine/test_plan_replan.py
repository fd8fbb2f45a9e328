"""Keeping plans current, against a real store (the seed catalogue, fake vectors, no e5 model).

Triggers, versions and diffs, stability of accepted items, the incremental
rebuild after an approval or withdrawal, evidence from completed modules, and
the outbox rows that tell learners about changes.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from campus.catalogue.models import Module
from campus.catalogue.modules import withdraw_module
from campus.catalogue.review import decide
from campus.channels.models import Outbox
from campus.learners.models import CompetencyLevel, LearnerModuleState, LearnerNeed, Plan, PlanItem
from campus.learners.plans import current_plan, plan_items
from campus.learners.profiles import update_profile
from campus.store.db import make_engine
from campus.store.settings import get_settings
from embeddings.index import ModuleIndex
from plan_engine import replan
from plan_engine.planner import NoConsentError, build_plan
from tests.unit.plan_engine.plan_kit import FakeEncoder, add_learner, add_module, seeded_store

TODAY = date(2026, 11, 23)
ENCODER = FakeEncoder()


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plan-seed")
    engine, _ = seeded_store(folder, ENCODER)
    engine.dispose()
    return folder / "plan.db"


@pytest.fixture
def store(seeded_file, tmp_path):
    """A private copy of the seeded store per test (the need matrix cache is per database URL)."""
    shutil.copy(seeded_file, tmp_path / "plan.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    with Session(engine, expire_on_commit=False) as session:
        yield session, ModuleIndex(ENCODER.dim)
    engine.dispose()


def buergerbuero(session: Session, learner_id: str = "L-bb", **fields) -> str:
    defaults = {"format_preference": "online", "hours_per_month": 8, "earliest_start": "2027-01"}
    return add_learner(session, learner_id, "sachbearbeitung_buergerbuero",
                       {"e_akte": 1, "online_services": 0, "data_protection": 1}, **{**defaults, **fields})


def plan_for(session: Session, learner_id: str, index) -> list:
    return build_plan(session, learner_id, "interview_completed", encoder=ENCODER, index=index, today=TODAY)


def versions(session: Session, learner_id: str) -> list[Plan]:
    return list(session.exec(select(Plan).where(Plan.learner_id == learner_id).order_by(Plan.version)).all())


def test_every_change_is_a_version_with_trigger_and_diff(store) -> None:
    session, index = store
    learner = buergerbuero(session)
    items = plan_for(session, learner, index)
    assert items and all(session.get(Module, i.module_id).status == "approved" for i in items)
    first, last = items[0].module_id, items[-1].module_id
    replan.accept_item(session, learner, first, encoder=ENCODER, index=index, today=TODAY)
    outcome = replan.reject_item(session, learner, last, "Termin passt nicht", encoder=ENCODER, index=index,
                                 today=TODAY)
    plans = versions(session, learner)
    assert [(p.version, p.trigger, p.current) for p in plans] == [
        (1, "interview_completed", False), (2, "item_accepted", False), (3, "item_rejected", True)]
    assert plans[0].diff == {"added": [i.module_id for i in items], "removed": [], "kept": []}
    assert plans[1].diff["added"] == [] and plans[1].diff["removed"] == [] and plans[1].trigger_detail == {
        "module_id": first}
    assert last in plans[2].diff["removed"] and plans[2].trigger_detail["reason"] == "Termin passt nicht"
    assert session.get(LearnerModuleState, (learner, last)).reason == "Termin passt nicht"
    statuses = {i.module_id: i.status for i in plan_items(session, plans[2].id)}
    assert statuses[first] == "accepted" and last not in statuses
    assert [i.module_id for i in outcome.items if i.module_id == last] == []
    # the rejected module stays out of every later plan
    replan.on_profile_changed(session, learner, encoder=ENCODER, index=index, today=TODAY)
    assert last not in [i.module_id for i in plan_items(session, current_plan(session, learner).id)]
    assert session.exec(select(Outbox)).all() == []  # learner-driven changes are answered in the chat


def test_unknown_item_is_a_clear_error(store) -> None:
    session, index = store
    learner = buergerbuero(session)
    with pytest.raises(replan.PlanError) as error:
        replan.accept_item(session, learner, 1, encoder=ENCODER, index=index, today=TODAY)
    assert "noch keinen Lernplan" in error.value.message_de
    plan_for(session, learner, index)
    with pytest.raises(replan.PlanError) as error:
        replan.reject_item(session, learner, 99999, encoder=ENCODER, index=index, today=TODAY)
    assert "nicht in Ihrem aktuellen Lernplan" in error.value.message_de


def strong_module(session: Session, external_id: str = "neu-eakte") -> Module:
    """A module on the Bürgerbüro role's biggest gaps, better than anything in the sample catalogue."""
    module = add_module(session, ENCODER, external_id, [("e_akte", 1, 3), ("eid_servicekonto", 0, 3)],
                        title="E-Akte und Servicekonto im Bürgerbüro", learning_units=1, duration_hours=8,
                        status="submitted")
    return module


def approve(session: Session, module: Module) -> None:
    decide(session, module.id, "approve", "", {}, None)
    session.flush()


def test_new_module_enters_only_the_plans_it_improves_and_accepted_items_stay(store) -> None:
    session, index = store
    learner = buergerbuero(session)
    other = add_learner(session, "L-gis", "bauamt", {"gis": 1}, format_preference="online")
    plan_for(session, learner, index)
    plan_for(session, other, index)
    accepted = plan_items(session, current_plan(session, learner).id)[0]
    replan.accept_item(session, learner, accepted.module_id, encoder=ENCODER, index=index, today=TODAY)
    other_versions = len(versions(session, other))

    module = strong_module(session)
    approve(session, module)
    report = replan.on_module_approved(session, module.id, index=index, today=TODAY)

    assert report.scored == 2 and learner in report.changed and other not in report.changed
    plan = current_plan(session, learner)
    assert plan.trigger == "module_approved" and plan.trigger_detail == {"module_id": module.id}
    assert module.id in plan.diff["added"]
    items = {i.module_id: i for i in plan_items(session, plan.id)}
    assert items[accepted.module_id].status == "accepted"
    assert items[accepted.module_id].planned_month == accepted.planned_month
    assert len(versions(session, other)) == other_versions
    [message] = session.exec(select(Outbox)).all()
    assert message.learner_id == learner and message.status == "pending" and message.attempts == 0
    assert message.text.startswith("Neu im Katalog: „E-Akte und Servicekonto im Bürgerbüro“")
    assert message.payload["diff"]["added"] == [module.id]
    # the same event again changes nothing and sends nothing
    again = replan.on_module_approved(session, module.id, index=index, today=TODAY)
    assert again.changed == [] and len(session.exec(select(Outbox)).all()) == 1


def test_withdrawal_replans_only_plans_containing_it_and_drops_agreed_items(store) -> None:
    session, index = store
    learner = buergerbuero(session)
    bystander = add_learner(session, "L-fin", "kaemmerei", {"digital_finance": 1},
                            format_preference="online")
    plan_for(session, learner, index)
    plan_for(session, bystander, index)
    gone = plan_items(session, current_plan(session, learner).id)[0].module_id
    assert gone not in [i.module_id for i in plan_items(session, current_plan(session, bystander).id)]
    replan.accept_item(session, learner, gone, encoder=ENCODER, index=index, today=TODAY)
    module = session.get(Module, gone)
    withdraw_module(session, module.provider_id, module.external_id)
    session.flush()

    [report] = replan.sync_catalogue_changes(session, index=index, today=TODAY)

    assert report.trigger == "module_withdrawn" and report.flagged == 1 and report.changed == [learner]
    plan = current_plan(session, learner)
    assert gone in plan.diff["removed"] and gone not in [i.module_id for i in plan_items(session, plan.id)]
    assert session.get(LearnerModuleState, (learner, gone)).status == "dropped"
    assert [p.trigger for p in versions(session, bystander)] == ["interview_completed"]
    [message] = session.exec(select(Outbox).where(Outbox.learner_id == learner)).all()
    assert "wird nicht mehr angeboten" in message.text and module.title in message.text
    assert replan.sync_catalogue_changes(session, index=index, today=TODAY) == []


def test_sync_picks_up_board_approvals_once(store) -> None:
    session, index = store
    learner = buergerbuero(session)
    plan_for(session, learner, index)
    replan.sync_catalogue_changes(session, index=index, today=TODAY)  # the seed's history: nothing planned changes
    module = strong_module(session, "neu-2")
    approve(session, module)
    [report] = replan.sync_catalogue_changes(session, index=index, today=TODAY)
    assert report.trigger == "module_approved" and report.module_id == module.id and report.changed == [learner]
    assert replan.sync_catalogue_changes(session, index=index, today=TODAY) == []


def test_completed_module_is_evidence_and_leaves_the_plan(store) -> None:
    session, index = store
    learner = buergerbuero(session)
    done = plan_for(session, learner, index)[0]
    module = session.get(Module, done.module_id)
    outcome = replan.on_module_completed(session, learner, module.id, encoder=ENCODER, index=index, today=TODAY)
    for comp in module.competencies:
        level = session.get(CompetencyLevel, (learner, comp["id"]))
        assert level.level >= comp["level_to"] and level.source == "completed_module"
    assert outcome.plan.trigger == "module_completed" and module.id in outcome.diff["removed"]
    assert module.id not in [i.module_id for i in outcome.items]
    assert session.get(LearnerModuleState, (learner, module.id)).status == "completed"


def test_postponed_item_moves_later(store) -> None:
    session, index = store
    learner = buergerbuero(session, format_preference="blended")
    items = plan_for(session, learner, index)
    target = next((i for i in items if i.planned_month), items[0])
    outcome = replan.postpone_item(session, learner, target.module_id, months=2, encoder=ENCODER, index=index,
                                   today=TODAY)
    moved = next(i for i in outcome.items if i.module_id == target.module_id)
    assert moved.status == "postponed" and moved.planned_month > target.planned_month
    assert outcome.plan.trigger == "item_postponed"


def test_replans_reuse_cached_need_vectors(store) -> None:
    """After the first plan, replanning needs no encoder as long as the learner's needs read the same."""
    session, index = store
    learner = buergerbuero(session)
    items = plan_for(session, learner, index)

    class EncoderCalled(Exception):
        """Raised by the encoder below: only a query that had to be encoded gets here."""

    class NoEncoder(FakeEncoder):
        def queries(self, texts):
            raise EncoderCalled(texts)

    replan.accept_item(session, learner, items[0].module_id, encoder=NoEncoder(), index=index, today=TODAY)
    need = session.get(LearnerNeed, learner)
    assert need.model == ENCODER.name and need.gaps["pinned"][0]["module_id"] == items[0].module_id
    update_profile(session, learner, {"interest_text": "Künstliche Intelligenz im Bürgerservice"})
    with pytest.raises(EncoderCalled) as called:  # changed needs: a new query must be encoded
        replan.on_profile_changed(session, learner, encoder=NoEncoder(), index=index, today=TODAY)
    assert any("Künstliche Intelligenz im Bürgerservice" in text for text in called.value.args[0])


def test_plan_items_store_months_roles_and_scores(store) -> None:
    session, index = store
    learner = buergerbuero(session, format_preference="blended", region="Kassel")
    items = plan_for(session, learner, index)
    stored = plan_items(session, current_plan(session, learner).id)
    assert [(i.module_id, i.planned_month, i.match_percent, i.role) for i in stored] == [
        (r.module_id, r.planned_month, r.match_percent, r.role) for r in items]
    assert all(isinstance(i.score, float) for i in stored)
    units = [session.get(Module, i.module_id).learning_units for i in stored]
    settings = get_settings()
    assert sum(units) <= settings.plan_max_learning_units * settings.plan_max_paths
    assert session.exec(select(PlanItem)).all()


def test_no_plan_is_kept_without_consent(store) -> None:
    session, index = store
    learner = buergerbuero(session)
    plan_for(session, learner, index)
    update_profile(session, learner, {"consent": False})
    session.delete(session.get(LearnerNeed, learner))  # what withdrawing consent does to the engine's data
    session.flush()
    with pytest.raises(NoConsentError):
        replan.on_profile_changed(session, learner, encoder=ENCODER, index=index, today=TODAY)
    module = strong_module(session, "neu-3")
    approve(session, module)
    report = replan.on_module_approved(session, module.id, index=index, today=TODAY)
    assert learner not in report.changed and len(versions(session, learner)) == 1

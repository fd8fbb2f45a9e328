"""The board's tag functions, approval and framework additions on a small store of their own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pytest
from sqlmodel import Session, SQLModel, col, select

import campus.tables  # noqa: F401  (every table on the metadata, for the foreign keys)
from campus.access.keys import create_key
from campus.catalogue.framework import CompetencyIn, add_competency
from campus.catalogue.models import Competency, Module, Provider, TagChange
from campus.catalogue.modules import upsert_module
from campus.catalogue.review import TagFilter, decide, module_record, review_queue
from campus.catalogue.tags import (
    NO_FITTING_COMPETENCY,
    TagLevels,
    apply_tags,
    confirm_tag,
    normalised,
    refreshed_flags,
    remove_tag,
    removed_by_board,
    replace_tags,
)
from campus.catalogue.template import CompetencyTarget, ModuleIn
from campus.store.db import make_engine
from campus.store.errors import DomainError
from campus.store.settings import get_settings
from campus.store.texts import read_yaml
from embeddings.retag import retag_waiting_modules

FRAMEWORK = ("data_protection", "records_management", "generative_ai")
PROVIDER = "test_provider"


@pytest.fixture
def session(tmp_path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'tags.db'}")
    SQLModel.metadata.create_all(engine)
    seed = read_yaml(get_settings().seed_dir / "competencies.yml")["competencies"]
    with Session(engine, expire_on_commit=False) as session:
        for item in (c for c in seed if c["id"] in FRAMEWORK):
            session.add(Competency(id=item["id"], area=item["area"], label=item["label"],
                                   description=item["description"], synonyms=item["synonyms"],
                                   levels={str(k): v for k, v in item["levels"].items()}))
        session.add(Provider(id=PROVIDER, name="Test", kind="hochschule"))
        session.commit()
        yield session


@pytest.fixture
def reviewer(session) -> int:
    _, row = create_key(session, "board")
    session.commit()
    return int(row.id or 0)


def inferred(cid: str, confidence: float = 0.6) -> CompetencyTarget:
    return CompetencyTarget(id=cid, level_from=0, level_to=2, source="inferred", confidence=confidence)


def module(session: Session, external_id: str, tags: list[CompetencyTarget] | None = None,
           status: str = "submitted", given: list[CompetencyTarget] | None = None) -> Module:
    record = ModuleIn(external_id=external_id, provider=PROVIDER, title=f"Modul {external_id}",
                      description="Ein Modul über den Umgang mit Daten in der Verwaltung.", category="Basismodul",
                      learning_units=1, duration_hours=8, format="online", competencies=given or [])
    flags = [] if tags or given else [NO_FITTING_COMPETENCY]
    outcome = upsert_module(session, PROVIDER, record, set(FRAMEWORK), status, inferred=tags, flags=flags)
    session.commit()
    return outcome.module


def changes(session: Session, module_id: int) -> list[TagChange]:
    return list(session.exec(select(TagChange).where(TagChange.module_id == module_id)
                             .order_by(col(TagChange.id))).all())


def test_old_rows_read_as_provider_tags_and_the_flag_follows_the_tags() -> None:
    assert normalised({"id": "x", "level_from": 0, "level_to": 1}) == {
        "id": "x", "level_from": 0, "level_to": 1, "source": "provider", "confidence": 1.0, "confirmed": False}
    assert refreshed_flags(["near_duplicate_review", NO_FITTING_COMPETENCY], [{"id": "x"}]) == ["near_duplicate_review"]
    assert refreshed_flags(["near_duplicate_review"], []) == ["near_duplicate_review", NO_FITTING_COMPETENCY]


def test_replace_keeps_the_origin_of_unchanged_tags_and_audits(session, reviewer) -> None:
    row = module(session, "m1", [inferred("data_protection", 0.71), inferred("generative_ai")])
    edit = replace_tags(session, row.id, [TagLevels("data_protection", 0, 2), TagLevels("records_management", 1, 3)],
                        reviewer, note="  Prüfung  ")
    assert edit.change is not None and not edit.replan
    assert [(t["id"], t["source"], t["confidence"], t["confirmed"]) for t in edit.module.competencies] == [
        ("data_protection", "inferred", 0.71, True), ("records_management", "board", 1.0, True)]
    [change] = changes(session, row.id)
    assert change.action == "replace" and change.reviewer_key_id == reviewer and change.note == "Prüfung"
    assert [t["id"] for t in change.before] == ["data_protection", "generative_ai"]
    assert change.after == edit.module.competencies and change.module_version == 1
    same = replace_tags(session, row.id, [TagLevels("data_protection", 0, 2), TagLevels("records_management", 1, 3)],
                        reviewer)
    assert same.change is None and len(changes(session, row.id)) == 1  # nothing changed, nothing written
    levels = replace_tags(session, row.id, [TagLevels("data_protection", 1, 2)], reviewer)
    assert levels.module.competencies[0]["source"] == "board"  # other levels: now the board's tag


def test_replace_checks_every_tag_before_writing(session, reviewer) -> None:
    row = module(session, "m2", [inferred("data_protection")])
    before = list(row.competencies)
    for tags, field in [([TagLevels("kochen", 0, 1)], "competencies"),
                        ([TagLevels("data_protection", 2, 1)], "competencies.0.level_to"),
                        ([TagLevels("generative_ai", 0, 1), TagLevels("data_protection", 0, 5)],
                         "competencies.1.level_to"),
                        ([TagLevels("data_protection", -1, 1)], "competencies.0.level_to"),
                        ([TagLevels("data_protection", 0, 1)] * 2, "competencies")]:
        with pytest.raises(DomainError) as caught:
            replace_tags(session, row.id, tags, reviewer)
        assert caught.value.field == field and caught.value.status_code == 422
    session.expire_all()
    assert session.get(Module, row.id).competencies == before and changes(session, row.id) == []
    with pytest.raises(DomainError) as missing:
        replace_tags(session, 987654, [], reviewer)
    assert missing.value.status_code == 404


def test_empty_list_flags_a_waiting_module_but_not_an_approved_one(session, reviewer) -> None:
    waiting = module(session, "m3", [inferred("data_protection")])
    assert replace_tags(session, waiting.id, [], reviewer).module.flags == [NO_FITTING_COMPETENCY]
    approved = module(session, "m4", given=[CompetencyTarget(id="records_management", level_from=0, level_to=1)],
                      status="approved")
    with pytest.raises(DomainError) as refused:
        replace_tags(session, approved.id, [], reviewer)
    assert refused.value.status_code == 409
    with pytest.raises(DomainError):
        remove_tag(session, approved.id, "records_management", reviewer)
    withdrawn = module(session, "m5", [inferred("data_protection")], status="withdrawn")
    with pytest.raises(DomainError) as gone:
        replace_tags(session, withdrawn.id, [TagLevels("data_protection", 0, 1)], reviewer)
    assert gone.value.status_code == 409


def test_an_approved_module_moves_in_the_index_a_waiting_one_keeps_its_place(session, reviewer) -> None:
    approved = module(session, "m6", given=[CompetencyTarget(id="records_management", level_from=0, level_to=1)],
                      status="approved")
    waiting = module(session, "m7", [inferred("data_protection")])
    for row in (approved, waiting):
        row.updated_at -= timedelta(days=1)
        session.add(row)
    session.commit()
    stamps = {row.id: row.updated_at for row in (approved, waiting)}
    edit = replace_tags(session, approved.id, [TagLevels("generative_ai", 0, 1)], reviewer)
    assert edit.replan and edit.module.updated_at > stamps[approved.id]
    assert not replace_tags(session, waiting.id, [TagLevels("generative_ai", 0, 1)], reviewer).replan
    assert session.get(Module, waiting.id).updated_at == stamps[waiting.id]
    assert apply_tags(session, edit.module, edit.module.competencies, "replace", reviewer) is None


def test_confirm_and_remove_one_tag(session, reviewer) -> None:
    row = module(session, "m8", [inferred("data_protection", 0.66), inferred("generative_ai")])
    confirmed = confirm_tag(session, row.id, "data_protection", reviewer).module.competencies
    assert confirmed[0] == {"id": "data_protection", "level_from": 0, "level_to": 2, "source": "inferred",
                            "confidence": 0.66, "confirmed": True}
    assert confirmed[1]["confirmed"] is False
    assert confirm_tag(session, row.id, "data_protection", reviewer).change is None
    with pytest.raises(DomainError) as unknown:
        confirm_tag(session, row.id, "records_management", reviewer)
    assert unknown.value.status_code == 404 and unknown.value.field == "competency_id"
    remove_tag(session, row.id, "generative_ai", reviewer)
    remove_tag(session, row.id, "data_protection", reviewer)
    assert session.get(Module, row.id).flags == [NO_FITTING_COMPETENCY]
    assert [(c.action, c.competency_id) for c in changes(session, row.id)] == [
        ("confirm", "data_protection"), ("remove", "generative_ai"), ("remove", "data_protection")]


def test_removed_by_board_forgets_a_tag_put_back_later() -> None:
    def change(action: str, before: list[str], after: list[str]) -> TagChange:
        return TagChange(module_id=1, module_version=1, action=action, before=[{"id": i} for i in before],
                         after=[{"id": i} for i in after])

    assert removed_by_board([change("remove", ["a", "b"], ["b"]), change("retag", ["b"], [])]) == {"a"}
    assert removed_by_board([change("replace", ["a"], ["b"]), change("replace", ["b"], ["a", "b"])]) == set()


def test_approval_confirms_every_tag_and_needs_one(session, reviewer) -> None:
    row = module(session, "m9", [inferred("data_protection"), inferred("generative_ai")])
    decide(session, row.id, "approve", "", {}, reviewer)
    stored = session.get(Module, row.id)
    assert stored.status == "approved" and all(t["confirmed"] and t["source"] == "inferred"
                                               for t in stored.competencies)
    assert [c.action for c in changes(session, row.id)] == ["approve"]
    untagged = module(session, "m10")
    assert untagged.flags == [NO_FITTING_COMPETENCY]
    with pytest.raises(DomainError) as refused:
        decide(session, untagged.id, "approve", "", {}, reviewer)
    assert refused.value.status_code == 409 and refused.value.field == "competencies"
    session.expire_all()
    assert session.get(Module, untagged.id).status == "submitted"
    decide(session, untagged.id, "reject", "Kein Bezug zur Verwaltung", {}, reviewer)  # rejecting needs no tag
    assert changes(session, untagged.id) == []


def test_queue_filters_and_record(session, reviewer) -> None:
    tagged = module(session, "m11", [inferred("data_protection")])
    untagged = module(session, "m12")
    given = module(session, "m13", given=[CompetencyTarget(id="records_management", level_from=0, level_to=1)])
    entries = {e["module"]["id"]: e for e in review_queue(session, "submitted", 10, 0)}
    assert set(entries) == {tagged.id, untagged.id, given.id}
    assert entries[tagged.id]["tags"][0]["label"] == session.get(Competency, "data_protection").label

    def ids(**filters: str) -> list[int]:
        return [e["module"]["id"] for e in review_queue(session, "submitted", 10, 0, where=TagFilter(**filters))]

    assert ids(source="inferred") == [tagged.id] and ids(source="provider") == [given.id]
    assert ids(flag=NO_FITTING_COMPETENCY) == [untagged.id]
    assert [e["module"]["id"] for e in review_queue(session, "submitted", 1, 1, where=TagFilter())] == [untagged.id]
    assert review_queue(session, "submitted", 10, 0, provider="someone_else") == []
    record = module_record(session, tagged.id)
    assert record["module"]["title"] == "Modul m11" and [v["version"] for v in record["versions"]] == [1]


def test_add_competency_validates_and_dedupes(session) -> None:
    levels = {str(k): f"Beschreibung der Stufe {k} mit genug Text." for k in range(5)}
    body = {"id": "cemetery", "area": "Fachverfahren", "label": "Friedhofswesen",
            "description": "Friedhöfe verwalten, Grabstätten und Nutzungsrechte führen.",
            "synonyms": ["Bestattungswesen", "bestattungswesen", "Friedhofswesen", "Grabstätten"], "levels": levels}
    row = add_competency(session, CompetencyIn.model_validate(body))
    assert row.synonyms == ["Bestattungswesen", "Grabstätten"] and list(row.levels) == ["0", "1", "2", "3", "4"]
    for change, field, status in [({}, "id", 409), ({"id": "other", "label": "FRIEDHOFSWESEN"}, "label", 409),
                                  ({"id": "other", "levels": {k: v for k, v in levels.items() if k != "0"}},
                                   "levels", 422),
                                  ({"id": "other", "levels": {**{k: v for k, v in levels.items() if k != "4"},
                                                              "9": "Eine Stufe, die es nicht gibt."}},
                                   "levels", 422)]:
        with pytest.raises(DomainError) as caught:
            add_competency(session, CompetencyIn.model_validate({**body, "label": "Neu", **change}))
        assert (caught.value.field, caught.value.status_code) == (field, status)
    assert session.get(Competency, "other") is None


@dataclass
class StubEncoder:
    name: str = "stub"
    dim: int = 4

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts), self.dim), dtype=np.float32)


@dataclass
class StubResult:
    tags: list[CompetencyTarget]


class StubTagger:
    """Always suggests data_protection and generative_ai, so only the re-tag's own rules decide."""

    encoder = StubEncoder()

    def tag(self, template: ModuleIn, vector: np.ndarray) -> StubResult:
        return StubResult([inferred("data_protection", 0.9), inferred("generative_ai", 0.8)])


def test_retag_replaces_open_guesses_only(session, reviewer) -> None:
    guessed = module(session, "r1", [inferred("records_management")])
    untagged = module(session, "r2")
    board_removed = module(session, "r3", [inferred("data_protection"), inferred("records_management")])
    remove_tag(session, board_removed.id, "data_protection", reviewer)
    confirmed = module(session, "r4", [inferred("records_management")])
    confirm_tag(session, confirmed.id, "records_management", reviewer)
    given = module(session, "r5", given=[CompetencyTarget(id="records_management", level_from=0, level_to=1)])
    mixed = module(session, "r6", [inferred("records_management"), inferred("data_protection")])
    confirm_tag(session, mixed.id, "data_protection", reviewer)
    approved = module(session, "r7", [inferred("records_management")])
    approved.status = "approved"  # an approved module's tags are the board's: never re-tagged
    session.add(approved)
    session.commit()
    keep = {m.id: list(session.get(Module, m.id).competencies) for m in (confirmed, given, approved)}

    report = retag_waiting_modules(session, StubTagger(), reviewer, "new_competency")

    def ids(row: Module) -> list[str]:
        return [t["id"] for t in session.get(Module, row.id).competencies]

    assert ids(guessed) == ["data_protection", "generative_ai"]
    assert ids(untagged) == ["data_protection", "generative_ai"]
    assert session.get(Module, untagged.id).flags == []
    assert ids(board_removed) == ["generative_ai"]  # the board took data_protection off: it stays off
    assert ids(mixed) == ["data_protection", "generative_ai"]  # the confirmed one kept, the open guess replaced
    assert session.get(Module, mixed.id).competencies[0]["confirmed"] is True
    for row in (confirmed, given, approved):
        assert session.get(Module, row.id).competencies == keep[row.id]
    assert sorted(report.retagged) == sorted([guessed.id, untagged.id, board_removed.id, mixed.id])
    assert report.looked_at == 4
    retags = session.exec(select(TagChange).where(TagChange.action == "retag")).all()
    assert {c.competency_id for c in retags} == {"new_competency"} and len(retags) == 4
    assert retag_waiting_modules(session, StubTagger(), reviewer).retagged == []  # idempotent

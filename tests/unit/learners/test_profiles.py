"""Learner profiles: versioned changes with their history; a refused change leaves nothing behind."""

from __future__ import annotations

import pytest
from sqlmodel import Session, SQLModel, select

from campus.catalogue.models import Competency
from campus.learners.identity import find_learner, learner_for
from campus.learners.models import ChannelIdentity, CompetencyLevel, LearnerProfile, ProfileEvent
from campus.learners.profiles import load_profile, update_profile
from campus.store.db import make_engine


def test_profile_changes_are_versioned_events(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Competency(id="e_akte", area="a", label="E-Akte", description="d"))
        learner = learner_for(session, "rest", "user-1")
        assert learner_for(session, "rest", "user-1").id == learner.id
        view = update_profile(session, learner.id, {"interest_text": "KI"}, levels={"e_akte": 2})
        assert view.version == 1 and view.levels == {"e_akte": 2}
        same = update_profile(session, learner.id, {"interest_text": "KI"}, levels={"e_akte": 2})
        assert same.version == 1  # nothing changed, no new version
        update_profile(session, learner.id, {"interest_text": "Datenschutz"})
        session.commit()
        events = session.exec(select(ProfileEvent).where(ProfileEvent.learner_id == learner.id)).all()
        assert [(e.profile_version, e.field) for e in events] == [(1, "interest_text"), (1, "level:e_akte"),
                                                                  (2, "interest_text")]
        assert load_profile(session, learner.id).interest_text == "Datenschutz"
        # the raw channel address is never stored
        link = session.exec(select(ChannelIdentity)).one()
        assert "user-1" not in link.address_hash
        assert find_learner(session, "telegram", "user-1") is None


@pytest.mark.parametrize(("changes", "levels", "refused"), [
    # the interest text and a valid level come before the bad level: neither may be written
    ({"interest_text": "Datenschutz", "role_text": "Bürgerbüro"}, {"e_akte": 3, "data_protection": 7},
     "level for data_protection"),
    ({}, {"e_akte": 3, "data_protection": -1}, "level for data_protection"),
    ({"interest_text": "Datenschutz"}, {"e_akte": "viel"}, "level for e_akte"),
    ({"interest_text": "Datenschutz", "no_such_field": 1}, {"e_akte": 3}, "unknown profile field"),
    ({"interest_text": "Datenschutz", "version": 9}, {}, "unknown profile field"),
])
def test_invalid_change_is_rejected_without_partial_write(tmp_path, changes, levels, refused) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Competency(id="e_akte", area="a", label="E-Akte", description="d"))
        session.add(Competency(id="data_protection", area="a", label="Datenschutz", description="d"))
        learner_id = learner_for(session, "rest", "u").id
        update_profile(session, learner_id, {"interest_text": "KI"}, levels={"e_akte": 2})  # an existing profile
        session.commit()
    with Session(engine) as session:
        with pytest.raises(ValueError, match=refused):
            update_profile(session, learner_id, changes, levels=levels)
        session.commit()  # the caller commits whatever else the turn did: the refused change must not be in it
    with Session(engine) as fresh:
        profile = fresh.get(LearnerProfile, learner_id)
        assert (profile.interest_text, profile.role_text, profile.version) == ("KI", None, 1)
        levels_now = fresh.exec(select(CompetencyLevel).where(CompetencyLevel.learner_id == learner_id)).all()
        assert [(lvl.competency_id, lvl.level) for lvl in levels_now] == [("e_akte", 2)]
        events = fresh.exec(select(ProfileEvent).where(ProfileEvent.learner_id == learner_id)).all()
        assert [(e.profile_version, e.field) for e in events] == [(1, "interest_text"), (1, "level:e_akte")]

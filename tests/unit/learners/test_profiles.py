from sqlmodel import Session, SQLModel, select

from campus.catalogue.models import Competency
from campus.learners.identity import find_learner, learner_for
from campus.learners.models import ChannelIdentity, ProfileEvent
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


def test_invalid_level_is_rejected_without_partial_write(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Competency(id="e_akte", area="a", label="E-Akte", description="d"))
        learner = learner_for(session, "rest", "u")
        session.commit()
        try:
            update_profile(session, learner.id, {"interest_text": "x"}, levels={"e_akte": 7})
        except ValueError:
            session.rollback()
        assert load_profile(session, learner.id).interest_text is None

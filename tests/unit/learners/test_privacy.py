"""Withdrawal of consent and erasure remove every row about the learner, across all tables."""

from __future__ import annotations

from sqlmodel import Session, SQLModel, select

from campus.catalogue.models import Competency, Module, Provider
from campus.channels.link_codes import issue_code, redeem_code
from campus.channels.models import TelegramChat
from campus.learners.identity import address_hash, find_learner, learner_for
from campus.learners.interview.sessions import pause
from campus.learners.models import (
    ChannelIdentity,
    CompetencyLevel,
    InterviewSession,
    Learner,
    LearnerProfile,
    Plan,
    PlanItem,
    ProfileEvent,
)
from campus.learners.privacy import erase_learner, withdraw_consent
from campus.learners.profiles import update_profile
from campus.store.db import make_engine


def populated(tmp_path) -> tuple[Session, str, str]:
    engine = make_engine(f"sqlite:///{tmp_path / 'gdpr.db'}")
    SQLModel.metadata.create_all(engine)
    session = Session(engine)
    session.add(Competency(id="e_akte", area="a", label="E-Akte", description="d"))
    session.add(Provider(id="p", name="Anbieter", kind="university"))
    session.flush()
    session.add(Module(id=1, provider_id="p", external_id="m1", title="T", description="D", category="Basismodul"))
    other = learner_for(session, "rest", "someone-else")
    for learner_id in (learner_for(session, "rest", "me").id, other.id):
        update_profile(session, learner_id, {"interest_text": "KI", "consent": True}, levels={"e_akte": 2})
        plan = Plan(learner_id=learner_id, version=1, trigger="interview_completed")
        session.add(plan)
        session.flush()
        session.add(PlanItem(plan_id=plan.id, position=1, module_id=1, match_percent=80))
    pause(session, "rest", "me", {"answers": {}})
    redeem_code(session, "telegram", "42", issue_code(session, "rest", "me"))
    session.add(TelegramChat(address_hash=address_hash("telegram", "42"), chat_id_encrypted="x"))
    session.add(TelegramChat(address_hash=address_hash("telegram", "99"), chat_id_encrypted="y"))
    session.commit()
    return session, find_learner(session, "rest", "me").id, other.id


def rows_of(session: Session, learner_id: str) -> dict[str, int]:
    counts = {}
    for model in (LearnerProfile, CompetencyLevel, ProfileEvent, Plan, InterviewSession, ChannelIdentity):
        counts[model.__name__] = len(session.exec(select(model).where(model.learner_id == learner_id)).all())
    counts["Learner"] = len(session.exec(select(Learner).where(Learner.id == learner_id)).all())
    return counts


def test_erasure_removes_everything_of_the_learner_on_all_channels_and_nothing_else(tmp_path) -> None:
    session, me, other = populated(tmp_path)
    before_other = rows_of(session, other)
    report = erase_learner(session, "telegram", "42")  # asked from the linked channel
    session.commit()
    assert report.learner_id == me and report.total > 0
    assert set(rows_of(session, me).values()) == {0}
    assert find_learner(session, "rest", "me") is None and find_learner(session, "telegram", "42") is None
    assert rows_of(session, other) == before_other
    assert len(session.exec(select(PlanItem)).all()) == 1  # only the other learner's item is left
    assert [t.chat_id_encrypted for t in session.exec(select(TelegramChat)).all()] == ["y"]


def test_withdrawal_keeps_only_the_pseudonym_and_channel_links(tmp_path) -> None:
    session, me, _ = populated(tmp_path)
    withdraw_consent(session, "rest", "me")
    session.commit()
    counts = rows_of(session, me)
    assert counts["Learner"] == 1 and counts["ChannelIdentity"] == 2
    assert len(session.exec(select(TelegramChat)).all()) == 2
    assert all(v == 0 for k, v in counts.items() if k not in ("Learner", "ChannelIdentity"))


def test_unknown_learner_is_a_no_op(tmp_path) -> None:
    session, _, _ = populated(tmp_path)
    assert erase_learner(session, "rest", "nobody").learner_id is None
    assert withdraw_consent(session, "rest", "nobody").total == 0

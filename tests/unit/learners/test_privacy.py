"""Withdrawal of consent and erasure remove every row about the learner, across all tables.

The tables are found the way ``campus.learners.privacy`` promises to find them: every table on the
metadata with a ``learner_id`` column (the learner's data) or an ``address_hash`` column (data about one
of the learner's channels). The fixture fills each of them for two learners, and fails when a table
with such a column appears that it does not fill, so a new table cannot slip past these tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Table, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

import campus.tables  # noqa: F401  (every table on the metadata)
from campus.catalogue.models import Competency, Module, Provider, RoleProfile
from campus.channels.link_codes import issue_code, redeem_code
from campus.channels.models import Outbox, TelegramChat
from campus.hr.models import Campaign, Invitation, InvitationLearner
from campus.learners.identity import address_hash, find_learner, learner_for
from campus.learners.interview.sessions import pause
from campus.learners.models import Learner, LearnerModuleState, LearnerNeed, Plan, PlanItem
from campus.learners.privacy import erase_learner, withdraw_consent
from campus.learners.profiles import update_profile
from campus.store.db import make_engine

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
LEARNER_TABLES = {t.name: t for t in SQLModel.metadata.sorted_tables if "learner_id" in t.columns}
CHANNEL_TABLES = {t.name: t for t in SQLModel.metadata.sorted_tables if "address_hash" in t.columns}
# the learner's own chat addresses, and the other learner's (each has a Telegram chat of their own)
MINE = (("rest", "me"), ("telegram", "42"))
THEIRS = (("rest", "someone-else"), ("telegram", "77"))


def fill(session: Session, learner_id: str, addresses: tuple[tuple[str, str], ...], tag: str) -> None:
    """One row or more in every table about a learner; the learner's first address already exists."""
    first, linked = addresses
    update_profile(session, learner_id, {"interest_text": "KI", "consent": True}, levels={"e_akte": 2})
    plan = Plan(learner_id=learner_id, version=1, trigger="interview_completed")
    session.add(plan)
    session.flush()
    session.add(PlanItem(plan_id=plan.id, position=1, module_id=1, match_percent=80))
    pause(session, *first, {"answers": {}})
    redeem_code(session, *linked, issue_code(session, *first))
    session.add(TelegramChat(address_hash=address_hash(*linked), chat_id_encrypted=f"chat-{tag}"))
    session.add(Outbox(learner_id=learner_id, channel="telegram", text=f"Ihr Lernplan hat sich geändert ({tag})."))
    session.add(LearnerNeed(learner_id=learner_id, model="m", text_hash="h"))
    session.add(LearnerModuleState(learner_id=learner_id, module_id=1, status="accepted"))
    invitation = Invitation(campaign_id=1, public_id=f"public-{tag}", ref_hash=f"ref-{tag}", ref_sealed="x",
                            channel="widget", status="started")
    session.add(invitation)
    session.flush()
    session.add(InvitationLearner(invitation_id=invitation.id, learner_id=learner_id))


def populated(tmp_path) -> tuple[Session, str, str]:
    engine = make_engine(f"sqlite:///{tmp_path / 'gdpr.db'}")
    SQLModel.metadata.create_all(engine)
    session = Session(engine)
    session.add(Competency(id="e_akte", area="a", label="E-Akte", description="d"))
    session.add(Provider(id="p", name="Anbieter", kind="university"))
    session.add(RoleProfile(id="sb", org="musterstadt", title="Sachbearbeitung", description="d"))
    session.flush()
    session.add(Module(id=1, provider_id="p", external_id="m1", title="T", description="D", category="Basismodul"))
    session.add(Campaign(id=1, org="musterstadt", name="K", role_profile_id="sb", message="M", starts_at=NOW,
                         deadline=NOW + timedelta(days=14), status="running"))
    session.flush()
    me, other = learner_for(session, *MINE[0]).id, learner_for(session, *THEIRS[0]).id
    fill(session, me, MINE, "me")
    fill(session, other, THEIRS, "other")
    # a Telegram chat nobody is linked to (yet): not the learner's, so it stays
    session.add(TelegramChat(address_hash=address_hash("telegram", "99"), chat_id_encrypted="unlinked"))
    session.commit()
    return session, me, other


def count(session: Session, table: Table, clause) -> int:
    return session.execute(sa_select(func.count()).select_from(table).where(clause)).scalar_one()


def rows_of(session: Session, learner_id: str, addresses: tuple[tuple[str, str], ...]) -> dict[str, int]:
    """Rows per table that are about the learner (by learner id, or by one of their channel addresses)."""
    hashes = [address_hash(channel, address) for channel, address in addresses]
    counts = {name: count(session, table, table.c.learner_id == learner_id) for name, table in LEARNER_TABLES.items()}
    for name, table in CHANNEL_TABLES.items():
        counts[name] = max(counts.get(name, 0), count(session, table, table.c.address_hash.in_(hashes)))
    counts[Learner.__tablename__] = count(session, Learner.__table__, Learner.__table__.c.id == learner_id)
    plan_ids = sa_select(Plan.id).where(Plan.learner_id == learner_id)
    counts[PlanItem.__tablename__] = count(session, PlanItem.__table__, PlanItem.__table__.c.plan_id.in_(plan_ids))
    return counts


def test_the_fixture_fills_every_table_that_holds_learner_data(tmp_path) -> None:
    """A new table with a learner_id or address_hash column must be filled here, or this test fails."""
    session, me, other = populated(tmp_path)
    expected = set(LEARNER_TABLES) | set(CHANNEL_TABLES) | {Learner.__tablename__, PlanItem.__tablename__}
    assert {"outbox", "learnerneed", "learnermodulestate", "invitationlearner", "telegramchat"} <= expected
    for learner_id, addresses in ((me, MINE), (other, THEIRS)):
        filled = {name for name, n in rows_of(session, learner_id, addresses).items() if n > 0}
        assert filled == expected, f"not filled for {learner_id}: {sorted(expected - filled)}"


def test_erasure_removes_everything_of_the_learner_on_all_channels_and_nothing_else(tmp_path) -> None:
    session, me, other = populated(tmp_path)
    before_other = rows_of(session, other, THEIRS)
    invitations = len(session.exec(select(Invitation)).all())
    report = erase_learner(session, "telegram", "42")  # asked from the linked channel
    session.commit()
    assert report.learner_id == me and report.total > 0
    left = {name: n for name, n in rows_of(session, me, MINE).items() if n}
    assert left == {}, f"rows of the erased learner left behind: {left}"
    assert find_learner(session, "rest", "me") is None and find_learner(session, "telegram", "42") is None
    assert rows_of(session, other, THEIRS) == before_other
    assert [i.plan_id for i in session.exec(select(PlanItem)).all()] == [
        p.id for p in session.exec(select(Plan).where(Plan.learner_id == other)).all()]
    assert sorted(t.chat_id_encrypted for t in session.exec(select(TelegramChat)).all()) == ["chat-other", "unlinked"]
    assert len(session.exec(select(Invitation)).all()) == invitations  # HR's counts keep the invitation


def test_withdrawal_keeps_only_the_pseudonym_and_channel_data(tmp_path) -> None:
    session, me, other = populated(tmp_path)
    before_other = rows_of(session, other, THEIRS)
    withdraw_consent(session, "rest", "me")
    session.commit()
    counts = rows_of(session, me, MINE)
    kept = {"learner": 1, "channelidentity": 2, "telegramchat": 1}
    assert {name: n for name, n in counts.items() if n} == kept
    assert set(kept) - {"learner"} == {"channelidentity"} | set(CHANNEL_TABLES)  # every channel table is kept
    assert rows_of(session, other, THEIRS) == before_other


def test_unknown_learner_is_a_no_op(tmp_path) -> None:
    session, me, other = populated(tmp_path)
    before = rows_of(session, me, MINE), rows_of(session, other, THEIRS)
    assert erase_learner(session, "rest", "nobody").learner_id is None
    assert withdraw_consent(session, "rest", "nobody").total == 0
    session.commit()
    assert (rows_of(session, me, MINE), rows_of(session, other, THEIRS)) == before

"""A learner's GDPR rights in the store: withdraw consent, erase everything.

Both work on the table definitions, not on a list kept by hand: every table
with a ``learner_id`` column holds personal data of that learner, and every
table with an ``address_hash`` column holds data about one of the learner's
channels (e.g. where Telegram can reach them), so a table added later is
covered without touching this module. Plan items hang off plans and go with
them. Withdrawing consent keeps the channel data with the pseudonym.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlmodel import Session, SQLModel

from campus import tables  # noqa: F401  (every table on the metadata, so none is left out)
from campus.learners.identity import find_learner
from campus.learners.models import ChannelIdentity, Learner, Plan, PlanItem

# kept on withdrawal: the pseudonym and the channel links (so the learner is recognised and can consent again)
IDENTITY_TABLES = {Learner.__tablename__, ChannelIdentity.__tablename__}


@dataclass(frozen=True)
class ErasureReport:
    learner_id: str | None
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _learner_tables() -> list:
    """Tables with a learner_id column, dependants first (reverse of creation order)."""
    return [t for t in reversed(SQLModel.metadata.sorted_tables) if "learner_id" in t.columns]


def _channel_tables() -> list:
    """Tables keyed by a channel address hash (e.g. where Telegram can reach the learner), besides the links."""
    return [t for t in SQLModel.metadata.sorted_tables
            if "address_hash" in t.columns and t.name != ChannelIdentity.__tablename__]


def _erase(session: Session, learner_id: str, keep: set[str]) -> dict[str, int]:
    rows: dict[str, int] = {}
    if ChannelIdentity.__tablename__ not in keep:
        hashes = select(ChannelIdentity.address_hash).where(ChannelIdentity.learner_id == learner_id)
        for table in _channel_tables():
            result = session.execute(delete(table).where(table.c.address_hash.in_(hashes)))
            rows[table.name] = result.rowcount or 0
    plan_ids = select(Plan.id).where(Plan.learner_id == learner_id)
    result = session.execute(delete(PlanItem).where(PlanItem.plan_id.in_(plan_ids)))
    rows[PlanItem.__tablename__] = result.rowcount or 0
    for table in _learner_tables():
        if table.name in keep:
            continue
        result = session.execute(delete(table).where(table.c.learner_id == learner_id))
        rows[table.name] = result.rowcount or 0
    if Learner.__tablename__ not in keep:
        result = session.execute(delete(Learner.__table__).where(Learner.__table__.c.id == learner_id))
        rows[Learner.__tablename__] = result.rowcount or 0
    session.flush()
    return {name: count for name, count in rows.items() if count}


def erase_learner(session: Session, channel: str, address: str) -> ErasureReport:
    """Delete everything stored about the learner behind (channel, address), all channels included."""
    learner = find_learner(session, channel, address)
    if learner is None:
        return ErasureReport(None, {})
    return ErasureReport(learner.id, _erase(session, learner.id, keep=set()))


def withdraw_consent(session: Session, channel: str, address: str) -> ErasureReport:
    """Stop keeping the profile: its data, plans and history go; the pseudonym and channel links stay."""
    learner = find_learner(session, channel, address)
    if learner is None:
        return ErasureReport(None, {})
    return ErasureReport(learner.id, _erase(session, learner.id, keep=IDENTITY_TABLES))

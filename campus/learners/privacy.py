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
from typing import cast

from sqlalchemy import Table, delete, inspect, select
from sqlmodel import Session, SQLModel, col

from campus import tables  # noqa: F401  (every table on the metadata, so none is left out)
from campus.learners.identity import find_learner
from campus.learners.models import ChannelIdentity, Learner, Plan, PlanItem


def _table(model: type[SQLModel]) -> Table:
    """The table a table model is mapped to (SQLModel's types do not declare ``__table__``)."""
    return cast(Table, inspect(model).local_table)


LEARNER, CHANNEL_IDENTITY, PLAN_ITEM = _table(Learner), _table(ChannelIdentity), _table(PlanItem)

# kept on withdrawal: the pseudonym and the channel links (so the learner is recognised and can consent again)
IDENTITY_TABLES = {LEARNER.name, CHANNEL_IDENTITY.name}


@dataclass(frozen=True)
class ErasureReport:
    learner_id: str | None
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _learner_tables() -> list[Table]:
    """Tables with a learner_id column, dependants first (reverse of creation order)."""
    return [t for t in reversed(SQLModel.metadata.sorted_tables) if "learner_id" in t.columns]


def _channel_tables() -> list[Table]:
    """Tables keyed by a channel address hash (e.g. where Telegram can reach the learner), besides the links."""
    return [t for t in SQLModel.metadata.sorted_tables
            if "address_hash" in t.columns and t.name != CHANNEL_IDENTITY.name]


def _erase(session: Session, learner_id: str, keep: set[str]) -> dict[str, int]:
    rows: dict[str, int] = {}
    if CHANNEL_IDENTITY.name not in keep:
        hashes = select(col(ChannelIdentity.address_hash)).where(col(ChannelIdentity.learner_id) == learner_id)
        for table in _channel_tables():
            result = session.exec(delete(table).where(table.c.address_hash.in_(hashes)))
            rows[table.name] = result.rowcount or 0
    plan_ids = select(col(Plan.id)).where(col(Plan.learner_id) == learner_id)
    result = session.exec(delete(PlanItem).where(col(PlanItem.plan_id).in_(plan_ids)))
    rows[PLAN_ITEM.name] = result.rowcount or 0
    for table in _learner_tables():
        if table.name in keep:
            continue
        result = session.exec(delete(table).where(table.c.learner_id == learner_id))
        rows[table.name] = result.rowcount or 0
    if LEARNER.name not in keep:
        result = session.exec(delete(LEARNER).where(LEARNER.c.id == learner_id))
        rows[LEARNER.name] = result.rowcount or 0
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

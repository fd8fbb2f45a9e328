"""Queued messages for channels that cannot push (the web widget, REST): handed over when the learner returns.

Telegram delivers its rows itself (``campus.telegram_delivery``); a widget
session is only reachable while the page is open, so its pending rows are
shown at the next greeting instead and marked sent in the same transaction.
"""

from __future__ import annotations

from sqlmodel import Session, select

from campus.identity import find_learner
from campus.models import Outbox, utcnow

PUSH_CHANNELS = {"telegram"}
MAX_AT_ONCE = 5


def take_pending(session: Session, channel: str, address: str, limit: int = MAX_AT_ONCE) -> list[str]:
    """Texts of the learner's pending messages for ``channel`` (oldest first), now marked sent."""
    if channel in PUSH_CHANNELS:
        return []
    learner = find_learner(session, channel, address)
    if learner is None:
        return []
    rows = session.exec(select(Outbox).where(Outbox.learner_id == learner.id, Outbox.channel == channel,
                                             Outbox.status == "pending").order_by(Outbox.id).limit(limit)).all()
    now = utcnow()
    for row in rows:
        row.status, row.sent_at, row.attempts = "sent", now, row.attempts + 1
        session.add(row)
    session.flush()
    return [row.text for row in rows]

"""Messages for learners that a channel delivers later: queued once per channel, handed over when it can.

Whoever has news for a learner (the plan engine after a replan, HR reminders)
queues one row per channel the learner uses; a channel that is down never
blocks the writer. Telegram delivers its rows itself
(``campus.channels.telegram``); a widget session is only reachable while the
page is open, so its pending rows are shown at the next greeting instead and
marked sent in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from campus.channels.models import Outbox
from campus.learners.identity import find_learner
from campus.learners.models import ChannelIdentity
from campus.store.clock import utcnow

PUSH_CHANNELS = {"telegram"}
FALLBACK_CHANNEL = "dashboard"  # a learner without a chat channel reads it on the dashboard
MAX_AT_ONCE = 5


def take_pending(session: Session, channel: str, address: str, limit: int = MAX_AT_ONCE) -> list[str]:
    """Texts of the learner's pending messages for ``channel`` (oldest first), now marked sent."""
    if channel in PUSH_CHANNELS:
        return []
    learner = find_learner(session, channel, address)
    if learner is None:
        return []
    rows = session.exec(select(Outbox).where(Outbox.learner_id == learner.id, Outbox.channel == channel,
                                             Outbox.status == "pending").order_by(col(Outbox.id)).limit(limit)).all()
    now = utcnow()
    for row in rows:
        row.status, row.sent_at, row.attempts = "sent", now, row.attempts + 1
        session.add(row)
    session.flush()
    return [row.text for row in rows]


def channels_of(session: Session, learner_id: str) -> list[str]:
    """The channels the learner can be reached on (the dashboard when there is none)."""
    found = session.exec(select(ChannelIdentity.channel).where(ChannelIdentity.learner_id == learner_id)).all()
    return sorted(set(found)) or [FALLBACK_CHANNEL]


def enqueue(session: Session, learner_id: str, text: str, payload: dict[str, Any],
            channels: list[str] | None = None) -> list[Outbox]:
    """Queue ``text`` for each of the learner's channels, in the caller's transaction."""
    rows = [Outbox(learner_id=learner_id, channel=channel, text=text, payload=payload)
            for channel in (channels or channels_of(session, learner_id))]
    session.add_all(rows)
    return rows

"""Tables of the channels: queued messages, one-time link codes, where Telegram reaches a learner.

JSON columns hold small, always-read-together structures; anything queried or joined on gets its
own column or table. All tables share one metadata (``SQLModel.metadata``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from campus.store.clock import utcnow


class Outbox(SQLModel, table=True):
    """Messages for learners that a channel (widget, Telegram, dashboard) delivers later."""

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    channel: str
    text: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default="pending", index=True)  # pending | sent | failed
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class ChannelLinkCode(SQLModel, table=True):
    """A short-lived code that connects another channel (phone, Telegram) to the same learner.

    Only a keyed hash of the code is stored; a code works once and expires.
    """

    code_hash: str = Field(primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    expires_at: datetime
    used_at: datetime | None = None


class TelegramChat(SQLModel, table=True):
    """Where the Telegram bridge can reach a Telegram identity, for proactive messages (outbox).

    Keyed like ``ChannelIdentity`` (channel "telegram", keyed hash of the
    bridge's sender id), so a learner found through the identity link is
    reached even after a link code moved the identity to another pseudonym.
    The chat id (for private chats the Telegram user id) is stored encrypted
    with a key derived from the platform secret; the phone number is never seen.
    """

    address_hash: str = Field(primary_key=True)
    chat_id_encrypted: str
    reachable: bool = True  # False once the user blocked the bot (HTTP 403); True again when they write
    unreachable_since: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)

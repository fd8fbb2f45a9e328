"""Telegram identities, chats and the outbox rows the bridge delivers.

The bridge never hands Rasa (and so the tracker store and the action server)
a raw Telegram user id: the sender id is a keyed hash of it. To send a
proactive message later the bridge must know the chat, so it keeps the chat id
per identity, encrypted with a key derived from the platform secret; the
database alone then does not reveal who a learner is.

The delivery policy lives here, apart from the Telegram library: which rows
are due, and what a success, a blocked bot or a transient failure does to the
row and to the chat.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlmodel import Session, col, select

from campus.channels.models import Outbox, TelegramChat
from campus.learners.identity import address_hash, learner_for
from campus.learners.models import ChannelIdentity, Learner
from campus.store.clock import utcnow
from campus.store.ids import stored_id
from campus.store.secret import secret_key

CHANNEL = "telegram"
# why a row could not be delivered (kept in Outbox.last_error for operators, so English like the logs)
NO_CHAT = "no Telegram chat known for this learner"
UNREACHABLE = "Telegram chat unreachable (bot blocked)"


def sender_id(telegram_user_id: int) -> str:
    """The sender id the bridge uses towards Rasa: a keyed hash, stable per Telegram user."""
    digest = hmac.new(secret_key(), f"telegram-user:{telegram_user_id}".encode(), hashlib.sha256).hexdigest()
    return f"tg-{digest[:40]}"


@lru_cache
def _fernet() -> Fernet:
    key = hmac.new(secret_key(), b"telegram-chat-id", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_chat_id(chat_id: int) -> str:
    return _fernet().encrypt(str(chat_id).encode()).decode()


def decrypt_chat_id(token: str) -> int | None:
    try:
        return int(_fernet().decrypt(token.encode()).decode())
    except (InvalidToken, ValueError):
        return None  # written under another secret: unusable, the user must write again


def webhook_secret() -> str:
    """Secret that Telegram sends with every webhook call, derived from the platform secret."""
    return hmac.new(secret_key(), b"telegram-webhook", hashlib.sha256).hexdigest()


def remember_chat(session: Session, sender: str, chat_id: int) -> Learner:
    """Record where this sender can be reached; a user who writes again is reachable again."""
    learner = learner_for(session, CHANNEL, sender)
    key = address_hash(CHANNEL, sender)
    row = session.get(TelegramChat, key)
    if row is None:
        session.add(TelegramChat(address_hash=key, chat_id_encrypted=encrypt_chat_id(chat_id)))
    elif not row.reachable or decrypt_chat_id(row.chat_id_encrypted) != chat_id:
        row.chat_id_encrypted = encrypt_chat_id(chat_id)
        row.reachable = True
        row.unreachable_since = None
        row.updated_at = utcnow()
        session.add(row)
    session.flush()
    return learner


def mark_unreachable(session: Session, sender: str, now: datetime | None = None) -> None:
    """Telegram refused a message to this sender's chat (403): no proactive messages until they write again."""
    _set_unreachable(session.get(TelegramChat, address_hash(CHANNEL, sender)), session, now)


@dataclass(frozen=True)
class Delivery:
    """One pending outbox row, resolved to a chat (or the reason there is none)."""

    outbox_id: int
    text: str
    buttons: list[dict[str, Any]] = field(default_factory=list)
    chat_id: int | None = None
    address_hash: str | None = None
    problem: str | None = None  # NO_CHAT | UNREACHABLE


def _chats_of(session: Session, learner_ids: set[str]) -> dict[str, list[TelegramChat]]:
    """Every known Telegram chat per learner, newest first (a learner may have linked two accounts)."""
    rows = session.exec(
        select(ChannelIdentity.learner_id, TelegramChat)
        .join(TelegramChat, col(TelegramChat.address_hash) == col(ChannelIdentity.address_hash))
        .where(ChannelIdentity.channel == CHANNEL, col(ChannelIdentity.learner_id).in_(learner_ids))
        .order_by(col(TelegramChat.updated_at).desc())
    ).all()
    chats: dict[str, list[TelegramChat]] = {}
    for learner_id, chat in rows:
        chats.setdefault(learner_id, []).append(chat)
    return chats


def due_deliveries(session: Session, limit: int) -> list[Delivery]:
    """Oldest pending Telegram rows first, each with the chat to send to."""
    rows = session.exec(
        select(Outbox).where(Outbox.channel == CHANNEL, Outbox.status == "pending")
        .order_by(col(Outbox.created_at), col(Outbox.id)).limit(limit)
    ).all()
    chats = _chats_of(session, {row.learner_id for row in rows})
    deliveries = []
    for row in rows:
        buttons = list((row.payload or {}).get("buttons") or [])
        known = chats.get(row.learner_id, [])
        reachable = [chat for chat in known if chat.reachable]
        chat_id = decrypt_chat_id(reachable[0].chat_id_encrypted) if reachable else None
        if chat_id is not None:
            deliveries.append(Delivery(stored_id(row.id), row.text, buttons, chat_id, reachable[0].address_hash))
        else:
            deliveries.append(Delivery(stored_id(row.id), row.text, buttons, problem=UNREACHABLE if known else NO_CHAT))
    return deliveries


def _row(session: Session, outbox_id: int) -> Outbox:
    row = session.get(Outbox, outbox_id)
    if row is None:
        raise LookupError(f"outbox row {outbox_id} vanished")
    return row


def mark_sent(session: Session, outbox_id: int, attempts: int, now: datetime | None = None) -> None:
    row = _row(session, outbox_id)
    row.status, row.attempts, row.last_error, row.sent_at = "sent", row.attempts + attempts, None, now or utcnow()
    session.add(row)


def mark_failed(session: Session, outbox_id: int, attempts: int, error: str) -> None:
    """A failure that retrying cannot fix (no chat, bad request)."""
    row = _row(session, outbox_id)
    row.status, row.attempts, row.last_error = "failed", row.attempts + attempts, error[:500]
    session.add(row)


def mark_blocked(session: Session, outbox_id: int, attempts: int, chat_address_hash: str, error: str,
                 now: datetime | None = None) -> None:
    """The user blocked the bot: the row fails and the chat is unreachable until the user writes again."""
    mark_failed(session, outbox_id, attempts, f"{UNREACHABLE}: {error}")
    _set_unreachable(session.get(TelegramChat, chat_address_hash), session, now)


def _set_unreachable(chat: TelegramChat | None, session: Session, now: datetime | None) -> None:
    if chat is not None and chat.reachable:
        chat.reachable, chat.unreachable_since, chat.updated_at = False, now or utcnow(), now or utcnow()
        session.add(chat)


def mark_transient(session: Session, outbox_id: int, attempts: int, error: str, max_attempts: int) -> str:
    """Retries were used up for now: the row stays pending for the next round, or fails for good. Returns the status."""
    row = _row(session, outbox_id)
    row.attempts += attempts
    row.last_error = error[:500]
    row.status = "failed" if row.attempts >= max_attempts else "pending"
    session.add(row)
    return row.status

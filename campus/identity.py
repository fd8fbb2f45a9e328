"""Pseudonymous learner identities.

A channel address (Telegram user id, widget session id, REST sender id) is
personal data; we store only a keyed hash of it and give the learner a random
pseudonym, so the database alone never reveals who is behind a profile.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from functools import lru_cache

from sqlmodel import Session

from campus.models import ChannelIdentity, Learner
from campus.settings import get_settings


@lru_cache
def secret_key() -> bytes:
    """The platform's secret for keyed hashes (created on first use, kept in var/secret.key)."""
    settings = get_settings()
    path = settings.var_dir / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def address_hash(channel: str, address: str) -> str:
    return hmac.new(secret_key(), f"{channel}:{address}".encode(), hashlib.sha256).hexdigest()


def find_learner(session: Session, channel: str, address: str) -> Learner | None:
    link = session.get(ChannelIdentity, (channel, address_hash(channel, address)))
    return session.get(Learner, link.learner_id) if link else None


def learner_for(session: Session, channel: str, address: str, org: str | None = None) -> Learner:
    learner = find_learner(session, channel, address)
    if learner is not None:
        return learner
    learner = Learner(id="L-" + uuid.uuid4().hex[:20], org=org)
    session.add(learner)
    session.flush()  # no ORM relationships, so the learner row must exist before the link
    session.add(ChannelIdentity(channel=channel, address_hash=address_hash(channel, address), learner_id=learner.id))
    session.flush()
    return learner

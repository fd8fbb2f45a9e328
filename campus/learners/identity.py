"""Pseudonymous learner identities.

A channel address (Telegram user id, widget session id, REST sender id) is
personal data; we store only a keyed hash of it and give the learner a random
pseudonym, so the database alone never reveals who is behind a profile.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from sqlmodel import Session

from campus.learners.models import ChannelIdentity, Learner
from campus.store.secret import secret_key


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

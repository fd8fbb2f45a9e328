"""Connect a second channel to the same learner with a short one-time code.

A learner who started the interview in the intranet widget and wants to go
on from the phone asks for a code, then types it (or opens the deep link)
on the other channel. Codes are short enough to type (8 characters from an
alphabet without look-alikes), expire after a few minutes, work once, and
only their keyed hash is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from campus.channels.models import ChannelLinkCode
from campus.learners.identity import address_hash, learner_for
from campus.learners.models import ChannelIdentity, Learner
from campus.store.clock import aware, utcnow
from campus.store.secret import secret_key

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
CODE_PATTERN = re.compile(r"\b([A-HJ-NP-Z2-9]{4})[\s-]?([A-HJ-NP-Z2-9]{4})\b", re.IGNORECASE)
DEFAULT_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class LinkResult:
    learner: Learner | None
    problem: str | None = None  # unknown | expired | used | same_channel

    @property
    def ok(self) -> bool:
        return self.problem is None


def _hash(code: str) -> str:
    return hmac.new(secret_key(), f"link:{code}".encode(), hashlib.sha256).hexdigest()


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def find_code(text: str) -> str | None:
    """The code in a message ("Mein Code ist abcd-efgh"), normalised, or None."""
    for match in CODE_PATTERN.finditer(text or ""):
        code = (match.group(1) + match.group(2)).upper()
        if _looks_like_code(code):
            return code
    return None


def _looks_like_code(code: str) -> bool:
    """Codes mix letters and digits, so ordinary German words ("zusammen") are never taken for one."""
    return any(c.isdigit() for c in code) and any(c.isalpha() for c in code)


def issue_code(session: Session, channel: str, address: str, ttl: timedelta = DEFAULT_TTL,
               now: datetime | None = None) -> str:
    """A new code for the learner behind (channel, address); the learner is created if needed."""
    learner = learner_for(session, channel, address)
    code = ""
    while not _looks_like_code(code):
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    session.add(ChannelLinkCode(code_hash=_hash(code), learner_id=learner.id, expires_at=(now or utcnow()) + ttl))
    session.flush()
    return format_code(code)


def redeem_code(session: Session, channel: str, address: str, code: str, now: datetime | None = None) -> LinkResult:
    """Connect (channel, address) to the code's learner; the address's previous pseudonym is left behind."""
    normalised = find_code(code)
    row = session.get(ChannelLinkCode, _hash(normalised)) if normalised else None
    if row is None:
        return LinkResult(None, "unknown")
    now = now or utcnow()
    if row.used_at is not None:
        return LinkResult(None, "used")
    if aware(row.expires_at) < aware(now):
        return LinkResult(None, "expired")
    learner = session.get(Learner, row.learner_id)
    link = session.get(ChannelIdentity, (channel, address_hash(channel, address)))
    if link is not None and link.learner_id == row.learner_id:
        return LinkResult(learner, "same_channel")
    row.used_at = now
    session.add(row)
    if link is None:
        session.add(ChannelIdentity(channel=channel, address_hash=address_hash(channel, address),
                                    learner_id=row.learner_id))
    else:
        link.learner_id = row.learner_id
        session.add(link)
    session.flush()
    return LinkResult(learner)


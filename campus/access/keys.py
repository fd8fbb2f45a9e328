"""API keys: random secrets shown once, stored only as a SHA-256 hash.

Keys are 256-bit random tokens, so a plain (fast) hash is enough: there is
nothing to brute-force as with passwords.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from campus.access.models import ApiKey

ROLES = ("provider", "board", "hr", "admin")
KEY_PREFIX = "kc_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    session: Session, role: str, provider_id: str | None = None, org: str | None = None, label: str = ""
) -> tuple[str, ApiKey]:
    """Returns the plain key (show it once) and the stored row."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
    if role == "provider" and not provider_id:
        raise ValueError("a provider key needs a provider_id")
    if role == "hr" and not org:
        raise ValueError("an hr key needs an org")
    if (provider_id and role != "provider") or (org and role != "hr"):
        raise ValueError("provider_id is only for provider keys, org only for hr keys")  # one scope per key
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(key_hash=hash_key(plain), prefix=plain[:8], role=role, provider_id=provider_id, org=org, label=label)
    session.add(row)
    session.flush()
    return plain, row


def find_key(session: Session, plain: str) -> ApiKey | None:
    if not plain or len(plain) > 200:
        return None
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(plain))).first()
    return row if row is not None and row.active else None

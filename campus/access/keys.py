"""API keys for machines: random secrets shown once, stored only as a SHA-256 hash, one scope each.

Keys are 256-bit random tokens, so a plain (fast) hash is enough: there is
nothing to brute-force as with passwords. A provider key belongs to one
provider, an HR key to one organisation; board and admin keys have no scope.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlmodel import Session, col, select

from campus.access.models import ApiKey
from campus.catalogue.models import Provider
from campus.hr.models import Organisation
from campus.store.errors import problem

ROLES = ("provider", "board", "hr", "admin")
KEY_PREFIX = "kc_"
MAX_KEY_CHARS = 200


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    session: Session, role: str, provider_id: str | None = None, org: str | None = None, label: str = ""
) -> tuple[str, ApiKey]:
    """Returns the plain key (show it once) and the stored row, in the caller's transaction.

    Raises ``ValueError`` for a role/scope combination that cannot exist (the
    command line's and tests' guard); the HTTP route checks the same first with
    field errors (``issue_key``).
    """
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


def issue_key(session: Session, role: str, provider_id: str | None, org: str | None, label: str) -> tuple[str, ApiKey]:
    """An admin creates a key (one transaction); scope problems are reported per field."""
    if (provider_id and role != "provider") or (org and role != "hr"):
        raise problem("key_scope_mismatch", "role")
    if role == "provider" and (not provider_id or session.get(Provider, provider_id) is None):
        raise problem("key_needs_provider", "provider_id")
    if role == "hr" and not org:
        raise problem("key_needs_org", "org")
    if role == "hr" and session.get(Organisation, org) is None:  # a typo would open an empty, separate scope
        raise problem("key_unknown_org", "org", org=org)
    plain, row = create_key(session, role, provider_id, org, label)
    session.commit()
    return plain, row


def deactivate_key(session: Session, key_id: int, acting_key_id: int | None) -> ApiKey:
    """Switch a key off for good (kept for the audit trail of board decisions); never the caller's own."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise problem("key_not_found", "key_id", 404, id=key_id)
    if row.id == acting_key_id:
        raise problem("own_key", "key_id", 409)
    row.active = False
    session.add(row)
    session.commit()
    return row


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.id))).all())


def key_view(row: ApiKey) -> dict[str, Any]:
    """What an admin sees of a key: never the key or its hash, only the prefix that recognises it."""
    return {"id": row.id, "prefix": row.prefix, "role": row.role, "provider_id": row.provider_id, "org": row.org,
            "label": row.label, "active": row.active, "created_at": row.created_at.isoformat()}


def find_key(session: Session, plain: str) -> ApiKey | None:
    if not plain or len(plain) > MAX_KEY_CHARS:
        return None
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(plain))).first()
    return row if row is not None and row.active else None

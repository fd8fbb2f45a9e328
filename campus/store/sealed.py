"""Encrypt small personal fields at rest (HR's employee reference, an invitee's address).

The key is derived from the platform secret (``var/secret.key``, kept apart
from the database), so a copy of the database alone does not tell who was
invited. Each purpose gets its own derived key; a keyed hash per purpose lets
the store find duplicates without decrypting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from campus.store.secret import secret_key


@lru_cache
def _fernet(purpose: str) -> Fernet:
    key = hmac.new(secret_key(), f"sealed:{purpose}".encode(), hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(purpose: str, value: str) -> str:
    return _fernet(purpose).encrypt(value.encode("utf-8")).decode("ascii")


def unseal(purpose: str, token: str | None) -> str | None:
    """The plain value, or None if there is none or it was sealed under another secret."""
    if not token:
        return None
    try:
        return _fernet(purpose).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return None


def keyed_hash(purpose: str, value: str) -> str:
    return hmac.new(secret_key(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

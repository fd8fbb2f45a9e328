"""The platform secret: the key behind every keyed hash, pseudonym and sealed field.

Kept in ``var/secret.key``, apart from the database, so a copy of the
database alone reveals neither who a learner is nor whom HR invited.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from campus.store.settings import get_settings


@lru_cache
def secret_key() -> bytes:
    """The secret, created on first use with owner-only permissions."""
    path = get_settings().var_dir / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()

"""Signed, expiring invitation tokens and the links that carry them.

A token must fit a Telegram deep link: ``/start`` payloads are at most 64
characters of ``[A-Za-z0-9_-]``. So it is fixed-width, without separators:

    ``a`` (version) + invitation public id (16) + expiry (8 hex, Unix seconds) + signature (24)

= 49 characters. The signature is an HMAC-SHA256 (144 bits kept) over the
public id and the expiry with a key derived from the platform secret, so a
token can be neither forged nor extended; the public id is random, so tokens
do not reveal how many people a campaign invited.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from urllib.parse import quote

from campus.store.clock import aware
from campus.store.secret import secret_key
from campus.store.settings import get_settings

VERSION = "a"
PUBLIC_ID_CHARS = 16
EXPIRY_CHARS = 8
SIGNATURE_CHARS = 24
TOKEN_LENGTH = 1 + PUBLIC_ID_CHARS + EXPIRY_CHARS + SIGNATURE_CHARS
TOKEN_PATTERN = re.compile(rf"^{VERSION}[A-Za-z0-9_-]{{{PUBLIC_ID_CHARS}}}[0-9a-f]{{{EXPIRY_CHARS}}}"
                           rf"[A-Za-z0-9_-]{{{SIGNATURE_CHARS}}}$")
TELEGRAM_PAYLOAD_MAX = 64


@dataclass(frozen=True)
class TokenData:
    public_id: str
    expires_at: datetime


def new_public_id() -> str:
    return secrets.token_urlsafe(12)  # 12 random bytes → 16 URL-safe characters


@lru_cache
def _key() -> bytes:
    return hmac.new(secret_key(), b"campaign-invitation-token", hashlib.sha256).digest()


def _signature(public_id: str, expiry_hex: str) -> str:
    digest = hmac.new(_key(), f"{VERSION}|{public_id}|{expiry_hex}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:SIGNATURE_CHARS]


def make_token(public_id: str, expires_at: datetime) -> str:
    if len(public_id) != PUBLIC_ID_CHARS:
        raise ValueError("public id must have 16 characters")
    expiry_hex = f"{int(aware(expires_at).timestamp()):0{EXPIRY_CHARS}x}"
    token = VERSION + public_id + expiry_hex + _signature(public_id, expiry_hex)
    assert len(token) == TOKEN_LENGTH <= TELEGRAM_PAYLOAD_MAX
    return token


def read_token(token: str) -> tuple[TokenData | None, str | None]:
    """The token's content if its signature is right, else ``(None, "malformed" | "forged")``.

    Expiry is checked by the caller against its own ``now`` (testable, one clock).
    """
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        return None, "malformed"
    public_id = token[1:1 + PUBLIC_ID_CHARS]
    expiry_hex = token[1 + PUBLIC_ID_CHARS:1 + PUBLIC_ID_CHARS + EXPIRY_CHARS]
    signature = token[1 + PUBLIC_ID_CHARS + EXPIRY_CHARS:]
    if not hmac.compare_digest(signature, _signature(public_id, expiry_hex)):
        return None, "forged"
    return TokenData(public_id, datetime.fromtimestamp(int(expiry_hex, 16), tz=timezone.utc)), None


def widget_link(token: str) -> str:
    return f"{get_settings().invitation_widget_url.rstrip('/')}/?kc_invite={quote(token)}"


def telegram_link(token: str) -> str:
    username = get_settings().telegram_bot_username
    if not username:
        raise ValueError("KC_TELEGRAM_BOT_USERNAME is not set")
    return f"https://t.me/{username}?start={token}"


def decline_link(token: str) -> str:
    """The invitation page: what the campaign is, a button to decline (a POST, so mail scanners that
    open links never decline for anyone)."""
    return f"{get_settings().invitation_widget_url.rstrip('/')}/einladung/{token}"


def link_for(channel: str, token: str) -> str:
    return telegram_link(token) if channel == "telegram" else widget_link(token)

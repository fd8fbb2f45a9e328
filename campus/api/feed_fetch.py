"""Fetch a provider's feed document from a URL on the local network, within time and size limits.

The platform never calls out to third parties: only hosts that resolve to
private or loopback addresses are fetched, without following redirects.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urlparse

import httpx

from campus.store.errors import problem

TIMEOUT_SECONDS = 30


def is_local_url(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return False
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or 80)
    except OSError:
        return False
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    return bool(addresses) and all(a.is_private or a.is_loopback for a in addresses)


async def fetch_feed(url: str, limit: int) -> Any:
    """The JSON document at ``url``; every failure is a clear error on the field ``url``."""
    if not is_local_url(url):
        raise problem("feed_url_not_allowed", "url")
    body = bytearray()
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            async with client.stream("GET", url, headers={"Accept": "application/vnd.api+json"}) as response:
                if response.status_code != 200:
                    raise problem("feed_url_status", "url", status=response.status_code)
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > limit:
                        raise problem("feed_too_large", "url", 413, megabytes=limit // 1_000_000)
    except httpx.HTTPError as exc:
        raise problem("feed_unreachable", "url", detail=str(exc)) from exc
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise problem("feed_invalid_json", "url", detail=str(exc)) from exc

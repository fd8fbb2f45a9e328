"""Fetch a feed document from a URL a provider gave us, without letting that URL reach inside our network.

A provider key must not be able to make the server read the action server,
Rasa, the database or the cloud metadata address (server-side request
forgery). So a URL is checked before anything connects:

* http or https, a host name or IP literal, no user name or password;
* the host is resolved once and every address it resolves to must be public
  (not loopback, private, link-local, CGNAT, multicast, unspecified, reserved,
  nor such an address inside IPv6: IPv4-mapped, 6to4, NAT64, Teredo); IPv4
  literals in decimal, octal, hex and short form are read the way the C
  library would read them, so ``http://2130706433/`` is 127.0.0.1;
* the connection goes to the address that was checked (pinned: the request is
  sent to the IP with the original ``Host`` header and TLS server name), so a
  second DNS answer (rebinding) is never used; no proxy from the environment;
* no redirects, one total deadline for resolving, connecting and reading, and
  a size cap counted while the body streams in.

Intranet hosts are fetched only when an admin put them on the allowlist
(:class:`~campus.catalogue.models.FetchAllowedHost`). Every refusal and every
failure raises the same :class:`FetchFailed` with one German/English text, so
the answer never tells a caller whether a port is open; the real reason goes
to the log (English) only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from urllib.parse import urlsplit

import httpx
import idna
from sqlmodel import Session, select

from campus.catalogue.models import FetchAllowedHost
from campus.store.errors import DomainError, message_pair
from campus.store.settings import get_settings

log = logging.getLogger(__name__)

Address = IPv4Address | IPv6Address
Resolver = Callable[[str, int], list[str]]
"""(ASCII host, port) → the IP addresses it resolves to (``socket.getaddrinfo`` by default)."""

ACCEPT = "application/vnd.api+json, application/json;q=0.9, application/x-ndjson;q=0.8, */*;q=0.1"
USER_AGENT = "KommunalCampus-FeedFetcher/1.0"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$)(?:{_LABEL}\.)*{_LABEL}$")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
# getaddrinfo can hang far past the deadline; its threads must not keep asyncio.run from returning
_RESOLVERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="feed-dns")


@dataclass(frozen=True)
class FetchLimits:
    deadline_seconds: float
    max_bytes: int

    @classmethod
    def from_settings(cls) -> FetchLimits:
        settings = get_settings()
        return cls(settings.feed_fetch_deadline_seconds, settings.feed_fetch_max_bytes)


class FetchFailed(DomainError):
    """Any refused or failed fetch, with one wording whatever the cause (the cause is in ``reason``, for logs)."""

    def __init__(self, field: str, reason: str, limits: FetchLimits) -> None:
        values = {"seconds": f"{limits.deadline_seconds:g}", "megabytes": f"{limits.max_bytes / 1_000_000:g}"}
        german, english = message_pair("feed_fetch_failed", **values)
        super().__init__(field, german, english, 422)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``address``) and what to ask for (host, path) there."""

    url: str
    scheme: str
    host: str  # ASCII, lower case, no trailing dot; an IP literal in its canonical form
    port: int
    target: str  # path and query
    address: Address

    def pinned_url(self) -> str:
        shown = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{shown}:{self.port}{self.target}"

    def host_header(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return shown if self.port == _DEFAULT_PORTS[self.scheme] else f"{shown}:{self.port}"


@dataclass(frozen=True)
class Fetched:
    url: str
    body: bytes
    content_type: str


class _Refused(Exception):
    """Internal: why a URL is not fetched (turned into the uniform :class:`FetchFailed`)."""


def normalise_host(host: str) -> str:
    """A host as compared with the allowlist: ASCII (IDNA), lower case, no trailing dot, IPs canonical.

    Raises ``ValueError`` for anything that is neither a host name nor an IP literal.
    """
    value = host.strip().strip("[]").rstrip(".").lower()
    literal = ip_literal(value)
    if literal is not None:
        return str(literal)
    try:
        ascii_host = idna.encode(value, uts46=True).decode("ascii") if not value.isascii() else value
    except idna.IDNAError as exc:
        raise ValueError(f"not a host name: {host!r}") from exc
    if not _HOST_NAME.match(ascii_host):
        raise ValueError(f"not a host name: {host!r}")
    return ascii_host


def ip_literal(host: str) -> Address | None:
    """The address a host literally names, in any form the C resolver accepts (``127.1``, ``0x7f000001``)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fx.]+", host) and host[0].isdigit():
        try:
            return IPv4Address(socket.inet_aton(host))
        except OSError:
            return None  # the C resolver does not read it as an address either: a (strange) host name
    return None


def embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64, Teredo), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or address in _NAT64_LOCAL or int(address) >> 32 == 0:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """Whether an address is on the public internet (and so is every address it carries inside)."""
    if isinstance(address, IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None and not is_public(inner):
            return False
        if address.scope_id:
            return False
    if address.is_multicast or address.is_unspecified or address.is_loopback or address.is_link_local:
        return False
    if address.is_private or address.is_reserved or (isinstance(address, IPv4Address) and address in _CGNAT):
        return False
    return address.is_global


def never_fetchable(address: Address) -> bool:
    """Addresses no allowlist opens: nobody serves a feed from them (0.0.0.0 would be this machine)."""
    inner = embedded_ipv4(address) if isinstance(address, IPv6Address) else None
    return any(a.is_unspecified or a.is_multicast for a in (address, *([inner] if inner else [])))


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def parse_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, normalised host, port, path and query) of a URL that may be fetched at all; else ``_Refused``."""
    if not isinstance(url, str) or len(url) > 2000 or any(c.isspace() or ord(c) < 32 for c in url):
        raise _Refused("not a usable URL string")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _Refused(f"malformed URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise _Refused(f"scheme {scheme!r} is not http(s)")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise _Refused("credentials in the URL")
    if not parts.hostname:
        raise _Refused("no host")
    try:
        host = normalise_host(parts.hostname)
    except ValueError as exc:
        raise _Refused(str(exc)) from exc
    if port == 0:
        raise _Refused("port 0")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or _DEFAULT_PORTS[scheme], target


def check_addresses(host: str, addresses: Iterable[str], allowed: frozenset[str]) -> Address:
    """The address to connect to; ``_Refused`` unless every resolved address may be fetched."""
    parsed: list[Address] = []
    for raw in addresses:
        try:
            parsed.append(ipaddress.ip_address(raw.split("%", 1)[0]))
        except ValueError as exc:
            raise _Refused(f"resolver answered {raw!r}") from exc
    if not parsed:
        raise _Refused("no address")
    for address in parsed:
        if never_fetchable(address):
            raise _Refused(f"{host} resolves to {address}, which is never fetched")
        if host not in allowed and not is_public(address):
            raise _Refused(f"{host} resolves to the non-public address {address} and is not on the allowlist")
    return parsed[0]


def allowed_hosts(session: Session) -> frozenset[str]:
    """The intranet hosts an admin allows feeds from."""
    return frozenset(session.exec(select(FetchAllowedHost.host)).all())


async def _resolve(host: str, port: int, resolver: Resolver) -> list[str]:
    literal = ip_literal(host)
    if literal is not None:
        return [str(literal)]
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_RESOLVERS, resolver, host, port)
    except OSError as exc:
        raise _Refused(f"{host} does not resolve: {exc}") from exc


async def check_url(url: str, allowed: frozenset[str], resolver: Resolver = system_resolver) -> Target:
    """Parse, resolve once and check ``url``; raises ``_Refused`` (callers use :func:`fetch`)."""
    scheme, host, port, target = parse_url(url)
    address = check_addresses(host, await _resolve(host, port, resolver), allowed)
    return Target(url, scheme, host, port, target, address)


async def _download(target: Target, limits: FetchLimits, transport: httpx.AsyncBaseTransport | None) -> Fetched:
    headers = {"Host": target.host_header(), "Accept": ACCEPT, "User-Agent": USER_AGENT}
    extensions = {"sni_hostname": target.host} if target.scheme == "https" and ip_literal(target.host) is None else {}
    async with httpx.AsyncClient(transport=transport, follow_redirects=False, trust_env=False,
                                 timeout=httpx.Timeout(limits.deadline_seconds)) as client:
        request = client.build_request("GET", target.pinned_url(), headers=headers, extensions=extensions)
        response = await client.send(request, stream=True)
        try:
            if response.status_code != 200:
                raise _Refused(f"status {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                raise _Refused(f"declared {declared} bytes")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > limits.max_bytes:
                    raise _Refused(f"more than {limits.max_bytes} bytes")
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return Fetched(target.url, bytes(body), content_type)
        finally:
            await response.aclose()


async def fetch(
    url: str, allowed: frozenset[str], limits: FetchLimits | None = None, *, field: str = "url",
    resolver: Resolver = system_resolver, transport: httpx.AsyncBaseTransport | None = None,
) -> Fetched:
    """The body at ``url`` if it may be fetched; :class:`FetchFailed` (one wording) for any refusal or failure."""
    limits = limits or FetchLimits.from_settings()
    try:
        async with asyncio.timeout(limits.deadline_seconds):
            target = await check_url(url, allowed, resolver)
            return await _download(target, limits, transport)
    except _Refused as exc:
        reason = str(exc)
    except TimeoutError:
        reason = f"deadline of {limits.deadline_seconds} s passed"
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError, UnicodeError, ValueError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
    log.warning("feed fetch refused or failed (%s): %s", _for_log(url), reason)
    raise FetchFailed(field, reason, limits)


def validate_url(url: str, allowed: frozenset[str], limits: FetchLimits | None = None, *, field: str = "url",
                 resolver: Resolver = system_resolver) -> None:
    """Check ``url`` as a fetch would (resolving it once), without connecting; :class:`FetchFailed` if refused."""
    limits = limits or FetchLimits.from_settings()

    async def check() -> None:
        async with asyncio.timeout(limits.deadline_seconds):
            await check_url(url, allowed, resolver)

    try:
        asyncio.run(check())
    except _Refused as exc:
        log.warning("feed URL refused (%s): %s", _for_log(url), exc)
        raise FetchFailed(field, str(exc), limits) from None
    except TimeoutError:
        raise FetchFailed(field, "deadline passed while resolving", limits) from None


def fetch_sync(
    url: str, allowed: frozenset[str], limits: FetchLimits | None = None, *, field: str = "url",
    resolver: Resolver = system_resolver, transport: httpx.AsyncBaseTransport | None = None,
) -> Fetched:
    """:func:`fetch` for code outside an event loop (the feed pull runs in a worker thread or the CLI)."""
    return asyncio.run(fetch(url, allowed, limits, field=field, resolver=resolver, transport=transport))


def shown_url(url: str, limit: int = 2000) -> str:
    """A URL as logged or reported: never a password, never more than ``limit`` characters."""
    text = url if isinstance(url, str) else repr(url)
    return re.sub(r"//[^/@]*@", "//***@", text)[:limit]


def _for_log(url: str) -> str:
    return shown_url(url, 300)

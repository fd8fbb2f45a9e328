"""The safe fetcher: public or allowlisted addresses only, checked before any connection, pinned, bounded.

Refusals are proven on the network itself: a listening socket on this
machine counts the connections that reach it, and must count none for every
URL that names it in some disguise. Names that resolve to internal addresses
go through a fake resolver and a transport that counts requests.
"""

from __future__ import annotations

import json

import httpx
import pytest

from campus.catalogue.feeds.fetch import FetchFailed, FetchLimits, fetch_sync, normalise_host, validate_url
from tests.unit.catalogue.feed_servers import FeedServer, Listener, body, endless, redirect, trickle

LOCAL = frozenset({"127.0.0.1"})
LIMITS = FetchLimits(deadline_seconds=5.0, max_bytes=1_000_000)
DOC = json.dumps({"data": []}).encode()


@pytest.fixture
def server():
    feed = FeedServer({"/feed": body(DOC)})
    yield feed
    feed.close()


@pytest.fixture
def listener():
    sock = Listener()
    yield sock
    sock.close()


class Counting(httpx.AsyncBaseTransport):
    """A transport that answers 200 and remembers what it was asked (host it connected to, Host header, SNI)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, content=DOC)


def resolving(table: dict[str, list[str]], calls: list[str] | None = None):
    def resolver(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise OSError("no such host")
        return table[host]

    return resolver


def refused(url: str, allowed: frozenset[str] = frozenset(), **kwargs) -> FetchFailed:
    with pytest.raises(FetchFailed) as caught:
        fetch_sync(url, allowed, kwargs.pop("limits", LIMITS), **kwargs)
    return caught.value


def test_an_allowlisted_local_server_is_fetched_with_its_host_header(server) -> None:
    fetched = fetch_sync(server.url("/feed"), LOCAL, LIMITS)
    assert fetched.body == DOC and fetched.content_type == "application/vnd.api+json"
    assert server.requests == [("/feed", f"127.0.0.1:{server.port}")]
    # by name: connects to the checked address, and the server still sees the name it was asked by
    fetched = fetch_sync(server.url("/feed", "feeds.intern"), frozenset({"feeds.intern"}), LIMITS,
                         resolver=resolving({"feeds.intern": ["127.0.0.1"]}))
    assert fetched.body == DOC and server.requests[-1] == ("/feed", f"feeds.intern:{server.port}")


@pytest.mark.parametrize("host", [
    "127.0.0.1", "localhost", "2130706433", "127.1", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1", "127.0.0.1.",
    "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "0.0.0.0", "0", "LOCALHOST",
])
def test_this_machine_in_any_disguise_is_refused_before_any_connection(listener, host) -> None:
    error = refused(f"http://{host}:{listener.port}/feed")
    assert listener.connections() == 0
    assert error.field == "url" and "öffentliche" in error.message_de and "public" in error.message_en


def test_the_unspecified_address_is_refused_even_when_allowlisted(listener) -> None:
    # 0.0.0.0 connects to this machine: no allowlist entry opens it
    refused(f"http://0.0.0.0:{listener.port}/", frozenset({"0.0.0.0"}))
    assert listener.connections() == 0


@pytest.mark.parametrize("address", [
    "10.0.0.7", "172.16.3.4", "192.168.178.1", "169.254.169.254", "100.64.0.1", "100.127.255.254",
    "224.0.0.251", "239.255.255.250", "0.0.0.0", "255.255.255.255", "127.0.0.53", "192.0.2.10", "240.0.0.1",
    "::1", "::", "fe80::1", "fd12:3456::1", "ff02::1", "::ffff:10.0.0.7", "::ffff:169.254.169.254",
    "2002:a00:7::1", "64:ff9b::a9fe:a9fe", "2001:db8::1",
])
def test_names_resolving_to_internal_addresses_are_refused_before_any_request(address) -> None:
    transport = Counting()
    error = refused("https://feed.example.org/courses", resolver=resolving({"feed.example.org": [address]}),
                    transport=transport)
    assert transport.requests == []
    assert error.reason.startswith("feed.example.org resolves to")


def test_every_resolved_address_is_checked_and_dns_is_asked_once() -> None:
    transport, calls = Counting(), []
    table = {"feed.example.org": ["93.184.216.34", "10.0.0.7"]}
    refused("http://feed.example.org/", resolver=resolving(table, calls), transport=transport)
    assert transport.requests == [] and calls == ["feed.example.org"]


def test_the_connection_is_pinned_to_the_checked_address() -> None:
    """DNS rebinding: the second answer would be internal, but it is never asked for."""
    transport, calls = Counting(), []
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    fetched = fetch_sync("https://feed.example.org/moochub?page=2", frozenset(), LIMITS, resolver=rebinding,
                         transport=transport)
    assert fetched.body == DOC and calls == ["feed.example.org"]
    [request] = transport.requests
    assert (request.url.scheme, request.url.host, request.url.raw_path) == ("https", "93.184.216.34",
                                                                              b"/moochub?page=2")
    assert request.url.port in (None, 443)
    assert request.headers["host"] == "feed.example.org"
    assert request.extensions["sni_hostname"] == "feed.example.org"  # TLS still checks the name's certificate


@pytest.mark.parametrize("url", [
    "ftp://feed.example.org/courses", "file:///etc/passwd", "gopher://feed.example.org/", "javascript:alert(1)",
    "http://user:secret@feed.example.org/", "http://feed.example.org@127.0.0.1/", "http:///courses", "",
    "http://feed.example.org:0/", "http://feed.example.org:99999/", "http://exa mple.org/", "feed.example.org/x",
    "http://[::1/", "http://feed.example.org/\n",
])
def test_urls_that_are_no_public_http_address_are_refused(url) -> None:
    transport = Counting()
    refused(url, resolver=resolving({"feed.example.org": ["93.184.216.34"]}), transport=transport)
    assert transport.requests == []


def test_a_redirect_is_not_followed(server, listener) -> None:
    server.answers["/moved"] = redirect(f"http://127.0.0.1:{listener.port}/feed")
    server.answers["/elsewhere"] = redirect("/feed", 301)
    refused(server.url("/moved"), LOCAL)
    refused(server.url("/elsewhere"), LOCAL)
    assert listener.connections() == 0
    assert [path for path, _ in server.requests] == ["/moved", "/elsewhere"]  # the target never asked for


def test_the_deadline_is_for_the_whole_fetch_not_per_read(server) -> None:
    # every read arrives within 0.2 s; the whole body would take 2 s
    server.answers["/slow"] = trickle(chunks=10, pause=0.2)
    error = refused(server.url("/slow"), LOCAL, limits=FetchLimits(deadline_seconds=0.8, max_bytes=1_000_000))
    assert "deadline" in error.reason
    server.answers["/quick"] = trickle(chunks=3, pause=0.05, chunk=b"[]")
    assert fetch_sync(server.url("/quick"), LOCAL, FetchLimits(5.0, 1_000)).body == b"[][][]"


def test_the_size_cap_is_counted_while_streaming(server) -> None:
    server.answers["/big"] = endless(total=3_000_000)
    server.answers["/declared"] = body(b"[" + b"0," * 600_000 + b"0]")
    small = FetchLimits(deadline_seconds=5.0, max_bytes=1_000_000)
    assert "more than" in refused(server.url("/big"), LOCAL, limits=small).reason
    assert "declared" in refused(server.url("/declared"), LOCAL, limits=small).reason


@pytest.mark.parametrize("status", [500, 404, 204, 403])
def test_answers_other_than_200_fail(server, status) -> None:
    server.answers["/status"] = body(b"{}", status=status)
    refused(server.url("/status"), LOCAL)


def test_every_refusal_and_failure_reads_the_same(server, listener) -> None:
    """A caller must not learn from the answer whether a host or port is there."""
    server.answers["/broken"] = body(b"{}", status=500)
    closed = Listener()
    closed_port = closed.port
    closed.close()
    errors = [
        refused(f"http://127.0.0.1:{listener.port}/"),  # refused: loopback, not allowlisted
        refused(f"http://127.0.0.1:{closed_port}/", LOCAL),  # allowed, but nothing listens
        refused(server.url("/broken"), LOCAL),  # allowed, answers 500
        refused("http://nowhere.invalid/", resolver=resolving({})),  # does not resolve
        refused("ftp://feed.example.org/"),
    ]
    assert len({(e.field, e.message_de, e.message_en, e.status_code) for e in errors}) == 1
    assert len({e.reason for e in errors}) == len(errors)  # the log still tells them apart


def test_validate_url_checks_without_connecting(listener) -> None:
    with pytest.raises(FetchFailed):
        validate_url(f"http://2130706433:{listener.port}/feed", frozenset())
    validate_url(f"http://127.0.0.1:{listener.port}/feed", LOCAL)
    validate_url("https://feed.example.org/", frozenset(), resolver=resolving({"feed.example.org": ["8.8.8.8"]}))
    assert listener.connections() == 0


@pytest.mark.parametrize(("host", "stored"), [
    ("Feeds.Intern.", "feeds.intern"), ("2130706433", "127.0.0.1"), ("[::1]", "::1"), ("bücher.de", "xn--bcher-kva.de"),
])
def test_hosts_are_compared_in_one_form(host, stored) -> None:
    assert normalise_host(host) == stored


@pytest.mark.parametrize("host", ["feeds.intern:8080", "http://feeds.intern", "feeds intern", "a/b", "-bad-.de"])
def test_what_is_no_host_is_refused(host) -> None:
    with pytest.raises(ValueError):
        normalise_host(host)

"""The guarded fetcher against real loopback aiohttp servers; nothing leaves the machine.

Forbidden addresses are checked with the loop's connect/DNS primitives patched to record any
use, so "refused" means "refused before any socket was opened".
"""

from __future__ import annotations

import asyncio
import gzip
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from yarl import URL

from satchel.fetcher import (
    USER_AGENT,
    FetchError,
    FetchPolicy,
    FetchTimeoutError,
    ForbiddenAddressError,
    GuardedFetcher,
    HttpStatusError,
    InvalidJsonError,
    ResponseTooLargeError,
    SchemeNotAllowedError,
    TooManyRedirectsError,
    forbidden_reason,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def connect_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Like ``network_calls`` but lets DNS (e.g. /etc/hosts for localhost) through."""
    calls: list[str] = []
    loop = asyncio.get_running_loop()

    def blocked(name: str) -> Callable[..., Any]:
        async def refuse(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise AssertionError(f"unexpected connection: {name}{args!r}")

        return refuse

    for name in ("create_connection", "sock_connect"):
        monkeypatch.setattr(loop, name, blocked(name))
    return calls


def issuer_policy(port: int, **kwargs: Any) -> FetchPolicy:
    """issuer.example is allowed and pinned to the loopback test server."""
    return FetchPolicy(
        allow_hosts=frozenset({"issuer.example"}),
        resolve_overrides={"issuer.example": ("127.0.0.1", port)},
        **kwargs,
    )


def text(body: str, **headers: str) -> Handler:
    """A handler that always answers ``body``."""

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=body, headers=headers)

    return handler


# --- allowed hosts ------------------------------------------------------------------------


async def test_allowed_loopback_host_is_fetched_over_http_with_satchel_user_agent(host):
    async def doc(request: web.Request) -> web.Response:
        return web.json_response({"ok": True}, headers={"X-Thing": "1", "Set-Cookie": "a=b"})

    server = await host({"/doc": doc})
    async with GuardedFetcher(FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}))) as fetcher:
        response = await fetcher.get(f"http://127.0.0.1:{server.port}/doc")
        await fetcher.get(f"http://127.0.0.1:{server.port}/doc?again")
    assert response.status == 200
    assert response.json() == {"ok": True}
    assert response.headers["x-thing"] == "1"
    assert response.content_type == "application/json"
    assert server.requests[0].headers["User-Agent"] == USER_AGENT
    assert "Cookie" not in server.requests[1].headers  # cookies are never stored


async def test_allowed_host_entry_with_port_only_allows_that_port(host):
    server = await host({"/": text("hi")})
    policy = FetchPolicy(allow_hosts=frozenset({f"127.0.0.1:{server.port}"}))
    async with GuardedFetcher(policy) as fetcher:
        assert (await fetcher.get(f"http://127.0.0.1:{server.port}/")).body == b"hi"
        with pytest.raises(SchemeNotAllowedError):
            await fetcher.get(f"http://127.0.0.1:{server.port + 1}/")


async def test_resolve_override_serves_https_url_of_allowed_host_from_loopback(host):
    server = await host({"/issuers/1": text("issuer")})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        response = await fetcher.get("https://issuer.example/issuers/1")
    assert response.body == b"issuer"
    assert response.url == "https://issuer.example/issuers/1"
    assert server.requests[0].headers["Host"] == "issuer.example"


async def test_accept_header_is_sent_when_given(host):
    server = await host({"/": text("x")})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        await fetcher.get("https://issuer.example/", accept="application/did+json")
    assert server.requests[0].headers["Accept"] == "application/did+json"


# --- forbidden addresses, refused before any network use ---------------------------------


async def test_loopback_literal_not_allowed_is_refused_without_a_connection(host, network_calls):
    server = await host({"/": text("secret")})
    async with GuardedFetcher() as fetcher:
        with pytest.raises(ForbiddenAddressError) as info:
            await fetcher.get(f"https://127.0.0.1:{server.port}/")
    assert server.requests == []
    assert network_calls == []
    assert f"https://127.0.0.1:{server.port}/" in info.value.detail
    assert "loopback" in info.value.detail


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/",
        "https://0.0.0.0/",
        "https://2130706433/",  # decimal 127.0.0.1
        "https://0x7f000001/",  # hex
        "https://0177.0.0.1/",  # octal
        "https://127.1/",  # short form
        "https://017700000001/",
        "https://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "https://[::ffff:a9fe:a9fe]/",  # IPv4-mapped metadata address
        "https://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "https://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
        "https://[fe80::1]/",
        "https://[fc00::1]/",
        "https://224.0.0.1/",
        "https://100.64.0.1/",  # carrier-grade NAT
        "https://192.168.1.1/",
        "https://240.0.0.1/",  # reserved
    ],
)
async def test_non_public_literal_address_is_refused_without_network(url, network_calls):
    async with GuardedFetcher() as fetcher:
        with pytest.raises(ForbiddenAddressError) as info:
            await fetcher.get(url)
    assert network_calls == []
    assert str(URL(url)) in info.value.detail  # the URL, as yarl normalises it


async def test_hostname_resolving_to_loopback_is_refused_without_connecting(host, connect_calls):
    server = await host({"/": text("secret")})
    async with GuardedFetcher() as fetcher:
        with pytest.raises(ForbiddenAddressError, match="localhost"):
            await fetcher.get(f"https://localhost:{server.port}/")
    assert server.requests == []
    assert connect_calls == []


async def test_hostname_pinned_to_private_address_is_refused_when_not_allowed(network_calls):
    policy = FetchPolicy(resolve_overrides={"evil.example": ("10.0.0.1", 443)})
    async with GuardedFetcher(policy) as fetcher:
        with pytest.raises(ForbiddenAddressError, match=re.escape("private address 10.0.0.1")):
            await fetcher.get("https://evil.example/")
    assert network_calls == []


async def test_plain_http_to_host_not_allowed_is_refused_without_network(network_calls):
    async with GuardedFetcher() as fetcher:
        with pytest.raises(SchemeNotAllowedError, match=r"http://example\.org/"):
            await fetcher.get("http://example.org/")
    assert network_calls == []


@pytest.mark.parametrize(
    "url", ["http://2130706433/", "http://127.0.0.1/", "http://[::1]:8080/", "http://0x7f.1/"]
)
async def test_plain_http_to_internal_literal_is_refused_without_network(url, network_calls):
    async with GuardedFetcher() as fetcher:
        with pytest.raises((SchemeNotAllowedError, ForbiddenAddressError)):
            await fetcher.get(url)
    assert network_calls == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://a/"])
async def test_non_http_schemes_are_refused(url, network_calls):
    async with GuardedFetcher() as fetcher:
        with pytest.raises(SchemeNotAllowedError):
            await fetcher.get(url)
    assert network_calls == []


async def test_credentials_in_url_are_refused(network_calls):
    async with GuardedFetcher() as fetcher:
        with pytest.raises(FetchError, match="credentials"):
            await fetcher.get("https://user:pw@example.org/")
    assert network_calls == []


def test_public_addresses_are_not_forbidden():
    from ipaddress import ip_address

    assert forbidden_reason(ip_address("93.184.216.34")) is None
    assert forbidden_reason(ip_address("2606:4700::1111")) is None
    assert forbidden_reason(ip_address("::ffff:8.8.8.8")) is None


# --- redirects ----------------------------------------------------------------------------


def redirect_to(location: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        raise web.HTTPFound(location)

    return handler


async def test_redirect_within_allowed_host_is_followed(host):
    server = await host({"/old": redirect_to("/new"), "/new": text("moved")})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        response = await fetcher.get("https://issuer.example/old")
    assert response.body == b"moved"
    assert response.url == "https://issuer.example/new"


@pytest.mark.parametrize(
    "location",
    ["https://10.0.0.1/x", "https://169.254.169.254/latest/meta-data/", "https://[::1]/"],
)
async def test_redirect_from_allowed_host_to_forbidden_address_is_refused(host, location):
    server = await host({"/r": redirect_to(location)})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        with pytest.raises(ForbiddenAddressError) as info:
            await fetcher.get("https://issuer.example/r")
    assert location in info.value.detail
    assert server.paths == ["/r"]


async def test_redirect_to_the_loopback_server_itself_by_ip_is_refused(host):
    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"https://127.0.0.1:{request.url.port}/secret")

    server = await host({"/r": redirect, "/secret": text("secret")})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        with pytest.raises(ForbiddenAddressError):
            await fetcher.get("https://issuer.example/r")
    assert server.paths == ["/r"]


async def test_redirect_to_plain_http_on_host_not_allowed_is_refused(host):
    server = await host({"/r": redirect_to("http://other.example/x")})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        with pytest.raises(SchemeNotAllowedError, match=re.escape("other.example")):
            await fetcher.get("https://issuer.example/r")


async def test_redirect_loop_raises_too_many_redirects(host):
    server = await host({"/loop": redirect_to("/loop")})
    async with GuardedFetcher(issuer_policy(server.port, max_redirects=3)) as fetcher:
        with pytest.raises(TooManyRedirectsError, match="more than 3 redirects"):
            await fetcher.get("https://issuer.example/loop")
    assert len(server.requests) == 4


# --- size, time, status, body -------------------------------------------------------------


async def test_body_over_cap_with_content_length_is_refused(host):
    server = await host({"/big": text("x" * 100_000)})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        with pytest.raises(ResponseTooLargeError, match="Content-Length 100000"):
            await fetcher.get("https://issuer.example/big")


async def test_endless_chunked_body_is_aborted_as_soon_as_cap_is_exceeded(host):
    written: list[int] = []

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)  # no Content-Length: chunked
        try:
            for _ in range(10_000):  # 80 MB if nobody stops it
                await response.write(b"x" * 8192)
                written.append(8192)
        except (ConnectionResetError, ConnectionError):
            pass
        return response

    server = await host({"/stream": endless})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        with pytest.raises(ResponseTooLargeError, match="65536-byte cap"):
            await fetcher.get("https://issuer.example/stream")
    await asyncio.sleep(0.1)
    assert sum(written) < 10_000 * 8192


async def test_caller_may_raise_the_cap_per_call(host):
    server = await host({"/big": text("x" * 100_000)})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        response = await fetcher.get("https://issuer.example/big", max_bytes=200_000)
    assert len(response.body) == 100_000


async def test_gzip_body_sent_despite_identity_is_decoded_and_capped(host):
    async def small(request: web.Request) -> web.Response:
        return web.Response(body=gzip.compress(b'{"a":1}'), headers={"Content-Encoding": "gzip"})

    async def bomb(request: web.Request) -> web.Response:
        payload = gzip.compress(b"\0" * 10_000_000)
        return web.Response(body=payload, headers={"Content-Encoding": "gzip"})

    server = await host({"/small": small, "/bomb": bomb})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        assert (await fetcher.get("https://issuer.example/small")).json() == {"a": 1}
        with pytest.raises(ResponseTooLargeError, match="decoded"):
            await fetcher.get("https://issuer.example/bomb")


async def test_slow_host_gives_timeout_error_quickly(host):
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.Response(text="late")

    server = await host({"/slow": slow})
    async with GuardedFetcher(issuer_policy(server.port, timeout=0.5)) as fetcher:
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError, match=re.escape("0.5 s")):
            await fetcher.get("https://issuer.example/slow")
    assert time.monotonic() - started < 2


async def test_time_limit_covers_all_redirect_hops_together(host):
    async def slow_redirect(request: web.Request) -> web.Response:
        await asyncio.sleep(0.3)
        raise web.HTTPFound("/slow")

    server = await host({"/slow": slow_redirect})
    async with GuardedFetcher(issuer_policy(server.port, timeout=0.5)) as fetcher:
        with pytest.raises(FetchTimeoutError):
            await fetcher.get("https://issuer.example/slow")
    assert len(server.requests) <= 3


async def test_error_status_raises_http_status_error_with_upstream_status(host):
    server = await host({})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        with pytest.raises(HttpStatusError) as info:
            await fetcher.get("https://issuer.example/missing")
    assert info.value.upstream_status == 404
    assert info.value.status == 502
    assert "https://issuer.example/missing" in info.value.detail


async def test_json_helper_raises_typed_error_on_bad_json(host):
    server = await host({"/bad": text("{not json")})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        response = await fetcher.get("https://issuer.example/bad")
    with pytest.raises(InvalidJsonError, match=re.escape("https://issuer.example/bad")):
        response.json()


# --- cache and lifecycle ------------------------------------------------------------------


async def test_cache_serves_second_call_without_a_second_request(host):
    server = await host({"/doc": text("doc")})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        first = await fetcher.get("https://issuer.example/doc")
        second = await fetcher.get("https://issuer.example/doc")
    assert first.body == second.body == b"doc"
    assert len(server.requests) == 1


async def test_cache_expires_after_ttl(host):
    server = await host({"/doc": text("doc")})
    async with GuardedFetcher(issuer_policy(server.port, cache_ttl=0.05)) as fetcher:
        await fetcher.get("https://issuer.example/doc")
        await asyncio.sleep(0.1)
        await fetcher.get("https://issuer.example/doc")
    assert len(server.requests) == 2


async def test_no_store_responses_and_failures_are_not_cached(host):
    calls = {"n": 0}

    async def flaky(request: web.Request) -> web.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise web.HTTPInternalServerError()
        return web.Response(text="ok")

    server = await host({"/flaky": flaky, "/private": text("p", **{"Cache-Control": "no-store"})})
    async with GuardedFetcher(issuer_policy(server.port)) as fetcher:
        with pytest.raises(HttpStatusError):
            await fetcher.get("https://issuer.example/flaky")
        assert (await fetcher.get("https://issuer.example/flaky")).body == b"ok"
        await fetcher.get("https://issuer.example/private")
        await fetcher.get("https://issuer.example/private")
    assert server.paths.count("/private") == 2


async def test_cache_is_bounded(host):
    async def echo(request: web.Request) -> web.Response:
        return web.Response(text=request.match_info["n"])

    server = await host({"/{n}": echo})
    async with GuardedFetcher(issuer_policy(server.port, cache_size=2)) as fetcher:
        for n in ("1", "2", "3", "1"):
            await fetcher.get(f"https://issuer.example/{n}")
        assert len(fetcher._cache) == 2
    assert server.paths == ["/1", "/2", "/3", "/1"]


async def test_close_releases_the_session_and_fetcher_can_be_reused(host):
    server = await host({"/": text("x")})
    fetcher = GuardedFetcher(issuer_policy(server.port, cache_ttl=0))
    await fetcher.get("https://issuer.example/")
    await fetcher.close()
    assert fetcher._session is None
    await fetcher.get("https://issuer.example/")
    await fetcher.close()
    assert len(server.requests) == 2


# --- policy from the environment ----------------------------------------------------------


def test_policy_from_env_reads_allow_hosts_and_resolve_pins():
    policy = FetchPolicy.from_env(
        {
            "SATCHEL_FETCH_ALLOW_HOSTS": "Issuer.Example, localhost:8443,[::1]",
            "SATCHEL_FETCH_RESOLVE": "issuer.example=127.0.0.1:8080,v6.example=[::1]:9000",
        }
    )
    assert policy.allow_hosts == frozenset({"issuer.example", "localhost:8443", "::1"})
    assert policy.resolve_overrides == {
        "issuer.example": ("127.0.0.1", 8080),
        "v6.example": ("::1", 9000),
    }
    assert policy.is_allowed("localhost", 8443) and not policy.is_allowed("localhost", 80)


def test_policy_from_empty_env_allows_nothing():
    policy = FetchPolicy.from_env({})
    assert policy.allow_hosts == frozenset()
    assert policy.resolve_overrides == {}
    assert policy.max_bytes == 64 * 1024 and policy.timeout == 5.0


@pytest.mark.parametrize("entry", ["issuer.example", "a=b:1", "a=127.0.0.1", "a=127.0.0.1:0"])
def test_policy_from_env_rejects_malformed_resolve_entries(entry):
    with pytest.raises(ValueError, match="SATCHEL_FETCH_RESOLVE"):
        FetchPolicy.from_env({"SATCHEL_FETCH_RESOLVE": entry})


async def test_cache_honours_max_age_no_cache_and_fresh_requests(aiohttp_server):
    hits: list[str] = []

    async def page(request: web.Request) -> web.Response:
        hits.append(request.path)
        header = {"/short": "max-age=0", "/nocache": "no-cache", "/long": "max-age=600"}
        return web.json_response({}, headers={"Cache-Control": header[request.path]})

    app = web.Application()
    for path in ("/short", "/nocache", "/long"):
        app.router.add_get(path, page)
    server = await aiohttp_server(app)
    policy = FetchPolicy(allow_hosts=frozenset({f"127.0.0.1:{server.port}"}))
    async with GuardedFetcher(policy) as fetcher:
        base = f"http://127.0.0.1:{server.port}"
        for path in ("/short", "/nocache", "/long", "/short", "/nocache", "/long"):
            await fetcher.get(base + path)
        assert hits.count("/short") == 2
        assert hits.count("/nocache") == 2
        assert hits.count("/long") == 1
        await fetcher.get(base + "/long", fresh=True)
        assert hits.count("/long") == 2

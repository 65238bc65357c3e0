"""did:web against a real loopback aiohttp host, through the guarded fetcher.

``issuer.example`` is allowed and pinned to the loopback server (the fetcher's operator/test
``resolve_overrides``), so https did:web URLs are served locally over http.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from satchel.did.did_web import did_web_url, resolve_did_web
from satchel.did.errors import DidResolutionError, VerificationMethodError
from satchel.did.keys import KeyType, PrivateKey, generate_private_key
from satchel.did.resolver import DidResolver, default_resolver
from satchel.fetcher import FetchError, FetchPolicy, GuardedFetcher

DID = "did:web:issuer.example"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def serve(document: Any) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(document)

    return handler


def fetcher_for(port: int, *, key: str = "issuer.example", **kwargs: Any) -> GuardedFetcher:
    return GuardedFetcher(
        FetchPolicy(
            allow_hosts=frozenset({"issuer.example"}),
            resolve_overrides={key: ("127.0.0.1", port)},
            **kwargs,
        )
    )


@pytest.fixture(scope="module")
def keys() -> dict[str, PrivateKey]:
    return {
        "assert": generate_private_key(KeyType.ED25519),
        "auth": generate_private_key(KeyType.P256),
        "foreign": generate_private_key(KeyType.ED25519),
    }


def issuer_document(did: str, keys: dict[str, PrivateKey]) -> dict[str, Any]:
    """key-1 may assert, key-2 may only authenticate, key-3 is controlled by someone else."""
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": keys["assert"].public_key.to_multikey(),
            },
            {
                "id": "#key-2",
                "type": "JsonWebKey2020",
                "controller": did,
                "publicKeyJwk": keys["auth"].public_key.to_jwk(),
            },
            {
                "id": f"{did}#key-3",
                "type": "Multikey",
                "controller": "did:web:attacker.example",
                "publicKeyMultibase": keys["foreign"].public_key.to_multikey(),
            },
        ],
        "assertionMethod": [f"{did}#key-1", f"{did}#key-3"],
        "authentication": ["#key-2"],
    }


# --- the DID → URL transformation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"),
        ("did:web:example.com%3a3000:u", "https://example.com:3000/u/did.json"),
        ("did:web:Example.COM", "https://example.com/.well-known/did.json"),
        ("did:web:example.com:a%20b", "https://example.com/a%20b/did.json"),
    ],
)
def test_did_web_maps_to_the_spec_document_url(did, url):
    assert did_web_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:key:z6Mk",
        "did:web:",
        "did:web:exa mple.com",
        "did:web:example.com%2Fevil",
        "did:web:user@example.com",
        "did:web:example.com:..:secret",
        "did:web:example.com:a%2Fb",
        "did:web:example.com::a",
        "did:web:example.com%3Ahttp",
    ],
)
def test_malformed_did_web_is_refused_before_any_fetch(did):
    with pytest.raises(DidResolutionError):
        did_web_url(did)


# --- resolution -----------------------------------------------------------------------------


async def test_did_web_resolves_from_the_well_known_document(host, keys):
    server = await host({"/.well-known/did.json": serve(issuer_document(DID, keys))})
    async with fetcher_for(server.port) as fetcher:
        document = await default_resolver(fetcher).resolve(DID)
    assert document.id == DID
    assert server.requests[0].headers["Host"] == "issuer.example"
    assert "application/did+json" in server.requests[0].headers["Accept"]


async def test_did_web_path_form_resolves_from_path_did_json(host, keys):
    did = f"{DID}:users:alice"
    server = await host({"/users/alice/did.json": serve(issuer_document(did, keys))})
    async with fetcher_for(server.port) as fetcher:
        assert (await default_resolver(fetcher).resolve(did)).id == did
    assert server.paths == ["/users/alice/did.json"]


async def test_did_web_port_form_fetches_from_that_port(host, keys):
    did = "did:web:issuer.example%3A8443"
    server = await host({"/.well-known/did.json": serve(issuer_document(did, keys))})
    async with fetcher_for(server.port, key="issuer.example:8443") as fetcher:
        assert (await default_resolver(fetcher).resolve(did)).id == did
    assert server.requests[0].headers["Host"] == "issuer.example:8443"


async def test_document_whose_id_differs_from_the_did_is_refused(host, keys):
    document = issuer_document("did:web:attacker.example", keys)
    server = await host({"/.well-known/did.json": serve(document)})
    async with fetcher_for(server.port) as fetcher:
        with pytest.raises(DidResolutionError, match=re.escape("attacker.example")):
            await default_resolver(fetcher).resolve(DID)


@pytest.mark.parametrize("body", [["a list"], "a string", None])
async def test_document_that_is_not_a_json_object_is_refused(host, body):
    server = await host({"/.well-known/did.json": serve(body)})
    async with fetcher_for(server.port) as fetcher:
        with pytest.raises(DidResolutionError, match="not a JSON object"):
            await resolve_did_web(DID, fetcher)


async def test_document_that_is_not_json_is_refused_naming_the_url(host):
    async def broken(request: web.Request) -> web.Response:
        return web.Response(text="<html>")

    server = await host({"/.well-known/did.json": broken})
    async with fetcher_for(server.port) as fetcher:
        with pytest.raises(DidResolutionError, match="not valid JSON") as info:
            await resolve_did_web(DID, fetcher)
    assert "https://issuer.example/.well-known/did.json" in info.value.detail


async def test_missing_document_is_a_resolution_error_with_the_http_status(host):
    server = await host({})
    async with fetcher_for(server.port) as fetcher:
        with pytest.raises(DidResolutionError, match="HTTP 404"):
            await default_resolver(fetcher).resolve(DID)


async def test_document_over_64_kib_is_refused(host, keys):
    document = {**issuer_document(DID, keys), "padding": "x" * 70_000}
    server = await host({"/.well-known/did.json": serve(document)})
    async with fetcher_for(server.port) as fetcher:
        with pytest.raises(DidResolutionError, match="65536-byte cap"):
            await default_resolver(fetcher).resolve(DID)


# --- addresses that must never be contacted -------------------------------------------------


async def test_did_web_on_loopback_literal_is_refused_when_not_allowed(host, keys):
    server = await host({"/.well-known/did.json": serve({})})
    did = f"did:web:127.0.0.1%3A{server.port}"
    async with GuardedFetcher() as fetcher:
        with pytest.raises(DidResolutionError, match="loopback"):
            await default_resolver(fetcher).resolve(did)
    assert server.requests == []


@pytest.mark.parametrize(
    "did", ["did:web:10.0.0.1", "did:web:169.254.169.254", "did:web:0.0.0.0", "did:web:2130706433"]
)
async def test_did_web_on_internal_address_is_refused_without_network(did, network_calls):
    async with GuardedFetcher() as fetcher:
        with pytest.raises(DidResolutionError, match="cannot resolve"):
            await default_resolver(fetcher).resolve(did)
    assert network_calls == []


async def test_did_web_host_resolving_to_private_address_is_refused(network_calls):
    policy = FetchPolicy(resolve_overrides={"intranet.example": ("10.0.0.1", 443)})
    async with GuardedFetcher(policy) as fetcher:
        with pytest.raises(DidResolutionError, match=re.escape("private address 10.0.0.1")):
            await default_resolver(fetcher).resolve("did:web:intranet.example")
    assert network_calls == []


@pytest.mark.parametrize(
    "location", ["https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/did.json"]
)
async def test_did_web_redirect_to_internal_address_is_refused(host, location):
    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(location)

    server = await host({"/.well-known/did.json": redirect})
    async with fetcher_for(server.port) as fetcher:
        with pytest.raises(DidResolutionError, match="address"):
            await default_resolver(fetcher).resolve(DID)
    assert server.paths == ["/.well-known/did.json"]


async def test_slow_did_web_host_fails_cleanly_and_quickly(host):
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.json_response({})

    server = await host({"/.well-known/did.json": slow})
    started = time.monotonic()
    async with fetcher_for(server.port, timeout=0.5) as fetcher:
        with pytest.raises(
            DidResolutionError, match=re.escape("no complete response within 0.5 s")
        ):
            await default_resolver(fetcher).resolve(DID)
    assert time.monotonic() - started < 2


# --- resolver wiring and caching ------------------------------------------------------------


@pytest.mark.parametrize("make", [DidResolver, default_resolver])
async def test_did_web_without_a_fetcher_says_network_resolution_is_disabled(make, network_calls):
    with pytest.raises(DidResolutionError, match="network resolution is disabled"):
        await make().resolve(DID)
    assert network_calls == []


async def test_failed_resolution_is_not_cached_and_success_is(host, keys):
    attempts: list[int] = []

    async def flaky(request: web.Request) -> web.Response:
        attempts.append(1)
        if len(attempts) == 1:
            raise web.HTTPServiceUnavailable()
        return web.json_response(issuer_document(DID, keys))

    server = await host({"/.well-known/did.json": flaky})
    async with fetcher_for(server.port, cache_ttl=0) as fetcher:
        resolver = default_resolver(fetcher)
        with pytest.raises(DidResolutionError, match="HTTP 503"):
            await resolver.resolve(DID)
        assert (await resolver.resolve(DID)).id == DID
        assert (await resolver.resolve(DID)).id == DID
    assert len(server.requests) == 2


async def test_fetch_errors_escaping_a_method_resolver_become_resolution_errors():
    async def failing(did: str) -> dict[str, Any]:
        raise FetchError("https://x.example/", "boom")

    resolver = DidResolver()
    resolver.register("web", failing)
    with pytest.raises(DidResolutionError, match="boom"):
        await resolver.resolve(DID)


# --- dereferencing --------------------------------------------------------------------------


@pytest.fixture
async def issuer_resolver(host, keys):
    server = await host({"/.well-known/did.json": serve(issuer_document(DID, keys))})
    async with fetcher_for(server.port) as fetcher:
        yield default_resolver(fetcher)


async def test_assertion_key_dereferences_for_assertion_method(issuer_resolver, keys):
    method = await issuer_resolver.dereference(f"{DID}#key-1", relationship="assertionMethod")
    assert method.public_key.same_key_as(keys["assert"].public_key)


async def test_authentication_key_dereferences_for_authentication_only(issuer_resolver, keys):
    method = await issuer_resolver.dereference(f"{DID}#key-2", relationship="authentication")
    assert method.public_key.same_key_as(keys["auth"].public_key)
    with pytest.raises(VerificationMethodError, match="not authorised for assertionMethod"):
        await issuer_resolver.dereference(f"{DID}#key-2", relationship="assertionMethod")


async def test_assertion_key_is_refused_for_authentication(issuer_resolver):
    with pytest.raises(VerificationMethodError, match="not authorised for authentication"):
        await issuer_resolver.dereference(f"{DID}#key-1", relationship="authentication")


async def test_method_controlled_by_another_did_is_refused(issuer_resolver):
    with pytest.raises(
        VerificationMethodError, match=re.escape("controlled by did:web:attacker.example")
    ):
        await issuer_resolver.dereference(f"{DID}#key-3", relationship="assertionMethod")


async def test_method_not_in_the_document_is_refused(issuer_resolver):
    with pytest.raises(VerificationMethodError, match="not a verification method"):
        await issuer_resolver.dereference(f"{DID}#key-9", relationship="assertionMethod")

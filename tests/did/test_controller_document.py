"""https verification methods: the key must be published by the controller document itself."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from satchel.did.errors import DidResolutionError, VerificationMethodError
from satchel.did.keys import KeyType, generate_private_key
from satchel.did.resolver import DidResolver, default_resolver
from satchel.fetcher import FetchPolicy, GuardedFetcher

ISSUER = "https://issuer.example/issuers/1"


def controller_document(multikey: str, *, relationship: str = "assertionMethod") -> dict[str, Any]:
    vm_id = f"{ISSUER}#{multikey}"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": ISSUER,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": ISSUER, "publicKeyMultibase": multikey}
        ],
        relationship: [vm_id],
    }


async def issuer_host(aiohttp_server: Any, document: Any) -> GuardedFetcher:
    app = web.Application()

    async def profile(request: web.Request) -> web.Response:
        return web.json_response(document)

    app.router.add_get("/issuers/1", profile)
    server = await aiohttp_server(app)
    policy = FetchPolicy(
        allow_hosts=frozenset({"issuer.example"}),
        resolve_overrides={"issuer.example": ("127.0.0.1", server.port)},
    )
    return GuardedFetcher(policy)


async def test_https_method_published_by_its_controller_is_dereferenced(aiohttp_server):
    key = generate_private_key(KeyType.ED25519).public_key
    fetcher = await issuer_host(aiohttp_server, controller_document(key.to_multikey()))
    async with fetcher:
        method = await default_resolver(fetcher).dereference(
            f"{ISSUER}#{key.to_multikey()}", relationship="assertionMethod"
        )
    assert method.controller == ISSUER
    assert method.public_key.same_key_as(key)


async def test_key_written_only_in_the_fragment_is_not_trusted(aiohttp_server):
    published = generate_private_key(KeyType.ED25519).public_key.to_multikey()
    stranger = generate_private_key(KeyType.ED25519).public_key.to_multikey()
    fetcher = await issuer_host(aiohttp_server, controller_document(published))
    async with fetcher:
        with pytest.raises(VerificationMethodError, match="is not a verification method"):
            await default_resolver(fetcher).dereference(f"{ISSUER}#{stranger}")


async def test_https_method_outside_the_requested_relationship_is_refused(aiohttp_server):
    key = generate_private_key(KeyType.ED25519).public_key.to_multikey()
    document = controller_document(key, relationship="authentication")
    fetcher = await issuer_host(aiohttp_server, document)
    async with fetcher:
        with pytest.raises(VerificationMethodError, match="not authorised for assertionMethod"):
            await default_resolver(fetcher).dereference(
                f"{ISSUER}#{key}", relationship="assertionMethod"
            )


async def test_controller_document_with_another_id_is_refused(aiohttp_server):
    key = generate_private_key(KeyType.ED25519).public_key.to_multikey()
    document = controller_document(key) | {"id": "https://elsewhere.example/issuers/1"}
    fetcher = await issuer_host(aiohttp_server, document)
    async with fetcher:
        with pytest.raises(DidResolutionError, match="does not match"):
            await default_resolver(fetcher).dereference(f"{ISSUER}#{key}")


async def test_https_method_without_a_fetcher_is_refused_without_network():
    with pytest.raises(DidResolutionError, match="network resolution is disabled"):
        await DidResolver().dereference(f"{ISSUER}#z6Mkabc")


async def test_https_method_on_a_loopback_address_is_refused(network_calls):
    async with GuardedFetcher(FetchPolicy()) as fetcher:
        with pytest.raises(DidResolutionError, match=r"127\.0\.0\.1"):
            await default_resolver(fetcher).dereference("https://127.0.0.1/issuers/1#key-1")
    assert network_calls == []


@pytest.mark.parametrize("vm", ["urn:uuid:1234#z6Mkabc", "z6Mkabc", "xxx:z6Mkabc", ""])
async def test_method_that_is_neither_a_did_nor_a_url_is_refused(vm):
    with pytest.raises(VerificationMethodError, match="neither a DID URL nor an https URL"):
        await DidResolver().dereference(vm)

"""DID resolution and verification-method dereferencing, the one entry point proofs use.

Methods register a resolver coroutine by name; did:key and did:jwk need no I/O, did:web goes
through the guarded fetcher. A verification method may also be an https URL: its controller
document (W3C Controlled Identifiers) is fetched through the same fetcher and must list the
method itself; a key merely written into the URL's fragment is never trusted. Results are
cached for a short TTL; failures are not.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from satchel.did.did_jwk import resolve_did_jwk
from satchel.did.did_key import resolve_did_key
from satchel.did.did_web import did_web_resolver
from satchel.did.document import DidDocument, VerificationMethod, did_of, parse_verification_method
from satchel.did.errors import DidResolutionError, VerificationMethodError
from satchel.fetcher import FetchError, GuardedFetcher

MethodResolver = Callable[[str], Awaitable[Mapping[str, Any]]]

DEFAULT_TTL_SECONDS = 300.0
MAX_CACHE_ENTRIES = 1024
# Identifiers whose document can list keys: DIDs, and https controller documents.
CONTROLLER_PREFIXES = ("did:", "https://", "http://")
MAX_CONTROLLER_DOCUMENT_BYTES = 64 * 1024
CONTROLLER_ACCEPT = "application/did+json, application/ld+json;q=0.9, application/json;q=0.8"


class DidResolver:
    """Resolves DIDs by method; dereferences verification methods and checks relationships."""

    def __init__(
        self, *, ttl: float = DEFAULT_TTL_SECONDS, fetcher: GuardedFetcher | None = None
    ) -> None:
        self._fetcher = fetcher
        self._methods: dict[str, MethodResolver] = {}
        self._cache: dict[str, tuple[float, DidDocument]] = {}
        self._ttl = ttl
        self.register("key", _resolve_key)
        self.register("jwk", _resolve_jwk)

    def register(self, method: str, resolver: MethodResolver) -> None:
        self._methods[method] = resolver

    def supports(self, did: str) -> bool:
        parts = did.split(":")
        return len(parts) >= 3 and parts[0] == "did" and parts[1] in self._methods

    async def resolve(self, did: str) -> DidDocument:
        parts = did.split(":")
        if len(parts) < 3 or parts[0] != "did" or not parts[2]:
            raise DidResolutionError(f"{did!r} is not a DID")
        resolver = self._methods.get(parts[1])
        if resolver is None and parts[1] == "web":
            raise DidResolutionError(
                f"cannot resolve {did}: network resolution is disabled (no fetcher configured)"
            )
        if resolver is None:
            raise DidResolutionError(f"DID method did:{parts[1]} is not supported")
        return await self._cached(did, resolver)

    async def resolve_controller_document(self, url: str) -> DidDocument:
        """The controller document at an https URL (no fragment), fetched and id-checked."""
        fetcher = self._fetcher
        if fetcher is None:
            raise DidResolutionError(
                f"cannot fetch {url}: network resolution is disabled (no fetcher configured)"
            )

        async def fetch(identifier: str) -> Mapping[str, Any]:
            response = await fetcher.get(
                identifier, max_bytes=MAX_CONTROLLER_DOCUMENT_BYTES, accept=CONTROLLER_ACCEPT
            )
            data = response.json()
            if not isinstance(data, Mapping):
                raise DidResolutionError(f"{identifier} is not a JSON object")
            return data

        return await self._cached(url, fetch)

    async def _cached(self, identifier: str, loader: MethodResolver) -> DidDocument:
        cached = self._cache.get(identifier)
        now = time.monotonic()
        if cached and cached[0] > now:
            return cached[1]
        try:
            data = await loader(identifier)
        except FetchError as exc:  # a method resolver that did not wrap its fetch errors
            raise DidResolutionError(f"cannot resolve {identifier}: {exc.detail}") from exc
        # only successes reach the cache: a failure is retried on the next call
        if data.get("id") != identifier:
            raise DidResolutionError(f"document id {data.get('id')!r} does not match {identifier}")
        document = DidDocument(id=identifier, data=data)
        if len(self._cache) >= MAX_CACHE_ENTRIES:
            self._cache.clear()
        self._cache[identifier] = (now + self._ttl, document)
        return document

    async def dereference(
        self, vm_url: str, *, relationship: str | None = None
    ) -> VerificationMethod:
        """The verification method at ``vm_url``, checked against its DID document.

        With ``relationship`` (e.g. ``assertionMethod``) the method must be listed under it,
        and its controller must be the DID that lists it.
        """
        if isinstance(vm_url, str) and vm_url.startswith("did:"):
            controller = did_of(vm_url)
            document = await self.resolve(controller)
        elif isinstance(vm_url, str) and vm_url.startswith(("https://", "http://")):
            controller = vm_url.split("#", 1)[0]
            document = await self.resolve_controller_document(controller)
        else:
            raise VerificationMethodError(
                f"verification method {vm_url!r} is neither a DID URL nor an https URL"
            )
        method = document.verification_method(vm_url)
        if method.controller != controller:
            raise VerificationMethodError(
                f"{vm_url} is controlled by {method.controller}, not by {controller}"
            )
        if relationship and not document.has_relationship(vm_url, relationship):
            raise VerificationMethodError(
                f"{vm_url} is not authorised for {relationship} by {controller}"
            )
        return method


def default_resolver(
    fetcher: GuardedFetcher | None = None, *, ttl: float = DEFAULT_TTL_SECONDS
) -> DidResolver:
    """did:key and did:jwk always; did:web and https controller documents only with a fetcher."""
    resolver = DidResolver(ttl=ttl, fetcher=fetcher)
    if fetcher is not None:
        resolver.register("web", did_web_resolver(fetcher))
    return resolver


async def _resolve_key(did: str) -> Mapping[str, Any]:
    return resolve_did_key(did)


async def _resolve_jwk(did: str) -> Mapping[str, Any]:
    return resolve_did_jwk(did)


__all__ = ["DidResolver", "default_resolver", "parse_verification_method"]

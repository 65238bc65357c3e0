"""DID resolution and verification-method dereferencing, the one entry point proofs use.

Methods register a resolver coroutine by name; did:key and did:jwk need no I/O, did:web goes
through the guarded fetcher. Results are cached for a short TTL.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from satchel.did.did_key import resolve_did_key
from satchel.did.document import DidDocument, VerificationMethod, did_of, parse_verification_method
from satchel.did.errors import DidResolutionError, VerificationMethodError

MethodResolver = Callable[[str], Awaitable[Mapping[str, Any]]]

DEFAULT_TTL_SECONDS = 300.0
MAX_CACHE_ENTRIES = 1024


class DidResolver:
    """Resolves DIDs by method; dereferences verification methods and checks relationships."""

    def __init__(self, *, ttl: float = DEFAULT_TTL_SECONDS) -> None:
        self._methods: dict[str, MethodResolver] = {}
        self._cache: dict[str, tuple[float, DidDocument]] = {}
        self._ttl = ttl
        self.register("key", _resolve_key)

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
        if resolver is None:
            raise DidResolutionError(f"DID method did:{parts[1]} is not supported")
        cached = self._cache.get(did)
        now = time.monotonic()
        if cached and cached[0] > now:
            return cached[1]
        data = await resolver(did)
        if data.get("id") != did:
            raise DidResolutionError(f"DID document id {data.get('id')!r} does not match {did}")
        document = DidDocument(id=did, data=data)
        if len(self._cache) >= MAX_CACHE_ENTRIES:
            self._cache.clear()
        self._cache[did] = (now + self._ttl, document)
        return document

    async def dereference(
        self, vm_url: str, *, relationship: str | None = None
    ) -> VerificationMethod:
        """The verification method at ``vm_url``, checked against its DID document.

        With ``relationship`` (e.g. ``assertionMethod``) the method must be listed under it,
        and its controller must be the DID that lists it.
        """
        if not isinstance(vm_url, str) or not vm_url.startswith("did:"):
            raise VerificationMethodError(f"verification method {vm_url!r} is not a DID URL")
        did = did_of(vm_url)
        document = await self.resolve(did)
        method = document.verification_method(vm_url)
        if method.controller != did:
            raise VerificationMethodError(
                f"{vm_url} is controlled by {method.controller}, not by {did}"
            )
        if relationship and not document.has_relationship(vm_url, relationship):
            raise VerificationMethodError(f"{vm_url} is not authorised for {relationship} by {did}")
        return method


async def _resolve_key(did: str) -> Mapping[str, Any]:
    return resolve_did_key(did)


__all__ = ["DidResolver", "parse_verification_method"]

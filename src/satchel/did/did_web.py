"""did:web (https://w3c-ccg.github.io/did-method-web/): a DID document served over https.

``did:web:example.com`` → ``https://example.com/.well-known/did.json``;
``did:web:example.com:user:alice`` → ``https://example.com/user/alice/did.json``;
``did:web:example.com%3A8443`` → ``https://example.com:8443/.well-known/did.json``.
Documents are fetched only through the :class:`~satchel.fetcher.GuardedFetcher`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote, unquote

from satchel.did.errors import DidResolutionError
from satchel.fetcher import FetchError, GuardedFetcher

PREFIX = "did:web:"
MAX_DOCUMENT_BYTES = 64 * 1024
ACCEPT = "application/did+json, application/did+ld+json;q=0.9, application/json;q=0.8"
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?$")
_FORBIDDEN_SEGMENTS = frozenset({"", ".", ".."})


def did_web_url(did: str) -> str:
    """The https URL of a did:web DID's document, per the method's transformation rules."""
    if not did.startswith(PREFIX):
        raise DidResolutionError(f"{did!r} is not a did:web")
    domain_part, *segments = did[len(PREFIX) :].split(":")
    # only the port colon may be percent-encoded in the domain
    domain = domain_part.replace("%3A", ":").replace("%3a", ":").lower()
    if not _DOMAIN.match(domain):
        raise DidResolutionError(f"did:web {did!r} has an invalid domain {domain_part!r}")
    path_segments = [_path_segment(did, s) for s in segments]
    path = "/" + "/".join(path_segments) + "/did.json" if path_segments else "/.well-known/did.json"
    return f"https://{domain}{path}"


def _path_segment(did: str, segment: str) -> str:
    decoded = unquote(segment)
    if decoded in _FORBIDDEN_SEGMENTS or any(c in decoded for c in "/\\?#"):
        raise DidResolutionError(f"did:web {did!r} has an invalid path segment {segment!r}")
    return quote(decoded, safe="")


async def resolve_did_web(did: str, fetcher: GuardedFetcher) -> dict[str, Any]:
    """Fetch, parse and check the DID document; every failure is a DidResolutionError."""
    url = did_web_url(did)
    try:
        response = await fetcher.get(url, max_bytes=MAX_DOCUMENT_BYTES, accept=ACCEPT)
        document = response.json()
    except FetchError as exc:
        raise DidResolutionError(f"cannot resolve {did}: {exc.detail}") from exc
    if not isinstance(document, dict):
        raise DidResolutionError(f"cannot resolve {did}: {url} is not a JSON object")
    if document.get("id") != did:
        raise DidResolutionError(
            f"cannot resolve {did}: document at {url} has id {document.get('id')!r}"
        )
    return document


def did_web_resolver(fetcher: GuardedFetcher) -> Callable[[str], Awaitable[Mapping[str, Any]]]:
    """A method resolver for :meth:`DidResolver.register` bound to ``fetcher``."""

    async def resolve(did: str) -> Mapping[str, Any]:
        return await resolve_did_web(did, fetcher)

    return resolve

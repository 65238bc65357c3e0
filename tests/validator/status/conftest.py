"""A loopback status-list host and signing helpers shared by the status tests.

One aiohttp test server answers for every ``https://<host>/...`` URL the tests use (the fetcher
pins the hosts to it with ``resolve_overrides``); each route is set per test and counts hits.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.fetcher import FetchPolicy, GuardedFetcher
from satchel.validator.engine import VerificationOptions, Verifier
from satchel.validator.proofs.data_integrity import sign
from satchel.validator.report import Check, Outcome, VerificationReport
from satchel.validator.status import ListKind, encode_bitstring, make_status_list_credential

NOW = datetime(2025, 6, 1, tzinfo=UTC)
# tests/validator/status/ -> the repository -> ../shared
SHARED = Path(__file__).resolve().parents[3].parent / "shared"
REPO_TESTS = Path(__file__).resolve().parents[2]
STATUS_HOST = "status.example"
LIST_URL = f"https://{STATUS_HOST}/lists/1"
HOSTS = (
    STATUS_HOST,
    "issuer.example",
    "example.com",
    "1edtech.edu",
    "raw.githubusercontent.com",
    "dc.1edtech.org",
)


def shared_path(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        pytest.fail(f"{path} is missing: ../shared must sit beside the repository")
    return path


@dataclass
class Route:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class StatusHost:
    """Routes by full URL (``https://host/path``); ``hits`` counts requests per URL."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.port = 0

    def serve(
        self,
        url: str,
        document: Mapping[str, Any] | bytes | str,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
        content_type: str = "application/vc+ld+json",
    ) -> None:
        if isinstance(document, Mapping):
            body = json.dumps(document).encode()
        else:
            body = document.encode() if isinstance(document, str) else document
        self.routes[url] = Route(
            body, status, {"Content-Type": content_type, **(headers or {})}, delay
        )

    async def handle(self, request: web.Request) -> web.Response:
        url = f"https://{request.host.split(':')[0]}{request.path_qs}"
        self.hits[url] += 1
        route = self.routes.get(url)
        if route is None:
            raise web.HTTPNotFound()
        if route.delay:
            await asyncio.sleep(route.delay)
        return web.Response(body=route.body, status=route.status, headers=route.headers)

    def fetcher(self, *, timeout: float = 5.0, cache_ttl: float = 0.0) -> GuardedFetcher:
        """A fetcher pinned to this host; its own response cache is off unless asked for, so
        the tests see what the status-list cache does."""
        return GuardedFetcher(
            FetchPolicy(
                allow_hosts=frozenset(HOSTS),
                resolve_overrides={host: ("127.0.0.1", self.port) for host in HOSTS},
                timeout=timeout,
                cache_ttl=cache_ttl,
                max_bytes=2 * 1024 * 1024,
            )
        )


@pytest.fixture
async def status_host(aiohttp_server: Any) -> StatusHost:
    host = StatusHost()
    app = web.Application()
    app.router.add_get("/{path:.*}", host.handle)
    server = await aiohttp_server(app)
    host.port = server.port
    return host


@pytest.fixture
async def fetcher(status_host: StatusHost) -> AsyncIterator[GuardedFetcher]:
    async with status_host.fetcher() as guarded:
        yield guarded


class Issuer:
    """A did:key issuer that signs credentials and status lists (eddsa-rdfc-2022)."""

    def __init__(self) -> None:
        self.key = generate_private_key(KeyType.ED25519)
        self.did = did_key_from_public_key(self.key.public_key)
        self.vm = did_key_verification_method_id(self.did)

    def sign(self, document: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("created", NOW - timedelta(days=1))
        kwargs.setdefault("cryptosuite", "eddsa-rdfc-2022")
        return sign(document, self.key, verification_method=self.vm, **kwargs)

    def credential(self, status: object, **extra: Any) -> dict[str, Any]:
        """A signed OB 3.0 credential carrying ``status`` as its credentialStatus."""
        template = (REPO_TESTS / "data" / "unsigned-ob30.json").read_text()
        document: dict[str, Any] = json.loads(template.replace("ISSUER", self.did))
        if status is not None:
            document["credentialStatus"] = status
        for key, value in extra.items():
            if key == "contexts":
                document["@context"] = [*document["@context"], *value]
            else:
                document[key] = value
        return self.sign(document)

    def status_list(
        self,
        statuses: Any = frozenset(),
        *,
        url: str = LIST_URL,
        purpose: str | list[str] = "revocation",
        length: int | None = None,
        status_size: int = 1,
        kind: ListKind = ListKind.BITSTRING,
        issuer: str | None = None,
        sign_list: bool = True,
        **dates: Any,
    ) -> dict[str, Any]:
        """A (signed) status list credential published at ``url``."""
        encoded = encode_bitstring(
            statuses, length, status_size, multibase=kind is ListKind.BITSTRING
        )
        dates.setdefault("valid_from", NOW - timedelta(days=30))
        document = make_status_list_credential(
            url, issuer or self.did, encoded, purpose=purpose, kind=kind, **dates
        )
        return self.sign(document) if sign_list else document


class Kit:
    """Helpers the test modules reach through the ``kit`` fixture (they cannot import this)."""

    now = NOW
    list_url = LIST_URL
    shared_path = staticmethod(shared_path)

    @staticmethod
    def bitstring_entry(
        index: int | str = 7,
        *,
        purpose: str = "revocation",
        url: str = LIST_URL,
        **extra: Any,
    ) -> dict[str, Any]:
        return {
            "id": f"{url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(index),
            "statusListCredential": url,
            **extra,
        }

    @staticmethod
    async def verify(
        data: Any, fetcher: GuardedFetcher | None, verifier: Verifier | None = None
    ) -> VerificationReport:
        verifier = verifier or Verifier(fetcher=fetcher)
        return await verifier.verify(copy.deepcopy(data), VerificationOptions(now=NOW))

    @staticmethod
    def status_checks(report: VerificationReport, target: str = "credential") -> list[Check]:
        checks = [c for c in report.checks if c.id == "status" and c.target == target]
        assert checks, report.to_json()
        return checks

    @staticmethod
    def failed_ids(report: VerificationReport) -> list[str]:
        return [c.id for c in report.checks if c.outcome is Outcome.FAILED]

    @staticmethod
    def only_status(report: VerificationReport) -> Check:
        checks = Kit.status_checks(report)
        assert len(checks) == 1, report.to_json()
        return checks[0]


@pytest.fixture
def kit() -> Kit:
    return Kit()


@pytest.fixture
def issuer() -> Issuer:
    return Issuer()

"""Fixtures for the /verify page tests: signed credentials, apps, a loopback credential host,
and one real headless Chromium (Debian's, never a downloaded one) per browser test module."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from satchel.app import create_app
from satchel.config import Settings
from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.fetcher import FetchPolicy
from satchel.validator.proofs.data_integrity import sign
from tests.support.browser import chromium, start_site

TEMPLATE = (Path(__file__).resolve().parents[2] / "data" / "unsigned-ob30.json").read_text()
# The loopback "issuer.example" that hosts credentials for URL verification.
CREDENTIAL_HOST = "issuer.example"


class TestIssuer:
    """A did:key issuer that signs the shared unsigned OB 3.0 credential."""

    __test__ = False

    def __init__(self) -> None:
        self.key = generate_private_key(KeyType.ED25519)
        self.did = did_key_from_public_key(self.key.public_key)
        self.vm = did_key_verification_method_id(self.did)

    def unsigned(self, **changes: Any) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(TEMPLATE.replace("ISSUER", self.did))
        document.update(changes)
        return document

    def signed(self, **changes: Any) -> dict[str, Any]:
        return sign(
            self.unsigned(**changes),
            self.key,
            cryptosuite="eddsa-rdfc-2022",
            verification_method=self.vm,
            created=datetime.now(UTC) - timedelta(days=1),
        )


def tampered(credential: dict[str, Any]) -> dict[str, Any]:
    """The signed credential with its name changed after signing."""
    return {**credential, "name": "Forged name"}


@pytest.fixture(scope="module")
def test_issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
def tamper() -> Callable[[dict[str, Any]], dict[str, Any]]:
    return tampered


def app_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(data_dir=data_dir, **overrides)


def credential_host_app(documents: dict[str, Any]) -> web.Application:
    """Serves each ``documents[path]`` as JSON at ``/path``."""

    async def serve(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in documents:
            raise web.HTTPNotFound()
        return web.json_response(documents[name])

    app = web.Application()
    app.router.add_get("/{name}", serve)
    return app


def loopback_policy(port: int) -> FetchPolicy:
    """``https://issuer.example/...`` is served over http by the loopback host on ``port``."""
    return FetchPolicy(
        allow_hosts=frozenset({CREDENTIAL_HOST}),
        resolve_overrides={CREDENTIAL_HOST: ("127.0.0.1", port)},
    )


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    return lambda **overrides: app_settings(tmp_path / "data", **overrides)


@pytest.fixture
def serve_credentials(aiohttp_server: Any) -> Callable[[dict[str, Any]], Any]:
    """Start a loopback credential host; returns the fetch policy that reaches it as
    ``https://issuer.example/<name>``."""

    async def start(documents: dict[str, Any]) -> FetchPolicy:
        server = await aiohttp_server(credential_host_app(documents))
        return loopback_policy(server.port)

    return start


# --- module-scoped servers and the browser (browser tests run on one module event loop) ---


@dataclass
class LiveSatchel:
    """A real Satchel server on loopback, and the credential host it may fetch from."""

    base_url: str
    credential_url: str
    credential: dict[str, Any]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live_satchel(
    test_issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LiveSatchel]:
    credential = test_issuer.signed()
    host_runner, host_port = await start_site(credential_host_app({"badge.json": credential}))
    data_dir = tmp_path_factory.mktemp("satchel-data")
    app = create_app(app_settings(data_dir, fetch_policy=loopback_policy(host_port)))
    runner, port = await start_site(app)
    try:
        yield LiveSatchel(
            base_url=f"http://127.0.0.1:{port}",
            credential_url=f"https://{CREDENTIAL_HOST}/badge.json",
            credential=credential,
        )
    finally:
        await runner.cleanup()
        await host_runner.cleanup()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Any]:
    """Debian's headless Chromium driven by Playwright; a missing browser fails, never skips."""
    async with chromium() as launched:
        yield launched

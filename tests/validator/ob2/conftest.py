"""A loopback OB 2.0 host serving 1EdTech's ob20 assets, as 1EdTech's own tests map them.

1EdTech's OB20Tests map https://example.org/, http://example.org/ and https://www.example.org/
to ``ob20/assets``; here one aiohttp server answers for those hosts (and example.com), pinned
through the fetcher's ``resolve_overrides``. A test adds what its scenario needs on top (the
assertion at its own id, a 410, a tampered copy) with :meth:`Ob2Host.serve`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from satchel.fetcher import FetchPolicy, GuardedFetcher
from satchel.validator.engine import Verifier

REPO = Path(__file__).resolve().parents[3]
OB20 = REPO.parent / (
    "shared/vectors/1EdTech-digital-credentials-public-validator/"
    "inspector-vc/src/test/resources/ob20"
)
HOSTS = ("example.org", "www.example.org", "example.com")


def ob20_dir() -> Path:
    if not (OB20 / "assets").is_dir():
        pytest.fail(f"{OB20} is missing: clone the project with ../shared beside it")
    return OB20


class Ob20Files:
    """Reads 1EdTech's ob20 fixtures (fresh copies, so tests may alter them)."""

    root = OB20

    def json(self, name: str) -> Any:
        return json.loads((ob20_dir() / name).read_text())

    def text(self, name: str) -> str:
        return (ob20_dir() / name).read_text().strip()


@pytest.fixture
def ob20() -> Ob20Files:
    ob20_dir()
    return Ob20Files()


class Ob2Host:
    """Routes ``(host, path)`` to ``(status, body)``; every asset is served on every host."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], tuple[int, bytes]] = {}
        self.requests: list[str] = []
        for path in (ob20_dir() / "assets").iterdir():
            for host in ("example.org", "www.example.org"):
                self.routes[(host, "/" + path.name)] = (200, path.read_bytes())

    def serve(self, url: str, body: Any = None, *, status: int = 200) -> None:
        """Serve ``body`` (JSON-encoded unless bytes) at ``url``."""
        parts = urlsplit(url)
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.routes[(parts.hostname or "", parts.path)] = (status, raw)

    def serve_self(self, document: dict[str, Any]) -> None:
        """Host an assertion at its own id, as its issuer would."""
        self.serve(document["id"], document)

    def document(self, url: str) -> Any:
        parts = urlsplit(url)
        return json.loads(self.routes[(parts.hostname or "", parts.path)][1])

    async def handle(self, request: web.Request) -> web.Response:
        host = request.host.split(":", 1)[0]
        self.requests.append(f"{host}{request.path}")
        status, body = self.routes.get((host, request.path), (404, b"{}"))
        return web.Response(status=status, body=body, content_type="application/ld+json")


@pytest.fixture
async def ob2_host(aiohttp_server: Any) -> Ob2Host:
    host = Ob2Host()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", host.handle)
    server: TestServer = await aiohttp_server(app)
    host.port = server.port  # type: ignore[attr-defined]
    return host


@pytest.fixture
async def verifier(ob2_host: Ob2Host) -> AsyncIterator[Verifier]:
    port: int = ob2_host.port  # type: ignore[attr-defined]
    policy = FetchPolicy(
        allow_hosts=frozenset(HOSTS),
        resolve_overrides={h: ("127.0.0.1", port) for h in HOSTS},
        cache_ttl=0,
    )
    async with GuardedFetcher(policy) as fetcher:
        yield Verifier(fetcher=fetcher)

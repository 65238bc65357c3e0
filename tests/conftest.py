"""Shared fixtures: where ../shared is, a guard that no test reaches the outside network, a
recorder that proves a code path made no network call at all, and a recording loopback host."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "vectors").is_dir():
        pytest.fail(f"{SHARED} is missing: clone the project with ../shared beside it")
    return SHARED


_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def _loopback_only(sock: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and not (str(host).startswith("127.") or host in ("::1", "localhost")):
        raise AssertionError(f"test tried to reach {address}: tests stay on loopback")
    _real_connect(sock, address)  # type: ignore[arg-type]


def _loopback_names_only(host: object, *args: object, **kwargs: object) -> object:
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and name not in LOOPBACK_NAMES and not str(name).startswith("127."):
        # Behave like an offline resolver: no query leaves the machine, the name is unknown.
        raise socket.gaierror(
            socket.EAI_NONAME, f"{name!r} not looked up: tests make no DNS queries"
        )
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_outside_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_names_only)


@pytest.fixture
async def network_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records (and blocks) any DNS lookup or connection attempt on the running loop."""
    calls: list[str] = []
    loop = asyncio.get_running_loop()

    def blocked(name: str) -> Callable[..., Any]:
        async def refuse(*args: Any, **kwargs: Any) -> Any:
            calls.append(f"{name}{args!r}")
            raise AssertionError(f"unexpected network use: {name}{args!r}")

        return refuse

    for name in ("getaddrinfo", "create_connection", "sock_connect"):
        monkeypatch.setattr(loop, name, blocked(name))
    return calls


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Host:
    """A loopback test server that records every request it receives."""

    def __init__(self, port: int, requests: list[web.Request]) -> None:
        self.port = port
        self.requests = requests

    @property
    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


@pytest.fixture
async def host(aiohttp_server: Any) -> Callable[[dict[str, Handler]], Awaitable[Host]]:
    """Starts a recording loopback host serving ``routes`` (path -> GET handler)."""

    async def start(routes: dict[str, Handler]) -> Host:
        seen: list[web.Request] = []

        @web.middleware
        async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
            seen.append(request)
            return await handler(request)

        app = web.Application(middlewares=[record])
        for path, handler in routes.items():
            app.router.add_get(path, handler)
        server = await aiohttp_server(app)
        return Host(server.port, seen)

    return start

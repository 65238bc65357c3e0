"""Shared fixtures: where ../shared is, and a guard that no test reaches the outside network."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

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

"""Shared fixtures for DID tests: a recorder that blocks DNS and connections."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest


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

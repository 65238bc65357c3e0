"""The wallet's HTTP surface: the JSON API under /api/v1/ and the claim page.

Each area registers its own routes and publishes its OpenAPI paths (``OPENAPI_PATHS`` and
``OPENAPI_SCHEMAS`` in its routes module), which :mod:`satchel.openapi` merges.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from aiohttp import web


def route_modules() -> tuple[ModuleType, ...]:
    from satchel.wallet.web import accounts_routes, credentials_routes, offers_routes

    return (accounts_routes, credentials_routes, offers_routes)


def setup_wallet_routes(app: web.Application) -> None:
    for module in route_modules():
        module.register(app)


def openapi_paths() -> tuple[dict[str, Any], dict[str, Any]]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for module in route_modules():
        paths.update(getattr(module, "OPENAPI_PATHS", {}))
        schemas.update(getattr(module, "OPENAPI_SCHEMAS", {}))
    return paths, schemas

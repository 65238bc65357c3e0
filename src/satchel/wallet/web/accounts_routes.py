"""PLACEHOLDER: the accounts routes land here (register, OPENAPI_PATHS, OPENAPI_SCHEMAS)."""

from typing import Any

from aiohttp import web

OPENAPI_PATHS: dict[str, Any] = {}
OPENAPI_SCHEMAS: dict[str, Any] = {}


def register(app: web.Application) -> None:
    return None

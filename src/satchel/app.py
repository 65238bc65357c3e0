"""App composition: one aiohttp Application with shared services created inside the loop."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from satchel import __version__
from satchel.config import SETTINGS_KEY, Settings, apply_operator_contexts
from satchel.json_body import json_response
from satchel.problems import problem_details_middleware
from satchel.validator.web import setup_validator_routes
from satchel.validator.web.limits import limits_middleware
from satchel.validator.web.services import setup_services
from satchel.wallet.services import setup_wallet_services
from satchel.wallet.web import setup_wallet_routes


async def health(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


async def version(request: web.Request) -> web.Response:
    return json_response({"name": "satchel", "version": __version__})


async def openapi_document(request: web.Request) -> web.Response:
    from satchel.openapi import build_openapi

    return json_response(build_openapi())


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or Settings.from_env()
    # limits_middleware sits inside problem_details_middleware so its 413/429/503 answers
    # keep their Retry-After header; aiohttp's client_max_size caps what handlers can read.
    app = web.Application(
        middlewares=[problem_details_middleware, limits_middleware],
        client_max_size=settings.max_body_bytes,
    )
    app[SETTINGS_KEY] = settings
    apply_operator_contexts(settings)
    app.router.add_get("/healthz", health)
    app.router.add_get("/version", version)
    app.router.add_get("/openapi.json", openapi_document)
    app.cleanup_ctx.append(_data_dir)
    setup_services(app, settings)
    setup_wallet_services(app, settings)
    setup_validator_routes(app)
    setup_wallet_routes(app)
    return app


async def _data_dir(app: web.Application) -> AsyncIterator[None]:
    app[SETTINGS_KEY].data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    yield

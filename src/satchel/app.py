"""App composition: one aiohttp Application with shared services created inside the loop."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from satchel import __version__
from satchel.config import Settings, apply_operator_contexts
from satchel.problems import problem_details_middleware
from satchel.validator.web import setup_validator_routes

SETTINGS_KEY = web.AppKey("settings", Settings)


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def version(request: web.Request) -> web.Response:
    return web.json_response({"name": "satchel", "version": __version__})


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or Settings.from_env()
    app = web.Application(middlewares=[problem_details_middleware])
    app[SETTINGS_KEY] = settings
    apply_operator_contexts(settings)
    app.router.add_get("/healthz", health)
    app.router.add_get("/version", version)
    setup_validator_routes(app)
    app.cleanup_ctx.append(_data_dir)
    return app


async def _data_dir(app: web.Application) -> AsyncIterator[None]:
    app[SETTINGS_KEY].data_dir.mkdir(parents=True, exist_ok=True)
    yield

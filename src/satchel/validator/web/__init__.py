"""The validator's public HTTP endpoints: the W3C VC-API and the human verification page."""

from __future__ import annotations

from aiohttp import web


def setup_validator_routes(app: web.Application) -> None:
    """Register the VC-API endpoints and the /verify pages on ``app``."""
    from satchel.validator.web.api import register_api_routes
    from satchel.validator.web.pages import register_page_routes

    register_api_routes(app)
    register_page_routes(app)

"""PLACEHOLDER: the W3C VC-API endpoints land here."""

from aiohttp import web


def register_api_routes(app: web.Application) -> None:
    return None

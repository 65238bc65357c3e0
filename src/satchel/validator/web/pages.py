"""PLACEHOLDER: the human verification page (/verify) lands here."""

from aiohttp import web


def register_page_routes(app: web.Application) -> None:
    return None

"""RFC 9457 problem details: the one place where errors become HTTP responses.

Typed :class:`SatchelError` subclasses map to their own status and ``type``; anything else is
logged with its traceback and answered as a bare 500: a stack trace never reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from satchel.errors import PROBLEM_TYPE_BASE, SatchelError
from satchel.json_body import json_response

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def problem_response(
    status: int, type_slug: str, title: str, detail: str, **extra: Any
) -> web.Response:
    body = {
        "type": PROBLEM_TYPE_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return json_response(body, status=status, content_type="application/problem+json")


@web.middleware
async def problem_details_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except SatchelError as exc:
        return problem_response(exc.status, exc.type, exc.title, exc.detail)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        slug = exc.reason.lower().replace(" ", "-")
        return problem_response(exc.status, slug, exc.reason, exc.text or exc.reason)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(
            500, "internal-error", "Internal error", "An unexpected error occurred."
        )

"""Access logging without secrets: one-time tokens never reach a log file.

Claim links (``/claim/<token>``) and mailed links (``?token=…`` on /verify-email and
/reset-password) carry bearer secrets; a reset token in a log would let anyone who reads the
log take over the account while it is valid. They are logged as ``[redacted]``.
"""

from __future__ import annotations

import logging
import re

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

_CLAIM_PATH = re.compile(r"^(/claim/)[^/?#]+")
_SECRET_QUERY = re.compile(r"(?i)([?&](?:token|code|secret)=)[^&#]*")
REDACTED = "[redacted]"


def redact(path_qs: str) -> str:
    """The request target with every one-time secret replaced."""
    return _SECRET_QUERY.sub(rf"\1{REDACTED}", _CLAIM_PATH.sub(rf"\1{REDACTED}", path_qs))


class RedactingAccessLogger(AbstractAccessLogger):
    """``<client> "<method> <redacted target> HTTP/x.y" <status> <bytes> <seconds>s``."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        version = f"{request.version.major}.{request.version.minor}"
        self.logger.info(
            '%s "%s %s HTTP/%s" %d %d %.3fs',
            request.remote or "-",
            request.method,
            redact(request.path_qs),
            version,
            response.status,
            response.body_length,
            time,
        )

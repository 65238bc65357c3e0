"""Access logging without secrets, cheap enough to keep on for every request.

Claim links (``/claim/<token>``) and mailed links (``?token=…`` on /verify-email and
/reset-password) carry bearer secrets; a reset token in a log would let anyone who reads the
log take over the account while it is valid. They are logged as ``[redacted]``.

Lines go to standard error in the format ``satchel serve`` gives every log line
(``<time> INFO <logger> <client> "<method> <target> HTTP/x.y" <status> <bytes> <seconds>s``),
gathered and written together at most every :data:`FLUSH_SECONDS`, when
:data:`MAX_PENDING_LINES` are waiting, and when the server stops. Python's logging machinery
writes and flushes each record: that cost 0.08 ms a request, 8% of a whole verification, in
``bench/http_verify.py``. ``SATCHEL_LOG_LEVEL`` above INFO turns access lines off.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import re
import sys
import time

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

_CLAIM_PATH = re.compile(r"^(/claim/)[^/?#]+")
_SECRET_QUERY = re.compile(r"(?i)([?&](?:token|code|secret)=)[^&#]*")
REDACTED = "[redacted]"
FLUSH_SECONDS = 0.5
MAX_PENDING_LINES = 1000


def redact(path_qs: str) -> str:
    """The request target with every one-time secret replaced."""
    return _SECRET_QUERY.sub(rf"\1{REDACTED}", _CLAIM_PATH.sub(rf"\1{REDACTED}", path_qs))


class _PendingLines:
    """Access lines not yet written; one per process (aiohttp makes a logger per connection)."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._timer: asyncio.TimerHandle | None = None
        self._second = -1
        self._stamp = ""

    def timestamp(self) -> str:
        """``2026-11-23 16:45:49,123``, as logging's ``asctime``; strftime once a second."""
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return f"{self._stamp},{int((now - second) * 1000):03d}"

    def add(self, line: str) -> None:
        self._lines.append(line)
        if len(self._lines) >= MAX_PENDING_LINES:
            self.flush()
        elif self._timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # logged outside a loop: nothing would flush later
                self.flush()
                return
            self._timer = loop.call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._lines:
            return
        text = "".join(self._lines)
        self._lines.clear()
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (OSError, ValueError):  # stderr closed: losing access lines must not stop serving
            pass


_PENDING = _PendingLines()
atexit.register(_PENDING.flush)


def flush_access_log() -> None:
    """Write every access line still waiting (the server calls this when it stops)."""
    _PENDING.flush()


class RedactingAccessLogger(AbstractAccessLogger):
    """``<client> "<method> <redacted target> HTTP/x.y" <status> <bytes> <seconds>s``."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        version = request.version
        _PENDING.add(
            f"{_PENDING.timestamp()} INFO {self.logger.name} {request.remote or '-'} "
            f'"{request.method} {redact(request.path_qs)} HTTP/{version.major}.{version.minor}" '
            f"{response.status} {response.body_length} {time:.3f}s\n"
        )

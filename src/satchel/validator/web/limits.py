"""Request limits for the public endpoints: body size, per-client rate, concurrent verifications.

- Body size: aiohttp's ``client_max_size`` (set by :func:`satchel.app.create_app`) caps what a
  handler can read; :func:`limits_middleware` also refuses a declared ``Content-Length`` above
  the cap before any byte is read. Both answer 413 problem details.
- Rate: a token bucket per client address (:func:`satchel.config.client_address`: behind a
  trusted proxy, from ``X-Forwarded-For``), ``rate_per_minute`` tokens a minute with a burst
  of the same size; an empty bucket answers 429 with ``Retry-After``.
- Concurrency: at most ``max_concurrent`` verifications run at once; an excess request waits up
  to ``queue_seconds`` for a slot, then gets 503 with ``Retry-After``.

Handlers opt in with the :func:`limited` decorator (rate + one verification slot around the
whole handler) or call :meth:`Limits.check_rate` and ``async with limits.verification_slot()``
themselves. The :class:`LimitError` subclasses they raise become problem responses (with the
``Retry-After`` header) in :func:`limits_middleware`.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import wraps

from aiohttp import web

from satchel.config import client_address
from satchel.errors import SatchelError
from satchel.problems import problem_response

DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
DEFAULT_RATE_PER_MINUTE = 120
DEFAULT_QUEUE_SECONDS = 2.0
MAX_TRACKED_CLIENTS = 10_000

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LimitError(SatchelError):
    """A request refused by a limit; ``retry_after`` (seconds) goes in ``Retry-After``."""

    retry_after: int | None = None


class RequestTooLargeError(LimitError):
    type = "request-too-large"
    title = "Request body too large"
    status = 413


class RateLimitedError(LimitError):
    type = "rate-limited"
    title = "Too many requests"
    status = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class VerificationBusyError(LimitError):
    type = "verification-busy"
    title = "Too many verifications in progress"
    status = 503

    def __init__(self, detail: str, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


@dataclass(frozen=True)
class LimitSettings:
    """``rate_per_minute`` 0 turns the rate limit off (benchmarks, trusted deployments)."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE
    max_concurrent: int = 16
    queue_seconds: float = DEFAULT_QUEUE_SECONDS


class TokenBucketLimiter:
    """One token bucket per client key; the least recently seen clients are forgotten first."""

    def __init__(
        self,
        per_minute: int,
        *,
        max_clients: int = MAX_TRACKED_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> float:
        """Take one token for ``client``: 0.0 if granted, else seconds until one is available."""
        now = self._clock()
        tokens, last = self._buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.refill_per_second)
        if tokens >= 1.0:
            self._remember(client, tokens - 1.0, now)
            return 0.0
        self._remember(client, tokens, now)
        return (1.0 - tokens) / self.refill_per_second

    def _remember(self, client: str, tokens: float, now: float) -> None:
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)


class Limits:
    """The limits of one application; create it once per app (see ``services.py``)."""

    def __init__(self, settings: LimitSettings) -> None:
        self.settings = settings
        self._rate = (
            TokenBucketLimiter(settings.rate_per_minute) if settings.rate_per_minute > 0 else None
        )
        # Created lazily so it belongs to the loop that serves the requests.
        self._slots: asyncio.Semaphore | None = None

    def check_body_size(self, request: web.Request) -> None:
        """Refuse a declared body larger than the cap (aiohttp enforces it again on read)."""
        declared = request.content_length
        if declared is not None and declared > self.settings.max_body_bytes:
            raise RequestTooLargeError(
                f"The request body is {declared} bytes; the limit is "
                f"{self.settings.max_body_bytes} bytes."
            )

    def check_rate(self, request: web.Request) -> None:
        """Take one token for the caller's address or raise :class:`RateLimitedError`."""
        if self._rate is None:
            return
        wait = self._rate.take(client_address(request))
        if wait > 0:
            raise RateLimitedError(
                f"This client sent more than {self.settings.rate_per_minute} requests a "
                "minute; try again later.",
                retry_after=max(1, math.ceil(wait)),
            )

    @asynccontextmanager
    async def verification_slot(self) -> AsyncIterator[None]:
        """Hold one of the concurrent-verification slots; 503 if none frees up in time."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.settings.max_concurrent)
        slots = self._slots
        try:
            if slots.locked():  # only a queued request pays for a timeout
                async with asyncio.timeout(self.settings.queue_seconds):
                    await slots.acquire()
            else:
                await slots.acquire()  # free: returns at once, without suspending
        except TimeoutError:
            raise VerificationBusyError(
                f"{self.settings.max_concurrent} verifications are already running; "
                "try again in a moment."
            ) from None
        try:
            yield
        finally:
            slots.release()


LIMITS_KEY = web.AppKey("satchel.limits", Limits)


def limits_of(request: web.Request) -> Limits:
    """The application's :class:`Limits` (works from sub-applications too)."""
    return request.config_dict[LIMITS_KEY]


def limited(handler: Handler) -> Handler:
    """Apply the rate limit and hold one verification slot for the whole handler."""

    @wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        limits = limits_of(request)
        limits.check_rate(request)
        async with limits.verification_slot():
            return await handler(request)

    return wrapper


@web.middleware
async def limits_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse oversized declared bodies and turn :class:`LimitError` into problem details.

    A route whose handler has ``renders_limit_errors = True`` (the HTML pages, which answer
    people with a readable page) is left alone: it checks and renders limits itself.
    """
    if getattr(request.match_info.handler, "renders_limit_errors", False):
        return await handler(request)
    try:
        limits = request.config_dict.get(LIMITS_KEY)
        if limits is not None:
            limits.check_body_size(request)
        return await handler(request)
    except LimitError as exc:
        response = problem_response(exc.status, exc.type, exc.title, exc.detail)
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

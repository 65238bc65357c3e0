"""Who is calling: session cookies (browsers) and personal API tokens (scripts, apps).

Stable API for every wallet route module:

- :class:`Principal` ``(account_id, via, scopes)``: ``via`` is ``"session"`` or ``"token"``; a
  session carries every scope, a token only those it was created with.
- :data:`SCOPES`: the scopes a token may hold.
- :func:`require(*scopes)`: decorator for handlers. No valid session or token → 401 problem;
  a token lacking a scope → 403; a cookie-authenticated request with an unsafe method (POST,
  PUT, PATCH, DELETE) must carry the session's CSRF token in the ``X-CSRF-Token`` header (or a
  ``csrf_token`` field of a form post) → 403 otherwise. Token requests need no CSRF token: a
  browser never attaches an ``Authorization`` header on its own.
- :func:`principal_of(request)`: the caller (401 when there is none).

Secrets are never stored: a session document's ``_id`` and a token's ``token_hash`` are the
SHA-256 of the secret the client holds, so a database dump lets nobody sign in.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Literal

from aiohttp import web

from satchel.errors import SatchelError
from satchel.request_body import reading_body
from satchel.validator.web.limits import RateLimitedError
from satchel.wallet.secrets import SCOPES, secret_hash
from satchel.wallet.services import WalletServices, iso, wallet_of

SESSION_COOKIE = "satchel_session"
CSRF_COOKIE = "satchel_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class UnauthenticatedError(SatchelError):
    type = "unauthenticated"
    title = "Sign-in required"
    status = 401


class ForbiddenError(SatchelError):
    type = "forbidden"
    title = "Not allowed"
    status = 403


class CsrfError(ForbiddenError):
    type = "csrf-token-invalid"
    title = "Missing or wrong CSRF token"


@dataclass(frozen=True)
class Principal:
    account_id: str
    via: Literal["session", "token"]
    scopes: frozenset[str]
    # The session's id (its hash) or the token's document id: lets logout and "recent
    # sign-in" checks find the credential that authenticated this request.
    credential_id: str = ""
    authenticated_at: str = ""

    def has(self, scope: str) -> bool:
        return scope in self.scopes


# Set once per request by authenticate(): the caller, or None when anonymous.
_PRINCIPAL: web.RequestKey[Principal | None] = web.RequestKey("satchel.principal")


def csrf_token_for(session_secret: str) -> str:
    """The session's CSRF token: derived from the (HttpOnly) session secret, so it needs no
    storage and a page on another site, which cannot read the secret, cannot compute it."""
    return hashlib.sha256(b"satchel-csrf\0" + session_secret.encode()).hexdigest()


async def authenticate(request: web.Request) -> Principal | None:
    """The caller from a Bearer token or else the session cookie; None when neither is valid.

    A request that presents a Bearer token is judged by it alone (an invalid token is not
    rescued by a cookie)."""
    if _PRINCIPAL in request:
        return request[_PRINCIPAL]
    services = wallet_of(request)
    header = request.headers.get("Authorization", "")
    if header:
        principal = await _from_bearer(services, header)
    else:
        principal = await _from_session(services, request.cookies.get(SESSION_COOKIE, ""))
    request[_PRINCIPAL] = principal
    return principal


async def _from_bearer(services: WalletServices, header: str) -> Principal | None:
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    page = await services.store.find(
        "api_tokens", {"token_hash": secret_hash(secret.strip())}, limit=1
    )
    if not page.items or page.items[0].get("revoked"):
        return None
    token = page.items[0]
    return Principal(
        account_id=token["account_id"],
        via="token",
        scopes=frozenset(token["scopes"]) & SCOPES,
        credential_id=token["_id"],
        authenticated_at=token["created_at"],
    )


async def _from_session(services: WalletServices, secret: str) -> Principal | None:
    if not secret:
        return None
    session = await services.store.get("sessions", secret_hash(secret))
    if session is None or session["expires_at"] <= iso(services.now()):
        return None
    return Principal(
        account_id=session["account_id"],
        via="session",
        scopes=SCOPES,
        credential_id=session["_id"],
        authenticated_at=session["created_at"],
    )


async def principal_of(request: web.Request) -> Principal:
    principal = await authenticate(request)
    if principal is None:
        raise UnauthenticatedError(
            "Sign in (session cookie) or send 'Authorization: Bearer <API token>'."
        )
    return principal


def require(*scopes: str) -> Callable[[Handler], Handler]:
    """Decorate a handler: authenticated caller holding ``scopes``; CSRF for cookie writes."""
    unknown = set(scopes) - SCOPES
    if unknown:
        raise ValueError(f"unknown scopes {sorted(unknown)}")

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            principal = await principal_of(request)
            missing = [scope for scope in scopes if not principal.has(scope)]
            if missing:
                raise ForbiddenError(f"This API token lacks the scope(s) {', '.join(missing)}.")
            if principal.via == "session" and request.method not in SAFE_METHODS:
                await check_csrf(request)
            return await handler(request)

        return wrapper

    return decorate


async def check_csrf(request: web.Request) -> None:
    """The CSRF token (header, or form field of a form post) must match the session cookie."""
    secret = request.cookies.get(SESSION_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.content_type in FORM_TYPES:
        with reading_body("form"):
            form = await request.post()  # cached by aiohttp: the handler can read it again
        field = form.get(CSRF_FORM_FIELD)
        sent = field if isinstance(field, str) else ""
    if not secret or not sent or not hmac.compare_digest(sent, csrf_token_for(secret)):
        raise CsrfError(
            f"A signed-in browser request that changes something must send the {CSRF_HEADER} "
            "header (the csrf_token returned at sign-in, also in the satchel_csrf cookie)."
        )


def set_session_cookies(
    response: web.StreamResponse, secret: str, *, secure: bool, max_age: int
) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=secure,
    )
    # Double-submit copy for browser scripts: readable (not HttpOnly) but useless to another
    # site, which can neither read it nor set the X-CSRF-Token header on a cross-site request.
    response.set_cookie(
        CSRF_COOKIE,
        csrf_token_for(secret),
        max_age=max_age,
        path="/",
        httponly=False,
        samesite="Lax",
        secure=secure,
    )


def clear_session_cookies(response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")


class AttemptLimiter:
    """Counts failures per key in a sliding window; refuses while ``limit`` are recorded.

    In memory, per process: behind several instances each one slows an attacker on its own,
    which still caps guesses at ``limit`` times the instances per window."""

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, list[float]] = OrderedDict()

    def check(self, keys: Iterable[str]) -> None:
        """Raise :class:`RateLimitedError` when any key already has ``limit`` failures."""
        now = self._clock()
        for key in keys:
            recent = self._recent(key, now)
            if len(recent) >= self.limit:
                retry = max(1, math.ceil(recent[0] + self.window - now))
                raise RateLimitedError(
                    "Too many attempts; wait a while before trying again.", retry_after=retry
                )

    def record(self, keys: Iterable[str]) -> None:
        now = self._clock()
        for key in keys:
            recent = self._recent(key, now)
            recent.append(now)
            self._failures[key] = recent
            self._failures.move_to_end(key)
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def _recent(self, key: str, now: float) -> list[float]:
        return [t for t in self._failures.get(key, []) if t > now - self.window]

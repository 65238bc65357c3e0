"""Accounts over HTTP: registration, email verification, sign-in, API tokens, password reset,
email addresses, keys, merge and deletion (JSON under ``/api/v1/``), plus the two pages the
mailed links open in a browser (``/verify-email`` and ``/reset-password``).

JSON endpoints accept only ``application/json`` bodies (415 otherwise): a cross-site HTML
form cannot send that type, which keeps sign-in and registration safe from login CSRF;
signed-in writes also need the CSRF token (see :mod:`satchel.wallet.web.auth`).

Brute force: failed sign-ins (and merge proofs) are counted per address and per client
address; 10 failures on one address or 50 from one client within 15 minutes answer 429 until
the window passes. Requests that mail someone (register, reset, add address) are capped per
address and per client too, so nobody can flood a mailbox.
"""

from __future__ import annotations

import html
from typing import Any

from aiohttp import web

from satchel.config import client_address
from satchel.json_body import json_response
from satchel.request_body import reading_body
from satchel.wallet import accounts, identity
from satchel.wallet.passwords import verify_password
from satchel.wallet.secrets import SCOPES
from satchel.wallet.services import wallet_of
from satchel.wallet.web.auth import (
    CSRF_HEADER,
    SESSION_COOKIE,
    AttemptLimiter,
    Principal,
    check_csrf,
    clear_session_cookies,
    csrf_token_for,
    principal_of,
    require,
    set_session_cookies,
)

LOGIN_FAILURES_PER_ADDRESS = 10
LOGIN_FAILURES_PER_CLIENT = 50
LOGIN_WINDOW_SECONDS = 15 * 60
MAILS_PER_ADDRESS = 5
MAILS_PER_CLIENT = 30
MAIL_WINDOW_SECONDS = 60 * 60


class AccountLimits:
    """The in-memory attempt counters of one application."""

    def __init__(self) -> None:
        self.login_per_address = AttemptLimiter(LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW_SECONDS)
        self.login_per_client = AttemptLimiter(LOGIN_FAILURES_PER_CLIENT, LOGIN_WINDOW_SECONDS)
        self.mail_per_address = AttemptLimiter(MAILS_PER_ADDRESS, MAIL_WINDOW_SECONDS)
        self.mail_per_client = AttemptLimiter(MAILS_PER_CLIENT, MAIL_WINDOW_SECONDS)


LIMITS_KEY = web.AppKey("satchel.account-limits", AccountLimits)


class UnsupportedMediaTypeError(accounts.AccountError):
    type = "unsupported-media-type"
    title = "JSON body expected"
    status = 415


# --------------------------------------------------------------------------- helpers


async def read_json(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise UnsupportedMediaTypeError("Send the body as application/json.")
    try:
        body = await request.json()
    except ValueError:
        raise accounts.AccountError("The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise accounts.AccountError("The body must be a JSON object.")
    return body


def _limits(request: web.Request) -> AccountLimits:
    return request.config_dict[LIMITS_KEY]


def _client_key(request: web.Request) -> str:
    return "client:" + client_address(request)


def _address_key(value: object) -> str:
    return "address:" + (value.strip().lower() if isinstance(value, str) else "")


def _check_login_limits(request: web.Request, email: object) -> None:
    limits = _limits(request)
    limits.login_per_address.check([_address_key(email)])
    limits.login_per_client.check([_client_key(request)])


def _record_login_failure(request: web.Request, email: object) -> None:
    limits = _limits(request)
    limits.login_per_address.record([_address_key(email)])
    limits.login_per_client.record([_client_key(request)])


def _take_mail_allowance(request: web.Request, email: object) -> None:
    limits = _limits(request)
    limits.mail_per_address.check([_address_key(email)])
    limits.mail_per_client.check([_client_key(request)])
    limits.mail_per_address.record([_address_key(email)])
    limits.mail_per_client.record([_client_key(request)])


async def checked_credentials(request: web.Request, email: object, password: object) -> str:
    """``accounts.check_credentials`` under the sign-in attempt limits."""
    _check_login_limits(request, email)
    try:
        return await accounts.check_credentials(wallet_of(request), email, password)
    except (accounts.InvalidCredentialsError, accounts.EmailNotVerifiedError):
        _record_login_failure(request, email)
        raise


def secure_cookies(request: web.Request) -> bool:
    public_url = wallet_of(request).settings.public_url or ""
    return public_url.lower().startswith("https://")


PENDING = {
    "status": "pending",
    "detail": "If the address can be used, a message with a link is on its way to it.",
}


# --------------------------------------------------------------------------- registration


async def register_account(request: web.Request) -> web.Response:
    body = await read_json(request)
    _take_mail_allowance(request, body.get("email"))
    await accounts.register(wallet_of(request), body.get("email"), body.get("password"))
    return json_response(PENDING, status=202)


async def verify_email_api(request: web.Request) -> web.Response:
    body = await read_json(request)
    email = await accounts.verify_email(wallet_of(request), body.get("token"))
    return json_response({"email": email["address"], "verified": True})


async def verify_email_page(request: web.Request) -> web.Response:
    try:
        email = await accounts.verify_email(wallet_of(request), request.query.get("token"))
    except accounts.AccountError as exc:
        return _page("Link not usable", exc.detail, status=exc.status)
    return _page(
        "Address confirmed",
        f"{email['address']} is confirmed. You can close this page and sign in.",
    )


def _page(title: str, message: str, *, status: int = 200, form: str = "") -> web.Response:
    text = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width">'
        f"<title>{html.escape(title)} · Satchel</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>{form}</body></html>"
    )
    return web.Response(text=text, status=status, content_type="text/html")


# --------------------------------------------------------------------------- password reset


async def request_reset(request: web.Request) -> web.Response:
    body = await read_json(request)
    _take_mail_allowance(request, body.get("email"))
    await accounts.request_password_reset(wallet_of(request), body.get("email"))
    return json_response(PENDING, status=202)


async def confirm_reset(request: web.Request) -> web.Response:
    body = await read_json(request)
    await accounts.confirm_password_reset(
        wallet_of(request), body.get("token"), body.get("password")
    )
    response = json_response({"status": "password-changed"})
    clear_session_cookies(response)
    return response


async def reset_page(request: web.Request) -> web.Response:
    token = html.escape(request.query.get("token", ""), quote=True)
    form = (
        '<form method=post action="/reset-password">'
        f'<input type=hidden name=token value="{token}">'
        "<label>New password <input type=password name=password minlength=10 "
        "maxlength=1024 required autocomplete=new-password></label> "
        "<button type=submit>Set password</button></form>"
    )
    return _page("Choose a new password", "At least 10 characters.", form=form)


async def reset_page_submit(request: web.Request) -> web.Response:
    with reading_body("form"):
        form = await request.post()
    token, password = form.get("token"), form.get("password")
    try:
        await accounts.confirm_password_reset(wallet_of(request), token, password)
    except accounts.AccountError as exc:
        return _page("Password not changed", exc.detail, status=exc.status)
    response = _page("Password changed", "Sign in with your new password.")
    clear_session_cookies(response)
    return response


# --------------------------------------------------------------------------- session


async def sign_in(request: web.Request) -> web.Response:
    body = await read_json(request)
    account_id = await checked_credentials(request, body.get("email"), body.get("password"))
    services = wallet_of(request)
    old = request.cookies.get(SESSION_COOKIE)
    session = await accounts.create_session(services, account_id, replacing=old)
    response = json_response(
        {
            "account_id": account_id,
            "csrf_token": csrf_token_for(session.secret),
            "csrf_header": CSRF_HEADER,
            "expires_at": session.expires_at,
        }
    )
    max_age = int(accounts.SESSION_LIFETIME.total_seconds())
    set_session_cookies(response, session.secret, secure=secure_cookies(request), max_age=max_age)
    return response


async def sign_out(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    if principal.via != "session":
        raise accounts.AccountConflictError(
            "Sign-out ends a browser session; revoke tokens instead."
        )
    await check_csrf(request)
    await accounts.delete_session(wallet_of(request), principal.credential_id)
    response = web.Response(status=204)
    clear_session_cookies(response)
    return response


# --------------------------------------------------------------------------- account


@require("account:read")
async def get_account(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    return json_response(await accounts.profile(wallet_of(request), principal.account_id))


@require("account:write")
async def delete_account(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    services = wallet_of(request)
    body = await read_json(request) if request.can_read_body else {}
    await _confirm_identity(request, principal, body.get("password"))
    await accounts.delete_account(services, principal.account_id)
    response = web.Response(status=204)
    clear_session_cookies(response)
    return response


async def _confirm_identity(request: web.Request, principal: Principal, password: object) -> None:
    """A dangerous action needs the password, or a session signed in within 15 minutes."""
    services = wallet_of(request)
    if password is None:
        if principal.via == "session" and accounts.signed_in_recently(
            services, principal.authenticated_at
        ):
            return
        raise accounts.ReauthenticationRequiredError(
            "Send your password (field 'password') to confirm."
        )
    key = "account:" + principal.account_id
    _limits(request).login_per_address.check([key])
    account = await accounts.get_account(services.store, principal.account_id)
    if not isinstance(password, str) or not await verify_password(
        account["password_hash"], password
    ):
        _limits(request).login_per_address.record([key])
        raise accounts.ReauthenticationRequiredError("That password is not right.")


@require("account:write")
async def add_email(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    body = await read_json(request)
    _take_mail_allowance(request, body.get("email"))
    email = await accounts.add_email(wallet_of(request), principal.account_id, body.get("email"))
    return json_response(accounts.email_view(email), status=202)


@require("account:write")
async def resend_verification(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    services = wallet_of(request)
    email_id = request.match_info["email_id"]
    _take_mail_allowance(request, "email-id:" + email_id)
    email = await accounts.resend_verification(services, principal.account_id, email_id)
    return json_response(accounts.email_view(email), status=202)


@require("account:write")
async def change_password(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    body = await read_json(request)
    key = "account:" + principal.account_id
    _limits(request).login_per_address.check([key])
    try:
        await accounts.change_password(
            wallet_of(request),
            principal.account_id,
            body.get("current_password"),
            body.get("new_password"),
            keep_session=principal.credential_id if principal.via == "session" else None,
        )
    except accounts.ReauthenticationRequiredError:
        _limits(request).login_per_address.record([key])
        raise
    return web.Response(status=204)


@require("account:write")
async def remove_email(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    email_id = request.match_info["email_id"]
    await accounts.remove_email(wallet_of(request), principal.account_id, email_id)
    return web.Response(status=204)


@require("account:write")
async def set_primary_email(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    body = await read_json(request)
    email_id = body.get("email_id")
    if not isinstance(email_id, str):
        raise accounts.AccountError("email_id (the id of a verified address) is required.")
    services = wallet_of(request)
    await accounts.set_primary_email(services, principal.account_id, email_id)
    return json_response(await accounts.profile(services, principal.account_id))


@require("account:write")
async def rotate_key(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    document = await accounts.rotate_key(wallet_of(request), principal.account_id)
    return json_response(identity.public_key_view(document), status=201)


@require("account:write")
async def merge_account(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    body = await read_json(request)
    email, password = body.get("email"), body.get("password")
    _check_login_limits(request, email)
    try:
        report = await accounts.merge_accounts(
            wallet_of(request), principal.account_id, email, password
        )
    except (accounts.InvalidCredentialsError, accounts.EmailNotVerifiedError):
        _record_login_failure(request, email)
        raise
    return json_response(report.to_json())


# --------------------------------------------------------------------------- tokens


@require("account:read")
async def list_tokens(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    tokens = await accounts.list_api_tokens(wallet_of(request), principal.account_id)
    return json_response({"tokens": [accounts.token_view(t) for t in tokens]})


@require("account:write")
async def create_token(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    body = await read_json(request)
    new = await accounts.create_api_token(
        wallet_of(request),
        principal.account_id,
        body.get("name"),
        body.get("scopes"),
        allowed=principal.scopes,
    )
    return json_response({**accounts.token_view(new.document), "token": new.secret}, status=201)


@require("account:write")
async def revoke_token(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    await accounts.revoke_api_token(
        wallet_of(request), principal.account_id, request.match_info["token_id"]
    )
    return web.Response(status=204)


# --------------------------------------------------------------------------- registration


def register(app: web.Application) -> None:
    app[LIMITS_KEY] = AccountLimits()
    add = app.router
    add.add_post("/api/v1/accounts", register_account)
    add.add_post("/api/v1/accounts/verify-email", verify_email_api)
    add.add_get("/verify-email", verify_email_page)
    add.add_get("/reset-password", reset_page)
    add.add_post("/reset-password", reset_page_submit)
    add.add_post("/api/v1/password-reset", request_reset)
    add.add_post("/api/v1/password-reset/confirm", confirm_reset)
    add.add_post("/api/v1/session", sign_in)
    add.add_delete("/api/v1/session", sign_out)
    add.add_get("/api/v1/account", get_account)
    add.add_delete("/api/v1/account", delete_account)
    add.add_post("/api/v1/account/emails", add_email)
    add.add_delete("/api/v1/account/emails/{email_id}", remove_email)
    add.add_post("/api/v1/account/emails/{email_id}/verification", resend_verification)
    add.add_put("/api/v1/account/password", change_password)
    add.add_put("/api/v1/account/primary-email", set_primary_email)
    add.add_post("/api/v1/account/keys/rotate", rotate_key)
    add.add_post("/api/v1/account/merge", merge_account)
    add.add_get("/api/v1/tokens", list_tokens)
    add.add_post("/api/v1/tokens", create_token)
    add.add_delete("/api/v1/tokens/{token_id}", revoke_token)


# --------------------------------------------------------------------------- OpenAPI


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


def _ok(description: str, schema: str | None = None) -> dict[str, Any]:
    if schema is None:
        return {"description": description}
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _problems(*statuses: str) -> dict[str, Any]:
    content = {"application/problem+json": {"schema": _ref("Problem")}}
    described = {
        "400": "Malformed input.",
        "401": "Not signed in, or wrong email or password.",
        "403": "Missing scope, missing CSRF token, or the confirmation was refused.",
        "404": "No such item on this account.",
        "409": "Not possible in the account's current state.",
        "415": "The body is not application/json.",
        "429": "Too many attempts; see Retry-After.",
        "500": "Internal error (never with a stack trace).",
        "502": "Email could not be sent.",
    }
    chosen = ("400", "415", "500", *statuses)
    return {status: {"description": described[status], "content": content} for status in chosen}


AUTHED = ("401", "403")
_PAGE = {"description": "An HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}}
_TOKEN_QUERY = [{"name": "token", "in": "query", "required": True, "schema": {"type": "string"}}]


def _op(
    summary: str, responses: dict[str, Any], body: str | None = None, **extra: Any
) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "tags": ["accounts"], "responses": responses}
    if body is not None:
        operation["requestBody"] = _body(body)
    operation.update(extra)
    return operation


OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/accounts": {
        "post": _op(
            "Register; a verification link is mailed. The same answer whether or not the "
            "address already has an account.",
            {"202": _ok("Pending verification.", "AccountPending"), **_problems("429")},
            "Credentials",
        )
    },
    "/api/v1/accounts/verify-email": {
        "post": _op(
            "Confirm an address with the token from the mailed link.",
            {"200": _ok("Verified.", "EmailVerified"), **_problems("409")},
            "TokenBody",
        )
    },
    "/verify-email": {
        "get": _op(
            "The page the verification link opens: confirms the address.",
            {"200": _PAGE, "400": _PAGE, "409": _PAGE},
            parameters=_TOKEN_QUERY,
        )
    },
    "/reset-password": {
        "get": _op(
            "The page the reset link opens: a form for the new password.",
            {"200": _PAGE},
            parameters=_TOKEN_QUERY,
        ),
        "post": _op(
            "Form post of the reset page (token, password).",
            {"200": _PAGE, "400": _PAGE},
            requestBody={
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {"schema": _ref("PasswordResetConfirm")}
                },
            },
        ),
    },
    "/api/v1/password-reset": {
        "post": _op(
            "Mail a reset link to a verified address; the same answer for any address.",
            {"202": _ok("Pending.", "AccountPending"), **_problems("429")},
            "EmailBody",
        )
    },
    "/api/v1/password-reset/confirm": {
        "post": _op(
            "Set a new password from the reset link; every session of the account ends.",
            {"200": _ok("Changed.", "StatusOnly"), **_problems()},
            "PasswordResetConfirm",
        )
    },
    "/api/v1/session": {
        "post": _op(
            "Sign in: sets the HttpOnly session cookie and returns the CSRF token.",
            {"200": _ok("Signed in.", "Session"), **_problems("401", "403", "429")},
            "Credentials",
        ),
        "delete": _op(
            "Sign out (session cookie and CSRF header).",
            {"204": _ok("Signed out."), **_problems(*AUTHED, "409")},
        ),
    },
    "/api/v1/account": {
        "get": _op(
            "The signed-in account: addresses, DIDs, creation date.",
            {"200": _ok("The profile.", "Account"), **_problems(*AUTHED)},
        ),
        "delete": _op(
            "Erase the account and everything it holds. Needs the password, or a session "
            "signed in within 15 minutes.",
            {"204": _ok("Erased."), **_problems(*AUTHED, "404", "429")},
            requestBody={
                "required": False,
                "content": {"application/json": {"schema": _ref("PasswordBody")}},
            },
        ),
    },
    "/api/v1/account/emails": {
        "post": _op(
            "Add an address; a verification link is mailed to it.",
            {"202": _ok("Added, unverified.", "Email"), **_problems(*AUTHED, "409", "429")},
            "EmailBody",
        )
    },
    "/api/v1/account/emails/{email_id}": {
        "delete": _op(
            "Remove an address (not the primary, not the last verified one).",
            {"204": _ok("Removed."), **_problems(*AUTHED, "404", "409")},
            parameters=[
                {"name": "email_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
        )
    },
    "/api/v1/account/emails/{email_id}/verification": {
        "post": _op(
            "Mail a new verification link to an unverified address of the account.",
            {"202": _ok("Sent.", "Email"), **_problems(*AUTHED, "404", "409", "429")},
            parameters=[
                {"name": "email_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
        )
    },
    "/api/v1/account/password": {
        "put": _op(
            "Change the password (the current one is needed); other sessions end.",
            {"204": _ok("Changed."), **_problems(*AUTHED, "429")},
            "PasswordChange",
        )
    },
    "/api/v1/account/primary-email": {
        "put": _op(
            "Make a verified address the primary one.",
            {"200": _ok("The profile.", "Account"), **_problems(*AUTHED, "404", "409")},
            "PrimaryEmailBody",
        )
    },
    "/api/v1/account/keys/rotate": {
        "post": _op(
            "New signing key and did:key; the old ones stay listed as retired.",
            {"201": _ok("The new key.", "Did"), **_problems(*AUTHED)},
        )
    },
    "/api/v1/account/merge": {
        "post": _op(
            "Merge another account into this one, proven by its email and password.",
            {"200": _ok("What moved.", "MergeReport"), **_problems(*AUTHED, "409", "429")},
            "Credentials",
        )
    },
    "/api/v1/tokens": {
        "get": _op(
            "Personal API tokens (never their secrets).",
            {"200": _ok("The tokens.", "TokenList"), **_problems(*AUTHED)},
        ),
        "post": _op(
            "Create a token; its secret is in this answer only.",
            {"201": _ok("Created.", "NewToken"), **_problems(*AUTHED, "409")},
            "TokenRequest",
        ),
    },
    "/api/v1/tokens/{token_id}": {
        "delete": _op(
            "Revoke a token.",
            {"204": _ok("Revoked."), **_problems(*AUTHED, "404")},
            parameters=[
                {"name": "token_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
        )
    },
}

_STR = {"type": "string"}
_SCOPE_LIST = {"type": "array", "items": {"enum": sorted(SCOPES)}}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "Credentials": {
        "type": "object",
        "required": ["email", "password"],
        "properties": {
            "email": {"type": "string", "format": "email"},
            "password": {"type": "string", "minLength": 10, "maxLength": 1024},
        },
    },
    "EmailBody": {
        "type": "object",
        "required": ["email"],
        "properties": {"email": {"type": "string", "format": "email"}},
    },
    "PasswordBody": {"type": "object", "properties": {"password": _STR}},
    "TokenBody": {"type": "object", "required": ["token"], "properties": {"token": _STR}},
    "PrimaryEmailBody": {
        "type": "object",
        "required": ["email_id"],
        "properties": {"email_id": _STR},
    },
    "PasswordChange": {
        "type": "object",
        "required": ["current_password", "new_password"],
        "properties": {
            "current_password": _STR,
            "new_password": {"type": "string", "minLength": 10, "maxLength": 1024},
        },
    },
    "PasswordResetConfirm": {
        "type": "object",
        "required": ["token", "password"],
        "properties": {"token": _STR, "password": {"type": "string", "minLength": 10}},
    },
    "AccountPending": {
        "type": "object",
        "required": ["status", "detail"],
        "properties": {"status": {"const": "pending"}, "detail": _STR},
    },
    "StatusOnly": {"type": "object", "required": ["status"], "properties": {"status": _STR}},
    "EmailVerified": {
        "type": "object",
        "required": ["email", "verified"],
        "properties": {"email": _STR, "verified": {"const": True}},
    },
    "Session": {
        "type": "object",
        "required": ["account_id", "csrf_token", "csrf_header", "expires_at"],
        "properties": {
            "account_id": _STR,
            "csrf_token": _STR,
            "csrf_header": {"const": CSRF_HEADER},
            "expires_at": {"type": "string", "format": "date-time"},
        },
    },
    "Email": {
        "type": "object",
        "required": ["id", "address", "verified", "primary"],
        "properties": {
            "id": _STR,
            "address": _STR,
            "verified": {"type": "boolean"},
            "primary": {"type": "boolean"},
        },
        "additionalProperties": False,
    },
    "Did": {
        "type": "object",
        "required": ["did", "status", "created_at"],
        "properties": {
            "did": {"type": "string", "pattern": "^did:key:"},
            "status": {"enum": ["current", "retired"]},
            "created_at": {"type": "string", "format": "date-time"},
        },
        "additionalProperties": False,
    },
    "Account": {
        "type": "object",
        "required": ["id", "created_at", "emails", "did", "dids"],
        "properties": {
            "id": _STR,
            "created_at": {"type": "string", "format": "date-time"},
            "emails": {"type": "array", "items": _ref("Email")},
            "did": {"type": ["string", "null"], "description": "The current DID."},
            "dids": {"type": "array", "items": _ref("Did"), "description": "Newest first."},
        },
        "additionalProperties": False,
    },
    "Token": {
        "type": "object",
        "required": ["id", "name", "scopes", "created_at", "revoked"],
        "properties": {
            "id": _STR,
            "name": _STR,
            "scopes": _SCOPE_LIST,
            "created_at": {"type": "string", "format": "date-time"},
            "revoked": {"type": "boolean"},
            "revoked_at": {"type": "string", "format": "date-time"},
        },
        "additionalProperties": False,
    },
    "NewToken": {
        "type": "object",
        "required": ["id", "name", "scopes", "created_at", "revoked", "token"],
        "properties": {
            "id": _STR,
            "name": _STR,
            "scopes": _SCOPE_LIST,
            "created_at": {"type": "string", "format": "date-time"},
            "revoked": {"type": "boolean"},
            "token": {"type": "string", "description": "The secret; shown this once only."},
        },
        "additionalProperties": False,
    },
    "TokenList": {
        "type": "object",
        "required": ["tokens"],
        "properties": {"tokens": {"type": "array", "items": _ref("Token")}},
    },
    "TokenRequest": {
        "type": "object",
        "required": ["name", "scopes"],
        "properties": {"name": {"type": "string", "maxLength": 100}, "scopes": _SCOPE_LIST},
    },
    "MergeReport": {
        "type": "object",
        "required": ["merged_account_id", "moved", "duplicates", "renamed_collections", "dids"],
        "properties": {
            "merged_account_id": _STR,
            "moved": {"type": "object", "additionalProperties": {"type": "integer"}},
            "duplicates": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kept", "dropped", "reason"],
                    "properties": {
                        "kept": _STR,
                        "dropped": _STR,
                        "reason": {"enum": ["same-bytes", "same-issuer-and-id"]},
                    },
                },
            },
            "renamed_collections": {"type": "array", "items": {"type": "object"}},
            "dids": {"type": "array", "items": _STR},
        },
    },
}

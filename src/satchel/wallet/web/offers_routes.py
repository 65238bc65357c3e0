"""Offers, the issuer inbox and exports over HTTP; the claim page people open from their mail.

JSON API (problem details on error):

- ``POST /api/v1/inbox/grants`` (account:write) authorise an issuer: the inbox token is in the
  answer once; ``GET`` lists grants (account:read); ``DELETE /api/v1/inbox/grants/{id}``
  revokes one.
- ``POST /api/v1/inbox`` the issuer's delivery, ``Authorization: Bearer <inbox token>``, the
  credential as the body (JSON, JWT, or a baked PNG/SVG, kept byte for byte).
- ``GET /api/v1/offers`` (credentials:read), ``GET /api/v1/offers/{id}``,
  ``POST /api/v1/offers/{id}/accept`` and ``/decline`` (offers:write).
- ``GET /api/v1/credentials/{id}/export?format=json|jwt|png|svg`` (credentials:read).
- ``GET /api/v1/account/export`` (account:read): a zip of everything.

Pages (server-rendered, no JavaScript needed, every value escaped, strict CSP):

- ``GET /claim/{token}``: sign-in form when signed out; the badge, its verdict and Accept /
  Decline buttons for its learner; a clear page for an unknown, used or expired link or a
  learner it was not sent to (who learns nothing about the badge).
- ``POST /claim/{token}``: the decision (form field ``decision``; the session's CSRF token).
- ``POST /claim/{token}/sign-in``: e-mail and password, under the same attempt limits as the
  API's sign-in; a cross-site post (its ``Origin`` is another site) is refused.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from yarl import URL

from satchel.errors import SatchelError
from satchel.json_body import json_response
from satchel.request_body import reading_body
from satchel.validator.options import VerificationOptions
from satchel.validator.web import pages
from satchel.validator.web.pages import badge_summary, verdict_of
from satchel.wallet import accounts, credentials, export, indexing, offers
from satchel.wallet.services import iso, wallet_of
from satchel.wallet.web.accounts_routes import checked_credentials, read_json, secure_cookies
from satchel.wallet.web.auth import (
    CSRF_FORM_FIELD,
    SESSION_COOKIE,
    ForbiddenError,
    Principal,
    authenticate,
    check_csrf,
    csrf_token_for,
    principal_of,
    require,
    set_session_cookies,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
JINJA_KEY = web.AppKey("satchel.wallet.pages.jinja", jinja2.Environment)
READ_CHUNK = 256 * 1024


# --- JSON API ---------------------------------------------------------------------------------


@require("account:write")
async def create_grant(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    body = await read_json(request)
    name = body.get("issuerName")
    if not isinstance(name, str):
        raise offers.InvalidOfferRequestError("Give the issuer's name as issuerName.")
    new = await offers.create_grant(wallet_of(request), principal.account_id, name)
    return json_response(
        {"grant": offers.grant_view(new.grant), "token": new.token}, status=201
    )


@require("account:read")
async def list_grants(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    grants = await offers.list_grants(wallet_of(request), principal.account_id)
    return json_response({"grants": [offers.grant_view(g) for g in grants]})


@require("account:write")
async def revoke_grant(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    grant_id = request.match_info["grant_id"]
    await offers.revoke_grant(wallet_of(request), principal.account_id, grant_id)
    return web.Response(status=204)


async def deliver(request: web.Request) -> web.Response:
    """The issuer's side: authenticated by the inbox token alone (no session, no CSRF)."""
    services = wallet_of(request)
    authorization = request.headers.get("Authorization", "")
    await offers.grant_for_token(services, authorization)  # 401 before reading the body
    raw = await request.read()
    if not raw:
        raise offers.InvalidOfferRequestError("Send the credential as the request body.")
    new = await offers.deliver(services, authorization, raw)
    return json_response(
        {"offer": offers.offer_view(new.offer, iso(services.now()))}, status=201
    )


@require("credentials:read")
async def list_offers(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    services = wallet_of(request)
    everything = request.query.get("all", "").lower() in ("1", "true", "yes")
    held = await offers.list_offers(services, principal.account_id, include_decided=everything)
    now = iso(services.now())
    return json_response({"offers": [offers.offer_view(o, now) for o in held]})


@require("credentials:read")
async def get_offer(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    services = wallet_of(request)
    offer = await offers.offer_for_account(
        services, request.match_info["offer_id"], principal.account_id
    )
    return json_response({"offer": offers.offer_view(offer, iso(services.now()))})


@require("offers:write")
async def accept_offer(request: web.Request) -> web.Response:
    return await _decide(request, offers.accept_offer)


@require("offers:write")
async def decline_offer(request: web.Request) -> web.Response:
    return await _decide(request, offers.decline_offer)


async def _decide(request: web.Request, decide: Any) -> web.Response:
    principal = await principal_of(request)
    services = wallet_of(request)
    offer = await offers.offer_for_account(
        services, request.match_info["offer_id"], principal.account_id
    )
    decided = await decide(services, offer, principal.account_id)
    return json_response({"offer": offers.offer_view(decided, iso(services.now()))})


@require("credentials:read")
async def export_credential(request: web.Request) -> web.Response:
    principal = await principal_of(request)
    services = wallet_of(request)
    doc = await credentials.get_credential(services, principal.account_id, request.match_info["id"])
    exported = await export.export_credential(
        doc["raw"],
        request.query.get("format") or None,
        name=str(doc.get("name") or ""),
        fetcher=services.fetcher,
    )
    headers = {
        "Content-Disposition": f'attachment; filename="{exported.filename}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    if exported.image_source:
        headers["X-Satchel-Image-Source"] = exported.image_source
    if exported.media_type == "image/svg+xml":
        # An exported SVG opened from this origin must not run anything it carries.
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return web.Response(body=exported.body, content_type=exported.media_type, headers=headers)


@require("account:read")
async def export_account(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    archive = await export.export_account(wallet_of(request), principal.account_id)
    try:
        response = web.StreamResponse(
            headers={
                "Content-Type": "application/zip",
                "Content-Disposition": f'attachment; filename="{archive.filename}"',
                "Cache-Control": "private, no-store",
            }
        )
        response.content_length = archive.size
        await response.prepare(request)
        while chunk := await asyncio.to_thread(archive.file.read, READ_CHUNK):
            await response.write(chunk)
        await response.write_eof()
        return response
    finally:
        archive.close()


# --- the claim page ---------------------------------------------------------------------------


def render(
    request: web.Request, template: str, context: dict[str, Any], *, status: int = 200
) -> web.Response:
    return pages.render(request, template, context, status=status, app_key=JINJA_KEY)


def _problem_page(request: web.Request, exc: SatchelError) -> web.Response:
    context = {"title": exc.title, "detail": exc.detail}
    return render(request, "wallet/claim_error.html", context, status=exc.status)


def _sign_in_page(
    request: web.Request, token: str, *, error: str = "", email: str = "", status: int = 200
) -> web.Response:
    context = {"token": token, "error": error, "email": email}
    return render(request, "wallet/claim_sign_in.html", context, status=status)


async def claim_page(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    services = wallet_of(request)
    try:
        offer = await offers.offer_for_token(services, token)
        principal = await authenticate(request)
        if principal is None:
            return _sign_in_page(request, token)
        await offers.ensure_decidable(services, offer, principal.account_id)
        return await _offer_page(request, token, offer, principal)
    except SatchelError as exc:
        return _problem_page(request, exc)


async def _offer_page(
    request: web.Request, token: str, offer: dict[str, Any], principal: Principal
) -> web.Response:
    services = wallet_of(request)
    raw = await _offered_bytes(request, offer, principal.account_id)
    # The verdict is about authenticity (signature, issuer key, dates, status); whether the
    # badge names this learner is compared with all their DIDs and verified addresses.
    options = VerificationOptions(now=services.now())
    report = await services.verifier.verify(raw, options)
    recipient = "unknown"
    if report.document is not None:
        learner = await credentials.load_learner(services, principal.account_id)
        recipient, _ = await indexing.match_recipient(
            services.verifier, report.document, report.kind, learner, options
        )
    context = {
        "recipient": recipient,
        "token": token,
        "offer": offers.offer_view(offer, iso(services.now())),
        "badge": badge_summary(report.document, report.linked),
        "verdict": verdict_of(report),
        "csrf_token": _csrf_token(request, principal),
    }
    return render(request, "wallet/claim.html", context)


async def _offered_bytes(request: web.Request, offer: dict[str, Any], account_id: str) -> bytes:
    if offer.get("credential_ref"):
        doc = await credentials.get_credential(
            wallet_of(request), account_id, offer["credential_ref"]
        )
        return bytes(doc["raw"])
    return bytes(offer["raw"])


def _csrf_token(request: web.Request, principal: Principal) -> str:
    if principal.via != "session":
        return ""
    return csrf_token_for(request.cookies.get(SESSION_COOKIE, ""))


async def claim_decision(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    services = wallet_of(request)
    try:
        offer = await offers.offer_for_token(services, token)
        principal = await authenticate(request)
        if principal is None:
            return _sign_in_page(request, token, status=401)
        if principal.via == "session":
            await check_csrf(request)
        with reading_body("form"):
            form = await request.post()
        decision = form.get("decision")
        if decision == "accept":
            decided = await offers.accept_offer(services, offer, principal.account_id)
        elif decision == "decline":
            decided = await offers.decline_offer(services, offer, principal.account_id)
        else:
            raise offers.InvalidOfferRequestError("Choose Accept or Decline.")
    except SatchelError as exc:
        return _problem_page(request, exc)
    context = {"offer": offers.offer_view(decided, iso(services.now()))}
    return render(request, "wallet/claim_done.html", context)


async def claim_sign_in(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    try:
        _refuse_cross_site(request)
        with reading_body("form"):
            form = await request.post()
        email, password = form.get("email"), form.get("password")
        email_text = email if isinstance(email, str) else ""
        try:
            account_id = await checked_credentials(request, email, password)
        except (accounts.InvalidCredentialsError, accounts.EmailNotVerifiedError) as exc:
            return _sign_in_page(request, token, error=exc.detail, email=email_text, status=401)
        services = wallet_of(request)
        old = request.cookies.get(SESSION_COOKIE)
        session = await accounts.create_session(services, account_id, replacing=old)
    except SatchelError as exc:
        return _problem_page(request, exc)
    response = web.Response(status=303, headers={"Location": f"/claim/{token}"})
    max_age = int(accounts.SESSION_LIFETIME.total_seconds())
    set_session_cookies(response, session.secret, secure=secure_cookies(request), max_age=max_age)
    return pages.secured(response)


def _refuse_cross_site(request: web.Request) -> None:
    """Login CSRF: a browser names the posting page's origin; another site's is refused."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return
    mine = {URL(wallet_of(request).base_url).origin(), request.url.origin()}
    try:
        theirs = URL(origin).origin()
    except ValueError:
        theirs = None
    if theirs not in mine:
        raise ForbiddenError("This sign-in form was posted from another site; refused.")


# --- registration and OpenAPI -----------------------------------------------------------------


def register(app: web.Application) -> None:
    pages.setup_templates(app, JINJA_KEY, TEMPLATES_DIR)
    add = app.router
    add.add_post("/api/v1/inbox/grants", create_grant)
    add.add_get("/api/v1/inbox/grants", list_grants)
    add.add_delete("/api/v1/inbox/grants/{grant_id}", revoke_grant)
    add.add_post("/api/v1/inbox", deliver)
    add.add_get("/api/v1/offers", list_offers)
    add.add_get("/api/v1/offers/{offer_id}", get_offer)
    add.add_post("/api/v1/offers/{offer_id}/accept", accept_offer)
    add.add_post("/api/v1/offers/{offer_id}/decline", decline_offer)
    add.add_get("/api/v1/credentials/{id}/export", export_credential)
    add.add_get("/api/v1/account/export", export_account)
    add.add_get("/claim/{token}", claim_page)
    add.add_post("/claim/{token}", claim_decision)
    add.add_post("/claim/{token}/sign-in", claim_sign_in)


JSON = "application/json"
PROBLEM = "application/problem+json"
HTML = "text/html"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(description: str, schema: str, status: str = "200") -> dict[str, Any]:
    return {status: {"description": description, "content": {JSON: {"schema": _ref(schema)}}}}


def _problems(*codes: str) -> dict[str, Any]:
    texts = {
        "400": "Malformed request.",
        "401": "Not signed in, or an unknown/revoked token.",
        "403": "The token lacks a scope, or the CSRF token is missing.",
        "404": "No such item in this account.",
        "409": "Conflict (already decided, duplicate, or a form the credential does not have).",
        "410": "The offer was already decided or has expired.",
        "413": "The body is too large.",
        "415": "JSON body expected.",
        "422": "The credential was refused (it fails verification).",
        "507": "The export is larger than this instance builds at once.",
    }
    problem = {PROBLEM: {"schema": _ref("Problem")}}
    return {code: {"description": texts[code], "content": problem} for code in codes}


def _page(description: str) -> dict[str, Any]:
    return {"description": description, "content": {HTML: {"schema": {"type": "string"}}}}


_OFFER_ID = {"name": "offer_id", "in": "path", "required": True, "schema": {"type": "string"}}
_TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
_FORM = "application/x-www-form-urlencoded"


def _offer_operation(summary: str) -> dict[str, Any]:
    return {
        "summary": summary,
        "tags": ["Offers"],
        "parameters": [_OFFER_ID],
        "responses": {
            **_ok("The offer after the decision.", "OfferResponse"),
            **_problems("401", "403", "404", "410", "422"),
        },
    }


OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/inbox/grants": {
        "post": {
            "summary": "Authorise an issuer to deliver to your inbox (the token is shown once)",
            "tags": ["Offers"],
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": _ref("InboxGrantRequest")}},
            },
            "responses": {
                **_ok("The grant and its secret inbox token.", "NewInboxGrant", "201"),
                **_problems("400", "401", "403", "415"),
            },
        },
        "get": {
            "summary": "Your inbox grants (never their tokens)",
            "tags": ["Offers"],
            "responses": {**_ok("The grants.", "InboxGrantList"), **_problems("401", "403")},
        },
    },
    "/api/v1/inbox/grants/{grant_id}": {
        "delete": {
            "summary": "Revoke an inbox grant",
            "tags": ["Offers"],
            "parameters": [
                {"name": "grant_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "204": {"description": "Revoked (deliveries with its token now get 401)."},
                **_problems("401", "403", "404"),
            },
        }
    },
    "/api/v1/inbox": {
        "post": {
            "summary": "Deliver a credential to a learner's inbox (issuers; Bearer inbox token)",
            "tags": ["Offers"],
            "description": "The body is the credential exactly as issued (JSON, compact JWT, "
            "or a baked PNG/SVG); it is verified and lands pending and private in the "
            "learner's wallet, and the learner is mailed a claim link.",
            "requestBody": {
                "required": True,
                "content": {
                    media: {"schema": {"type": "string"}}
                    for media in (JSON, "application/jwt", "image/png", "image/svg+xml")
                },
            },
            "responses": {
                **_ok("The offer created for the learner.", "OfferResponse", "201"),
                **_problems("400", "401", "409", "413", "422"),
            },
        }
    },
    "/api/v1/offers": {
        "get": {
            "summary": "Badges offered to you (open ones; all=true for decided ones too)",
            "tags": ["Offers"],
            "parameters": [{"name": "all", "in": "query", "schema": {"type": "boolean"}}],
            "responses": {**_ok("The offers.", "OfferList"), **_problems("401", "403")},
        }
    },
    "/api/v1/offers/{offer_id}": {
        "get": {
            "summary": "One offer",
            "tags": ["Offers"],
            "parameters": [_OFFER_ID],
            "responses": {**_ok("The offer.", "OfferResponse"), **_problems("401", "403", "404")},
        }
    },
    "/api/v1/offers/{offer_id}/accept": {"post": _offer_operation("Accept an offer")},
    "/api/v1/offers/{offer_id}/decline": {"post": _offer_operation("Decline an offer")},
    "/api/v1/credentials/{id}/export": {
        "get": {
            "summary": "Export a credential as JSON, JWT, or a baked PNG or SVG",
            "tags": ["Credentials"],
            "description": "json/jwt: the stored bytes verbatim (a credential stored in a "
            "baked image gives the text inside it). png/svg: the stored image verbatim, or "
            "the credential baked into its own image or a placeholder "
            "(X-Satchel-Image-Source says which).",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                {
                    "name": "format",
                    "in": "query",
                    "description": "Default: the form the credential was stored in.",
                    "schema": {"enum": list(export.EXPORT_FORMATS)},
                },
            ],
            "responses": {
                "200": {
                    "description": "The credential file.",
                    "content": {
                        media: {"schema": {"type": "string"}}
                        for media in dict.fromkeys(export.MEDIA_TYPES.values())
                    },
                },
                **_problems("400", "401", "403", "404", "409"),
            },
        }
    },
    "/api/v1/account/export": {
        "get": {
            "summary": "Export all your data (a zip: profile, credentials verbatim, README)",
            "tags": ["Account"],
            "responses": {
                "200": {
                    "description": "The zip archive.",
                    "content": {"application/zip": {"schema": {"type": "string"}}},
                },
                **_problems("401", "403", "507"),
            },
        }
    },
    "/claim/{token}": {
        "get": {
            "summary": "Claim page: see an offered badge and accept or decline it (HTML)",
            "tags": ["Pages"],
            "parameters": [_TOKEN],
            "responses": {
                "200": _page("The badge with Accept / Decline, or a sign-in form."),
                "403": _page("The offer is for someone else."),
                "404": _page("Unknown claim link."),
                "410": _page("The link was used or has expired."),
            },
        },
        "post": {
            "summary": "Accept or decline from the claim page (form with the CSRF token)",
            "tags": ["Pages"],
            "parameters": [_TOKEN],
            "requestBody": {
                "required": True,
                "content": {_FORM: {"schema": _ref("ClaimDecisionForm")}},
            },
            "responses": {
                "200": _page("What was decided."),
                "400": _page("No decision in the form."),
                "401": _page("Not signed in: the sign-in form."),
                "403": _page("Missing CSRF token, or the offer is for someone else."),
                "404": _page("Unknown claim link."),
                "410": _page("The link was used or has expired."),
                "422": _page("The wallet refused the credential."),
            },
        },
    },
    "/claim/{token}/sign-in": {
        "post": {
            "summary": "Sign in from the claim page, then back to it",
            "tags": ["Pages"],
            "parameters": [_TOKEN],
            "requestBody": {
                "required": True,
                "content": {_FORM: {"schema": _ref("ClaimSignInForm")}},
            },
            "responses": {
                "303": {"description": "Signed in: back to the claim page (session cookie)."},
                "401": _page("Wrong e-mail or password (the form again)."),
                "403": _page("Posted from another site."),
                "429": _page("Too many attempts."),
            },
        }
    },
}

_STRING = {"type": "string"}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "Offer": {
        "type": "object",
        "required": ["id", "source", "state", "name", "issuerName", "verified", "createdAt"],
        "properties": {
            "id": _STRING,
            "source": {"enum": ["claim", "inbox"]},
            "state": {"enum": ["open", "accepted", "declined", "expired"]},
            "name": _STRING,
            "issuerName": _STRING,
            "issuerId": _STRING,
            "verified": {"type": "boolean"},
            "createdAt": _STRING,
            "expiresAt": _STRING,
            "decidedAt": _STRING,
            "credentialId": _STRING,
        },
        "additionalProperties": False,
    },
    "OfferResponse": {
        "type": "object",
        "required": ["offer"],
        "properties": {"offer": _ref("Offer")},
    },
    "OfferList": {
        "type": "object",
        "required": ["offers"],
        "properties": {"offers": {"type": "array", "items": _ref("Offer")}},
    },
    "InboxGrantRequest": {
        "type": "object",
        "required": ["issuerName"],
        "properties": {"issuerName": {"type": "string", "minLength": 1, "maxLength": 200}},
    },
    "InboxGrant": {
        "type": "object",
        "required": ["id", "issuerName", "revoked", "createdAt"],
        "properties": {
            "id": _STRING,
            "issuerName": _STRING,
            "revoked": {"type": "boolean"},
            "createdAt": _STRING,
            "revokedAt": _STRING,
        },
        "additionalProperties": False,
    },
    "NewInboxGrant": {
        "type": "object",
        "required": ["grant", "token"],
        "properties": {
            "grant": _ref("InboxGrant"),
            "token": {"type": "string", "description": "Shown once; give it to the issuer."},
        },
    },
    "InboxGrantList": {
        "type": "object",
        "required": ["grants"],
        "properties": {"grants": {"type": "array", "items": _ref("InboxGrant")}},
    },
    "ClaimDecisionForm": {
        "type": "object",
        "required": ["decision"],
        "properties": {"decision": {"enum": ["accept", "decline"]}, CSRF_FORM_FIELD: _STRING},
    },
    "ClaimSignInForm": {
        "type": "object",
        "required": ["email", "password"],
        "properties": {"email": _STRING, "password": _STRING},
    },
}

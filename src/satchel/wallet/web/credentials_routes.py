"""The credential store's JSON API under ``/api/v1/credentials`` and ``/api/v1/collections``.

Every route needs a signed-in learner (session cookie + CSRF header for writes, or an API token
with the ``credentials:read`` / ``credentials:write`` scope). A credential or collection of
another account answers 404, exactly as one that does not exist: existence is not revealed.
The service layer (:mod:`satchel.wallet.credentials`) holds the rules; this module only reads
requests and shapes responses.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import BodyPartReader, web

from satchel.errors import SatchelError
from satchel.json_body import json_response
from satchel.problems import problem_response
from satchel.request_body import reading_body
from satchel.validator.inputs import MalformedInputError, raw_member
from satchel.wallet import credentials as store
from satchel.wallet.credentials import (
    MAX_BATCH_BYTES,
    MAX_BATCH_ITEMS,
    MAX_ITEM_BYTES,
    BatchError,
    CollectionChange,
    CredentialChange,
    CredentialChangeError,
    CredentialQuery,
    DuplicateCredentialError,
    ImportItem,
    ImportResult,
)
from satchel.wallet.services import wallet_of
from satchel.wallet.storage import InvalidQueryError
from satchel.wallet.web.auth import principal_of, require

API = "/api/v1/credentials"
COLLECTIONS_API = "/api/v1/collections"
ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed"})
JSON_TYPES = frozenset({"application/json", "application/ld+json", "application/vc+ld+json"})
READ, WRITE = "credentials:read", "credentials:write"


class ItemTooLargeError(SatchelError):
    type = "input-too-large"
    title = "Input too large"
    status = 413


# ---- one credential -------------------------------------------------------------------------


@require(WRITE)
async def upload(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    services = wallet_of(request)
    item = await _single_item(request)
    result = await store.import_credential(services, principal.account_id, item)
    if result.outcome == "duplicate":
        return _duplicate_problem(result)
    store.raise_for(result)
    doc = await store.get_credential(services, principal.account_id, result.credential_id or "")
    response = json_response(store.credential_view(doc, with_report=True), status=201)
    response.headers["Location"] = f"{API}/{doc['_id']}"
    return response


def _duplicate_problem(result: ImportResult) -> web.Response:
    error = DuplicateCredentialError(result.reason or "", result.credential_id or "")
    return problem_response(
        error.status,
        error.type,
        error.title,
        error.detail,
        existingId=error.existing_id,
        existing=f"{API}/{error.existing_id}",
    )


async def _single_item(request: web.Request) -> ImportItem:
    """The upload as received: a raw body, one multipart file, or JSON {url} / {credential}."""
    if request.content_type == "multipart/form-data":
        return await _form_file(request)
    body = await request.read()
    if request.content_type in JSON_TYPES:
        wrapped = _wrapped_item(body)
        if wrapped is not None:
            return wrapped
    return ImportItem(body, origin="upload")


async def _form_file(request: web.Request) -> ImportItem:
    """The form's file (``post()`` is capped at the app's body size and cached by aiohttp,
    so a CSRF check that read the form first leaves it readable)."""
    with reading_body("multipart form"):
        form = await request.post()
    for value in form.values():
        if isinstance(value, web.FileField):
            return ImportItem(value.file.read(), name=value.filename, origin="upload")
    raise MalformedInputError("The form holds no file.")


def _wrapped_item(body: bytes) -> ImportItem | None:
    """``{"url": …}`` or ``{"credential": …}``; None when the body is the credential itself."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None  # not JSON: the import reports why, as for any unreadable file
    if not isinstance(data, dict) or set(data) not in ({"url"}, {"credential"}):
        return None
    if "url" in data:
        if not isinstance(data["url"], str):
            raise MalformedInputError('"url" must be a string.')
        return ImportItem(data["url"].encode(), origin="url")
    credential = data["credential"]
    if isinstance(credential, str):
        return ImportItem(credential.encode(), origin="upload")
    if isinstance(credential, dict):
        # Keep the credential exactly as the client sent it: signed bytes are sacred.
        raw = raw_member(body.decode("utf-8"), "credential")
        if raw is None:
            raise MalformedInputError('"credential" could not be read from the request body.')
        return ImportItem(raw.encode("utf-8"), origin="upload")
    raise MalformedInputError('"credential" must be a JSON object or a JWT string.')


@require(READ)
async def list_credentials(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    params = request.query
    query = CredentialQuery(
        text=params.get("q"),
        issuer=params.get("issuer"),
        label=params.get("label"),
        collection=params.get("collection"),
        state=params.get("state"),
        status=params.get("status"),
        visibility=params.get("visibility"),
        recipient=params.get("recipient"),
        issued_from=params.get("issued_from"),
        issued_to=params.get("issued_to"),
        sort=params.get("sort", "imported"),
    )
    page = await store.list_credentials(
        wallet_of(request),
        principal.account_id,
        query,
        limit=_limit(request),
        cursor=params.get("cursor") or None,
    )
    return json_response(
        {
            "items": [store.credential_view(doc) for doc in page.items],
            "nextCursor": page.next_cursor,
        }
    )


@require(READ)
async def get_one(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    doc = await store.get_credential(
        wallet_of(request), principal.account_id, request.match_info["id"]
    )
    return json_response(store.credential_view(doc, with_report=True))


@require(READ)
async def get_raw(request: web.Request) -> web.StreamResponse:
    """The bytes exactly as imported, never rendered here (an SVG may hold scripts)."""
    principal = await principal_of(request)
    doc = await store.get_credential(
        wallet_of(request), principal.account_id, request.match_info["id"]
    )
    response = web.Response(body=doc["raw"], content_type=doc["media_type"])
    response.headers["Content-Disposition"] = f'attachment; filename="{store.raw_file_name(doc)}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require(WRITE)
async def patch_one(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    body = await _json_object(request)
    change = CredentialChange(
        state=_optional_str(body, "state"),
        visibility=_optional_str(body, "visibility"),
        labels=_optional_strings(body, "labels"),
        add_labels=_optional_strings(body, "addLabels") or (),
        remove_labels=_optional_strings(body, "removeLabels") or (),
    )
    doc = await store.change_credential(
        wallet_of(request), principal.account_id, request.match_info["id"], change
    )
    return json_response(store.credential_view(doc))


@require(WRITE)
async def delete_one(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    await store.delete_credential(
        wallet_of(request), principal.account_id, request.match_info["id"]
    )
    return web.Response(status=204)


@require(WRITE)
async def verify_one(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    doc = await store.reverify(wallet_of(request), principal.account_id, request.match_info["id"])
    return json_response(store.credential_view(doc, with_report=True))


@require(READ)
async def verdicts(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    page = await store.verdict_history(
        wallet_of(request),
        principal.account_id,
        request.match_info["id"],
        limit=_limit(request),
        cursor=request.query.get("cursor") or None,
    )
    return json_response(
        {"items": [store.verdict_view(doc) for doc in page.items], "nextCursor": page.next_cursor}
    )


@require(WRITE)
async def verify_all(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    summary = await store.reverify_all(wallet_of(request), principal.account_id)
    return json_response(summary.to_json())


# ---- batches --------------------------------------------------------------------------------


@require(WRITE)
async def batch(request: web.Request) -> web.StreamResponse:
    """Many files (multipart) or one zip of files; a per-item report, the good ones stored.

    The app's request-size cap is for single requests; this handler applies the batch caps
    itself (items, bytes per item, bytes per request) while streaming the body.
    """
    principal = await principal_of(request)
    declared = request.content_length
    if declared is not None and declared > MAX_BATCH_BYTES:
        raise ItemTooLargeError(f"A batch is at most {MAX_BATCH_BYTES} bytes.")
    items, refused = await _batch_items(request)
    results = store.refused_results(refused, first_index=len(items))
    results += await store.import_many(wallet_of(request), principal.account_id, items)
    results.sort(key=lambda r: r.index)
    counts = {name: sum(r.outcome == name for r in results) for name in _OUTCOMES}
    return json_response({**counts, "items": [r.to_json() for r in results]})


batch.renders_limit_errors = True  # type: ignore[attr-defined]
_OUTCOMES = ("stored", "duplicate", "rejected")


async def _batch_items(request: web.Request) -> tuple[list[ImportItem], list[tuple[str, str]]]:
    if request.content_type in ZIP_TYPES:
        return _unzipped(await _read_capped(request, MAX_BATCH_BYTES))
    if request.content_type != "multipart/form-data":
        raise BatchError("Send the files as multipart/form-data, or one zip (application/zip).")
    items: list[ImportItem] = []
    refused: list[tuple[str, str]] = []
    async for item in _multipart_files(request, max_items=MAX_BATCH_ITEMS, oversize=refused):
        if item.name and item.name.lower().endswith(".zip"):
            unpacked_items, unpacked_refused = _unzipped(item.data)
            items.extend(unpacked_items)
            refused.extend(unpacked_refused)
            continue
        items.append(item)
    if len(items) > MAX_BATCH_ITEMS:
        raise BatchError(f"A batch holds at most {MAX_BATCH_ITEMS} items.")
    return items, refused


def _unzipped(data: bytes) -> tuple[list[ImportItem], list[tuple[str, str]]]:
    unpacked = store.read_zip(data)
    return unpacked.items, unpacked.refused


async def _read_capped(request: web.Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        total += len(chunk)
        if total > limit:
            raise ItemTooLargeError(f"A batch is at most {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


async def _multipart_files(
    request: web.Request, *, max_items: int, oversize: list[tuple[str, str]]
) -> AsyncIterator[ImportItem]:
    """Yield each file part as an item, streaming; an oversized part is drained and refused."""
    with reading_body("multipart form"):
        reader = await request.multipart()
        total = 0
        count = 0
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or (
                part.filename is None and part.name != "file"
            ):
                continue
            count += 1
            if count > max_items:
                raise BatchError(f"At most {max_items} files per request.")
            name = part.filename or f"file {count}"
            is_zip = name.lower().endswith(".zip")
            data = await _read_part(part, MAX_BATCH_BYTES if is_zip else MAX_ITEM_BYTES)
            if data is None:
                oversize.append((name, f"The file is larger than {MAX_ITEM_BYTES} bytes."))
                continue
            total += len(data)
            if total > MAX_BATCH_BYTES:
                raise ItemTooLargeError(f"A batch is at most {MAX_BATCH_BYTES} bytes.")
            yield ImportItem(data, name=name, origin="batch")


async def _read_part(part: BodyPartReader, limit: int) -> bytes | None:
    """The part's bytes, or None (the rest drained) when it is larger than ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > limit:
            while await part.read_chunk(64 * 1024):
                pass
            return None
        chunks.append(chunk)
    return b"".join(chunks)


# ---- collections ----------------------------------------------------------------------------


@require(READ)
async def list_collections(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    services = wallet_of(request)
    docs = await store.list_collections(services, principal.account_id)
    return json_response({"items": [store.collection_view(doc) for doc in docs]})


@require(WRITE)
async def create_collection(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    body = await _json_object(request)
    name = _optional_str(body, "name")
    if name is None:
        raise CredentialChangeError('A collection needs a "name".')
    doc = await store.create_collection(
        wallet_of(request), principal.account_id, name, _optional_str(body, "description")
    )
    response = json_response(store.collection_view(doc, size=0), status=201)
    response.headers["Location"] = f"{COLLECTIONS_API}/{doc['_id']}"
    return response


@require(READ)
async def get_collection(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    services = wallet_of(request)
    collection_id = request.match_info["id"]
    doc = await store.get_collection(services, principal.account_id, collection_id)
    size = await store.collection_size(services, principal.account_id, collection_id)
    return json_response(store.collection_view(doc, size=size))


@require(WRITE)
async def patch_collection(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    services = wallet_of(request)
    body = await _json_object(request)
    change = CollectionChange(
        name=_optional_str(body, "name"),
        description=_optional_str(body, "description"),
        add=_optional_strings(body, "add") or (),
        remove=_optional_strings(body, "remove") or (),
    )
    collection_id = request.match_info["id"]
    doc = await store.change_collection(services, principal.account_id, collection_id, change)
    size = await store.collection_size(services, principal.account_id, collection_id)
    return json_response(store.collection_view(doc, size=size))


@require(WRITE)
async def delete_collection(request: web.Request) -> web.StreamResponse:
    principal = await principal_of(request)
    await store.delete_collection(
        wallet_of(request), principal.account_id, request.match_info["id"]
    )
    return web.Response(status=204)


# ---- request helpers ------------------------------------------------------------------------


def _limit(request: web.Request) -> int:
    text = request.query.get("limit", "20")
    try:
        return int(text)
    except ValueError:
        raise InvalidQueryError(f"limit must be a whole number, not {text!r}.") from None


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise MalformedInputError("The request body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise MalformedInputError("The request body must be a JSON object.")
    return body


def _optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise CredentialChangeError(f'"{key}" must be a string.')
    return value


def _optional_strings(body: dict[str, Any], key: str) -> tuple[str, ...] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CredentialChangeError(f'"{key}" must be a list of strings.')
    return tuple(value)


def register(app: web.Application) -> None:
    router = app.router
    router.add_post(API, upload)
    router.add_get(API, list_credentials)
    router.add_post(f"{API}/batch", batch)
    router.add_post(f"{API}/verify-all", verify_all)
    router.add_get(API + "/{id}", get_one)
    router.add_patch(API + "/{id}", patch_one)
    router.add_delete(API + "/{id}", delete_one)
    router.add_get(API + "/{id}/raw", get_raw)
    router.add_post(API + "/{id}/verify", verify_one)
    router.add_get(API + "/{id}/verdicts", verdicts)
    router.add_get(COLLECTIONS_API, list_collections)
    router.add_post(COLLECTIONS_API, create_collection)
    router.add_get(COLLECTIONS_API + "/{id}", get_collection)
    router.add_patch(COLLECTIONS_API + "/{id}", patch_collection)
    router.add_delete(COLLECTIONS_API + "/{id}", delete_collection)


# ---- OpenAPI --------------------------------------------------------------------------------

JSON = "application/json"
PROBLEM = "application/problem+json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(description: str, schema: str, status: str = "200") -> dict[str, Any]:
    return {status: {"description": description, "content": {JSON: {"schema": _ref(schema)}}}}


def _problems(*statuses: int) -> dict[str, Any]:
    reasons = {
        400: "Bad request: malformed body, unknown filter value, or a change not allowed.",
        401: "Not signed in (no valid session or API token).",
        403: "The API token lacks the scope, or a cookie request lacks its CSRF token.",
        404: "No such credential or collection in this wallet (also for another account's).",
        409: "Already exists (a duplicate credential, or a collection name in use).",
        413: "The upload is larger than the cap.",
        422: "The credential was rejected (not a badge, or it failed verification).",
    }
    return {
        str(status): {
            "description": reasons[status],
            "content": {PROBLEM: {"schema": _ref("Problem")}},
        }
        for status in (*statuses, 401, 403)
    }


def _op(summary: str, scope: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "summary": summary,
        "description": f"Needs a session or an API token with scope {scope}.",
        "responses": responses,
        **extra,
    }


_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
_CURSOR = [
    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]
_FILTERS = [
    {"name": name, "in": "query", "schema": schema, "description": text}
    for name, schema, text in (
        ("q", {"type": "string"}, "Full-text search (every word; the last as a prefix)."),
        ("issuer", {"type": "string"}, "Issuer id."),
        ("label", {"type": "string"}, "A label the credential carries."),
        ("collection", {"type": "string"}, "A collection id."),
        ("state", {"enum": ["pending", "accepted", "declined"]}, "State."),
        (
            "status",
            {"enum": ["valid", "invalid", "revoked", "suspended", "expired", "unverified"]},
            "Latest verification status.",
        ),
        ("visibility", {"enum": ["private", "public"]}, "Visibility."),
        ("recipient", {"enum": ["matched", "mismatch", "unknown"]}, "Recipient check."),
        ("issued_from", {"type": "string"}, "Issued on or after (date or date-time)."),
        ("issued_to", {"type": "string"}, "Issued on or before (date or date-time)."),
        ("sort", {"enum": ["imported", "issued"]}, "Newest imported (default) or issued first."),
    )
]
_UPLOAD_BODY = {
    "required": True,
    "description": "The badge as a raw body (JSON, JWT, baked PNG or SVG, with its media type), "
    'one multipart file, or JSON {"url": "https://…"} or {"credential": {…} | "<jwt>"}.',
    "content": {
        "application/json": {"schema": {"type": "object"}},
        "application/jwt": {"schema": {"type": "string"}},
        "image/png": {"schema": {"type": "string", "format": "binary"}},
        "image/svg+xml": {"schema": {"type": "string"}},
        "multipart/form-data": {"schema": {"type": "object"}},
    },
}
_BATCH_BODY = {
    "required": True,
    "description": f"Up to {MAX_BATCH_ITEMS} files as multipart/form-data, or one zip of them; "
    f"each at most {MAX_ITEM_BYTES} bytes, {MAX_BATCH_BYTES} bytes in all.",
    "content": {
        "multipart/form-data": {"schema": {"type": "object"}},
        "application/zip": {"schema": {"type": "string", "format": "binary"}},
    },
}
_JSON_BODY = {"required": True, "content": {JSON: {"schema": {"type": "object"}}}}

OPENAPI_PATHS: dict[str, Any] = {
    API: {
        "post": _op(
            "Import one credential (stored verbatim with its verification report)",
            WRITE,
            {
                **_ok("Stored.", "WalletCredentialDetail", "201"),
                **_problems(400, 413, 422),
                "409": {
                    "description": "The wallet already holds this credential.",
                    "content": {PROBLEM: {"schema": _ref("DuplicateCredentialProblem")}},
                },
            },
            requestBody=_UPLOAD_BODY,
        ),
        "get": _op(
            "List, filter and search the learner's credentials (cursor-paginated)",
            READ,
            {**_ok("A page.", "WalletCredentialPage"), **_problems(400)},
            parameters=_FILTERS + _CURSOR,
        ),
    },
    f"{API}/batch": {
        "post": _op(
            "Import many credentials: a per-item report, the good ones stored",
            WRITE,
            {**_ok("The per-item report.", "BatchImportReport"), **_problems(400, 413)},
            requestBody=_BATCH_BODY,
        )
    },
    f"{API}/verify-all": {
        "post": _op(
            "Verify every credential of the learner again",
            WRITE,
            {**_ok("What changed.", "ReverifySummary"), **_problems()},
        )
    },
    API + "/{id}": {
        "get": _op(
            "One credential with its latest report",
            READ,
            {**_ok("The credential.", "WalletCredentialDetail"), **_problems(404)},
            parameters=_ID,
        ),
        "patch": _op(
            "Change state, visibility or labels",
            WRITE,
            {**_ok("The changed credential.", "WalletCredential"), **_problems(400, 404, 409)},
            parameters=_ID,
            requestBody=_JSON_BODY,
        ),
        "delete": _op(
            "Delete the credential and its verdict history",
            WRITE,
            {"204": {"description": "Deleted."}, **_problems(404)},
            parameters=_ID,
        ),
    },
    API + "/{id}/raw": {
        "get": _op(
            "The stored bytes, verbatim, with their media type",
            READ,
            {
                "200": {
                    "description": "The bytes as imported.",
                    "content": {
                        media: {"schema": {"type": "string"}}
                        for media in (
                            "application/json",
                            "application/jwt",
                            "application/vc+jwt",
                            "image/png",
                            "image/svg+xml",
                        )
                    },
                },
                **_problems(404),
            },
            parameters=_ID,
        )
    },
    API + "/{id}/verify": {
        "post": _op(
            "Verify the credential again (a new verdict in its history)",
            WRITE,
            {**_ok("The credential.", "WalletCredentialDetail"), **_problems(404)},
            parameters=_ID,
        )
    },
    API + "/{id}/verdicts": {
        "get": _op(
            "The verdict history, newest first",
            READ,
            {**_ok("A page of verdicts.", "VerdictPage"), **_problems(400, 404)},
            parameters=_ID + _CURSOR,
        )
    },
    COLLECTIONS_API: {
        "get": _op(
            "The learner's collections",
            READ,
            {**_ok("Every collection.", "CredentialCollectionList"), **_problems()},
        ),
        "post": _op(
            "Create a collection",
            WRITE,
            {**_ok("Created.", "CredentialCollection", "201"), **_problems(400, 409)},
            requestBody=_JSON_BODY,
        ),
    },
    COLLECTIONS_API + "/{id}": {
        "get": _op(
            "One collection (its credentials: list with ?collection=<id>)",
            READ,
            {**_ok("The collection.", "CredentialCollection"), **_problems(404)},
            parameters=_ID,
        ),
        "patch": _op(
            "Rename, describe, add or remove credentials",
            WRITE,
            {**_ok("The collection.", "CredentialCollection"), **_problems(400, 404, 409)},
            parameters=_ID,
            requestBody=_JSON_BODY,
        ),
        "delete": _op(
            "Delete the collection (not its credentials)",
            WRITE,
            {"204": {"description": "Deleted."}, **_problems(404)},
            parameters=_ID,
        ),
    },
}

_STR = {"type": "string"}
_STRS = {"type": "array", "items": _STR}
_CREDENTIAL_PROPERTIES: dict[str, Any] = {
    "id": _STR,
    "state": {"enum": ["pending", "accepted", "declined"]},
    "visibility": {"enum": ["private", "public"]},
    "publicId": _STR,
    "status": {"enum": ["valid", "invalid", "revoked", "suspended", "expired", "unverified"]},
    "recipient": {"enum": ["matched", "mismatch", "unknown"]},
    "format": {"enum": ["json", "jwt", "png", "svg"]},
    "mediaType": _STR,
    "kind": {"type": ["string", "null"]},
    "sha256": _STR,
    "size": {"type": "integer"},
    "origin": {"type": ["string", "null"]},
    "types": _STRS,
    "tags": _STRS,
    "labels": _STRS,
    "collections": _STRS,
    "importedAt": _STR,
    "verifiedAt": _STR,
    "updatedAt": _STR,
    "issuer": {
        "type": "object",
        "properties": {"id": {"type": ["string", "null"]}, "name": {"type": ["string", "null"]}},
    },
    "name": _STR,
    "description": _STR,
    "achievementName": _STR,
    "credentialId": _STR,
    "issuedAt": _STR,
    "expiresAt": _STR,
    "fileName": _STR,
    "sourceUrl": _STR,
}
_CREDENTIAL_REQUIRED = [
    "id",
    "state",
    "visibility",
    "status",
    "recipient",
    "format",
    "mediaType",
    "sha256",
    "size",
    "importedAt",
    "verifiedAt",
    "issuer",
]
_REPORT = {
    "type": "object",
    "required": ["verified", "checks"],
    "properties": {
        "verified": {"type": "boolean"},
        "kind": {"type": ["string", "null"]},
        "checks": {"type": "array", "items": _ref("Check")},
    },
}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "WalletCredential": {
        "type": "object",
        "required": _CREDENTIAL_REQUIRED,
        "properties": _CREDENTIAL_PROPERTIES,
        "additionalProperties": False,
    },
    "WalletCredentialDetail": {
        "type": "object",
        "required": [*_CREDENTIAL_REQUIRED, "report", "recipientDetail"],
        "properties": {
            **_CREDENTIAL_PROPERTIES,
            "recipientDetail": {"type": ["string", "null"]},
            "report": _REPORT,
        },
        "additionalProperties": False,
    },
    "WalletCredentialPage": {
        "type": "object",
        "required": ["items", "nextCursor"],
        "properties": {
            "items": {"type": "array", "items": _ref("WalletCredential")},
            "nextCursor": {"type": ["string", "null"]},
        },
    },
    "DuplicateCredentialProblem": {
        "type": "object",
        "required": ["type", "title", "status", "detail", "existingId"],
        "properties": {
            "type": _STR,
            "title": _STR,
            "status": {"type": "integer"},
            "detail": _STR,
            "existingId": _STR,
            "existing": _STR,
        },
    },
    "BatchImportReport": {
        "type": "object",
        "required": ["stored", "duplicate", "rejected", "items"],
        "properties": {
            "stored": {"type": "integer"},
            "duplicate": {"type": "integer"},
            "rejected": {"type": "integer"},
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["index", "outcome"],
                    "properties": {
                        "index": {"type": "integer"},
                        "name": _STR,
                        "outcome": {"enum": ["stored", "duplicate", "rejected"]},
                        "reason": _STR,
                        "credentialId": _STR,
                        "status": _STR,
                        "recipient": _STR,
                        "problem": _STR,
                    },
                    "additionalProperties": False,
                },
            },
        },
    },
    "ReverifySummary": {
        "type": "object",
        "required": ["checked", "changed", "statuses"],
        "properties": {
            "checked": {"type": "integer"},
            "changed": _STRS,
            "statuses": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    },
    "VerdictPage": {
        "type": "object",
        "required": ["items", "nextCursor"],
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["checkedAt", "verified", "status", "recipient", "report"],
                    "properties": {
                        "checkedAt": _STR,
                        "verified": {"type": "boolean"},
                        "status": _STR,
                        "recipient": _STR,
                        "report": _REPORT,
                    },
                },
            },
            "nextCursor": {"type": ["string", "null"]},
        },
    },
    "CredentialCollection": {
        "type": "object",
        "required": ["id", "name", "createdAt", "updatedAt"],
        "properties": {
            "id": _STR,
            "name": _STR,
            "description": _STR,
            "createdAt": _STR,
            "updatedAt": _STR,
            "size": {"type": "integer"},
        },
        "additionalProperties": False,
    },
    "CredentialCollectionList": {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": _ref("CredentialCollection")}},
    },
}

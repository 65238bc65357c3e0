"""Helpers for the account tests: browser-like sign-in, a real SMTP server, OpenAPI checks."""

from __future__ import annotations

import asyncio
import copy
import socket
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from aiosmtpd.controller import Controller
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from satchel.openapi import build_openapi
from satchel.wallet.web.auth import CSRF_HEADER, SESSION_COOKIE

DOC_URI = "urn:satchel:openapi"


@dataclass
class BrowserSession:
    """A signed-in browser: the session cookie and the CSRF token from the sign-in answer."""

    secret: str
    csrf: str
    account_id: str

    def headers(self, *, csrf: bool = True) -> dict[str, str]:
        headers = {"Cookie": f"{SESSION_COOKIE}={self.secret}"}
        if csrf:
            headers[CSRF_HEADER] = self.csrf
        return headers


async def _sign_in(client: TestClient, email: str, password: str) -> BrowserSession:
    response = await client.post("/api/v1/session", json={"email": email, "password": password})
    assert response.status == 200, await response.text()
    body = await response.json()
    secret = response.cookies[SESSION_COOKIE].value
    # Sessions are passed explicitly per request, so several can be used side by side.
    client.session.cookie_jar.clear()
    return BrowserSession(secret=secret, csrf=body["csrf_token"], account_id=body["account_id"])


@pytest.fixture
def sign_in(wallet_app: TestClient) -> Callable[[str, str], Awaitable[BrowserSession]]:
    async def sign(email: str, password: str) -> BrowserSession:
        return await _sign_in(wallet_app, email, password)

    return sign


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    async def wait_for(self, address: str, count: int = 1) -> list[EmailMessage]:
        for _ in range(250):
            found = [m for m in self.messages if m["To"] == address]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(f"no mail to {address} arrived")


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on a free loopback port."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


async def _assert_documented(response: ClientResponse, path: str, method: str) -> None:
    document = build_openapi()
    responses = document["paths"][path][method]["responses"]
    described = responses[str(response.status)]
    if "content" not in described:
        assert response.content_length in (None, 0)
        return
    schema = copy.deepcopy(described["content"][response.content_type]["schema"])
    if response.content_type == "text/html":
        assert isinstance(await response.text(), str)
        return
    registry = Registry().with_resource(
        DOC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    if "$ref" in schema:
        schema["$ref"] = DOC_URI + schema["$ref"]
    Draft202012Validator(schema, registry=registry).validate(await response.json())


@pytest.fixture
def assert_documented() -> Callable[[ClientResponse, str, str], Awaitable[None]]:
    """Checks a real answer against the OpenAPI document (status listed, body valid)."""
    return _assert_documented


async def _all_documents(store: Any) -> dict[str, list[dict[str, Any]]]:
    from satchel.wallet.schema import WALLET_SCHEMA

    found: dict[str, list[dict[str, Any]]] = {}
    for spec in WALLET_SCHEMA.collections:
        documents: list[dict[str, Any]] = []
        after = None
        while True:
            page = await store.find(spec.name, None, limit=1000, after=after)
            documents.extend(page.items)
            if page.next_cursor is None:
                break
            after = page.next_cursor
        found[spec.name] = documents
    return found


@pytest.fixture
def documents_mentioning(wallet_services: Any) -> Callable[..., Awaitable[dict[str, list[Any]]]]:
    """``await documents_mentioning("acc_x", "ada@example.org")``: every stored document, in
    every collection of the wallet schema, whose text contains any of the strings."""

    async def scan(*needles: str) -> dict[str, list[Any]]:
        import json

        hits: dict[str, list[Any]] = {}
        for collection, documents in (await _all_documents(wallet_services.store)).items():
            for document in documents:
                text = json.dumps(document, default=repr)
                if any(needle in text for needle in needles):
                    hits.setdefault(collection, []).append(document)
        return hits

    return scan


@pytest.fixture
def seed_holdings(wallet_services: Any) -> Callable[..., Awaitable[dict[str, str]]]:
    """Stores credentials, verdicts, a collection, an offer and an inbox grant owned by an
    account (directly in the store, as the credentials and offers areas would); returns
    their ids by name."""

    async def seed(
        account_id: str, prefix: str, credentials: list[dict[str, str]]
    ) -> dict[str, str]:
        store = wallet_services.store
        ids: dict[str, str] = {}
        for number, fields in enumerate(credentials):
            doc_id = f"{prefix}-cred-{number}"
            await store.insert(
                "credentials",
                {
                    "_id": doc_id,
                    "owner": account_id,
                    "raw": b"\x00bytes",
                    "state": "accepted",
                    **fields,
                },
            )
            await store.insert(
                "verdicts",
                {
                    "_id": f"{prefix}-verdict-{number}",
                    "credential_ref": doc_id,
                    "owner": account_id,
                    "checked_at": "2026-01-01T00:00:00.000000Z",
                    "verified": True,
                },
            )
            ids[f"cred{number}"] = doc_id
        await store.insert(
            "collections",
            {
                "_id": f"{prefix}-collection",
                "owner": account_id,
                "name": "Favourites",
                "credential_ids": list(ids.values()),
            },
        )
        await store.insert(
            "offers",
            {
                "_id": f"{prefix}-offer",
                "account_id": account_id,
                "email": "x@example.org",
                "state": "pending",
                "created_at": "2026-01-01T00:00:00.000000Z",
                "expires_at": "2099-01-01T00:00:00.000000Z",
            },
        )
        await store.insert(
            "inbox_grants",
            {
                "_id": f"{prefix}-grant",
                "account_id": account_id,
                "token_hash": f"{prefix}-hash",
                "revoked": False,
                "created_at": "2026-01-01T00:00:00.000000Z",
            },
        )
        return ids

    return seed

"""Authorization matrix: for EVERY route the app serves, a second learner and an anonymous
caller can neither read, list, change nor infer the first learner's private credentials,
emails, keys, offers, grants, tokens or collections.

The route list comes from the app's router: a route added later that this test does not
classify fails the test, so no endpoint escapes the matrix.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.validator.proofs.data_integrity import sign
from satchel.wallet import offers

TEMPLATE = (Path(__file__).resolve().parents[1] / "data" / "unsigned-ob30.json").read_text()
MARKER = f"Secret badge {uuid.uuid4().hex[:10]}"

# Routes anyone may call (their own checks apply): registration, sign-in, reset, inbox
# delivery (its own bearer secret), the validator and static pages.
PUBLIC = {
    ("POST", "/api/v1/accounts"),
    ("POST", "/api/v1/accounts/verify-email"),
    ("POST", "/api/v1/session"),
    ("POST", "/api/v1/password-reset"),
    ("POST", "/api/v1/password-reset/confirm"),
    ("GET", "/verify-email"),
    ("GET", "/reset-password"),
    ("POST", "/reset-password"),
    ("POST", "/api/v1/inbox"),
    ("GET", "/claim/{token}"),
    ("POST", "/claim/{token}"),
    ("POST", "/claim/{token}/sign-in"),
    ("POST", "/credentials/issue"),
    ("POST", "/credentials/verify"),
    ("POST", "/presentations/verify"),
    ("GET", "/verify"),
    ("POST", "/verify"),
    ("GET", "/healthz"),
    ("GET", "/version"),
    ("GET", "/openapi.json"),
    ("GET", "/static/validator"),
}


def badge(issuer_key: Any, issuer_did: str, subject: str, name: str) -> bytes:
    document: dict[str, Any] = json.loads(TEMPLATE.replace("ISSUER", issuer_did))
    document["id"] = f"urn:uuid:{uuid.uuid4()}"
    document["name"] = name
    document["credentialSubject"]["id"] = subject
    signed = sign(
        document,
        issuer_key,
        cryptosuite="eddsa-rdfc-2022",
        verification_method=did_key_verification_method_id(issuer_did),
        created=datetime.now(UTC) - timedelta(days=1),
    )
    return json.dumps(signed).encode()


def served_routes(app: Any) -> list[tuple[str, str]]:
    routes = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or info.get("prefix")
        if route.method not in ("HEAD", "OPTIONS") and path:
            routes.add((route.method, path))
    return sorted(routes)


@pytest.fixture
async def world(wallet_app, make_learner) -> dict[str, Any]:
    alice = await make_learner()
    bob = await make_learner()
    key = generate_private_key(KeyType.ED25519)
    issuer = did_key_from_public_key(key.public_key)
    post = wallet_app.post

    raw = badge(key, issuer, alice.did, MARKER)
    imported = await post(
        "/api/v1/credentials",
        data=raw,
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert imported.status == 201, await imported.text()
    credential_id = (await imported.json())["id"]
    collection = await post(
        "/api/v1/collections", json={"name": f"{MARKER} collection"}, headers=alice.headers
    )
    assert collection.status == 201, await collection.text()
    grant = await post("/api/v1/inbox/grants", json={"issuerName": "Issuer"}, headers=alice.headers)
    assert grant.status == 201, await grant.text()
    grant_body = await grant.json()
    delivered = await post(
        "/api/v1/inbox",
        data=badge(key, issuer, alice.did, f"{MARKER} offered"),
        headers={
            "Authorization": f"Bearer {grant_body['token']}",
            "Content-Type": "application/json",
        },
    )
    assert delivered.status in (201, 202), await delivered.text()
    offer_list = await (await wallet_app.get("/api/v1/offers", headers=alice.headers)).json()
    claim = await offers.create_claim_offer(
        alice.services, badge(key, issuer, alice.did, f"{MARKER} claim"), email=alice.email
    )
    tokens = await (await wallet_app.get("/api/v1/tokens", headers=alice.headers)).json()
    account = await (await wallet_app.get("/api/v1/account", headers=alice.headers)).json()
    params = {
        "id": credential_id,
        "email_id": account["emails"][0]["id"],
        "grant_id": grant_body["grant"]["id"],
        "offer_id": offer_list["offers"][0]["id"],
        "token_id": tokens["tokens"][0]["id"],
        "token": claim.claim_url.rsplit("/", 1)[-1],
    }
    collection_id = (await collection.json())["id"]
    secrets_of_alice = [MARKER, alice.email, alice.did, credential_id, grant_body["token"]]
    return {
        "alice": alice,
        "bob": bob,
        "params": params,
        "collection_id": collection_id,
        "secrets": secrets_of_alice,
    }


def concrete(path: str, world: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "id" and path.startswith("/api/v1/collections"):
            return world["collection_id"]
        return world["params"][name]

    return re.sub(r"\{(\w+)\}", value, path)


async def call(client: Any, method: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
    body = {"name": "x", "state": "accepted", "visibility": "public", "labels": ["x"]}
    response = await client.request(method, path, json=body, headers=headers)
    # Exports are zips and images: compare secrets against the raw bytes, read leniently.
    return response.status, (await response.read()).decode("utf-8", errors="replace")


async def test_every_route_is_classified_and_guards_the_first_learners_data(wallet_app, world):
    alice, bob = world["alice"], world["bob"]
    unclassified = []
    checked = 0
    for method, pattern in served_routes(wallet_app.server.app):
        if (method, pattern) in PUBLIC:
            continue
        if not pattern.startswith("/api/v1/"):
            unclassified.append((method, pattern))
            continue
        path = concrete(pattern, world)
        checked += 1
        status, text = await call(wallet_app, method, path, {})
        assert status == 401, (method, pattern, status, text[:200])
        assert not any(secret in text for secret in world["secrets"]), (method, pattern)

        status, text = await call(wallet_app, method, path, bob.headers)
        leaked = [secret for secret in world["secrets"] if secret in text]
        assert not leaked, (method, pattern, status, leaked)
        if "{" in pattern:
            # Another learner's resource: not found, never "forbidden" (which would confirm it).
            assert status == 404, (method, pattern, status, text[:200])
    assert unclassified == [], f"classify these routes in the matrix: {unclassified}"
    assert checked >= 35, checked

    # Nothing Bob did changed Alice's data: her credential is still hers, unchanged.
    mine = await wallet_app.get(
        f"/api/v1/credentials/{world['params']['id']}", headers=alice.headers
    )
    assert mine.status == 200
    detail = await mine.json()
    assert detail["state"] == "accepted" and detail["visibility"] == "private"


async def test_public_routes_reveal_nothing_of_a_learner_to_others(wallet_app, world):
    bob = world["bob"]
    claim = world["params"]["token"]
    for headers in ({}, bob.headers):
        page = await wallet_app.get(f"/claim/{claim}", headers=headers)
        text = await page.text()
        assert MARKER not in text, page.status
        assert world["alice"].email not in text
    inbox = await wallet_app.post(
        "/api/v1/inbox", data=b"{}", headers={**bob.headers, "Content-Type": "application/json"}
    )
    assert inbox.status == 401  # a learner's API token is not an inbox token


async def test_lists_of_the_second_learner_never_include_the_firsts_items(wallet_app, world):
    bob = world["bob"]
    for path in (
        "/api/v1/credentials",
        f"/api/v1/credentials?q={MARKER.split()[-1]}",
        "/api/v1/collections",
        "/api/v1/offers?all=true",
        "/api/v1/inbox/grants",
        "/api/v1/tokens",
        "/api/v1/account",
        "/api/v1/account/export",
    ):
        response = await wallet_app.get(path, headers=bob.headers)
        assert response.status == 200, (path, response.status)
        body = await response.read()
        assert not any(secret.encode() in body for secret in world["secrets"]), path

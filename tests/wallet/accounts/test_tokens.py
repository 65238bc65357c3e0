"""Personal API tokens: shown once, hashed at rest, scoped, revocable."""

from __future__ import annotations

from satchel.wallet import accounts
from satchel.wallet.secrets import SCOPES, secret_hash


async def test_a_new_token_is_shown_once_and_stored_only_hashed(
    wallet_app, make_learner, wallet_services, assert_documented
):
    learner = await make_learner()
    created = await wallet_app.post(
        "/api/v1/tokens",
        json={"name": "backup script", "scopes": ["credentials:read"]},
        headers=learner.headers,
    )
    assert created.status == 201
    await assert_documented(created, "/api/v1/tokens", "post")
    body = await created.json()
    secret = body["token"]
    assert secret.startswith("sat_") and len(secret) >= 47
    stored = await wallet_services.store.get("api_tokens", body["id"])
    assert stored["token_hash"] == secret_hash(secret)
    assert secret not in repr(stored)
    listing = await wallet_app.get("/api/v1/tokens", headers=learner.headers)
    await assert_documented(listing, "/api/v1/tokens", "get")
    tokens = (await listing.json())["tokens"]
    assert {t["name"] for t in tokens} == {"tests", "backup script"}
    assert secret not in await listing.text()
    assert stored["token_hash"] not in await listing.text()
    usable = await wallet_app.get("/api/v1/tokens", headers={"Authorization": f"Bearer {secret}"})
    assert usable.status == 403  # credentials:read only: no account:read


async def test_scopes_are_enforced(wallet_app, make_learner):
    learner = await make_learner()
    token = await accounts.create_api_token(
        learner.services, learner.account_id, "reader", ["account:read"]
    )
    headers = {"Authorization": f"Bearer {token.secret}"}
    assert (await wallet_app.get("/api/v1/account", headers=headers)).status == 200
    write = await wallet_app.post("/api/v1/account/keys/rotate", headers=headers)
    assert write.status == 403
    assert "account:write" in (await write.json())["detail"]


async def test_a_token_cannot_grant_scopes_it_lacks(wallet_app, make_learner):
    learner = await make_learner()
    limited = await accounts.create_api_token(
        learner.services, learner.account_id, "limited", ["account:read", "account:write"]
    )
    response = await wallet_app.post(
        "/api/v1/tokens",
        json={"name": "escalate", "scopes": ["credentials:write"]},
        headers={"Authorization": f"Bearer {limited.secret}"},
    )
    assert response.status == 400
    assert "lacks" in (await response.json())["detail"]


async def test_token_requests_are_validated(wallet_app, make_learner):
    learner = await make_learner()
    for body in (
        {"name": "x", "scopes": ["root"]},
        {"name": "x", "scopes": []},
        {"name": "", "scopes": ["account:read"]},
        {"name": "x" * 101, "scopes": ["account:read"]},
        {"scopes": ["account:read"]},
    ):
        response = await wallet_app.post("/api/v1/tokens", json=body, headers=learner.headers)
        assert response.status == 400, body


async def test_a_revoked_token_is_refused(wallet_app, make_learner, assert_documented):
    learner = await make_learner()
    token = await accounts.create_api_token(
        learner.services, learner.account_id, "old", sorted(SCOPES)
    )
    headers = {"Authorization": f"Bearer {token.secret}"}
    assert (await wallet_app.get("/api/v1/account", headers=headers)).status == 200
    revoked = await wallet_app.delete(
        f"/api/v1/tokens/{token.document['_id']}", headers=learner.headers
    )
    assert revoked.status == 204
    await assert_documented(revoked, "/api/v1/tokens/{token_id}", "delete")
    assert (await wallet_app.get("/api/v1/account", headers=headers)).status == 401
    listed = (await (await wallet_app.get("/api/v1/tokens", headers=learner.headers)).json())[
        "tokens"
    ]
    assert [t["revoked"] for t in listed if t["id"] == token.document["_id"]] == [True]


async def test_nobody_revokes_another_accounts_token(wallet_app, make_learner, assert_documented):
    ada, bob = await make_learner(), await make_learner()
    bobs = (await (await wallet_app.get("/api/v1/tokens", headers=bob.headers)).json())["tokens"]
    response = await wallet_app.delete(f"/api/v1/tokens/{bobs[0]['id']}", headers=ada.headers)
    assert response.status == 404
    await assert_documented(response, "/api/v1/tokens/{token_id}", "delete")
    assert (await wallet_app.get("/api/v1/account", headers=bob.headers)).status == 200

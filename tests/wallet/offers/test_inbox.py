"""The issuer inbox: grants a learner creates and revokes, deliveries that land pending and
private, the learner's offers API (list, accept, decline), and nobody else seeing any of it."""

from __future__ import annotations

import json
import re

from satchel.wallet.storage.port import MAX_PAGE_SIZE

NEW_BADGE_SUBJECT = "You have a new badge waiting"


async def grant(client, learner, issuer_name="Example Issuer"):
    response = await client.post(
        "/api/v1/inbox/grants", json={"issuerName": issuer_name}, headers=learner.headers
    )
    assert response.status == 201, await response.text()
    return await response.json()


async def deliver(client, token, raw, content_type="application/json"):
    return await client.post(
        "/api/v1/inbox",
        data=raw,
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )


async def stored_credentials(learner):
    page = await learner.services.store.find(
        "credentials", {"owner": learner.account_id}, limit=MAX_PAGE_SIZE
    )
    return page.items


async def test_grant_token_is_shown_once_and_stored_only_hashed(wallet_app, make_learner):
    learner = await make_learner()
    created = await grant(wallet_app, learner)
    token = created["token"]
    assert token.startswith("sib_") and len(token) >= 40
    listed = await wallet_app.get("/api/v1/inbox/grants", headers=learner.headers)
    body = await listed.text()
    assert created["grant"]["id"] in body and token not in body
    stored = await learner.services.store.get("inbox_grants", created["grant"]["id"])
    assert token not in json.dumps(stored)


async def test_delivery_lands_pending_and_private_and_the_learner_is_mailed(
    wallet_app, make_learner, issuer
):
    learner = await make_learner()
    token = (await grant(wallet_app, learner, "Open University"))["token"]
    raw = issuer.badge_bytes(learner.did, name="Delivered Badge")
    response = await deliver(wallet_app, token, raw)
    assert response.status == 201, await response.text()
    offer = (await response.json())["offer"]
    assert (offer["source"], offer["state"], offer["name"]) == ("inbox", "open", "Delivered Badge")
    assert offer["issuerName"] == "Open University" and offer["verified"] is True

    (stored,) = await stored_credentials(learner)
    assert stored["raw"] == raw
    assert (stored["state"], stored["visibility"]) == ("pending", "private")
    assert "public_id" not in stored
    assert offer["credentialId"] == stored["_id"]
    (message,) = [
        m for m in wallet_app.mailbox.to(learner.email) if m["Subject"] == NEW_BADGE_SUBJECT
    ]
    assert re.search(r"/claim/[A-Za-z0-9_-]{40,}", message.get_body(("plain",)).get_content())
    listed = await wallet_app.get("/api/v1/offers", headers=learner.headers)
    assert [o["id"] for o in (await listed.json())["offers"]] == [offer["id"]]


async def test_accept_and_decline_through_the_api_set_the_credential_state(
    wallet_app, make_learner, issuer
):
    learner = await make_learner()
    token = (await grant(wallet_app, learner))["token"]
    first = await (await deliver(wallet_app, token, issuer.badge_bytes(learner.did))).json()
    second = await (await deliver(wallet_app, token, issuer.badge_bytes(learner.did, "Two"))).json()
    accept = await wallet_app.post(
        f"/api/v1/offers/{first['offer']['id']}/accept", headers=learner.headers
    )
    assert accept.status == 200 and (await accept.json())["offer"]["state"] == "accepted"
    decline = await wallet_app.post(
        f"/api/v1/offers/{second['offer']['id']}/decline", headers=learner.headers
    )
    assert decline.status == 200 and (await decline.json())["offer"]["state"] == "declined"
    states = {c["_id"]: c["state"] for c in await stored_credentials(learner)}
    assert states == {
        first["offer"]["credentialId"]: "accepted",
        second["offer"]["credentialId"]: "declined",
    }
    again = await wallet_app.post(
        f"/api/v1/offers/{first['offer']['id']}/decline", headers=learner.headers
    )
    assert again.status == 410
    open_now = await wallet_app.get("/api/v1/offers", headers=learner.headers)
    assert (await open_now.json())["offers"] == []


async def test_revoked_unknown_or_wrong_kind_of_token_gets_401_and_stores_nothing(
    wallet_app, make_learner, issuer
):
    learner = await make_learner()
    created = await grant(wallet_app, learner)
    revoke = await wallet_app.delete(
        f"/api/v1/inbox/grants/{created['grant']['id']}", headers=learner.headers
    )
    assert revoke.status == 204
    raw = issuer.badge_bytes(learner.did)
    for token in (created["token"], "sib_" + "A" * 43, learner.token):
        response = await deliver(wallet_app, token, raw)
        assert response.status == 401, token
        assert (await response.json())["type"].endswith("/inbox-token-invalid")
    anonymous = await wallet_app.post("/api/v1/inbox", data=raw)
    assert anonymous.status == 401
    assert await stored_credentials(learner) == []
    listed = await wallet_app.get("/api/v1/inbox/grants", headers=learner.headers)
    assert (await listed.json())["grants"][0]["revoked"] is True


async def test_another_learner_can_neither_see_nor_decide_nor_revoke(
    wallet_app, make_learner, issuer
):
    owner = await make_learner()
    other = await make_learner()
    created = await grant(wallet_app, owner)
    delivered = await deliver(wallet_app, created["token"], issuer.badge_bytes(owner.did))
    offer = (await delivered.json())["offer"]

    listed = await wallet_app.get("/api/v1/offers?all=true", headers=other.headers)
    assert (await listed.json())["offers"] == []
    for method, path in (
        ("get", f"/api/v1/offers/{offer['id']}"),
        ("post", f"/api/v1/offers/{offer['id']}/accept"),
        ("post", f"/api/v1/offers/{offer['id']}/decline"),
        ("get", f"/api/v1/credentials/{offer['credentialId']}/export?format=json"),
        ("delete", f"/api/v1/inbox/grants/{created['grant']['id']}"),
    ):
        response = await getattr(wallet_app, method)(path, headers=other.headers)
        assert response.status == 404, (method, path)
    grants = await wallet_app.get("/api/v1/inbox/grants", headers=other.headers)
    assert (await grants.json())["grants"] == []
    anonymous = await wallet_app.get("/api/v1/offers")
    assert anonymous.status == 401
    (stored,) = await stored_credentials(owner)
    assert (stored["state"], stored["visibility"]) == ("pending", "private")


async def test_a_tampered_delivery_is_refused_and_nothing_is_stored(
    wallet_app, make_learner, issuer
):
    learner = await make_learner()
    token = (await grant(wallet_app, learner))["token"]
    forged = issuer.badge(learner.did)
    forged["name"] = "Forged"
    response = await deliver(wallet_app, token, json.dumps(forged).encode())
    assert response.status == 422
    assert await stored_credentials(learner) == []
    duplicate_raw = issuer.badge_bytes(learner.did)
    assert (await deliver(wallet_app, token, duplicate_raw)).status == 201
    again = await deliver(wallet_app, token, duplicate_raw)
    assert again.status == 409


async def test_the_mailed_link_of_a_delivery_accepts_it_on_the_claim_page(
    wallet_app, make_learner, issuer, browser_for
):
    learner = await make_learner()
    token = (await grant(wallet_app, learner))["token"]
    await deliver(wallet_app, token, issuer.badge_bytes(learner.did, name="Via Inbox"))
    (message,) = [
        m for m in wallet_app.mailbox.to(learner.email) if m["Subject"] == NEW_BADGE_SUBJECT
    ]
    body = message.get_body(("plain",)).get_content()
    path = re.search(r"https?://[^\s/]+(/claim/[A-Za-z0-9_-]+)", body).group(1)
    browser = await browser_for(learner, path)
    async with browser.get(path) as response:
        page = await response.text()
        assert response.status == 200 and "Via Inbox" in page
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
    async with browser.post(path, data={"decision": "accept", "csrf_token": csrf}) as done:
        assert done.status == 200
    (stored,) = await stored_credentials(learner)
    assert stored["state"] == "accepted"


async def test_grant_needs_a_name_and_an_authenticated_caller(wallet_app, make_learner):
    learner = await make_learner()
    anonymous = await wallet_app.post("/api/v1/inbox/grants", json={"issuerName": "X"})
    assert anonymous.status == 401
    nameless = await wallet_app.post(
        "/api/v1/inbox/grants", json={"issuerName": "  "}, headers=learner.headers
    )
    assert nameless.status == 400

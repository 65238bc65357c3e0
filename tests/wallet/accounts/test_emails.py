"""Several addresses per account: add, verify, make primary, remove."""

from __future__ import annotations

from satchel.wallet import identity


async def add(client, learner, email):
    return await client.post(
        "/api/v1/account/emails", json={"email": email}, headers=learner.headers
    )


async def profile(client, learner):
    return await (await client.get("/api/v1/account", headers=learner.headers)).json()


async def test_an_added_address_becomes_verified_through_its_link(
    wallet_app, make_learner, mail_token, assert_documented
):
    learner = await make_learner()
    response = await add(wallet_app, learner, "Work@Example.org")
    assert response.status == 202
    await assert_documented(response, "/api/v1/account/emails", "post")
    added = await response.json()
    assert added["address"] == "work@example.org" and not added["verified"]
    token = await mail_token("work@example.org", "/verify-email")
    assert (await wallet_app.get(f"/verify-email?token={token}")).status == 200
    emails = {e["address"]: e for e in (await profile(wallet_app, learner))["emails"]}
    assert emails["work@example.org"]["verified"] is True
    assert emails[learner.email]["primary"] is True
    assert await identity.verified_emails(learner.services, learner.account_id) == [
        learner.email,
        "work@example.org",
    ]
    signed_in = await wallet_app.post(
        "/api/v1/session", json={"email": "work@example.org", "password": learner.password}
    )
    assert (await signed_in.json())["account_id"] == learner.account_id


async def test_adding_an_address_twice_or_too_many_is_refused(wallet_app, make_learner):
    learner = await make_learner()
    assert (await add(wallet_app, learner, learner.email.upper())).status == 409
    for number in range(19):
        assert (await add(wallet_app, learner, f"extra{number}@example.org")).status == 202
    assert (await add(wallet_app, learner, "one-too-many@example.org")).status == 409


async def test_an_address_verified_by_another_account_answers_the_same_but_never_verifies(
    wallet_app, make_learner, mail_token
):
    ada, bob = await make_learner(), await make_learner()
    taken = await add(wallet_app, ada, bob.email)
    free = await add(wallet_app, ada, "free@example.org")
    assert taken.status == free.status == 202
    assert (await taken.json()).keys() == (await free.json()).keys()
    token = await mail_token(bob.email, "/verify-email")
    refused = await wallet_app.post("/api/v1/accounts/verify-email", json={"token": token})
    assert refused.status == 409
    assert bob.email not in await identity.verified_emails(ada.services, ada.account_id)


async def test_only_a_verified_address_can_become_primary(
    wallet_app, make_learner, mail_token, assert_documented
):
    learner = await make_learner()
    pending = await (await add(wallet_app, learner, "next@example.org")).json()
    body = {"email_id": pending["id"]}
    refused = await wallet_app.put(
        "/api/v1/account/primary-email", json=body, headers=learner.headers
    )
    assert refused.status == 409
    await assert_documented(refused, "/api/v1/account/primary-email", "put")
    token = await mail_token("next@example.org", "/verify-email")
    await wallet_app.get(f"/verify-email?token={token}")
    changed = await wallet_app.put(
        "/api/v1/account/primary-email", json=body, headers=learner.headers
    )
    assert changed.status == 200
    await assert_documented(changed, "/api/v1/account/primary-email", "put")
    primaries = [e["address"] for e in (await changed.json())["emails"] if e["primary"]]
    assert primaries == ["next@example.org"]
    bad = await wallet_app.put("/api/v1/account/primary-email", json={}, headers=learner.headers)
    assert bad.status == 400


async def test_removal_keeps_the_primary_and_the_last_verified_address(
    wallet_app, make_learner, mail_token, assert_documented
):
    learner = await make_learner()
    emails = (await profile(wallet_app, learner))["emails"]
    primary = emails[0]["id"]
    refused = await wallet_app.delete(f"/api/v1/account/emails/{primary}", headers=learner.headers)
    assert refused.status == 409
    await assert_documented(refused, "/api/v1/account/emails/{email_id}", "delete")
    pending = await (await add(wallet_app, learner, "other@example.org")).json()
    removed = await wallet_app.delete(
        f"/api/v1/account/emails/{pending['id']}", headers=learner.headers
    )
    assert removed.status == 204
    await assert_documented(removed, "/api/v1/account/emails/{email_id}", "delete")
    token = await mail_token("other@example.org", "/verify-email")
    stale = await wallet_app.post("/api/v1/accounts/verify-email", json={"token": token})
    assert stale.status == 400  # its pending link went with it
    assert [e["address"] for e in (await profile(wallet_app, learner))["emails"]] == [learner.email]


async def test_a_verified_secondary_address_can_be_removed(wallet_app, make_learner, mail_token):
    learner = await make_learner()
    added = await (await add(wallet_app, learner, "old@example.org")).json()
    await wallet_app.get(
        f"/verify-email?token={await mail_token('old@example.org', '/verify-email')}"
    )
    response = await wallet_app.delete(
        f"/api/v1/account/emails/{added['id']}", headers=learner.headers
    )
    assert response.status == 204
    again = await make_learner("old@example.org")  # the address is free again
    assert again.account_id != learner.account_id


async def test_nobody_touches_another_accounts_addresses(wallet_app, make_learner):
    ada, bob = await make_learner(), await make_learner()
    bob_email = (await profile(wallet_app, bob))["emails"][0]["id"]
    removed = await wallet_app.delete(f"/api/v1/account/emails/{bob_email}", headers=ada.headers)
    assert removed.status == 404
    primary = await wallet_app.put(
        "/api/v1/account/primary-email", json={"email_id": bob_email}, headers=ada.headers
    )
    assert primary.status == 404
    assert len((await profile(wallet_app, bob))["emails"]) == 1

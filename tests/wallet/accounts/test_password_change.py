"""Changing the password while signed in; resending a verification link."""

from __future__ import annotations

from satchel.wallet import accounts
from satchel.wallet.secrets import secret_hash

NEW = "my new long password"


async def change(client, headers, current, new=NEW):
    return await client.put(
        "/api/v1/account/password",
        json={"current_password": current, "new_password": new},
        headers=headers,
    )


async def test_a_password_change_ends_every_other_session(
    wallet_app, make_learner, sign_in, wallet_services, assert_documented
):
    learner = await make_learner()
    mine, other = (
        await sign_in(learner.email, learner.password),
        await sign_in(learner.email, learner.password),
    )
    response = await change(wallet_app, mine.headers(), learner.password)
    assert response.status == 204
    await assert_documented(response, "/api/v1/account/password", "put")
    assert await wallet_services.store.get("sessions", secret_hash(mine.secret)) is not None
    assert await wallet_services.store.get("sessions", secret_hash(other.secret)) is None
    assert (await wallet_app.get("/api/v1/account", headers=mine.headers())).status == 200
    old = await wallet_app.post(
        "/api/v1/session", json={"email": learner.email, "password": learner.password}
    )
    assert old.status == 401
    new = await wallet_app.post("/api/v1/session", json={"email": learner.email, "password": NEW})
    assert new.status == 200


async def test_a_wrong_current_password_or_weak_new_one_changes_nothing(
    wallet_app, make_learner, assert_documented
):
    learner = await make_learner()
    wrong = await change(wallet_app, learner.headers, "not my password")
    assert wrong.status == 403
    await assert_documented(wrong, "/api/v1/account/password", "put")
    weak = await change(wallet_app, learner.headers, learner.password, "short")
    assert weak.status == 400
    still = await wallet_app.post(
        "/api/v1/session", json={"email": learner.email, "password": learner.password}
    )
    assert still.status == 200


async def test_a_verification_link_can_be_sent_again(
    wallet_app, make_learner, mailbox, mail_token, assert_documented
):
    learner = await make_learner()
    added = await (
        await wallet_app.post(
            "/api/v1/account/emails", json={"email": "two@example.org"}, headers=learner.headers
        )
    ).json()
    first = await mail_token("two@example.org", "/verify-email")
    path = f"/api/v1/account/emails/{added['id']}/verification"
    response = await wallet_app.post(path, headers=learner.headers)
    assert response.status == 202
    await assert_documented(response, "/api/v1/account/emails/{email_id}/verification", "post")
    second = await mail_token("two@example.org", "/verify-email")
    assert second != first
    assert (await wallet_app.get(f"/verify-email?token={second}")).status == 200
    again = await wallet_app.post(path, headers=learner.headers)
    assert again.status == 409  # already verified
    await accounts.flush_mail()
    assert len(mailbox.to("two@example.org")) == 2


async def test_nobody_resends_for_another_accounts_address(wallet_app, make_learner):
    ada, bob = await make_learner(), await make_learner()
    bobs = await (
        await wallet_app.post(
            "/api/v1/account/emails", json={"email": "bob2@example.org"}, headers=bob.headers
        )
    ).json()
    response = await wallet_app.post(
        f"/api/v1/account/emails/{bobs['id']}/verification", headers=ada.headers
    )
    assert response.status == 404

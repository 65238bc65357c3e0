"""Account deletion erases everything of the account, in every collection."""

from __future__ import annotations

from datetime import timedelta

from satchel.wallet import accounts


async def test_deletion_leaves_nothing_of_the_account_anywhere(
    wallet_app,
    make_learner,
    seed_holdings,
    sign_in,
    mail_token,
    documents_mentioning,
    assert_documented,
):
    learner, other = await make_learner(), await make_learner()
    await seed_holdings(learner.account_id, "del", [{"sha256": "s1"}, {"sha256": "s2"}])
    await seed_holdings(other.account_id, "keep", [{"sha256": "s1"}])
    await wallet_app.post(
        "/api/v1/account/emails", json={"email": "second@example.org"}, headers=learner.headers
    )
    await wallet_app.get(
        f"/verify-email?token={await mail_token('second@example.org', '/verify-email')}"
    )
    await wallet_app.post(
        "/api/v1/account/emails", json={"email": "pending@example.org"}, headers=learner.headers
    )
    await wallet_app.post("/api/v1/account/keys/rotate", headers=learner.headers)
    await wallet_app.post("/api/v1/password-reset", json={"email": learner.email})
    await sign_in(learner.email, learner.password)
    await accounts.flush_mail()
    needles = (
        learner.account_id,
        learner.email,
        "second@example.org",
        "pending@example.org",
        learner.did,
    )
    assert set(await documents_mentioning(*needles)) >= {
        "accounts",
        "emails",
        "sessions",
        "api_tokens",
        "one_time_tokens",
        "keys",
        "credentials",
        "verdicts",
        "collections",
        "offers",
        "inbox_grants",
    }
    before_other = await documents_mentioning(other.account_id)

    response = await wallet_app.delete(
        "/api/v1/account", json={"password": learner.password}, headers=learner.headers
    )
    assert response.status == 204
    await assert_documented(response, "/api/v1/account", "delete")
    assert await documents_mentioning(*needles) == {}
    assert await documents_mentioning(other.account_id) == before_other
    assert (await wallet_app.get("/api/v1/account", headers=learner.headers)).status == 401
    again = await make_learner(learner.email)  # the address can register again
    assert again.account_id != learner.account_id


async def test_deletion_by_token_needs_the_password(wallet_app, make_learner, assert_documented):
    learner = await make_learner()
    missing = await wallet_app.delete("/api/v1/account", headers=learner.headers)
    assert missing.status == 403
    assert (await missing.json())["type"].endswith("/reauthentication-required")
    await assert_documented(missing, "/api/v1/account", "delete")
    wrong = await wallet_app.delete(
        "/api/v1/account", json={"password": "not the password"}, headers=learner.headers
    )
    assert wrong.status == 403
    assert await learner.services.store.get("accounts", learner.account_id) is not None


async def test_a_fresh_session_deletes_without_the_password_an_old_one_does_not(
    wallet_app, make_learner, sign_in, wallet_services
):
    learner = await make_learner()
    session = await sign_in(learner.email, learner.password)
    real_now = wallet_services.now
    wallet_services.now = lambda: real_now() + timedelta(minutes=16)
    stale = await wallet_app.delete("/api/v1/account", headers=session.headers())
    assert stale.status == 403
    wallet_services.now = real_now
    no_csrf = await wallet_app.delete("/api/v1/account", headers=session.headers(csrf=False))
    assert no_csrf.status == 403
    deleted = await wallet_app.delete("/api/v1/account", headers=session.headers())
    assert deleted.status == 204
    assert await wallet_services.store.get("accounts", learner.account_id) is None


async def test_deletion_needs_account_write(wallet_app, make_learner):
    learner = await make_learner()
    reader = await accounts.create_api_token(
        learner.services, learner.account_id, "r", ["account:read", "credentials:write"]
    )
    response = await wallet_app.delete(
        "/api/v1/account",
        json={"password": learner.password},
        headers={"Authorization": f"Bearer {reader.secret}"},
    )
    assert response.status == 403
    assert await learner.services.store.get("accounts", learner.account_id) is not None

"""Sign-in, session cookies, CSRF, sign-out."""

from __future__ import annotations

from datetime import timedelta

from satchel.app import create_app
from satchel.config import Settings
from satchel.wallet import accounts
from satchel.wallet.secrets import secret_hash
from satchel.wallet.services import WALLET_KEY
from satchel.wallet.web.auth import CSRF_COOKIE, SESSION_COOKIE, csrf_token_for


async def test_sign_in_sets_an_httponly_lax_session_cookie_and_returns_a_csrf_token(
    wallet_app, make_learner, wallet_services, assert_documented
):
    learner = await make_learner()
    response = await wallet_app.post(
        "/api/v1/session", json={"email": learner.email, "password": learner.password}
    )
    assert response.status == 200
    await assert_documented(response, "/api/v1/session", "post")
    body = await response.json()
    assert body["account_id"] == learner.account_id
    cookie = response.cookies[SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # plain http deployment
    assert int(cookie["max-age"]) == 14 * 24 * 3600
    secret = cookie.value
    assert len(secret) >= 43
    assert body["csrf_token"] == csrf_token_for(secret)
    assert response.cookies[CSRF_COOKIE].value == body["csrf_token"]
    assert not response.cookies[CSRF_COOKIE]["httponly"]
    assert await wallet_services.store.get("sessions", secret) is None
    assert await wallet_services.store.get("sessions", secret_hash(secret)) is not None


async def test_cookies_are_secure_when_the_public_url_is_https(
    aiohttp_client, tmp_path, fast_password_hashing
):
    settings = Settings(data_dir=tmp_path / "d", rate_limit=0, public_url="https://w.example")
    client = await aiohttp_client(create_app(settings))
    services = client.server.app[WALLET_KEY]
    account_id = await accounts.register(services, "ada@example.org", "a long password")
    claim = (await accounts.list_emails(services, account_id))[0]
    await services.store.update(
        "emails", claim["_id"], {"verified": True, "verified_address": claim["address"]}
    )
    response = await client.post(
        "/api/v1/session", json={"email": "ada@example.org", "password": "a long password"}
    )
    assert response.status == 200
    assert response.cookies[SESSION_COOKIE]["secure"] is True
    assert response.cookies[CSRF_COOKIE]["secure"] is True


async def test_the_session_cookie_authenticates_reads_without_csrf(
    wallet_app, make_learner, sign_in
):
    learner = await make_learner()
    session = await sign_in(learner.email, learner.password)
    response = await wallet_app.get("/api/v1/account", headers=session.headers(csrf=False))
    assert response.status == 200
    assert (await response.json())["id"] == learner.account_id


async def test_cookie_writes_need_the_csrf_header(wallet_app, make_learner, sign_in):
    learner = await make_learner()
    session = await sign_in(learner.email, learner.password)
    body = {"name": "ci", "scopes": ["credentials:read"]}
    missing = await wallet_app.post(
        "/api/v1/tokens", json=body, headers=session.headers(csrf=False)
    )
    assert missing.status == 403
    assert (await missing.json())["type"].endswith("/csrf-token-invalid")
    wrong = await wallet_app.post(
        "/api/v1/tokens", json=body, headers={**session.headers(), "X-CSRF-Token": "0" * 64}
    )
    assert wrong.status == 403
    other = await sign_in(learner.email, learner.password)
    crossed = await wallet_app.post(
        "/api/v1/tokens", json=body, headers={**session.headers(), "X-CSRF-Token": other.csrf}
    )
    assert crossed.status == 403  # the token of another session does not fit this one
    ok = await wallet_app.post("/api/v1/tokens", json=body, headers=session.headers())
    assert ok.status == 201


async def test_token_requests_need_no_csrf_header(wallet_app, make_learner):
    learner = await make_learner()
    response = await wallet_app.post(
        "/api/v1/tokens", json={"name": "ci", "scopes": ["account:read"]}, headers=learner.headers
    )
    assert response.status == 201


async def test_wrong_password_and_unknown_address_get_the_same_answer(
    wallet_app, make_learner, assert_documented
):
    learner = await make_learner()
    wrong = await wallet_app.post(
        "/api/v1/session", json={"email": learner.email, "password": "not the password"}
    )
    unknown = await wallet_app.post(
        "/api/v1/session", json={"email": "nobody@example.org", "password": "not the password"}
    )
    malformed = await wallet_app.post(
        "/api/v1/session", json={"email": "nobody", "password": "not the password"}
    )
    assert wrong.status == unknown.status == malformed.status == 401
    assert await wrong.json() == await unknown.json() == await malformed.json()
    assert SESSION_COOKIE not in wrong.cookies
    await assert_documented(wrong, "/api/v1/session", "post")


async def test_an_unverified_address_cannot_sign_in_and_gets_a_new_link(
    wallet_app, wallet_services, mailbox, mail_token
):
    await accounts.register(wallet_services, "new@example.org", "a long password")
    await accounts.flush_mail()
    before = len(mailbox.to("new@example.org"))
    response = await wallet_app.post(
        "/api/v1/session", json={"email": "new@example.org", "password": "a long password"}
    )
    assert response.status == 403
    assert (await response.json())["type"].endswith("/email-not-verified")
    await accounts.flush_mail()
    assert len(mailbox.to("new@example.org")) == before + 1
    wrong = await wallet_app.post(
        "/api/v1/session", json={"email": "new@example.org", "password": "a wrong password"}
    )
    assert wrong.status == 401  # without the password nothing tells the account exists
    token = await mail_token("new@example.org", "/verify-email")
    await wallet_app.get(f"/verify-email?token={token}")
    ok = await wallet_app.post(
        "/api/v1/session", json={"email": "new@example.org", "password": "a long password"}
    )
    assert ok.status == 200


async def test_sign_in_rotates_the_session_id(wallet_app, make_learner, wallet_services):
    learner = await make_learner()
    credentials = {"email": learner.email, "password": learner.password}
    first = await wallet_app.post("/api/v1/session", json=credentials)
    old = first.cookies[SESSION_COOKIE].value
    second = await wallet_app.post(
        "/api/v1/session", json=credentials, cookies={SESSION_COOKIE: old}
    )
    new = second.cookies[SESSION_COOKIE].value
    assert new != old
    assert await wallet_services.store.get("sessions", secret_hash(old)) is None
    wallet_app.session.cookie_jar.clear()
    stale = await wallet_app.get("/api/v1/account", headers={"Cookie": f"{SESSION_COOKIE}={old}"})
    assert stale.status == 401


async def test_sign_out_deletes_the_session(
    wallet_app, make_learner, sign_in, wallet_services, assert_documented
):
    learner = await make_learner()
    session = await sign_in(learner.email, learner.password)
    refused = await wallet_app.delete("/api/v1/session", headers=session.headers(csrf=False))
    assert refused.status == 403
    response = await wallet_app.delete("/api/v1/session", headers=session.headers())
    assert response.status == 204
    await assert_documented(response, "/api/v1/session", "delete")
    assert await wallet_services.store.get("sessions", secret_hash(session.secret)) is None
    after = await wallet_app.get("/api/v1/account", headers=session.headers())
    assert after.status == 401
    by_token = await wallet_app.delete("/api/v1/session", headers=learner.headers)
    assert by_token.status == 409


async def test_an_expired_session_is_refused(wallet_app, make_learner, sign_in, wallet_services):
    learner = await make_learner()
    session = await sign_in(learner.email, learner.password)
    real_now = wallet_services.now
    wallet_services.now = lambda: real_now() + timedelta(days=14, seconds=1)
    response = await wallet_app.get("/api/v1/account", headers=session.headers())
    assert response.status == 401


async def test_anonymous_and_garbage_credentials_get_401_problems(
    wallet_app, make_learner, assert_documented
):
    learner = await make_learner()
    anonymous = await wallet_app.get("/api/v1/account")
    assert anonymous.status == 401
    await assert_documented(anonymous, "/api/v1/account", "get")
    for header in ("Bearer nope", "Basic abc", "Bearer", learner.headers["Authorization"] + "x"):
        response = await wallet_app.get("/api/v1/account", headers={"Authorization": header})
        assert response.status == 401, header
    cookie = await wallet_app.get("/api/v1/account", headers={"Cookie": f"{SESSION_COOKIE}=forged"})
    assert cookie.status == 401


async def test_a_bad_bearer_token_is_not_rescued_by_a_valid_cookie(
    wallet_app, make_learner, sign_in
):
    learner = await make_learner()
    session = await sign_in(learner.email, learner.password)
    response = await wallet_app.get(
        "/api/v1/account", headers={**session.headers(), "Authorization": "Bearer forged"}
    )
    assert response.status == 401

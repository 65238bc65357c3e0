"""Password reset by mailed link: single use, expiring, ends every session."""

from __future__ import annotations

from datetime import timedelta

from satchel.app import create_app
from satchel.config import Settings
from satchel.wallet import accounts
from satchel.wallet.services import WALLET_KEY

NEW_PASSWORD = "a brand new password"


async def test_reset_over_real_smtp_following_the_link(
    aiohttp_client, tmp_path, fast_password_hashing, smtp_server
):
    inbox, port = smtp_server
    settings = Settings(data_dir=tmp_path / "d", rate_limit=0, smtp_url=f"smtp://127.0.0.1:{port}")
    client = await aiohttp_client(create_app(settings))
    services = client.server.app[WALLET_KEY]
    await client.post(
        "/api/v1/accounts", json={"email": "ada@example.org", "password": "old password 1"}
    )
    [verification] = await inbox.wait_for("ada@example.org")
    verify_link = next(
        word for word in verification.get_content().split() if "/verify-email?" in word
    )
    assert (await client.get(verify_link.removeprefix(settings.base_url))).status == 200
    old_session = await client.post(
        "/api/v1/session", json={"email": "ada@example.org", "password": "old password 1"}
    )
    old_cookie = old_session.cookies["satchel_session"].value
    client.session.cookie_jar.clear()

    asked = await client.post("/api/v1/password-reset", json={"email": "ada@example.org"})
    assert asked.status == 202
    reset_mail = (await inbox.wait_for("ada@example.org", count=2))[-1]
    link = next(word for word in reset_mail.get_content().split() if "/reset-password?" in word)
    page = await client.get(link.removeprefix(settings.base_url))
    assert page.status == 200
    assert '<form method=post action="/reset-password">' in await page.text()
    token = link.split("token=")[1]
    confirmed = await client.post(
        "/api/v1/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert confirmed.status == 200

    old = await client.post(
        "/api/v1/session", json={"email": "ada@example.org", "password": "old password 1"}
    )
    assert old.status == 401
    new = await client.post(
        "/api/v1/session", json={"email": "ada@example.org", "password": NEW_PASSWORD}
    )
    assert new.status == 200
    client.session.cookie_jar.clear()
    stale = await client.get("/api/v1/account", headers={"Cookie": f"satchel_session={old_cookie}"})
    assert stale.status == 401
    assert await services.store.count("sessions") == 1  # only the new one


async def test_a_reset_link_works_once(wallet_app, make_learner, mail_token, assert_documented):
    learner = await make_learner()
    await wallet_app.post("/api/v1/password-reset", json={"email": learner.email})
    token = await mail_token(learner.email, "/reset-password")
    body = {"token": token, "password": NEW_PASSWORD}
    first = await wallet_app.post("/api/v1/password-reset/confirm", json=body)
    assert first.status == 200
    await assert_documented(first, "/api/v1/password-reset/confirm", "post")
    second = await wallet_app.post(
        "/api/v1/password-reset/confirm", json={**body, "password": "yet another one"}
    )
    assert second.status == 400
    await assert_documented(second, "/api/v1/password-reset/confirm", "post")
    signed_in = await wallet_app.post(
        "/api/v1/session", json={"email": learner.email, "password": NEW_PASSWORD}
    )
    assert signed_in.status == 200


async def test_an_expired_reset_link_is_refused(
    wallet_app, make_learner, mail_token, wallet_services
):
    learner = await make_learner()
    await wallet_app.post("/api/v1/password-reset", json={"email": learner.email})
    token = await mail_token(learner.email, "/reset-password")
    real_now = wallet_services.now
    wallet_services.now = lambda: real_now() + timedelta(hours=1, seconds=1)
    response = await wallet_app.post(
        "/api/v1/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert response.status == 400
    assert (await response.json())["type"].endswith("/invalid-token")


async def test_a_weak_new_password_keeps_the_link_usable(wallet_app, make_learner, mail_token):
    learner = await make_learner()
    await wallet_app.post("/api/v1/password-reset", json={"email": learner.email})
    token = await mail_token(learner.email, "/reset-password")
    weak = await wallet_app.post(
        "/api/v1/password-reset/confirm", json={"token": token, "password": "short"}
    )
    assert weak.status == 400
    ok = await wallet_app.post(
        "/api/v1/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert ok.status == 200


async def test_forged_reset_tokens_and_email_tokens_are_refused(
    wallet_app, make_learner, mail_token
):
    learner = await make_learner()
    for token in ("forged", "", None, 12):
        response = await wallet_app.post(
            "/api/v1/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
        )
        assert response.status == 400, token
    await wallet_app.post(
        "/api/v1/account/emails", json={"email": "second@example.org"}, headers=learner.headers
    )
    verify = await mail_token("second@example.org", "/verify-email")
    wrong_kind = await wallet_app.post(
        "/api/v1/password-reset/confirm", json={"token": verify, "password": NEW_PASSWORD}
    )
    assert wrong_kind.status == 400


async def test_reset_answers_the_same_for_any_address_and_mails_only_verified_ones(
    wallet_app, make_learner, mailbox, wallet_services, assert_documented
):
    learner = await make_learner()
    await accounts.register(wallet_services, "unverified@example.org", "a long password")
    answers = []
    for email in (learner.email, "nobody@example.org", "unverified@example.org", "garbage"):
        response = await wallet_app.post("/api/v1/password-reset", json={"email": email})
        assert response.status == 202
        await assert_documented(response, "/api/v1/password-reset", "post")
        answers.append(await response.json())
    assert all(answer == answers[0] for answer in answers)
    await accounts.flush_mail()
    resets = [m for m in mailbox.messages if "/reset-password?" in m.get_content()]
    assert [m["To"] for m in resets] == [learner.email]


async def test_the_reset_page_form_sets_the_password(wallet_app, make_learner, mail_token):
    learner = await make_learner()
    await wallet_app.post("/api/v1/password-reset", json={"email": learner.email})
    token = await mail_token(learner.email, "/reset-password")
    done = await wallet_app.post("/reset-password", data={"token": token, "password": NEW_PASSWORD})
    assert done.status == 200
    assert "Password changed" in await done.text()
    again = await wallet_app.post(
        "/reset-password", data={"token": token, "password": NEW_PASSWORD}
    )
    assert again.status == 400
    assert "already used" in await again.text()
    signed_in = await wallet_app.post(
        "/api/v1/session", json={"email": learner.email, "password": NEW_PASSWORD}
    )
    assert signed_in.status == 200


async def test_the_reset_page_escapes_the_token(wallet_app):
    page = await wallet_app.get('/reset-password?token="><script>x</script>')
    assert "<script>" not in await page.text()

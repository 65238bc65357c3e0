"""Registration and email verification: links, expiry, single use, enumeration-safe answers."""

from __future__ import annotations

from datetime import timedelta

from satchel.app import create_app
from satchel.config import Settings
from satchel.wallet import accounts
from satchel.wallet.secrets import secret_hash
from satchel.wallet.services import WALLET_KEY

PASSWORD = "a long enough password"


async def register(client, email, password=PASSWORD):
    return await client.post("/api/v1/accounts", json={"email": email, "password": password})


async def test_register_answers_202_and_mails_a_verification_link(
    wallet_app, mail_token, wallet_services, assert_documented
):
    response = await register(wallet_app, "Ada@Example.org")
    assert response.status == 202
    await assert_documented(response, "/api/v1/accounts", "post")
    token = await mail_token("ada@example.org", "/verify-email")
    assert len(token) >= 43  # 256 bits, URL-safe base64
    stored = await wallet_services.store.get("one_time_tokens", secret_hash(token))
    assert stored is not None and stored["kind"] == "verify-email"
    assert token not in repr(stored)  # only the hash is kept


async def test_mail_links_point_at_the_public_url_and_come_from_mail_from(
    aiohttp_client, tmp_path, fast_password_hashing
):
    settings = Settings(
        data_dir=tmp_path / "d",
        rate_limit=0,
        public_url="https://wallet.example/",
        mail_from="Wallet <wallet@wallet.example>",
    )
    client = await aiohttp_client(create_app(settings))
    services = client.server.app[WALLET_KEY]
    await accounts.register(services, "ada@example.org", PASSWORD)
    await accounts.flush_mail()
    [mail] = list((tmp_path / "d" / "outbox").glob("*.eml"))
    text = mail.read_text()
    assert "https://wallet.example/verify-email?token=" in text
    assert "From: Wallet <wallet@wallet.example>" in text


async def test_the_link_page_verifies_the_address_once(wallet_app, mail_token, wallet_services):
    await register(wallet_app, "ada@example.org")
    token = await mail_token("ada@example.org", "/verify-email")
    page = await wallet_app.get(f"/verify-email?token={token}")
    assert page.status == 200
    assert page.content_type == "text/html"
    assert "ada@example.org is confirmed" in await page.text()
    assert await accounts.verified_owner(wallet_services.store, "ada@example.org") is not None
    again = await wallet_app.get(f"/verify-email?token={token}")
    assert again.status == 400
    assert "invalid, expired or already used" in await again.text()


async def test_verification_by_api_and_refusal_of_forged_tokens(
    wallet_app, mail_token, assert_documented
):
    await register(wallet_app, "ada@example.org")
    forged = await wallet_app.post("/api/v1/accounts/verify-email", json={"token": "x" * 43})
    assert forged.status == 400
    await assert_documented(forged, "/api/v1/accounts/verify-email", "post")
    token = await mail_token("ada@example.org", "/verify-email")
    ok = await wallet_app.post("/api/v1/accounts/verify-email", json={"token": token})
    assert ok.status == 200
    assert await ok.json() == {"email": "ada@example.org", "verified": True}
    await assert_documented(ok, "/api/v1/accounts/verify-email", "post")
    missing = await wallet_app.post("/api/v1/accounts/verify-email", json={})
    assert missing.status == 400


async def test_an_expired_verification_link_is_refused(wallet_app, mail_token, wallet_services):
    await register(wallet_app, "ada@example.org")
    token = await mail_token("ada@example.org", "/verify-email")
    real_now = wallet_services.now
    wallet_services.now = lambda: real_now() + timedelta(hours=24, seconds=1)
    page = await wallet_app.get(f"/verify-email?token={token}")
    assert page.status == 400
    assert "expired" in await page.text()


async def test_a_password_reset_token_does_not_verify_an_email(
    wallet_app, make_learner, mail_token
):
    learner = await make_learner()
    await wallet_app.post("/api/v1/password-reset", json={"email": learner.email})
    token = await mail_token(learner.email, "/reset-password")
    response = await wallet_app.post("/api/v1/accounts/verify-email", json={"token": token})
    assert response.status == 400


async def test_registering_a_verified_address_answers_the_same_and_creates_nothing(
    wallet_app, make_learner, mailbox, wallet_services
):
    learner = await make_learner("taken@example.org")
    fresh = await register(wallet_app, "fresh@example.org")
    taken = await register(wallet_app, "TAKEN@example.org")
    assert taken.status == fresh.status == 202
    assert await taken.json() == await fresh.json()
    assert await wallet_services.store.count("accounts") == 2  # learner + fresh only
    await accounts.flush_mail()
    notice = mailbox.to("taken@example.org")[-1]
    assert "already has one" in notice.get_content()
    assert "token=" not in notice.get_content()
    assert learner.account_id


async def test_an_unverified_claim_blocks_nobody_and_the_first_verifier_owns_the_address(
    wallet_app, mail_token, mailbox
):
    await register(wallet_app, "ada@example.org")
    first = await mail_token("ada@example.org", "/verify-email")
    await register(wallet_app, "ada@example.org", "another long password")
    second = await mail_token("ada@example.org", "/verify-email")
    assert first != second
    won = await wallet_app.post("/api/v1/accounts/verify-email", json={"token": second})
    assert won.status == 200
    lost = await wallet_app.post("/api/v1/accounts/verify-email", json={"token": first})
    assert lost.status == 409
    assert (await lost.json())["type"].endswith("/address-taken")
    signed_in = await wallet_app.post(
        "/api/v1/session", json={"email": "ada@example.org", "password": "another long password"}
    )
    assert signed_in.status == 200


async def test_password_length_is_10_to_1024_characters(wallet_app, wallet_services):
    for password, status in (("x" * 9, 400), ("x" * 1025, 400), ("x" * 10, 202), ("y" * 1024, 202)):
        response = await register(wallet_app, f"p{len(password)}@example.org", password)
        assert response.status == status, password
    short = await register(wallet_app, "short@example.org", "x" * 9)
    assert (await short.json())["type"].endswith("/invalid-password")


async def test_bad_addresses_and_bodies_are_refused(wallet_app):
    for email in ("not-an-address", "a@b", "two@@example.org", "", None, 7, "a b@example.org"):
        response = await register(wallet_app, email)
        assert response.status == 400, email
        assert response.content_type == "application/problem+json"
    form = await wallet_app.post("/api/v1/accounts", data={"email": "a@example.org"})
    assert form.status == 415
    array = await wallet_app.post("/api/v1/accounts", json=["a@example.org"])
    assert array.status == 400


async def test_registration_gives_the_account_a_did_key_and_an_unverified_primary_address(
    wallet_services,
):
    account_id = await accounts.register(wallet_services, "ada@example.org", PASSWORD)
    profile = await accounts.profile(wallet_services, account_id)
    assert profile["did"].startswith("did:key:z6Mk")
    assert profile["emails"] == [
        {
            "id": profile["emails"][0]["id"],
            "address": "ada@example.org",
            "verified": False,
            "primary": True,
        }
    ]
    account = await wallet_services.store.get("accounts", account_id)
    assert account["password_hash"].startswith("$argon2id$")


async def test_verification_and_reset_mails_arrive_over_real_smtp(
    aiohttp_client, tmp_path, smtp_server, fast_password_hashing
):
    inbox, port = smtp_server
    settings = Settings(data_dir=tmp_path / "d", rate_limit=0, smtp_url=f"smtp://127.0.0.1:{port}")
    client = await aiohttp_client(create_app(settings))
    assert (await register(client, "ada@example.org")).status == 202
    [mail] = await inbox.wait_for("ada@example.org")
    link = next(line for line in mail.get_content().splitlines() if "/verify-email?" in line)
    path = link.strip().removeprefix(settings.base_url)
    page = await client.get(path)
    assert page.status == 200, await page.text()
    signed_in = await client.post(
        "/api/v1/session", json={"email": "ada@example.org", "password": PASSWORD}
    )
    assert signed_in.status == 200

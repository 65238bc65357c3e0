"""Claim links: mailed, opened by a signed-in learner, accepted or declined once, expiring."""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import timedelta

import pytest

from satchel.wallet import credentials, offers
from satchel.wallet.storage.port import MAX_PAGE_SIZE

PAGE_CSP = "default-src 'self'"


async def wallet_of(services, account_id):
    page = await services.store.find("credentials", {"owner": account_id}, limit=MAX_PAGE_SIZE)
    return page.items


async def offer_to(learner, issuer, **kwargs):
    raw = issuer.badge_bytes(learner.did, name=kwargs.pop("name", "Teamwork"))
    new = await offers.create_claim_offer(
        learner.services, raw, email=kwargs.pop("email", learner.email), **kwargs
    )
    return raw, new


async def test_mailed_link_accepted_puts_the_exact_bytes_in_the_wallet_as_accepted(
    wallet_app, make_learner, issuer, browser_for
):
    learner = await make_learner()
    raw, new = await offer_to(learner, issuer, issuer_name="Test University")
    message = wallet_app.mailbox.to(learner.email)[-1]
    assert message["Subject"] == "A badge is waiting for you"
    path = _path(message)
    assert new.claim_url.endswith(path)
    browser = await browser_for(learner, path)

    async with browser.get(path) as response:
        page = await response.text()
        assert response.status == 200
        assert PAGE_CSP in response.headers["Content-Security-Policy"]
    assert "Teamwork" in page and "Satchel Test University" in page
    assert 'class="verdict-word">Valid<' in page
    assert 'data-recipient="matched"' in page
    async with browser.post(path, data={"decision": "accept", "csrf_token": _csrf(page)}) as done:
        assert done.status == 200
        assert "Added to your wallet" in await done.text()

    (stored,) = await wallet_of(learner.services, learner.account_id)
    assert stored["raw"] == raw
    assert (stored["state"], stored["visibility"]) == ("accepted", "private")
    offer = await learner.services.store.get("offers", new.offer["_id"])
    assert offer["state"] == "accepted" and offer["credential_ref"] == stored["_id"]
    assert "raw" not in offer  # the wallet holds the bytes now, once


async def test_declining_keeps_nothing_and_the_decision_is_recorded(
    wallet_app, make_learner, issuer, browser_for
):
    learner = await make_learner()
    _, new = await offer_to(learner, issuer)
    path = _path(wallet_app.mailbox.to(learner.email)[-1])
    browser = await browser_for(learner, path)
    async with browser.get(path) as response:
        page = await response.text()
    async with browser.post(path, data={"decision": "decline", "csrf_token": _csrf(page)}) as done:
        assert done.status == 200
        assert "Badge declined" in await done.text()
    assert await wallet_of(learner.services, learner.account_id) == []
    response = await wallet_app.get("/api/v1/offers?all=true", headers=learner.headers)
    (listed,) = (await response.json())["offers"]
    assert (listed["id"], listed["state"]) == (new.offer["_id"], "declined")


async def test_a_used_link_shows_already_used_and_cannot_be_accepted_again(
    wallet_app, make_learner, issuer, browser_for
):
    learner = await make_learner()
    await offer_to(learner, issuer)
    path = _path(wallet_app.mailbox.to(learner.email)[-1])
    browser = await browser_for(learner, path)
    async with browser.get(path) as response:
        csrf = _csrf(await response.text())
    async with browser.post(path, data={"decision": "accept", "csrf_token": csrf}) as done:
        assert done.status == 200
    async with browser.get(path) as again:
        assert again.status == 410
        assert "already accepted" in await again.text()
    async with browser.post(path, data={"decision": "decline", "csrf_token": csrf}) as twice:
        assert twice.status == 410
    (stored,) = await wallet_of(learner.services, learner.account_id)
    assert stored["state"] == "accepted"


async def test_an_expired_link_is_refused_with_a_clear_page(
    wallet_app, make_learner, issuer, browser_for
):
    learner = await make_learner()
    await offer_to(learner, issuer)
    path = _path(wallet_app.mailbox.to(learner.email)[-1])
    services = learner.services
    later = services.now() + offers.CLAIM_TTL + timedelta(minutes=1)
    services.now = lambda: later
    browser = await browser_for(learner, path)
    async with browser.get(path) as response:
        assert response.status == 410
        assert "expired" in await response.text()
    assert await wallet_of(services, learner.account_id) == []


async def test_another_learner_opening_the_link_is_refused_and_sees_nothing_of_the_badge(
    wallet_app, make_learner, issuer, browser_for
):
    owner = await make_learner()
    intruder = await make_learner()
    _, new = await offer_to(owner, issuer, name="Secret Achievement")
    path = _path(wallet_app.mailbox.to(owner.email)[-1])
    browser = await browser_for(intruder, path)
    async with browser.get(path) as response:
        page = await response.text()
        assert response.status == 403
    assert "Secret Achievement" not in page and "someone else" in page
    csrf = browser.cookie_jar.filter_cookies(browser._base_url)["satchel_csrf"].value
    async with browser.post(path, data={"decision": "accept", "csrf_token": csrf}) as attempt:
        assert attempt.status == 403
    assert await wallet_of(owner.services, intruder.account_id) == []
    offer = await owner.services.store.get("offers", new.offer["_id"])
    assert offer["state"] == "open"


async def test_signed_out_visitor_gets_a_sign_in_form_without_badge_details(
    wallet_app, make_learner, issuer
):
    learner = await make_learner()
    await offer_to(learner, issuer, name="Private Name")
    path = _path(wallet_app.mailbox.to(learner.email)[-1])
    response = await wallet_app.get(path)
    page = await response.text()
    assert response.status == 200
    assert f'action="{path}/sign-in"' in page
    assert "Private Name" not in page
    wrong = await wallet_app.post(
        f"{path}/sign-in", data={"email": learner.email, "password": "not the password"}
    )
    assert wrong.status == 401
    assert "Wrong email or password" in await wrong.text()
    blind = await wallet_app.post(path, data={"decision": "accept"})
    assert blind.status == 401


async def test_a_decision_without_the_csrf_token_is_refused(
    wallet_app, make_learner, issuer, browser_for
):
    learner = await make_learner()
    _, new = await offer_to(learner, issuer)
    path = _path(wallet_app.mailbox.to(learner.email)[-1])
    browser = await browser_for(learner, path)
    async with browser.post(path, data={"decision": "accept"}) as response:
        assert response.status == 403
    async with browser.post(path, data={"decision": "accept", "csrf_token": "0" * 64}) as forged:
        assert forged.status == 403
    offer = await learner.services.store.get("offers", new.offer["_id"])
    assert offer["state"] == "open"


async def test_sign_in_posted_from_another_site_is_refused(wallet_app, make_learner, issuer):
    learner = await make_learner()
    await offer_to(learner, issuer)
    path = _path(wallet_app.mailbox.to(learner.email)[-1])
    response = await wallet_app.post(
        f"{path}/sign-in",
        data={"email": learner.email, "password": learner.password},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert response.status == 403
    assert "satchel_session" not in response.cookies


@pytest.mark.parametrize("token", ["nonexistent-token", "x" * 300])
async def test_unknown_link_shows_not_valid(wallet_app, token):
    response = await wallet_app.get(f"/claim/{token}")
    assert response.status == 404
    assert "not valid" in await response.text()


async def test_the_link_in_the_outbox_file_works(wallet_app, make_learner, issuer, browser_for):
    learner = await make_learner()
    await offer_to(learner, issuer, name="From The Outbox")
    outbox = learner.services.settings.data_dir / "outbox"
    messages = [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(outbox.glob("*.eml"))
    ]
    offered = [m for m in messages if m["Subject"] == "A badge is waiting for you"]
    assert len(offered) == 1 and offered[0]["To"] == learner.email
    path = _path(offered[0])
    browser = await browser_for(learner, path)
    async with browser.get(path) as response:
        assert response.status == 200
        assert "From The Outbox" in await response.text()


async def test_an_offer_to_an_unverified_address_of_the_account_is_refused(
    wallet_app, make_learner, issuer, browser_for
):
    learner = await make_learner()
    added = await wallet_app.post(
        "/api/v1/account/emails", json={"email": "other@example.org"}, headers=learner.headers
    )
    assert added.status in (200, 201, 202), await added.text()
    await offer_to(learner, issuer, email="other@example.org")
    path = _path(wallet_app.mailbox.to("other@example.org")[-1])
    browser = await browser_for(learner, path)
    async with browser.get(path) as response:
        assert response.status == 403


async def test_a_forged_credential_cannot_be_offered(make_learner, issuer):
    learner = await make_learner()
    forged = issuer.badge(learner.did)
    forged["name"] = "Forged"
    with pytest.raises(offers.InvalidOfferRequestError):
        await offers.create_claim_offer(
            learner.services, json.dumps(forged).encode(), email=learner.email
        )
    with pytest.raises(offers.InvalidOfferRequestError):
        await offers.create_claim_offer(learner.services, b"{}", email="not-an-address")


def _path(message):
    body = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://[^\s/]+(/claim/[A-Za-z0-9_-]+)", body)
    assert match, f"no claim link in: {body}"
    return match.group(1)


def _csrf(page):
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert match, "the claim page has no CSRF field"
    return match.group(1)


async def test_a_badge_naming_someone_else_is_flagged_on_the_claim_page(
    wallet_app, make_learner, issuer, browser_for
):
    learner = await make_learner()
    raw = issuer.badge_bytes("did:example:someone-else", name="Not Mine")
    await offers.create_claim_offer(learner.services, raw, email=learner.email)
    path = _path(wallet_app.mailbox.to(learner.email)[-1])
    browser = await browser_for(learner, path)
    async with browser.get(path) as response:
        page = await response.text()
    assert 'data-recipient="mismatch"' in page and "Someone else" in page


async def test_a_refused_import_gives_the_offer_back_untouched(
    wallet_app, make_learner, issuer, monkeypatch
):
    learner = await make_learner()
    _, new = await offer_to(learner, issuer)

    async def refuse(services, owner, item, *, state):
        return credentials.ImportResult(0, None, "rejected", reason="refused for the test")

    monkeypatch.setattr(credentials, "import_credential", refuse)
    offer = await learner.services.store.get("offers", new.offer["_id"])
    with pytest.raises(credentials.CredentialRejectedError):
        await offers.accept_offer(learner.services, offer, learner.account_id)
    back = await learner.services.store.get("offers", new.offer["_id"])
    assert back["state"] == "open"
    assert "account_id" not in back and "decided_at" not in back and back["raw"] == offer["raw"]

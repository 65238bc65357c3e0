"""Brute force and mail flooding are slowed down (429 with Retry-After)."""

from __future__ import annotations

import pytest

from satchel.validator.web.limits import RateLimitedError
from satchel.wallet.web.accounts_routes import LIMITS_KEY
from satchel.wallet.web.auth import AttemptLimiter


async def sign_in(client, email, password):
    return await client.post("/api/v1/session", json={"email": email, "password": password})


async def test_ten_failures_on_one_address_lock_it_for_a_while(
    wallet_app, make_learner, assert_documented
):
    learner = await make_learner()
    for _ in range(10):
        assert (await sign_in(wallet_app, learner.email, "wrong password!")).status == 401
    locked = await sign_in(wallet_app, learner.email.upper(), learner.password)
    assert locked.status == 429
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    await assert_documented(locked, "/api/v1/session", "post")
    other = await make_learner()
    assert (await sign_in(wallet_app, other.email, other.password)).status == 200


async def test_failures_from_one_client_across_addresses_are_limited(wallet_app, make_learner):
    wallet_app.server.app[LIMITS_KEY].login_per_client = AttemptLimiter(3, 900)
    learner = await make_learner()
    for number in range(3):
        await sign_in(wallet_app, f"guess{number}@example.org", "some password")
    assert (await sign_in(wallet_app, learner.email, learner.password)).status == 429


async def test_merge_proofs_count_as_sign_in_failures(wallet_app, make_learner):
    ada, bob = await make_learner(), await make_learner()
    body = {"email": bob.email, "password": "a wrong guess"}
    for _ in range(10):
        response = await wallet_app.post("/api/v1/account/merge", json=body, headers=ada.headers)
        assert response.status == 401
    body["password"] = bob.password
    response = await wallet_app.post("/api/v1/account/merge", json=body, headers=ada.headers)
    assert response.status == 429


async def test_password_confirmations_for_deletion_are_limited(wallet_app, make_learner):
    learner = await make_learner()
    for _ in range(10):
        await wallet_app.delete(
            "/api/v1/account", json={"password": "guess guess"}, headers=learner.headers
        )
    response = await wallet_app.delete(
        "/api/v1/account", json={"password": learner.password}, headers=learner.headers
    )
    assert response.status == 429
    assert await learner.services.store.get("accounts", learner.account_id) is not None


async def test_mail_sending_requests_are_capped_per_address(
    wallet_app, make_learner, assert_documented
):
    learner = await make_learner()
    for _ in range(5):
        response = await wallet_app.post("/api/v1/password-reset", json={"email": learner.email})
        assert response.status == 202
    capped = await wallet_app.post("/api/v1/password-reset", json={"email": learner.email})
    assert capped.status == 429
    await assert_documented(capped, "/api/v1/password-reset", "post")
    registering = await wallet_app.post(
        "/api/v1/accounts", json={"email": learner.email, "password": "a long password"}
    )
    assert registering.status == 429


def test_the_attempt_limiter_forgets_failures_after_its_window():
    now = [0.0]
    limiter = AttemptLimiter(2, 60, clock=lambda: now[0])
    limiter.record(["k"])
    limiter.record(["k"])
    with pytest.raises(RateLimitedError) as caught:
        limiter.check(["k"])
    assert caught.value.retry_after == 60
    limiter.check(["other"])
    now[0] = 60.5
    limiter.check(["k"])


def test_the_attempt_limiter_keeps_a_bounded_number_of_keys():
    limiter = AttemptLimiter(1, 60, max_keys=2)
    for key in ("a", "b", "c"):
        limiter.record([key])
    limiter.check(["a"])  # forgotten first
    with pytest.raises(RateLimitedError):
        limiter.check(["c"])

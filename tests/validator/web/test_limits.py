"""Request limits: body size (413), per-client rate (429), concurrent verifications (503)."""

from __future__ import annotations

import asyncio

import pytest

from satchel.app import create_app
from satchel.config import Settings
from satchel.validator.web.limits import Limits, LimitSettings, TokenBucketLimiter
from satchel.validator.web.services import VERIFIER_KEY

CREDENTIAL = {"verifiableCredential": {"@context": ["https://www.w3.org/ns/credentials/v2"]}}


def app_with(tmp_path, **limits):
    return create_app(Settings(data_dir=tmp_path / "data", **limits))


async def test_oversized_declared_body_is_a_413_problem(aiohttp_client, tmp_path):
    client = await aiohttp_client(app_with(tmp_path, max_body_bytes=1000, rate_limit=0))
    response = await client.post("/credentials/verify", data=b"x" * 5000)
    body = await response.json()
    assert response.status == 413
    assert response.content_type == "application/problem+json"
    assert body["status"] == 413
    assert "1000" in body["detail"]


async def test_oversized_chunked_body_is_a_413_problem(aiohttp_client, tmp_path):
    client = await aiohttp_client(app_with(tmp_path, max_body_bytes=1000, rate_limit=0))

    async def chunks():
        for _ in range(10):
            yield b"x" * 500

    response = await client.post("/credentials/issue", data=chunks())
    assert response.status == 413
    assert response.content_type == "application/problem+json"


async def test_rate_limit_answers_429_with_retry_after(aiohttp_client, tmp_path):
    client = await aiohttp_client(app_with(tmp_path, rate_limit=3))
    statuses = []
    for _ in range(4):
        response = await client.post("/credentials/verify", json=CREDENTIAL)
        statuses.append(response.status)
    assert statuses[:3] == [400, 400, 400]
    assert statuses[3] == 429
    assert int(response.headers["Retry-After"]) >= 1
    body = await response.json()
    assert body["type"].endswith("/rate-limited")


async def test_rate_limit_of_zero_means_unlimited(aiohttp_client, tmp_path):
    client = await aiohttp_client(app_with(tmp_path, rate_limit=0))
    for _ in range(20):
        response = await client.post("/credentials/verify", json=CREDENTIAL)
        assert response.status == 400


async def test_excess_concurrent_verifications_get_503(aiohttp_client, tmp_path):
    app = app_with(
        tmp_path, rate_limit=0, max_concurrent_verifications=1, verification_queue_seconds=0.05
    )
    client = await aiohttp_client(app)
    release = asyncio.Event()
    verifier = app[VERIFIER_KEY]
    real_verify = verifier.verify

    async def slow_verify(*args, **kwargs):
        await release.wait()
        return await real_verify(*args, **kwargs)

    verifier.verify = slow_verify  # type: ignore[method-assign]
    first = asyncio.create_task(client.post("/credentials/verify", json=CREDENTIAL))
    await asyncio.sleep(0.05)
    second = await client.post("/credentials/verify", json=CREDENTIAL)
    release.set()
    assert second.status == 503
    assert second.headers["Retry-After"] == "1"
    assert (await second.json())["type"].endswith("/verification-busy")
    assert (await first).status == 400  # the held one still completes


def test_token_bucket_refills_over_time():
    now = [0.0]
    bucket = TokenBucketLimiter(60, clock=lambda: now[0])  # one token a second
    assert [bucket.take("a") for _ in range(60)] == [0.0] * 60
    assert bucket.take("a") == pytest.approx(1.0)
    assert bucket.take("b") == 0.0  # clients have their own buckets
    now[0] += 1.0
    assert bucket.take("a") == 0.0


def test_token_bucket_forgets_the_oldest_clients_beyond_its_bound():
    bucket = TokenBucketLimiter(1, max_clients=2, clock=lambda: 0.0)
    for client in ("a", "b", "c"):
        bucket.take(client)
    assert bucket.take("a") == 0.0  # "a" was forgotten, so it starts with a full bucket
    assert bucket.take("c") > 0


async def test_verification_slot_is_released_after_an_error():
    limits = Limits(LimitSettings(max_concurrent=1, queue_seconds=0.01))
    with pytest.raises(RuntimeError):
        async with limits.verification_slot():
            raise RuntimeError("boom")
    async with limits.verification_slot():
        pass

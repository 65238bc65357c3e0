"""The status-list cache: through the engine against a counting host, and on its own."""

from __future__ import annotations

import asyncio

import pytest

from satchel.validator.engine import Verifier
from satchel.validator.report import Outcome
from satchel.validator.status import StatusListCache
from satchel.validator.status.cache import Loaded, ttl_from_headers

URL = "https://status.example/lists/1"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def verify_twice(kit, issuer, fetcher, verifier=None):
    verifier = verifier or Verifier(fetcher=fetcher)
    credential = issuer.credential(kit.bitstring_entry(7))
    first = kit.only_status(await kit.verify(credential, fetcher, verifier))
    second = kit.only_status(await kit.verify(credential, fetcher, verifier))
    return first, second


async def test_max_age_keeps_the_list_so_the_host_is_asked_once(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list(), headers={"Cache-Control": "public, max-age=600"})
    first, second = await verify_twice(kit, issuer, fetcher)
    assert status_host.hits[URL] == 1
    assert (first.details["fromCache"], second.details["fromCache"]) == (False, True)
    assert second.outcome is Outcome.PASSED
    assert second.details["fetchedAt"] == first.details["fetchedAt"]


async def test_no_store_makes_every_verification_fetch_the_list(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list(), headers={"Cache-Control": "no-store"})
    _, second = await verify_twice(kit, issuer, fetcher)
    assert status_host.hits[URL] == 2
    assert second.details["fromCache"] is False


async def test_max_age_zero_is_not_kept(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list(), headers={"Cache-Control": "max-age=0"})
    await verify_twice(kit, issuer, fetcher)
    assert status_host.hits[URL] == 2


async def test_list_ttl_shortens_the_cache_lifetime(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list(ttl_ms=0), headers={"Cache-Control": "max-age=600"})
    await verify_twice(kit, issuer, fetcher)
    assert status_host.hits[URL] == 2


async def test_list_is_fetched_again_once_max_age_has_passed(kit, issuer, status_host, fetcher):
    clock = FakeClock()
    verifier = Verifier(fetcher=fetcher, status_cache=StatusListCache(clock=clock))
    status_host.serve(URL, issuer.status_list(), headers={"Cache-Control": "max-age=60"})
    credential = issuer.credential(kit.bitstring_entry(7))
    await kit.verify(credential, fetcher, verifier)
    clock.now += 59
    await kit.verify(credential, fetcher, verifier)
    assert status_host.hits[URL] == 1
    # the issuer revokes; once the cached copy is stale the revocation is seen
    status_host.serve(URL, issuer.status_list({7}), headers={"Cache-Control": "max-age=60"})
    clock.now += 2
    check = kit.only_status(await kit.verify(credential, fetcher, verifier))
    assert status_host.hits[URL] == 2
    assert check.outcome is Outcome.FAILED


async def test_failure_is_not_cached(kit, issuer, status_host, fetcher):
    verifier = Verifier(fetcher=fetcher)
    credential = issuer.credential(kit.bitstring_entry(7))
    first = kit.only_status(await kit.verify(credential, fetcher, verifier))
    status_host.serve(URL, issuer.status_list())
    second = kit.only_status(await kit.verify(credential, fetcher, verifier))
    assert first.outcome is Outcome.NOT_CHECKED
    assert second.outcome is Outcome.PASSED


async def test_concurrent_verifications_share_one_fetch(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list(), delay=0.1)
    verifier = Verifier(fetcher=fetcher)
    credential = issuer.credential(kit.bitstring_entry(7))
    reports = await asyncio.gather(*(kit.verify(credential, fetcher, verifier) for _ in range(3)))
    assert status_host.hits[URL] == 1
    assert all(kit.only_status(r).outcome is Outcome.PASSED for r in reports)


@pytest.mark.parametrize(
    ("header", "ttl"),
    [
        ("max-age=120", 120.0),
        ("public, max-age=30, must-revalidate", 30.0),
        ('max-age="45"', 45.0),
        ("no-store", 0.0),
        ("private, no-cache", 0.0),
        ("no-cache=Set-Cookie, max-age=10", 0.0),
        ("s-maxage=99", None),
        ("public", None),
    ],
)
def test_ttl_from_cache_control(header, ttl):
    assert ttl_from_headers({"Cache-Control": header}) == ttl


def test_ttl_without_cache_control_is_unsaid():
    assert ttl_from_headers({"Content-Type": "application/vc"}) is None


def test_lifetime_is_capped_and_entries_are_bounded():
    clock = FakeClock()
    cache = StatusListCache(max_ttl=100, max_entries=2, clock=clock)
    cache.put(("k", "a"), "A", 10_000)
    clock.now += 101
    assert cache.get(("k", "a")) is None
    for name in "bcd":
        cache.put(("k", name), name.upper(), None)
    assert cache.size == 2
    assert cache.get(("k", "b")) is None
    assert cache.get(("k", "d")) == "D"


async def test_loader_failure_reaches_every_waiter_and_is_not_kept():
    cache = StatusListCache()
    started = asyncio.Event()

    async def failing() -> Loaded:
        started.set()
        await asyncio.sleep(0.01)
        raise RuntimeError("host down")

    async def waiter() -> object:
        await started.wait()
        return await cache.get_or_load(("k", "u"), str, failing)

    results = await asyncio.gather(
        cache.get_or_load(("k", "u"), str, failing), waiter(), return_exceptions=True
    )
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
    assert cache.size == 0

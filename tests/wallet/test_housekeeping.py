"""Expired and abandoned data is deleted; everything still live is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from satchel.wallet import accounts
from satchel.wallet.housekeeping import UNVERIFIED_ACCOUNT_DAYS, purge
from satchel.wallet.services import iso

NOW = datetime(2030, 1, 1, tzinfo=UTC)


async def test_expired_sessions_tokens_and_unclaimed_offers_are_deleted(wallet_services):
    store = wallet_services.store
    past, future = iso(NOW - timedelta(hours=1)), iso(NOW + timedelta(hours=1))
    for name, expires in (("old", past), ("live", future)):
        await store.insert(
            "sessions", {"_id": f"s-{name}", "account_id": "a", "expires_at": expires}
        )
        await store.insert(
            "one_time_tokens",
            {
                "_id": f"t-{name}",
                "account_id": "a",
                "kind": "reset",
                "expires_at": expires,
                "used": False,
            },
        )
        await store.insert(
            "offers",
            {"_id": f"o-{name}", "email": "x@example.org", "state": "open", "expires_at": expires},
        )
    await store.insert(
        "offers",
        {"_id": "o-bound", "account_id": "a", "state": "open", "expires_at": past},
    )
    removed = await purge(wallet_services, NOW)
    assert removed["sessions"] == removed["one_time_tokens"] == removed["offers"] == 1
    for collection, prefix in (("sessions", "s"), ("one_time_tokens", "t"), ("offers", "o")):
        assert await store.get(collection, f"{prefix}-old") is None
        assert await store.get(collection, f"{prefix}-live") is not None
    assert await store.get("offers", "o-bound") is not None  # its credential is in the wallet


async def test_accounts_never_verified_are_erased_after_a_week(wallet_services, make_learner):
    verified = await make_learner()
    await accounts.register(wallet_services, "never-verified@example.org", "correct horse battery")
    await accounts.flush_mail()
    page = await wallet_services.store.find("accounts", {}, limit=10)
    unverified = [a for a in page.items if a["_id"] != verified.account_id]
    assert len(unverified) == 1
    soon = datetime.fromisoformat(unverified[0]["created_at"].replace("Z", "+00:00"))
    assert (await purge(wallet_services, soon + timedelta(days=1)))["accounts"] == 0
    later = soon + timedelta(days=UNVERIFIED_ACCOUNT_DAYS + 1)
    assert (await purge(wallet_services, later))["accounts"] == 1
    assert await wallet_services.store.get("accounts", unverified[0]["_id"]) is None
    assert await wallet_services.store.count("emails", {"account_id": unverified[0]["_id"]}) == 0
    assert await wallet_services.store.get("accounts", verified.account_id) is not None

"""Housekeeping: what is expired or abandoned is deleted, on start and then every hour.

- sessions and one-time tokens (verification, reset) past their expiry;
- claim offers mailed to an address that no account took, past their expiry (they hold the
  credential's bytes: an unclaimed badge should not linger);
- accounts whose address was never verified within :data:`UNVERIFIED_ACCOUNT_DAYS` (erased
  with everything they own, as an account deletion does).

Account-bound offers are kept: their credential already sits, pending, in the wallet.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from satchel.errors import SatchelError
from satchel.wallet.services import WalletServices, iso
from satchel.wallet.storage.port import MAX_PAGE_SIZE

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 3600.0
UNVERIFIED_ACCOUNT_DAYS = 7
MAX_ACCOUNTS_PER_RUN = 500


async def purge(services: WalletServices, now: datetime | None = None) -> dict[str, int]:
    """Delete what has expired; how many documents went, by kind."""
    moment = now or services.now()
    cutoff = iso(moment)
    store = services.store
    removed = {
        "sessions": await store.delete_many("sessions", {"expires_at": {"$lt": cutoff}}),
        "one_time_tokens": await store.delete_many(
            "one_time_tokens", {"expires_at": {"$lt": cutoff}}
        ),
        "offers": await store.delete_many(
            "offers", {"account_id": None, "expires_at": {"$lt": cutoff}}
        ),
    }
    removed["accounts"] = await _purge_unverified_accounts(services, moment)
    return removed


async def _purge_unverified_accounts(services: WalletServices, now: datetime) -> int:
    from satchel.wallet.accounts import delete_account  # the account service owns erasure

    cutoff = iso(now - timedelta(days=UNVERIFIED_ACCOUNT_DAYS))
    removed = 0
    after = None
    for _ in range(MAX_ACCOUNTS_PER_RUN // MAX_PAGE_SIZE + 1):
        page = await services.store.find(
            "accounts", {"created_at": {"$lt": cutoff}}, limit=MAX_PAGE_SIZE, after=after
        )
        for account in page.items:
            verified = await services.store.count(
                "emails", {"account_id": account["_id"], "verified": True}
            )
            if verified == 0:
                await delete_account(services, account["_id"])
                removed += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor
    return removed


async def run_periodically(services: WalletServices, interval: float = INTERVAL_SECONDS) -> None:
    """Purge now and every ``interval`` seconds until cancelled; a failed run is logged."""
    while True:
        try:
            removed = await purge(services)
            if any(removed.values()):
                log.info("housekeeping removed %s", removed)
        except SatchelError:
            log.exception("housekeeping run failed; trying again in %.0f s", interval)
        await asyncio.sleep(interval)

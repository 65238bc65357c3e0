"""The wallet's services, created inside the running loop and closed on shutdown.

Stable API for every wallet module:

- :data:`WALLET_KEY` ``web.AppKey[WalletServices]`` and :func:`wallet_of(request)`.
- :class:`WalletServices`: ``settings``, ``store`` (the storage port; SQLite or MongoDB, never
  known which), ``keystore`` (seals private keys under the KEK file), ``mailer`` (SMTP or the
  outbox folder), ``verifier`` (the validator engine with its guarded fetcher: every import
  goes through it), ``fetcher`` (the same guarded fetcher, for remote images and backpacks),
  ``now()`` (UTC; tests may replace it), ``base_url`` (for links in mail).
- :func:`open_wallet_services(settings, verifier)` for scripts and tests outside aiohttp.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web

from satchel.config import Settings
from satchel.fetcher import GuardedFetcher
from satchel.validator.engine import Verifier
from satchel.validator.web.services import VERIFIER_KEY
from satchel.wallet.keystore import Keystore, load_or_create_kek
from satchel.wallet.mail import Mailer, mailer_for
from satchel.wallet.schema import WALLET_SCHEMA
from satchel.wallet.storage import Store, open_store


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC, fixed width, so that string order is time order in the store."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class WalletServices:
    settings: Settings
    store: Store
    keystore: Keystore
    mailer: Mailer
    verifier: Verifier
    now: Callable[[], datetime] = field(default=utc_now)

    @property
    def fetcher(self) -> GuardedFetcher | None:
        return self.verifier.fetcher

    @property
    def base_url(self) -> str:
        return self.settings.base_url


WALLET_KEY = web.AppKey("wallet", WalletServices)


def wallet_of(request: web.Request) -> WalletServices:
    return request.config_dict[WALLET_KEY]


async def open_wallet_services(settings: Settings, verifier: Verifier) -> WalletServices:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    kek = await asyncio.to_thread(load_or_create_kek, settings.kek_file)
    store = await open_store(settings.database_url, settings.data_dir, WALLET_SCHEMA)
    return WalletServices(
        settings=settings,
        store=store,
        keystore=Keystore(kek),
        mailer=mailer_for(settings.smtp_url, settings.data_dir),
        verifier=verifier,
    )


def setup_wallet_services(app: web.Application, settings: Settings) -> None:
    """Open the store (and the rest) at startup, after the validator's services."""

    async def wallet(app: web.Application) -> AsyncIterator[None]:
        services = await open_wallet_services(settings, app[VERIFIER_KEY])
        app[WALLET_KEY] = services
        from satchel.wallet.housekeeping import run_periodically

        housekeeping = asyncio.create_task(run_periodically(services))
        try:
            yield
        finally:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
            # Mail is sent in the background: finish it before the loop goes away.
            from satchel.wallet.accounts import flush_mail

            await flush_mail()
            await services.store.close()

    app.cleanup_ctx.append(wallet)

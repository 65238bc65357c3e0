"""Wallet fixtures shared by every wallet test folder (owned by the accounts area).

- ``wallet_app``: an aiohttp test client of the whole app (``create_app``) on a fresh data
  folder, SQLite store, no request rate limit. Its mailer records every message
  (``wallet_app.mailbox``) and still writes the outbox files.
- ``make_learner``: ``await make_learner(email=None, password=None)`` creates an account
  through the real service code, follows the verification link mailed to it and creates an
  API token with every scope. Returns a :class:`Learner`.
- ``fast_password_hashing`` (used by ``wallet_app``): cheap argon2id parameters.
- ``mailbox`` / ``mail_token``: the recorded messages; ``await mail_token(address, path)``
  gives the token of the newest ``path`` link (e.g. "/verify-email") mailed to ``address``.
- ``wallet_services``: the app's :class:`WalletServices` (store, keystore, now...).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher

from satchel.app import create_app
from satchel.config import Settings
from satchel.wallet import accounts, identity, passwords
from satchel.wallet.mail import Mailer
from satchel.wallet.secrets import SCOPES
from satchel.wallet.services import WALLET_KEY, WalletServices

DEFAULT_PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


@dataclass
class RecordingMailer:
    """Keeps every message (for tests to read the links) and passes it on."""

    inner: Mailer
    messages: list[EmailMessage] = field(default_factory=list)

    async def send(self, message: EmailMessage) -> None:
        self.messages.append(message)
        await self.inner.send(message)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def mail_text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def link_token(message: EmailMessage, path: str) -> str:
    """The ``token`` query value of the ``path`` link in ``message``."""
    match = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_\-]+)", mail_text(message))
    assert match, f"no {path} link in: {mail_text(message)}"
    return match.group(1)


@dataclass
class Learner:
    account_id: str
    email: str
    password: str
    did: str
    token: str
    client: TestClient
    services: WalletServices
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def wallet_settings(tmp_path: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": tmp_path / "wallet-data", "rate_limit": 0}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with the cheapest parameters: production ones take ~0.1 s a hash,
    which would make the account tests slow without testing anything more."""
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
async def wallet_app(aiohttp_client: Any, tmp_path: Any, fast_password_hashing: None) -> TestClient:
    client: TestClient = await aiohttp_client(create_app(wallet_settings(tmp_path)))
    services = client.server.app[WALLET_KEY]
    recorder = RecordingMailer(services.mailer)
    services.mailer = recorder
    client.mailbox = recorder  # type: ignore[attr-defined]
    return client


@pytest.fixture
def wallet_services(wallet_app: TestClient) -> WalletServices:
    return wallet_app.server.app[WALLET_KEY]


async def create_verified_learner(
    client: TestClient, email: str | None = None, password: str | None = None
) -> Learner:
    services: WalletServices = client.server.app[WALLET_KEY]
    address = email or f"learner{next(_numbers)}@example.org"
    secret = password or DEFAULT_PASSWORD
    account_id = await accounts.register(services, address, secret)
    assert account_id is not None, f"{address} is already registered"
    await accounts.flush_mail()
    mailer = services.mailer
    assert isinstance(mailer, RecordingMailer)
    token = link_token(mailer.to(address.lower())[-1], "/verify-email")
    await accounts.verify_email(services, token)
    api_token = await accounts.create_api_token(services, account_id, "tests", sorted(SCOPES))
    dids = await identity.learner_dids(services, account_id)
    return Learner(
        account_id=account_id,
        email=address.lower(),
        password=secret,
        did=dids[0],
        token=api_token.secret,
        client=client,
        services=services,
    )


@pytest.fixture
def make_learner(wallet_app: TestClient) -> Callable[..., Awaitable[Learner]]:
    async def make(email: str | None = None, password: str | None = None) -> Learner:
        return await create_verified_learner(wallet_app, email, password)

    return make


@pytest.fixture
def mailbox(wallet_app: TestClient) -> RecordingMailer:
    """Every message the app sent (call ``await accounts.flush_mail()`` first, or use
    ``mail_token``)."""
    recorder: RecordingMailer = wallet_app.mailbox  # type: ignore[attr-defined]
    return recorder


@pytest.fixture
def mail_token(mailbox: RecordingMailer) -> Callable[[str, str], Awaitable[str]]:
    """``await mail_token(address, "/verify-email")``: the token of the newest such link
    mailed to ``address``."""

    async def token(address: str, path: str) -> str:
        await accounts.flush_mail()
        messages = [m for m in mailbox.to(address) if path in mail_text(m)]
        assert messages, f"no {path} mail to {address}"
        return link_token(messages[-1], path)

    return token

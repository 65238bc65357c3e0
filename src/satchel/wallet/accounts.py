"""The account service: registration, email addresses, sign-in, API tokens, password reset,
merge and deletion. The web layer (:mod:`satchel.wallet.web.accounts_routes`) is a thin shell
around these functions; scripts and tests call them directly.

Decisions (see also the module docs of the routes):

- **Enumeration.** Register and password reset answer the same whatever the address: the
  outcome goes by mail to the address (a verification link, a reset link, or a notice that
  the address already has an account). Sign-in answers "wrong email or password" for an
  unknown address and a wrong password alike, after spending the same argon2 time. Mail is
  sent in the background so that SMTP latency does not tell either.
- **Unverified addresses.** An account can sign in only with a verified address: signing in
  with an unverified one (and the right password) is refused with ``email-not-verified`` and a
  fresh verification link is mailed. Only someone who knows the password learns that the
  account exists. An unverified claim never blocks anyone: whoever verifies first owns it.
- **Secrets** (session ids, API tokens, one-time tokens) are 256-bit random strings; only
  their SHA-256 is stored. One-time tokens expire and are marked used in the same transaction
  as their effect.
- **Merge proof.** The signed-in owner of account A proves control of account B by giving
  B's email address and password (the same check as signing in, under the same attempt
  limits). Everything of B then moves to A in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from satchel.errors import SatchelError
from satchel.wallet import identity
from satchel.wallet.mail import MailError, compose
from satchel.wallet.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from satchel.wallet.schema import WALLET_SCHEMA
from satchel.wallet.secrets import SCOPES, TOKEN_PREFIX, secret_hash
from satchel.wallet.services import WalletServices, iso
from satchel.wallet.storage import Document, DuplicateKeyError, Operations, in_transaction
from satchel.wallet.storage.port import MAX_PAGE_SIZE

log = logging.getLogger(__name__)

SESSION_LIFETIME = timedelta(days=14)
RECENT_SIGN_IN = timedelta(minutes=15)
VERIFY_EMAIL_LIFETIME = timedelta(hours=24)
PASSWORD_RESET_LIFETIME = timedelta(hours=1)
MAX_EMAILS_PER_ACCOUNT = 20
MAX_TOKENS_PER_ACCOUNT = 100
MAX_TOKEN_NAME = 100
MAX_EMAIL_LENGTH = 254

VERIFY_EMAIL = "verify-email"
PASSWORD_RESET = "password-reset"  # noqa: S105 - a token kind, not a secret

# Collections whose documents die with the account (merge deletes them instead of moving).
CREDENTIALS_OF_SIGN_IN = ("sessions", "api_tokens", "one_time_tokens")
OWNER_FIELDS = ("owner", "account_id")

_EMAIL = re.compile(r"^[^@\s<>\"(),;:\\\[\]]+@[^@\s<>\"(),;:\\\[\]]+\.[^@\s<>\"(),;:\\\[\]]+$")
_background: set[asyncio.Task[None]] = set()
_dummy_hash: str | None = None


# --------------------------------------------------------------------------- errors


class AccountError(SatchelError):
    type = "account-error"
    title = "Account error"
    status = 400


class InvalidEmailError(AccountError):
    type = "invalid-email"
    title = "Invalid email address"


class WeakPasswordError(AccountError):
    type = "invalid-password"
    title = "Unacceptable password"


class InvalidCredentialsError(AccountError):
    type = "invalid-credentials"
    title = "Wrong email or password"
    status = 401


class EmailNotVerifiedError(AccountError):
    type = "email-not-verified"
    title = "Email address not verified"
    status = 403


class InvalidTokenError(AccountError):
    type = "invalid-token"
    title = "Invalid or expired link"


class AddressTakenError(AccountError):
    type = "address-taken"
    title = "Address belongs to another account"
    status = 409


class AccountConflictError(AccountError):
    type = "account-conflict"
    title = "Not possible in the account's current state"
    status = 409


class AccountNotFoundError(AccountError):
    type = "not-found"
    title = "Not found"
    status = 404


class ReauthenticationRequiredError(AccountError):
    type = "reauthentication-required"
    title = "Confirm with your password"
    status = 403


# --------------------------------------------------------------------------- helpers


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(16)}"


def new_secret() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def normalize_email(text: object) -> str:
    """Lower-cased, trimmed address; :class:`InvalidEmailError` unless it looks like one."""
    if not isinstance(text, str):
        raise InvalidEmailError("An email address is required.")
    address = text.strip().lower()
    if len(address) > MAX_EMAIL_LENGTH or not _EMAIL.match(address):
        raise InvalidEmailError(f"{text[:100]!r} is not an email address.")
    return address


def check_password_policy(password: object) -> str:
    if not isinstance(password, str):
        raise WeakPasswordError("A password is required.")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(
            f"A password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters."
        )
    return password


def _now(services: WalletServices) -> str:
    return iso(services.now())


def _later(services: WalletServices, delta: timedelta) -> str:
    return iso(services.now() + delta)


async def _spend_password_time(password: str) -> None:
    """Run one argon2 verification whose result is ignored: unknown addresses take as long
    as known ones."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = await hash_password(new_secret())
    await verify_password(_dummy_hash, password)


async def _find_all(ops: Operations, collection: str, filter: dict[str, Any]) -> list[Document]:
    documents: list[Document] = []
    after: str | None = None
    while True:
        page = await ops.find(collection, filter, limit=MAX_PAGE_SIZE, after=after)
        documents.extend(page.items)
        if page.next_cursor is None:
            return documents
        after = page.next_cursor


async def verified_owner(ops: Operations, address: str) -> Document | None:
    """The email document that holds ``address`` verified, if any."""
    page = await ops.find("emails", {"verified_address": address}, limit=1)
    return page.items[0] if page.items else None


async def get_account(ops: Operations, account_id: str) -> Document:
    account = await ops.get("accounts", account_id)
    if account is None:
        raise AccountNotFoundError("This account no longer exists.")
    return account


# --------------------------------------------------------------------------- mail


def send_in_background(services: WalletServices, message: EmailMessage) -> None:
    """Send without making the caller wait: answers must not take longer when a mail goes out
    (that would tell whether an address has an account). Failures are logged."""

    async def send() -> None:
        try:
            await services.mailer.send(message)
        except MailError as exc:
            log.error("mail to %s not sent: %s", message["To"], exc.detail)

    task = asyncio.get_running_loop().create_task(send())
    _background.add(task)
    task.add_done_callback(_background.discard)


async def flush_mail() -> None:
    """Wait for mail being sent in the background (tests, scripts, shutdown)."""
    loop = asyncio.get_running_loop()
    while mine := [task for task in _background if task.get_loop() is loop]:
        await asyncio.gather(*mine, return_exceptions=True)
    _background.clear()  # anything left belonged to a loop that is gone


def _mail(services: WalletServices, to: str, subject: str, body: str) -> None:
    send_in_background(services, compose(services.settings.mail_from, to, subject, body))


async def _issue_one_time_token(
    ops: Operations,
    services: WalletServices,
    account_id: str,
    kind: str,
    lifetime: timedelta,
    **extra: str,
) -> str:
    secret = new_secret()
    await ops.insert(
        "one_time_tokens",
        {
            "_id": secret_hash(secret),
            "account_id": account_id,
            "kind": kind,
            "created_at": _now(services),
            "expires_at": _later(services, lifetime),
            "used": False,
            **extra,
        },
    )
    return secret


async def send_verification(services: WalletServices, email: Document) -> None:
    """Mail a verification link for ``email`` (an ``emails`` document)."""
    secret = await _issue_one_time_token(
        services.store,
        services,
        email["account_id"],
        VERIFY_EMAIL,
        VERIFY_EMAIL_LIFETIME,
        email_id=email["_id"],
    )
    link = f"{services.base_url}/verify-email?token={secret}"
    _mail(
        services,
        email["address"],
        "Confirm your email address for Satchel",
        "Open this link to confirm that this address is yours:\n\n"
        f"{link}\n\n"
        f"The link works once, within {int(VERIFY_EMAIL_LIFETIME.total_seconds() // 3600)} "
        "hours. If you did not ask for it, ignore this message.\n",
    )


def _mail_address_already_registered(services: WalletServices, address: str) -> None:
    _mail(
        services,
        address,
        "Your Satchel account",
        "Someone (perhaps you) tried to create a Satchel account with this address, which "
        "already has one. Sign in at\n\n"
        f"{services.base_url}/\n\n"
        "or, if you forgot your password, ask for a reset link there. If it was not you, "
        "ignore this message: nothing was changed.\n",
    )


# --------------------------------------------------------------------------- registration


async def register(services: WalletServices, email: object, password: object) -> str | None:
    """Create an account with ``email`` (unverified, primary) and mail a verification link.

    Returns the new account id, or None when the address is already verified by an account
    (then that address gets a notice instead). Callers facing the public must answer the same
    in both cases."""
    address = normalize_email(email)
    password_hash = await hash_password(check_password_policy(password))
    if await verified_owner(services.store, address) is not None:
        _mail_address_already_registered(services, address)
        return None
    account_id = new_id("acc")
    now = _now(services)
    email_doc = _email_document(account_id, address, now, primary=True)
    key_doc, _ = identity.new_key_document(services, account_id, now)

    async def create(tx: Operations) -> None:
        await tx.insert(
            "accounts",
            {
                "_id": account_id,
                "created_at": now,
                "status": "active",
                "password_hash": password_hash,
                "password_changed_at": now,
            },
        )
        await tx.insert("emails", email_doc)
        await tx.insert("keys", key_doc)

    await in_transaction(services.store, create)
    await send_verification(services, email_doc)
    return account_id


def _email_document(account_id: str, address: str, now: str, *, primary: bool) -> Document:
    return {
        "_id": new_id("eml"),
        "account_id": account_id,
        "address": address,
        "verified": False,
        "primary": primary,
        "created_at": now,
    }


async def _use_token(
    tx: Operations, services: WalletServices, secret: object, kind: str
) -> Document:
    """The unused, unexpired one-time token of ``kind``, now marked used (in ``tx``)."""
    if not isinstance(secret, str) or not secret:
        raise InvalidTokenError("This link is invalid, expired or already used.")
    token = await tx.get("one_time_tokens", secret_hash(secret))
    if (
        token is None
        or token["kind"] != kind
        or token["used"]
        or token["expires_at"] <= _now(services)
    ):
        raise InvalidTokenError("This link is invalid, expired or already used.")
    await tx.update(
        "one_time_tokens",
        token["_id"],
        {"used": True, "used_at": _now(services)},
        expected_version=token["_version"],
    )
    return token


async def verify_email(services: WalletServices, secret: object) -> Document:
    """Mark the address behind a verification link verified; returns the email document."""

    async def work(tx: Operations) -> Document:
        token = await _use_token(tx, services, secret, VERIFY_EMAIL)
        email = await tx.get("emails", token.get("email_id", ""))
        if email is None or email["account_id"] != token["account_id"]:
            raise InvalidTokenError("This link is invalid, expired or already used.")
        if email["verified"]:
            return email
        holder = await verified_owner(tx, email["address"])
        if holder is not None:
            raise AddressTakenError(
                f"{email['address']} already belongs to another Satchel account. Sign in to "
                "that account, or merge the two accounts from the one you want to keep."
            )
        return await tx.update(
            "emails",
            email["_id"],
            {"verified": True, "verified_address": email["address"], "verified_at": _now(services)},
            expected_version=email["_version"],
        )

    try:
        return await in_transaction(services.store, work)
    except DuplicateKeyError as exc:  # verified elsewhere at the same moment
        raise AddressTakenError("This address already belongs to another account.") from exc


# --------------------------------------------------------------------------- sign-in


async def check_credentials(services: WalletServices, email: object, password: object) -> str:
    """The account id whose verified ``email`` has ``password``.

    :class:`InvalidCredentialsError` for an unknown address or a wrong password alike (same
    time spent); :class:`EmailNotVerifiedError` when the password is right but the address is
    not verified yet (a fresh verification link is mailed)."""
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidCredentialsError("Wrong email or password.")
    try:
        address = normalize_email(email)
    except InvalidEmailError:
        await _spend_password_time(password)
        raise InvalidCredentialsError("Wrong email or password.") from None
    holder = await verified_owner(services.store, address)
    if holder is not None:
        account = await get_account(services.store, holder["account_id"])
        if await verify_password(account["password_hash"], password):
            await _rehash_if_needed(services, account, password)
            return str(account["_id"])
        raise InvalidCredentialsError("Wrong email or password.")
    claim = await _unverified_claim_with_password(services, address, password)
    if claim is not None:
        await send_verification(services, claim)
        raise EmailNotVerifiedError(
            "Confirm your address first: we sent a new link to it. Then sign in again."
        )
    raise InvalidCredentialsError("Wrong email or password.")


async def _unverified_claim_with_password(
    services: WalletServices, address: str, password: str
) -> Document | None:
    page = await services.store.find("emails", {"address": address, "verified": False}, limit=5)
    for claim in page.items:
        account = await services.store.get("accounts", claim["account_id"])
        if account is not None and await verify_password(account["password_hash"], password):
            return claim
    if not page.items:
        await _spend_password_time(password)
    return None


async def _rehash_if_needed(services: WalletServices, account: Document, password: str) -> None:
    if needs_rehash(account["password_hash"]):
        await services.store.update(
            "accounts", account["_id"], {"password_hash": await hash_password(password)}
        )


@dataclass(frozen=True)
class NewSession:
    secret: str  # goes in the cookie, never stored
    account_id: str
    expires_at: str


async def create_session(
    services: WalletServices, account_id: str, replacing: str | None = None
) -> NewSession:
    """A new session (a fresh id at every sign-in); ``replacing`` (a presented old cookie's
    secret) is deleted, so a session id planted before sign-in is worthless after it."""
    if replacing:
        await services.store.delete("sessions", secret_hash(replacing))
    now = _now(services)
    await services.store.delete_many(
        "sessions", {"account_id": account_id, "expires_at": {"$lte": now}}
    )
    secret = new_secret()
    expires_at = _later(services, SESSION_LIFETIME)
    await services.store.insert(
        "sessions",
        {
            "_id": secret_hash(secret),
            "account_id": account_id,
            "created_at": now,
            "expires_at": expires_at,
        },
    )
    return NewSession(secret, account_id, expires_at)


async def delete_session(services: WalletServices, session_id: str) -> None:
    await services.store.delete("sessions", session_id)


def signed_in_recently(services: WalletServices, authenticated_at: str) -> bool:
    return authenticated_at >= iso(services.now() - RECENT_SIGN_IN)


# --------------------------------------------------------------------------- API tokens


@dataclass(frozen=True)
class NewToken:
    secret: str  # shown once
    document: Document


def check_scopes(requested: object, allowed: frozenset[str]) -> list[str]:
    if not isinstance(requested, list) or not requested:
        raise AccountError("scopes must be a non-empty list of scope names.")
    unknown = [s for s in requested if not isinstance(s, str) or s not in SCOPES]
    if unknown:
        raise AccountError(f"Unknown scopes {unknown!r}; known: {sorted(SCOPES)}.")
    beyond = sorted(set(requested) - allowed)
    if beyond:
        raise AccountError(f"A token cannot grant scopes its creator lacks: {beyond}.")
    return sorted(set(requested))


async def create_api_token(
    services: WalletServices,
    account_id: str,
    name: object,
    scopes: object,
    *,
    allowed: frozenset[str] = SCOPES,
) -> NewToken:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_TOKEN_NAME:
        raise AccountError(f"A token needs a name of 1 to {MAX_TOKEN_NAME} characters.")
    granted = check_scopes(scopes, allowed)
    if (
        await services.store.count("api_tokens", {"account_id": account_id})
        >= MAX_TOKENS_PER_ACCOUNT
    ):
        raise AccountConflictError(f"An account holds at most {MAX_TOKENS_PER_ACCOUNT} tokens.")
    secret = TOKEN_PREFIX + new_secret()
    document = await services.store.insert(
        "api_tokens",
        {
            "_id": new_id("tok"),
            "account_id": account_id,
            "name": name.strip(),
            "scopes": granted,
            "token_hash": secret_hash(secret),
            "revoked": False,
            "created_at": _now(services),
        },
    )
    return NewToken(secret, document)


async def list_api_tokens(services: WalletServices, account_id: str) -> list[Document]:
    page = await services.store.find(
        "api_tokens",
        {"account_id": account_id},
        sort=("created_at", "asc"),
        limit=MAX_PAGE_SIZE,
    )
    return page.items


async def revoke_api_token(services: WalletServices, account_id: str, token_id: str) -> None:
    token = await services.store.get("api_tokens", token_id)
    if token is None or token["account_id"] != account_id:
        raise AccountNotFoundError("No such token on this account.")
    if not token["revoked"]:
        await services.store.update(
            "api_tokens", token_id, {"revoked": True, "revoked_at": _now(services)}
        )


def token_view(document: Document) -> dict[str, Any]:
    """A token as listed: never its secret or hash."""
    view = {
        "id": document["_id"],
        "name": document["name"],
        "scopes": document["scopes"],
        "created_at": document["created_at"],
        "revoked": document["revoked"],
    }
    if "revoked_at" in document:
        view["revoked_at"] = document["revoked_at"]
    return view


# --------------------------------------------------------------------------- password reset


async def request_password_reset(services: WalletServices, email: object) -> None:
    """Mail a reset link when ``email`` is a verified address; otherwise do nothing (the
    caller answers the same either way)."""
    try:
        address = normalize_email(email)
    except InvalidEmailError:
        return
    holder = await verified_owner(services.store, address)
    if holder is None:
        return
    secret = await _issue_one_time_token(
        services.store, services, holder["account_id"], PASSWORD_RESET, PASSWORD_RESET_LIFETIME
    )
    _mail(
        services,
        address,
        "Reset your Satchel password",
        "Open this link to choose a new password:\n\n"
        f"{services.base_url}/reset-password?token={secret}\n\n"
        f"The link works once, within {int(PASSWORD_RESET_LIFETIME.total_seconds() // 60)} "
        "minutes. Every signed-in browser will be signed out. If you did not ask for it, "
        "ignore this message: your password stays as it is.\n",
    )


async def confirm_password_reset(services: WalletServices, secret: object, password: object) -> str:
    """Set a new password from a reset link; every session of the account ends. Returns the
    account id. API tokens stay valid (they are listed and revocable separately)."""
    password_hash = await hash_password(check_password_policy(password))

    async def work(tx: Operations) -> str:
        token = await _use_token(tx, services, secret, PASSWORD_RESET)
        account = await get_account(tx, token["account_id"])
        await tx.update(
            "accounts",
            account["_id"],
            {"password_hash": password_hash, "password_changed_at": _now(services)},
        )
        await tx.delete_many("sessions", {"account_id": account["_id"]})
        await tx.delete_many(
            "one_time_tokens", {"account_id": account["_id"], "kind": PASSWORD_RESET}
        )
        return str(account["_id"])

    return await in_transaction(services.store, work)


async def change_password(
    services: WalletServices,
    account_id: str,
    current: object,
    new: object,
    *,
    keep_session: str | None = None,
) -> None:
    """Replace the password after checking the current one; every other session ends
    (``keep_session``, the caller's own session id, stays) and pending reset links die."""
    password = check_password_policy(new)
    account = await get_account(services.store, account_id)
    if not isinstance(current, str) or not await verify_password(account["password_hash"], current):
        raise ReauthenticationRequiredError("The current password is not right.")
    password_hash = await hash_password(password)

    async def work(tx: Operations) -> None:
        await tx.update(
            "accounts",
            account_id,
            {"password_hash": password_hash, "password_changed_at": _now(services)},
            expected_version=account["_version"],
        )
        for session in await _find_all(tx, "sessions", {"account_id": account_id}):
            if session["_id"] != keep_session:
                await tx.delete("sessions", session["_id"])
        await tx.delete_many("one_time_tokens", {"account_id": account_id, "kind": PASSWORD_RESET})

    await in_transaction(services.store, work)


# --------------------------------------------------------------------------- email addresses


async def list_emails(services: WalletServices, account_id: str) -> list[Document]:
    page = await services.store.find("emails", {"account_id": account_id}, limit=MAX_PAGE_SIZE)
    return sorted(page.items, key=lambda d: (not d["primary"], d["created_at"], d["_id"]))


def email_view(document: Document) -> dict[str, Any]:
    return {
        "id": document["_id"],
        "address": document["address"],
        "verified": document["verified"],
        "primary": document["primary"],
    }


async def add_email(services: WalletServices, account_id: str, email: object) -> Document:
    """Add an unverified address and mail it a verification link.

    The claim is created even when another account holds the address verified (its
    verification then fails for whoever holds the mailbox): the answer tells nothing."""
    address = normalize_email(email)
    current = await list_emails(services, account_id)
    if any(d["address"] == address for d in current):
        raise AccountConflictError(f"{address} is already on your account.")
    if len(current) >= MAX_EMAILS_PER_ACCOUNT:
        raise AccountConflictError(f"An account holds at most {MAX_EMAILS_PER_ACCOUNT} addresses.")
    document = _email_document(account_id, address, _now(services), primary=False)
    await services.store.insert("emails", document)
    await send_verification(services, document)
    return document


async def resend_verification(services: WalletServices, account_id: str, email_id: str) -> Document:
    """Mail a new verification link for an unverified address of the account."""
    document = await _own_email(services.store, account_id, email_id)
    if document["verified"]:
        raise AccountConflictError(f"{document['address']} is already verified.")
    await send_verification(services, document)
    return document


async def _own_email(ops: Operations, account_id: str, email_id: str) -> Document:
    document = await ops.get("emails", email_id)
    if document is None or document["account_id"] != account_id:
        raise AccountNotFoundError("No such address on this account.")
    return document


async def remove_email(services: WalletServices, account_id: str, email_id: str) -> None:
    async def work(tx: Operations) -> None:
        document = await _own_email(tx, account_id, email_id)
        if document["primary"]:
            raise AccountConflictError("Make another verified address primary first.")
        if document["verified"]:
            others = await tx.count("emails", {"account_id": account_id, "verified": True})
            if others <= 1:
                raise AccountConflictError("An account keeps at least one verified address.")
        await tx.delete("emails", email_id)
        for token in await _find_all(
            tx, "one_time_tokens", {"account_id": account_id, "kind": VERIFY_EMAIL}
        ):
            if token.get("email_id") == email_id:
                await tx.delete("one_time_tokens", token["_id"])

    await in_transaction(services.store, work)


async def set_primary_email(services: WalletServices, account_id: str, email_id: str) -> None:
    async def work(tx: Operations) -> None:
        document = await _own_email(tx, account_id, email_id)
        if not document["verified"]:
            raise AccountConflictError("Only a verified address can become primary.")
        for other in await _find_all(tx, "emails", {"account_id": account_id, "primary": True}):
            await tx.update("emails", other["_id"], {"primary": False})
        await tx.update("emails", email_id, {"primary": True})

    await in_transaction(services.store, work)


# --------------------------------------------------------------------------- profile


async def profile(services: WalletServices, account_id: str) -> dict[str, Any]:
    account = await get_account(services.store, account_id)
    keys = await identity.all_keys(services.store, account_id)
    current = [k["did"] for k in keys if k["status"] == identity.CURRENT]
    return {
        "id": account["_id"],
        "created_at": account["created_at"],
        "emails": [email_view(d) for d in await list_emails(services, account_id)],
        "did": current[0] if current else None,
        "dids": [identity.public_key_view(k) for k in reversed(keys)],
    }


async def rotate_key(services: WalletServices, account_id: str) -> Document:
    async def work(tx: Operations) -> Document:
        await get_account(tx, account_id)
        return await identity.rotate_key(services, tx, account_id)

    return await in_transaction(services.store, work)


# --------------------------------------------------------------------------- deletion


def _owner_field(collection_name: str) -> str | None:
    spec = WALLET_SCHEMA.collection(collection_name)
    return next((name for name in OWNER_FIELDS if name in spec.fields), None)


def owned_collections() -> list[tuple[str, str]]:
    """(collection, owner field) of every collection holding per-account documents."""
    found = []
    for spec in WALLET_SCHEMA.collections:
        owner = _owner_field(spec.name)
        if owner is not None:
            found.append((spec.name, owner))
    return found


async def delete_account(services: WalletServices, account_id: str) -> dict[str, int]:
    """Erase the account and every document it owns, in every collection, in one
    transaction. Returns how many documents went from each collection."""

    async def work(tx: Operations) -> dict[str, int]:
        await get_account(tx, account_id)
        erased = {}
        for collection, owner in owned_collections():
            erased[collection] = await tx.delete_many(collection, {owner: account_id})
        await tx.delete("accounts", account_id)
        erased["accounts"] = 1
        return erased

    return await in_transaction(services.store, work)


# --------------------------------------------------------------------------- merge


@dataclass
class MergeReport:
    merged_account_id: str
    moved: dict[str, int] = field(default_factory=dict)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    renamed_collections: list[dict[str, str]] = field(default_factory=list)
    dids: list[str] = field(default_factory=list)

    def count(self, collection: str) -> None:
        self.moved[collection] = self.moved.get(collection, 0) + 1

    def to_json(self) -> dict[str, Any]:
        return {
            "merged_account_id": self.merged_account_id,
            "moved": dict(sorted(self.moved.items())),
            "duplicates": self.duplicates,
            "renamed_collections": self.renamed_collections,
            "dids": self.dids,
        }


async def merge_accounts(
    services: WalletServices, target_id: str, email: object, password: object
) -> MergeReport:
    """Move everything of the account proven by ``email`` + ``password`` into ``target_id``.

    Credentials the target already holds (same bytes, or same issuer and credential id) are
    not duplicated: the target's copy stays, the other is dropped and listed in
    ``duplicates``, its verdict history and collection memberships re-pointed to the kept one.
    Collections whose name the target already uses get a suffix. Emails move unverified-state
    intact (never primary); keys move as retired (re-sealed for the target), so the merged
    account's old DIDs stay the learner's. Sessions, API tokens and pending links of the merged
    account are deleted, then the account itself."""
    source_id = await check_credentials(services, email, password)
    if source_id == target_id:
        raise AccountConflictError("Those are the credentials of this same account.")

    async def work(tx: Operations) -> MergeReport:
        await get_account(tx, target_id)
        await get_account(tx, source_id)
        report = MergeReport(merged_account_id=source_id)
        merger = _Merger(services, tx, source_id, target_id, report)
        await merger.run()
        return report

    return await in_transaction(services.store, work)


@dataclass
class _Merger:
    services: WalletServices
    tx: Operations
    source: str
    target: str
    report: MergeReport
    replaced: dict[str, str] = field(default_factory=dict)  # dropped credential id → kept id

    async def run(self) -> None:
        await self._credentials()
        handlers: dict[str, Callable[[Document], Awaitable[None]]] = {
            "credentials": self._already_done,
            "collections": self._collection,
            "verdicts": self._verdict,
            "emails": self._email,
            "keys": self._key,
        }
        await self._pending_verifications()
        for collection, owner in owned_collections():
            if collection in CREDENTIALS_OF_SIGN_IN:
                await self.tx.delete_many(collection, {owner: self.source})
                continue
            handle = handlers.get(collection)
            for document in await _find_all(self.tx, collection, {owner: self.source}):
                if handle is None:
                    await self.tx.update(collection, document["_id"], {owner: self.target})
                else:
                    await handle(document)
                self.report.count(collection)
        await self.tx.delete("accounts", self.source)

    async def _credentials(self) -> None:
        for document in await _find_all(self.tx, "credentials", {"owner": self.source}):
            kept, reason = await self._existing_copy(document)
            if kept is None:
                await self.tx.update("credentials", document["_id"], {"owner": self.target})
                self.report.count("credentials")
                continue
            await self.tx.delete("credentials", document["_id"])
            self.replaced[document["_id"]] = kept
            self.report.duplicates.append(
                {"kept": kept, "dropped": document["_id"], "reason": reason}
            )

    async def _existing_copy(self, document: Document) -> tuple[str | None, str]:
        probes = []
        if document.get("sha256"):
            probes.append(({"sha256": document["sha256"]}, "same-bytes"))
        if document.get("issuer_id") and document.get("credential_id"):
            probes.append(
                (
                    {
                        "issuer_id": document["issuer_id"],
                        "credential_id": document["credential_id"],
                    },
                    "same-issuer-and-id",
                )
            )
        for probe, reason in probes:
            page = await self.tx.find("credentials", {"owner": self.target, **probe}, limit=1)
            if page.items:
                return page.items[0]["_id"], reason
        return None, ""

    async def _already_done(self, document: Document) -> None:
        raise AssertionError("credentials are moved before the generic pass")

    async def _collection(self, document: Document) -> None:
        changes: dict[str, Any] = {"owner": self.target, **self._repointed_lists(document)}
        name = document.get("name")
        if isinstance(name, str):
            free = await self._free_collection_name(name)
            if free != name:
                changes["name"] = free
                self.report.renamed_collections.append(
                    {"id": document["_id"], "from": name, "to": free}
                )
        await self.tx.update("collections", document["_id"], changes)

    def _repointed_lists(self, document: Document) -> dict[str, Any]:
        """List fields naming dropped duplicates now name the kept credential (once)."""
        changes: dict[str, Any] = {}
        for key, value in document.items():
            if isinstance(value, list) and any(
                v in self.replaced for v in value if isinstance(v, str)
            ):
                repointed: list[Any] = []
                for item in value:
                    item = self.replaced.get(item, item) if isinstance(item, str) else item
                    if item not in repointed:
                        repointed.append(item)
                changes[key] = repointed
        return changes

    async def _free_collection_name(self, name: str) -> str:
        candidate, suffix = name, 1
        while (
            await self.tx.find("collections", {"owner": self.target, "name": candidate}, limit=1)
        ).items:
            suffix += 1
            candidate = f"{name} ({suffix})"
        return candidate

    async def _verdict(self, document: Document) -> None:
        ref = document.get("credential_ref")
        changes: dict[str, Any] = {"owner": self.target}
        if isinstance(ref, str) and ref in self.replaced:
            changes["credential_ref"] = self.replaced[ref]
        await self.tx.update("verdicts", document["_id"], changes)

    async def _pending_verifications(self) -> None:
        """Links already mailed for the merged account's unverified addresses keep working
        (they move with the addresses); every other sign-in secret is deleted."""
        for token in await _find_all(
            self.tx, "one_time_tokens", {"account_id": self.source, "kind": VERIFY_EMAIL}
        ):
            await self.tx.update("one_time_tokens", token["_id"], {"account_id": self.target})

    async def _email(self, document: Document) -> None:
        """Moves the address, never as primary; when both accounts list it, the verified
        copy (or else the target's) is kept."""
        page = await self.tx.find(
            "emails", {"account_id": self.target, "address": document["address"]}, limit=1
        )
        if page.items and (page.items[0]["verified"] or not document["verified"]):
            await self.tx.delete("emails", document["_id"])
            return
        if page.items:
            await self.tx.delete("emails", page.items[0]["_id"])
        await self.tx.update(
            "emails", document["_id"], {"account_id": self.target, "primary": False}
        )

    async def _key(self, document: Document) -> None:
        key = self.services.keystore.open(
            document["sealed"], owner=self.source, key_id=document["_id"]
        )
        changes: dict[str, Any] = {
            "account_id": self.target,
            "sealed": self.services.keystore.seal(key, owner=self.target, key_id=document["_id"]),
        }
        if document["status"] == identity.CURRENT:
            changes.update(status=identity.RETIRED, retired_at=_now(self.services))
        await self.tx.update("keys", document["_id"], changes)
        self.report.dids.append(document["did"])

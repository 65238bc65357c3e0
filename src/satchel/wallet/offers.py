"""Offers: an issuer delivers a credential to a learner, who accepts or declines it.

Two ways in:

- **Claim link.** :func:`create_claim_offer` (the instance itself, or another module such as the
  exchange APIs) offers a credential to an e-mail address: a claim token (256 random bits,
  stored only as its SHA-256) is mailed as ``{base_url}/claim/<token>``. A signed-in learner
  who owns that address (verified) opens it, sees the badge and its verdict, and accepts
  (the credential is imported, state ``accepted``) or declines. The link works once and
  expires (:data:`CLAIM_TTL`).
- **Inbox.** A learner authorises an issuer by creating an inbox grant: a secret inbox token,
  shown once, stored hashed, revocable. The issuer posts credentials with
  ``Authorization: Bearer <inbox token>``; each is verified and imported at once as
  ``pending`` (private) into that learner's wallet, and the learner is mailed "You have a new
  badge waiting" with a claim link to accept or decline it (also possible through the API).

An offer is only ever shown to its learner: the account it was delivered to, or the account
holding the offered address as a verified e-mail. Decisions are single use: the offer's state
moves from ``open`` with an optimistic-concurrency update, so two clicks (or two instances)
cannot both accept.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from satchel.errors import SatchelError
from satchel.validator.extract import extract_bytes
from satchel.validator.report import VerificationReport
from satchel.wallet import credentials, indexing
from satchel.wallet.credentials import CredentialChange, ImportItem
from satchel.wallet.identity import verified_emails
from satchel.wallet.mail import MailError, compose
from satchel.wallet.secrets import secret_hash
from satchel.wallet.services import WalletServices, iso
from satchel.wallet.storage import ConflictError, Document, NotFoundError
from satchel.wallet.storage.port import MAX_PAGE_SIZE

log = logging.getLogger(__name__)

CLAIM_TTL = timedelta(days=14)
TOKEN_BYTES = 32
INBOX_TOKEN_PREFIX = "sib_"  # noqa: S105 - a prefix, not a secret
MAX_ISSUER_NAME = 200
OPEN, ACCEPTED, DECLINED = "open", "accepted", "declined"
OfferState = Literal["open", "accepted", "declined", "expired"]


class OfferNotFoundError(SatchelError):
    type = "offer-not-found"
    title = "Offer not found"
    status = 404


class OfferGoneError(SatchelError):
    """The offer was already accepted or declined, or has expired."""

    type = "offer-gone"
    title = "Offer no longer available"
    status = 410


class NotYourOfferError(SatchelError):
    type = "offer-not-yours"
    title = "This offer is for someone else"
    status = 403


class InboxTokenError(SatchelError):
    type = "inbox-token-invalid"
    title = "Invalid inbox token"
    status = 401


class GrantNotFoundError(SatchelError):
    type = "inbox-grant-not-found"
    title = "Inbox grant not found"
    status = 404


class InvalidOfferRequestError(SatchelError):
    type = "invalid-offer-request"
    title = "Invalid offer request"
    status = 400


@dataclass(frozen=True)
class NewOffer:
    """A created offer and the claim link that was mailed (the token is in no database)."""

    offer: Document
    claim_url: str


@dataclass(frozen=True)
class NewGrant:
    grant: Document
    token: str


# --- views ----------------------------------------------------------------------------------


def offer_state(offer: Mapping[str, Any], now: str) -> OfferState:
    if offer["state"] == OPEN and offer["expires_at"] <= now:
        return "expired"
    state: OfferState = offer["state"]
    return state


def offer_view(offer: Mapping[str, Any], now: str) -> dict[str, Any]:
    """What the learner's API shows of an offer (never the credential bytes nor hashes)."""
    view = {
        "id": offer["_id"],
        "source": offer["source"],
        "state": offer_state(offer, now),
        "name": offer.get("name") or "",
        "issuerName": offer.get("issuer_name") or "",
        "issuerId": offer.get("issuer_id") or "",
        "verified": bool(offer.get("verified")),
        "createdAt": offer["created_at"],
        "expiresAt": offer["expires_at"],
    }
    if offer.get("credential_ref"):
        view["credentialId"] = offer["credential_ref"]
    if offer.get("decided_at"):
        view["decidedAt"] = offer["decided_at"]
    return view


def grant_view(grant: Mapping[str, Any]) -> dict[str, Any]:
    view = {
        "id": grant["_id"],
        "issuerName": grant["issuer_name"],
        "revoked": bool(grant["revoked"]),
        "createdAt": grant["created_at"],
    }
    if grant.get("revoked_at"):
        view["revokedAt"] = grant["revoked_at"]
    return view


# --- creating offers --------------------------------------------------------------------------


def _summary(report: VerificationReport) -> dict[str, Any]:
    """Name, issuer and verdict of an offered credential, for the list and the claim page."""
    document = report.document or {}
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    issuer_name = issuer.get("name") if isinstance(issuer, Mapping) else None
    badge = document.get("badge") if isinstance(document.get("badge"), Mapping) else None
    name = document.get("name") or (badge or {}).get("name") or _achievement_name(document)
    return {
        "name": str(name or "")[:300],
        "issuer_id": str(issuer_id or "")[:500],
        "issuer_name": str(issuer_name or "")[:MAX_ISSUER_NAME],
        "verified": report.verified,
    }


def _achievement_name(document: Mapping[str, Any]) -> str:
    subject = document.get("credentialSubject")
    for entry in subject if isinstance(subject, list) else [subject]:
        achievement = entry.get("achievement") if isinstance(entry, Mapping) else None
        if isinstance(achievement, Mapping) and isinstance(achievement.get("name"), str):
            return str(achievement["name"])
    return ""


def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def claim_url(services: WalletServices, token: str) -> str:
    return f"{services.base_url}/claim/{token}"


async def create_claim_offer(
    services: WalletServices,
    raw: bytes,
    *,
    email: str,
    issuer_name: str = "",
    ttl: timedelta = CLAIM_TTL,
) -> NewOffer:
    """Offer the credential ``raw`` to whoever owns ``email``; mails the claim link."""
    address = _normalise_email(email)
    extract_bytes(raw)  # unusable input fails now, with the validator's own message
    report = await services.verifier.verify(raw)
    if indexing.derive_status(report) == "invalid":
        raise InvalidOfferRequestError(
            "This credential fails verification (signature, key or shape), so it cannot be "
            "offered; the wallet would refuse it too."
        )
    summary = _summary(report)
    if issuer_name:
        summary["issuer_name"] = issuer_name[:MAX_ISSUER_NAME]
    token = _new_token()
    now = services.now()
    offer = await services.store.insert(
        "offers",
        {
            "_id": "off_" + secrets.token_urlsafe(16),
            "source": "claim",
            "email": address,
            "state": OPEN,
            "token_hash": secret_hash(token),
            "raw": raw,
            "created_at": iso(now),
            "expires_at": iso(now + ttl),
            **summary,
        },
    )
    url = claim_url(services, token)
    await _send(
        services,
        address,
        "A badge is waiting for you",
        f"{_offer_title(offer)} has been offered to you.\n\n"
        f"Sign in to Satchel and open this link to see it and accept or decline it:\n\n"
        f"{url}\n\nThe link works once and expires on {offer['expires_at'][:10]}.\n",
    )
    return NewOffer(offer, url)


def _offer_title(offer: Mapping[str, Any]) -> str:
    name = offer.get("name") or "A badge"
    issuer = offer.get("issuer_name") or offer.get("issuer_id")
    return f'"{name}" from {issuer}' if issuer else f'"{name}"'


def _normalise_email(email: str) -> str:
    address = email.strip().lower()
    local, at, domain = address.partition("@")
    if not at or not local or "." not in domain or len(address) > 320 or " " in address:
        raise InvalidOfferRequestError(f"{email!r} is not an e-mail address.")
    return address


async def _send(services: WalletServices, to: str, subject: str, body: str) -> None:
    """Mail the learner; the offer stands even when the mail relay is down (it is listed in
    the wallet), so a failure is logged, not raised."""
    try:
        await services.mailer.send(compose(services.settings.mail_from, to, subject, body))
    except MailError as exc:
        log.warning("offer mail to %s not sent: %s", to, exc.detail)


# --- inbox ------------------------------------------------------------------------------------


async def create_grant(services: WalletServices, account_id: str, issuer_name: str) -> NewGrant:
    name = issuer_name.strip()
    if not name or len(name) > MAX_ISSUER_NAME:
        raise InvalidOfferRequestError(
            f"Name the issuer you authorise (1 to {MAX_ISSUER_NAME} characters)."
        )
    token = INBOX_TOKEN_PREFIX + _new_token()
    grant = await services.store.insert(
        "inbox_grants",
        {
            "_id": "grt_" + secrets.token_urlsafe(16),
            "account_id": account_id,
            "issuer_name": name,
            "token_hash": secret_hash(token),
            "revoked": False,
            "created_at": iso(services.now()),
        },
    )
    return NewGrant(grant, token)


async def list_grants(services: WalletServices, account_id: str) -> list[Document]:
    page = await services.store.find(
        "inbox_grants",
        {"account_id": account_id},
        sort=("created_at", "desc"),
        limit=MAX_PAGE_SIZE,
    )
    return page.items


async def revoke_grant(services: WalletServices, account_id: str, grant_id: str) -> Document:
    grant = await services.store.get("inbox_grants", grant_id)
    if grant is None or grant["account_id"] != account_id:
        raise GrantNotFoundError(f"No inbox grant {grant_id!r} in this account.")
    if grant["revoked"]:
        return grant
    return await services.store.update(
        "inbox_grants", grant_id, {"revoked": True, "revoked_at": iso(services.now())}
    )


async def grant_for_token(services: WalletServices, authorization: str) -> Document:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip().startswith(INBOX_TOKEN_PREFIX):
        raise InboxTokenError("Send 'Authorization: Bearer <inbox token>' from the learner.")
    page = await services.store.find(
        "inbox_grants", {"token_hash": secret_hash(token.strip())}, limit=1
    )
    if not page.items or page.items[0]["revoked"]:
        raise InboxTokenError("This inbox token is unknown or was revoked by the learner.")
    return page.items[0]


async def deliver(services: WalletServices, authorization: str, raw: bytes) -> NewOffer:
    """An authorised issuer's delivery: imported as pending, the learner mailed a claim link."""
    grant = await grant_for_token(services, authorization)
    account_id = grant["account_id"]
    result = await credentials.import_credential(
        services, account_id, ImportItem(raw, origin="inbox"), state="pending"
    )
    credentials.raise_for(result)  # refused or already held: the issuer is told why
    assert result.credential_id is not None
    stored = await credentials.get_credential(services, account_id, result.credential_id)
    token = _new_token()
    now = services.now()
    offer = await services.store.insert(
        "offers",
        {
            "_id": "off_" + secrets.token_urlsafe(16),
            "source": "inbox",
            "account_id": account_id,
            "grant_id": grant["_id"],
            "state": OPEN,
            "token_hash": secret_hash(token),
            "credential_ref": stored["_id"],
            "created_at": iso(now),
            "expires_at": iso(now + CLAIM_TTL),
            "name": stored.get("name") or stored.get("achievement_name") or "",
            "issuer_id": stored.get("issuer_id") or "",
            "issuer_name": grant["issuer_name"],
            "verified": stored.get("status") == "valid",
        },
    )
    url = claim_url(services, token)
    emails = await verified_emails(services, account_id)
    if emails:
        await _send(
            services,
            emails[0],
            "You have a new badge waiting",
            f"{_offer_title(offer)} was delivered to your Satchel wallet.\n\n"
            f"It stays private and pending until you accept it. Open this link to see it and "
            f"accept or decline it:\n\n{url}\n",
        )
    return NewOffer(offer, url)


# --- finding and deciding ---------------------------------------------------------------------


async def offer_for_token(services: WalletServices, token: str) -> Document:
    if not token or len(token) > 200:
        raise OfferNotFoundError("This claim link is not valid.")
    page = await services.store.find("offers", {"token_hash": secret_hash(token)}, limit=1)
    if not page.items:
        raise OfferNotFoundError("This claim link is not valid: check that it was copied whole.")
    return page.items[0]


async def may_see(services: WalletServices, offer: Mapping[str, Any], account_id: str) -> bool:
    """The offer's learner: its account, or the owner of its address (verified)."""
    if offer.get("account_id"):
        return bool(offer["account_id"] == account_id)
    return offer["email"] in await verified_emails(services, account_id)


async def offer_for_account(services: WalletServices, offer_id: str, account_id: str) -> Document:
    offer = await services.store.get("offers", offer_id)
    if offer is None or not await may_see(services, offer, account_id):
        raise OfferNotFoundError(f"No offer {offer_id!r} for this account.")
    return offer


async def list_offers(
    services: WalletServices, account_id: str, *, include_decided: bool = False
) -> list[Document]:
    """The learner's offers, newest first: delivered to the account, or to one of its
    verified addresses (those become the account's own once accepted)."""
    states = [OPEN, ACCEPTED, DECLINED] if include_decided else [OPEN]
    found = {}
    mine = await services.store.find(
        "offers", {"account_id": account_id, "state": {"$in": states}}, limit=MAX_PAGE_SIZE
    )
    found.update({offer["_id"]: offer for offer in mine.items})
    emails = await verified_emails(services, account_id)
    if emails:
        addressed = await services.store.find(
            "offers",
            {"email": {"$in": emails}, "state": {"$in": states}},
            limit=MAX_PAGE_SIZE,
        )
        for offer in addressed.items:
            if not offer.get("account_id") or offer["account_id"] == account_id:
                found[offer["_id"]] = offer
    return sorted(found.values(), key=lambda offer: offer["created_at"], reverse=True)


async def ensure_decidable(
    services: WalletServices, offer: Mapping[str, Any], account_id: str
) -> None:
    if not await may_see(services, offer, account_id):
        raise NotYourOfferError(
            "This badge was offered to someone else: sign in with the account that owns the "
            "address it was sent to (add and verify that address in your account first)."
        )
    state = offer_state(offer, iso(services.now()))
    if state == "expired":
        raise OfferGoneError("This offer has expired; ask the issuer to send it again.")
    if state != OPEN:
        raise OfferGoneError(f"This offer was already {state}; a claim link works only once.")


async def _take(services: WalletServices, offer: Document, account_id: str, state: str) -> Document:
    """Move the offer out of ``open``: exactly one concurrent decision wins."""
    try:
        return await services.store.update(
            "offers",
            offer["_id"],
            {"state": state, "account_id": account_id, "decided_at": iso(services.now())},
            expected_version=offer["_version"],
        )
    except (ConflictError, NotFoundError) as exc:
        raise OfferGoneError("This offer was decided a moment ago (another click?).") from exc


async def accept_offer(services: WalletServices, offer: Document, account_id: str) -> Document:
    """Accept: the credential lands in the wallet as ``accepted``; returns the offer.

    Already holding the same credential counts as accepted (the offer then points at it); a
    credential the wallet refuses leaves the offer open and raises the refusal."""
    await ensure_decidable(services, offer, account_id)
    taken = await _take(services, offer, account_id, ACCEPTED)
    try:
        credential_id = taken.get("credential_ref") or await _import_offered(
            services, account_id, offer
        )
        await _set_state(services, account_id, credential_id, ACCEPTED)
    except Exception:
        # Nothing was accepted: give the offer back so the learner can try again.
        # An offer to an address goes back to naming no account.
        back = ("decided_at",) if offer.get("account_id") else ("decided_at", "account_id")
        await services.store.update("offers", taken["_id"], {"state": OPEN}, unset=back)
        raise
    # The wallet holds the bytes now: the offer keeps only its record.
    return await services.store.update(
        "offers", taken["_id"], {"credential_ref": credential_id}, unset=("raw",)
    )


async def _import_offered(services: WalletServices, account_id: str, offer: Document) -> str:
    result = await credentials.import_credential(
        services, account_id, ImportItem(offer["raw"], origin="offer"), state=ACCEPTED
    )
    if result.outcome == "rejected":
        credentials.raise_for(result)
    assert result.credential_id is not None  # stored, or the one already held
    return result.credential_id


async def _set_state(
    services: WalletServices, account_id: str, credential_id: str, state: str
) -> None:
    await credentials.change_credential(
        services, account_id, credential_id, CredentialChange(state=state)
    )


async def decline_offer(services: WalletServices, offer: Document, account_id: str) -> Document:
    """Decline: a delivered (pending) credential is marked ``declined``; nothing else kept."""
    await ensure_decidable(services, offer, account_id)
    taken = await _take(services, offer, account_id, DECLINED)
    if taken.get("credential_ref"):
        await _set_state(services, account_id, taken["credential_ref"], DECLINED)
    return await services.store.update("offers", taken["_id"], None, unset=("raw",))

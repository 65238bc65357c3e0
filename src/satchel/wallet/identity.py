"""Learner identity: each account's did:key signing keys, and who a credential may name.

Every account gets an Ed25519 ``did:key`` when it is created. The private key is stored only
sealed by the keystore (AES-256-GCM, owner = account id and key id bound as associated data);
the ``keys`` document holds the DID, its status and the sealed blob, never key material in the
clear.

Rotation makes a new key ``current`` and keeps the old ones with status ``retired``. A did:key
is its own public key, so it resolves without any record of ours: presentations signed with a
retired key still verify anywhere, and retired DIDs still match as credential recipients
(:func:`learner_dids` lists all of them).

Public helpers for other wallet modules: :func:`current_key`, :func:`learner_dids`,
:func:`verified_emails`.
"""

from __future__ import annotations

import secrets
from typing import Any

from satchel.did.did_key import did_key_from_public_key
from satchel.did.keys import KeyType, PrivateKey, generate_private_key
from satchel.errors import SatchelError
from satchel.wallet.services import WalletServices
from satchel.wallet.storage import Document, Operations
from satchel.wallet.storage.port import MAX_PAGE_SIZE

CURRENT = "current"
RETIRED = "retired"


class NoSigningKeyError(SatchelError):
    type = "no-signing-key"
    title = "No signing key"
    status = 409


def new_key_document(
    services: WalletServices, account_id: str, created_at: str
) -> tuple[Document, PrivateKey]:
    """A fresh Ed25519 key for ``account_id`` as a ``keys`` document (sealed) and the key."""
    key = generate_private_key(KeyType.ED25519)
    key_id = "key_" + secrets.token_urlsafe(16)
    document = {
        "_id": key_id,
        "account_id": account_id,
        "did": did_key_from_public_key(key.public_key),
        "status": CURRENT,
        "created_at": created_at,
        "key_type": KeyType.ED25519.value,
        "sealed": services.keystore.seal(key, owner=account_id, key_id=key_id),
    }
    return document, key


async def all_keys(ops: Operations, account_id: str) -> list[Document]:
    """Every key of the account, oldest first."""
    page = await ops.find(
        "keys", {"account_id": account_id}, sort=("created_at", "asc"), limit=MAX_PAGE_SIZE
    )
    return page.items


async def current_key(services: WalletServices, account_id: str) -> tuple[str, PrivateKey]:
    """The DID and private key the wallet signs this learner's presentations with."""
    page = await services.store.find("keys", {"account_id": account_id, "status": CURRENT}, limit=1)
    if not page.items:
        raise NoSigningKeyError("This account has no current signing key.")
    document = page.items[0]
    key = services.keystore.open(document["sealed"], owner=account_id, key_id=document["_id"])
    return document["did"], key


async def rotate_key(services: WalletServices, ops: Operations, account_id: str) -> Document:
    """Retire the current key(s) and make a new one current; returns the new key document."""
    now = _iso_now(services)
    for document in await all_keys(ops, account_id):
        if document["status"] == CURRENT:
            await ops.update(
                "keys",
                document["_id"],
                {"status": RETIRED, "retired_at": now},
                expected_version=document["_version"],
            )
    document, _ = new_key_document(services, account_id, now)
    await ops.insert("keys", document)
    return document


async def learner_dids(services: WalletServices, account_id: str) -> list[str]:
    """Every DID of the learner, current first, then retired (newest first): recipients."""
    newest_first = list(reversed(await all_keys(services.store, account_id)))
    newest_first.sort(key=lambda d: d["status"] != CURRENT)  # stable: keeps age order
    return [d["did"] for d in newest_first]


async def verified_emails(services: WalletServices, account_id: str) -> list[str]:
    """The learner's verified addresses (lower case), primary first."""
    page = await services.store.find(
        "emails", {"account_id": account_id, "verified": True}, limit=MAX_PAGE_SIZE
    )
    documents = sorted(page.items, key=lambda d: (not d.get("primary"), d["address"]))
    return [d["address"] for d in documents]


def public_key_view(document: Document) -> dict[str, Any]:
    """What the account profile shows of a key (no sealed blob)."""
    return {
        "did": document["did"],
        "status": document["status"],
        "created_at": document["created_at"],
    }


def _iso_now(services: WalletServices) -> str:
    return services.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")

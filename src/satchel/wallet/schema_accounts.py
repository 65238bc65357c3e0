"""Storage collections of accounts, emails, sessions, API tokens, one-time tokens and keys.

Owned by the accounts module; :mod:`satchel.wallet.schema` assembles every area's
collections. Secrets are stored hashed (``_id`` of sessions and one-time tokens is the
SHA-256 of the secret); private keys only sealed (:mod:`satchel.wallet.keystore`).
"""

from satchel.wallet.storage import Collection, FieldType, Index

S, B, L = FieldType.STRING, FieldType.BOOLEAN, FieldType.STRING_LIST

ACCOUNT_COLLECTIONS: tuple[Collection, ...] = (
    Collection("accounts", {"created_at": S, "status": S}),
    # verified_address is set only once verified: an unverified claim never blocks the owner.
    Collection(
        "emails",
        {"account_id": S, "address": S, "verified_address": S, "verified": B, "primary": B},
        (Index(("account_id",)), Index(("address",)), Index(("verified_address",), unique=True)),
    ),
    Collection("sessions", {"account_id": S, "expires_at": S}, (Index(("account_id",)),)),
    Collection(
        "api_tokens",
        {"account_id": S, "token_hash": S, "revoked": B, "scopes": L, "created_at": S},
        (Index(("account_id", "created_at")), Index(("token_hash",), unique=True)),
    ),
    Collection(
        "one_time_tokens",
        {"account_id": S, "kind": S, "expires_at": S, "used": B},
        (Index(("account_id", "kind")), Index(("expires_at",))),
    ),
    Collection(
        "keys",
        {"account_id": S, "did": S, "status": S, "created_at": S},
        (Index(("account_id", "created_at")), Index(("did",), unique=True)),
    ),
)

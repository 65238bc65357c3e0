"""Storage collections of offers (claim links, inbox deliveries) and inbox grants.

Owned by the offers module (:mod:`satchel.wallet.offers`). Secrets are stored hashed: an
offer's ``token_hash`` and a grant's ``token_hash`` are the SHA-256 of the claim token or inbox
token the holder keeps. An offer to an e-mail address has no ``account_id`` until it is
accepted; an inbox delivery names its learner from the start.
"""

from satchel.wallet.storage import Collection, FieldType, Index

S, B = FieldType.STRING, FieldType.BOOLEAN

OFFER_COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        "offers",
        {
            "account_id": S,
            "email": S,
            "state": S,
            "created_at": S,
            "expires_at": S,
            "token_hash": S,
            "grant_id": S,
        },
        (
            Index(("account_id", "state")),
            Index(("email", "state")),
            Index(("expires_at",)),
            Index(("token_hash",), unique=True),
            Index(("grant_id",)),
        ),
    ),
    Collection(
        "inbox_grants",
        {"account_id": S, "token_hash": S, "revoked": B, "created_at": S},
        (Index(("account_id", "created_at")), Index(("token_hash",), unique=True)),
    ),
)

"""Storage collections of offers (claim links, inbox deliveries) and inbox grants.

Owned by the offers module.
"""

from satchel.wallet.storage import Collection, FieldType, Index

S, B = FieldType.STRING, FieldType.BOOLEAN

OFFER_COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        "offers",
        {"account_id": S, "email": S, "state": S, "created_at": S, "expires_at": S},
        (Index(("account_id", "state")), Index(("email", "state")), Index(("expires_at",))),
    ),
    Collection(
        "inbox_grants",
        {"account_id": S, "token_hash": S, "revoked": B, "created_at": S},
        (Index(("account_id", "created_at")), Index(("token_hash",), unique=True)),
    ),
)

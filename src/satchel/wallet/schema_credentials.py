"""Storage collections of credentials, their verdict history and the learner's collections.

Owned by the credentials module. A credential document holds the received bytes verbatim
(``raw``) beside fields derived from them for search; the derived fields never replace them.
"""

from satchel.wallet.storage import Collection, FieldType, Index

S, B, L = FieldType.STRING, FieldType.BOOLEAN, FieldType.STRING_LIST

CREDENTIAL_COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        "credentials",
        {
            "owner": S,
            "sha256": S,
            "issuer_id": S,
            "credential_id": S,
            "issuer_name": S,
            "name": S,
            "description": S,
            "achievement_name": S,
            "types": L,
            "tags": L,
            "labels": L,
            "issued_at": S,
            "expires_at": S,
            "imported_at": S,
            "state": S,
            "visibility": S,
            "status": S,
            "recipient": S,
            "public_id": S,
        },
        (
            Index(("owner", "sha256"), unique=True),
            Index(("owner", "issuer_id", "credential_id"), unique=True),
            Index(("owner", "imported_at")),
            Index(("owner", "issued_at")),
            Index(("owner", "state")),
            Index(("owner", "status")),
            Index(("owner", "issuer_id")),
            Index(("public_id",), unique=True),
        ),
        text_fields=("name", "description", "issuer_name", "achievement_name", "tags", "labels"),
    ),
    Collection(
        "verdicts",
        {"credential_ref": S, "owner": S, "checked_at": S, "verified": B},
        (Index(("credential_ref", "checked_at")), Index(("owner",))),
    ),
    Collection("collections", {"owner": S, "name": S}, (Index(("owner", "name"), unique=True),)),
)

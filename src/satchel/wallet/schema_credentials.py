"""Storage collections of credentials, their verdict history and the learner's collections.

Owned by the credentials module (:mod:`satchel.wallet.credentials`). A credential document
holds the received bytes verbatim (``raw``, with ``format`` and ``media_type``) beside the latest
verification ``report`` and fields derived from them for search (:mod:`satchel.wallet.indexing`);
the derived fields never replace them. ``collections`` lists the ids of the learner's
collections the credential belongs to; ``verdicts`` keeps every verification's outcome.
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
            "collections": L,
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
        text_scope="owner",
    ),
    Collection(
        "verdicts",
        {"credential_ref": S, "owner": S, "checked_at": S, "verified": B},
        (Index(("credential_ref", "checked_at")), Index(("owner",))),
    ),
    Collection("collections", {"owner": S, "name": S}, (Index(("owner", "name"), unique=True),)),
)

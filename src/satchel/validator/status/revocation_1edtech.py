"""The 1EdTech Revocation List Status Method 1.0 (https://www.imsglobal.org/spec/vcrl/v1p0/).

An OB 3.0 / CLR 2.0 credential names the list with ``"credentialStatus": {"id": <list URL>,
"type": "1EdTechRevocationList"}``. A GET of that URL (``Accept: application/json``) answers a
plain JSON RevocationList::

    {"id": <list URL>, "issuer": <issuer id>,
     "revokedCredentials": [{"id": <credential id>, "revoked": true,
                             "revocationReason": "..."}, ...]}

The credential is revoked when its ``id`` is listed and ``revoked`` is true or omitted (the
spec's rule, also what 1EdTech's reference validator applies; some issuers write "true" as a
string, which is read as true). The list carries no proof: it is believed because the signed
credential names its URL. A list naming a different issuer is not taken as this credential's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from satchel.fetcher import GuardedFetcher
from satchel.validator.status.cache import Loaded, ttl_from_headers
from satchel.validator.status.errors import StatusVerificationError
from satchel.validator.status.lists import fetch_list_document, json_object


@dataclass(frozen=True)
class RevocationList:
    """A fetched 1EdTech revocation list: revoked credential id -> reason (None if unstated)."""

    url: str
    list_id: str | None
    issuer: str | None
    revoked: Mapping[str, str | None]
    fetched_at: datetime


async def load_revocation_list(url: str, *, fetcher: GuardedFetcher) -> Loaded:
    """Fetch and read the list at ``url``: a :class:`Loaded` holding a RevocationList."""
    response = await fetch_list_document(url, fetcher)
    fetched_at = datetime.now(UTC)
    document = json_object(response)
    revocations = RevocationList(
        url=url,
        list_id=_optional_string(document, "id"),
        issuer=_list_issuer(document),
        revoked=_revoked_entries(document.get("revokedCredentials", [])),
        fetched_at=fetched_at,
    )
    return Loaded(revocations, ttl_from_headers(response.headers))


def _list_issuer(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):  # a Profile object, as OB 3.0 writes issuers
        issuer = issuer.get("id")
    if issuer is not None and not isinstance(issuer, str):
        raise StatusVerificationError("the revocation list's issuer is not an id")
    return issuer


def _optional_string(document: Mapping[str, Any], key: str) -> str | None:
    value = document.get(key)
    return value if isinstance(value, str) else None


def _revoked_entries(entries: object) -> dict[str, str | None]:
    if not isinstance(entries, list):
        raise StatusVerificationError("the revocation list's revokedCredentials is not a list")
    revoked: dict[str, str | None] = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            raise StatusVerificationError(
                "an entry of the revocation list's revokedCredentials has no credential id"
            )
        if _is_revoked(entry.get("revoked", True)):
            reason = entry.get("revocationReason")
            revoked[entry["id"]] = reason if isinstance(reason, str) else None
    return revoked


def _is_revoked(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise StatusVerificationError(f"a revocation list entry has revoked={value!r}, not true/false")

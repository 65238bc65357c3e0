"""Status list credentials for issuers (and tests): the unsigned document, ready to be signed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from satchel.contexts import VC_V1_CONTEXT, VC_V2_CONTEXT
from satchel.validator.dates import format_datetime
from satchel.validator.status.lists import ListKind

STATUS_LIST_2021_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"


def make_status_list_credential(
    url: str,
    issuer: str,
    encoded_list: str,
    *,
    purpose: str | list[str] = "revocation",
    kind: ListKind = ListKind.BITSTRING,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """An unsigned BitstringStatusListCredential (VC 2.0) or StatusList2021Credential (VC 1.1).

    ``url`` is where it will be published (its ``id``, which entries name in
    ``statusListCredential``); ``encoded_list`` comes from
    :func:`~satchel.validator.status.bitstring.encode_bitstring` (``multibase=False`` for
    StatusList2021). Sign the result with ``data_integrity.sign`` using the issuer's key.
    """
    subject: dict[str, Any] = {
        "id": f"{url}#list",
        "type": kind.value,
        "statusPurpose": purpose,
        "encodedList": encoded_list,
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    v2 = kind is ListKind.BITSTRING
    document: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT] if v2 else [VC_V1_CONTEXT, STATUS_LIST_2021_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", kind.credential_type],
        "issuer": issuer,
    }
    start, end = ("validFrom", "validUntil") if v2 else ("issuanceDate", "expirationDate")
    if valid_from is not None:
        document[start] = format_datetime(valid_from)
    if valid_until is not None:
        document[end] = format_datetime(valid_until)
    document["credentialSubject"] = subject
    return document

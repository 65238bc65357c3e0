"""Credential status: Bitstring Status List, StatusList2021 and the 1EdTech revocation list.

The check itself is :func:`satchel.validator.checks.status.check_status`; this package holds
the pieces it uses (entry parsing, list fetching and verification, decoding, the cache) and
what an issuer needs to publish a list.
"""

from satchel.validator.status.bitstring import (
    MIN_STATUS_LIST_ENTRIES,
    decode_encoded_list,
    encode_bitstring,
    read_status,
)
from satchel.validator.status.cache import StatusListCache
from satchel.validator.status.issuing import make_status_list_credential
from satchel.validator.status.lists import ListKind

__all__ = [
    "MIN_STATUS_LIST_ENTRIES",
    "ListKind",
    "StatusListCache",
    "decode_encoded_list",
    "encode_bitstring",
    "make_status_list_credential",
    "read_status",
]

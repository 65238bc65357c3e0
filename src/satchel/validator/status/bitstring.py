"""Bitstrings of status lists: encode (for issuers and tests), decode with caps, read entries.

Bitstring Status List v1.0 §2.2 and §3.3-3.4: ``encodedList`` is the Multibase base64url (no
padding, prefix ``u``) form of the GZIP-compressed bitstring; index 0 is the left-most bit of
the first byte; an entry of ``statusSize`` bits starts at bit ``index * statusSize`` and is read
most significant bit first. StatusList2021 (W3C CCG) uses the same bitstring with plain base64
(no Multibase prefix); its publishers use the url-safe alphabet, some the standard one.

Decoding never trusts the sender: the decompressed size is capped *while* decompressing, so a
gzip bomb costs at most :data:`MAX_DECOMPRESSED_BYTES` of work and memory.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
from collections.abc import Mapping, Set

from satchel.inflate import GZIP, InflateError, InflateFailure, inflate
from satchel.validator.status.errors import StatusRangeError, StatusVerificationError

# Bitstring Status List v1.0 §3.2 step 2: minimumNumberOfEntries is 131,072 (16 KiB at one
# bit per entry), so that one credential's index says little about its holder (§6.1).
MIN_STATUS_LIST_ENTRIES = 131_072
# 128 Mbit: far beyond any real list (the spec's example size is 16 KiB), small enough to hold.
MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024
MULTIBASE_BASE64URL = "u"
# A gzip member always starts 1f 8b 08, which base64 writes as "H4sI": a list without the
# Multibase prefix (pre-Recommendation drafts, StatusList2021) is recognised by it.
_GZIP_BASE64 = "H4sI"
_BASE64URL_TEXT = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")

StatusValues = bytes | bytearray | memoryview | Set[int] | Mapping[int, int]


def encode_bitstring(
    statuses: StatusValues,
    length: int | None = None,
    status_size: int = 1,
    *,
    multibase: bool = True,
) -> str:
    """The ``encodedList`` for a list of ``length`` entries of ``status_size`` bits.

    ``statuses`` is the raw bitstring (bytes-like), a set of indexes whose status is 1, or a
    mapping of index to status value. ``length`` defaults to the spec's minimum number of
    entries (or, for raw bytes, to what the bytes hold). ``multibase=False`` gives the plain
    base64url form StatusList2021 uses.
    """
    if status_size < 1:
        raise ValueError("status_size must be at least 1")
    if isinstance(statuses, bytes | bytearray | memoryview):
        raw = bytes(statuses)
        if length is not None:
            raw = raw.ljust(_byte_length(length, status_size), b"\0")
    else:
        values = statuses if isinstance(statuses, Mapping) else dict.fromkeys(statuses, 1)
        raw = _pack(values, MIN_STATUS_LIST_ENTRIES if length is None else length, status_size)
    text = base64.urlsafe_b64encode(gzip.compress(raw, mtime=0)).decode("ascii").rstrip("=")
    return MULTIBASE_BASE64URL + text if multibase else text


def _byte_length(entries: int, status_size: int) -> int:
    return (entries * status_size + 7) // 8


def _pack(values: Mapping[int, int], length: int, status_size: int) -> bytes:
    bits = bytearray(_byte_length(length, status_size))
    for index, value in values.items():
        if not 0 <= index < length:
            raise ValueError(f"index {index} is outside a list of {length} entries")
        if not 0 <= value < 1 << status_size:
            raise ValueError(f"status {value} does not fit in {status_size} bits")
        for offset in range(status_size):
            if value >> (status_size - 1 - offset) & 1:
                position = index * status_size + offset
                bits[position >> 3] |= 0x80 >> (position & 7)
    return bytes(bits)


def decode_encoded_list(
    encoded: object, *, multibase: bool, max_bytes: int = MAX_DECOMPRESSED_BYTES
) -> bytes:
    """The uncompressed bitstring of an ``encodedList``; raises :class:`StatusVerificationError`.

    ``multibase=True`` (Bitstring Status List) wants the ``u`` prefix, and accepts a list
    without it only when it plainly starts with a gzip header (older drafts published that).
    """
    if not isinstance(encoded, str) or not encoded:
        raise StatusVerificationError("the status list has no encodedList text")
    compressed = _base64_decode(_strip_prefix(encoded) if multibase else encoded, multibase)
    return _gunzip(compressed, max_bytes)


def _strip_prefix(encoded: str) -> str:
    if encoded.startswith(MULTIBASE_BASE64URL):
        return encoded[1:]
    if encoded.startswith(_GZIP_BASE64):
        return encoded
    raise StatusVerificationError(
        "the status list's encodedList is not Multibase base64url (it must start with 'u')"
    )


def _base64_decode(text: str, url_only: bool) -> bytes:
    pattern = _BASE64URL_TEXT if url_only else _BASE64_TEXT
    if not pattern.fullmatch(text):
        raise StatusVerificationError("the status list's encodedList is not base64url text")
    unpadded = text.rstrip("=").replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
    except (binascii.Error, ValueError) as exc:
        raise StatusVerificationError(
            f"the status list's encodedList is not base64: {exc}"
        ) from exc


def _gunzip(compressed: bytes, max_bytes: int) -> bytes:
    try:
        return inflate(compressed, max_bytes=max_bytes, wbits=GZIP)  # gzip container only
    except InflateError as exc:
        message = {
            InflateFailure.DAMAGED: f"the status list is not valid GZIP data ({exc})",
            InflateFailure.TOO_LARGE: f"the status list expands to more than {max_bytes} "
            "bytes; Satchel refuses it",
            InflateFailure.TRUNCATED: "the status list's GZIP data is truncated",
        }[exc.failure]
        raise StatusVerificationError(message) from exc


def entry_count(bits: bytes, status_size: int) -> int:
    """How many entries of ``status_size`` bits the bitstring holds."""
    return len(bits) * 8 // status_size


def read_status(bits: bytes, index: int, status_size: int = 1) -> int:
    """The status value of entry ``index``; past the end, :class:`StatusRangeError` (§3.2.10)."""
    start = index * status_size
    if index < 0 or start + status_size > len(bits) * 8:
        raise StatusRangeError(
            f"entry {index} is beyond the end of the status list, which holds "
            f"{entry_count(bits, status_size)} entries of {status_size} bit(s)"
        )
    value = 0
    for position in range(start, start + status_size):
        value = value << 1 | (bits[position >> 3] >> (7 - (position & 7))) & 1
    return value

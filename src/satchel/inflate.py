"""Bounded decompression: a zip bomb stops at the cap, never in memory.

Every decompressing reader (baked images, status lists, fetched bodies) goes through
:func:`inflate` and turns :class:`InflateError` into its own typed error and wording.
"""

from __future__ import annotations

import enum
import zlib

ZLIB = zlib.MAX_WBITS  # zlib container
GZIP = 16 + zlib.MAX_WBITS  # gzip container
AUTO = 32 + zlib.MAX_WBITS  # zlib or gzip, by header
RAW_DEFLATE = -zlib.MAX_WBITS


class InflateFailure(enum.Enum):
    DAMAGED = "damaged"
    TOO_LARGE = "too-large"
    TRUNCATED = "truncated"


class InflateError(ValueError):
    def __init__(self, failure: InflateFailure, detail: str) -> None:
        super().__init__(detail)
        self.failure = failure


def inflate(data: bytes, *, max_bytes: int, wbits: int = ZLIB, require_end: bool = True) -> bytes:
    """Decompress at most ``max_bytes``; raise :class:`InflateError` past it or on damage."""
    decoder = zlib.decompressobj(wbits)
    try:
        out = decoder.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise InflateError(InflateFailure.DAMAGED, str(exc)) from exc
    if len(out) > max_bytes or decoder.unconsumed_tail:
        raise InflateError(InflateFailure.TOO_LARGE, f"expands past {max_bytes} bytes")
    if require_end and not decoder.eof:
        raise InflateError(InflateFailure.TRUNCATED, "the compressed data is truncated")
    return out

"""Compact JWS parsing, strict, shared by VC-JWT and OB 2.0 signed badges.

Strict on purpose: unpadded canonical base64url only (no two strings decode to the same signed
bytes), JSON objects without duplicate members or NaN, and size caps checked before decoding.
Verifying the signature is the caller's business (the key comes from different places).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, NoReturn

MAX_TOKEN_CHARS = 1024 * 1024
MAX_HEADER_BYTES = 8 * 1024
# A base64url segment of MAX_HEADER_BYTES bytes is at most this long: refuse before decoding.
MAX_HEADER_CHARS = (MAX_HEADER_BYTES * 4 + 2) // 3
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class JwsFormatError(ValueError):
    """The text is not a well-formed compact JWS; the message says what is wrong."""


@dataclass(frozen=True)
class CompactJws:
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def algorithm(self) -> str:
        alg = self.header.get("alg")
        return alg if isinstance(alg, str) else ""


def parse_compact_jws(token: object) -> CompactJws:
    """Split and decode a compact JWS whose header and payload are JSON objects."""
    if not isinstance(token, str):
        _fail("a compact JWS must be text")
    head, body, sig = split_segments(token.strip())
    header = parse_header_segment(head)
    payload = _json_object(b64url_decode_strict(body, "payload"), "payload")
    signature = b64url_decode_strict(sig, "signature")
    return CompactJws(header, payload, f"{head}.{body}".encode("ascii"), signature)


def split_segments(token: str) -> list[str]:
    if len(token) > MAX_TOKEN_CHARS:
        _fail(f"token is larger than {MAX_TOKEN_CHARS} characters")
    segments = token.split(".")
    if len(segments) != 3:
        _fail(f"a compact JWS has 3 dot-separated segments, this token has {len(segments)}")
    return segments


def parse_header_segment(segment: str) -> dict[str, Any]:
    if len(segment) > MAX_HEADER_CHARS:
        _fail(f"the header is larger than {MAX_HEADER_BYTES} bytes")
    return _json_object(b64url_decode_strict(segment, "header"), "header")


def b64url_decode_strict(segment: str, what: str) -> bytes:
    if not _B64URL.fullmatch(segment) or len(segment) % 4 == 1:
        _fail(f"the {what} is not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        _fail(f"the {what} is not unpadded base64url")
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != segment:
        _fail(f"the {what} is not canonical base64url")
    return data


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate member {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_reject_duplicates,
            parse_constant=_reject_constant,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        _fail(f"the {what} is not valid JSON: {exc}")
    if not isinstance(value, dict):
        _fail(f"the {what} is not a JSON object")
    return value


def _fail(reason: str) -> NoReturn:
    raise JwsFormatError(reason)

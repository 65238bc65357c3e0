"""Recipient identity hashes shared by OB 2.0 ``recipient`` and OB 3.0 ``IdentityObject``.

A hashed identity is ``sha256$<hex>`` or ``md5$<hex>`` of the plaintext (plus the salt, if
any); emails compare case-insensitively (OB 2.0 and OB 3.0 both lower-case them before hashing).
"""

from __future__ import annotations

import hashlib
import hmac

SUPPORTED_ALGORITHMS = ("sha256", "md5")


class IdentityHashError(ValueError):
    """The stored identity is not a hash Satchel understands."""


def hash_identity(plaintext: str, salt: str | None = None, algorithm: str = "sha256") -> str:
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise IdentityHashError(f"unsupported identity hash algorithm {algorithm!r}")
    digest = hashlib.new(
        algorithm, (plaintext + (salt or "")).encode("utf-8"), usedforsecurity=False
    )
    return f"{algorithm}${digest.hexdigest()}"


def identity_matches(
    stored: str, plaintext: str, *, hashed: bool, salt: str | None = None, is_email: bool = False
) -> bool:
    """True when ``plaintext`` is the identity ``stored`` (hashed or not) names."""
    candidates = [plaintext, plaintext.lower()] if is_email else [plaintext]
    if not hashed:
        return any(_equal(stored.lower() if is_email else stored, c) for c in candidates)
    algorithm, sep, expected = stored.partition("$")
    if not sep or algorithm.lower() not in SUPPORTED_ALGORITHMS:
        raise IdentityHashError(f"identity {stored[:16]!r}… is not sha256$… or md5$…")
    return any(
        _equal(hash_identity(c, salt, algorithm.lower()).partition("$")[2], expected.lower())
        for c in candidates
    )


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())

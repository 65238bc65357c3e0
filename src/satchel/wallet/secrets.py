"""Bearer secrets of the wallet: how they are stored, and what API tokens may do.

Shared by the services (accounts, offers) and the web layer's authentication, which imports
them from here: secrets are a wallet concept, not an HTTP one.
"""

from __future__ import annotations

import hashlib

TOKEN_PREFIX = "sat_"  # noqa: S105 - the visible prefix of API tokens

SCOPES: frozenset[str] = frozenset(
    {
        "credentials:read",
        "credentials:write",
        "account:read",
        "account:write",
        "offers:write",
    }
)


def secret_hash(secret: str) -> str:
    """The stored form of a session id, API token or one-time token."""
    return hashlib.sha256(secret.encode()).hexdigest()

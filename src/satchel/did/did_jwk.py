"""did:jwk (https://github.com/quartzjer/did-jwk/blob/main/spec.md): a DID that *is* a public JWK.

Create serialises the JWK with sorted members and no whitespace (JCS for these all-string
members), so one key always gives the same DID; resolve accepts any serialisation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from satchel.did.errors import DidResolutionError
from satchel.did.jwk import b64url_decode, b64url_encode
from satchel.did.keys import InvalidKeyError, PublicKey

PREFIX = "did:jwk:"
VERIFICATION_METHOD_FRAGMENT = "#0"
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")
# RFC 7518 private members (EC/OKP "d", RSA CRT parameters, symmetric "k")
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_SIGNING_RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
)


def did_jwk_from_public_key(key: PublicKey) -> str:
    return did_jwk_from_jwk(key.to_jwk())


def did_jwk_from_jwk(jwk: Mapping[str, Any]) -> str:
    """The canonical did:jwk of a public JWK; refuses private members."""
    _check_public_jwk(jwk)
    serialised = json.dumps(dict(jwk), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return PREFIX + b64url_encode(serialised.encode("utf-8"))


def did_jwk_verification_method_id(did: str) -> str:
    return did + VERIFICATION_METHOD_FRAGMENT


def resolve_did_jwk(did: str) -> dict[str, Any]:
    """The DID document the did:jwk spec derives from the embedded JWK."""
    jwk = _decode(did)
    vm_id = did_jwk_verification_method_id(did)
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/jws-2020/v1",
        ],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
        ],
    }
    # spec: use=sig drops keyAgreement, use=enc keeps only keyAgreement, no use keeps all five
    use = jwk.get("use")
    if use != "enc":
        document.update({rel: [vm_id] for rel in _SIGNING_RELATIONSHIPS})
    if use != "sig":
        document["keyAgreement"] = [vm_id]
    return document


def _decode(did: str) -> dict[str, Any]:
    if not did.startswith(PREFIX):
        raise DidResolutionError(f"{did!r} is not a did:jwk")
    value = did[len(PREFIX) :]
    if not _BASE64URL.match(value):
        raise DidResolutionError(f"did:jwk {did!r} must carry one base64url value")
    try:
        jwk = json.loads(b64url_decode(value))
    except (InvalidKeyError, ValueError, RecursionError) as exc:
        raise DidResolutionError(f"did:jwk {did!r} does not encode a JSON object: {exc}") from exc
    try:
        _check_public_jwk(jwk)
    except InvalidKeyError as exc:
        raise DidResolutionError(f"invalid did:jwk {did!r}: {exc.detail}") from exc
    return dict(jwk)


def _check_public_jwk(jwk: Any) -> None:
    if not isinstance(jwk, Mapping) or not isinstance(jwk.get("kty"), str):
        raise InvalidKeyError("a did:jwk JWK must be a JSON object with a string 'kty'")
    private = sorted(_PRIVATE_MEMBERS.intersection(jwk))
    if private:
        raise InvalidKeyError(f"a did:jwk must not contain private key members {private}")

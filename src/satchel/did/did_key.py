"""did:key: create from a public key, resolve to a DID document without any I/O.

Resolution yields the Multikey form (DID Core / did:key v0.9); ``ed25519_2020=True`` gives the
legacy Ed25519VerificationKey2020 form that Ed25519Signature2020 proofs expect.
"""

from __future__ import annotations

from typing import Any

from satchel.did.errors import DidResolutionError
from satchel.did.keys import InvalidKeyError, KeyType, PublicKey
from satchel.did.multikey import decode_public_key

PREFIX = "did:key:"


def did_key_from_public_key(key: PublicKey) -> str:
    return PREFIX + key.to_multikey()


def did_key_verification_method_id(did: str) -> str:
    return f"{did}#{did[len(PREFIX) :]}"


def resolve_did_key(did: str, *, ed25519_2020: bool = False) -> dict[str, Any]:
    if not did.startswith(PREFIX):
        raise DidResolutionError(f"{did!r} is not a did:key")
    multibase = did[len(PREFIX) :]
    try:
        key = decode_public_key(multibase)
    except InvalidKeyError as exc:
        raise DidResolutionError(f"invalid did:key {did!r}: {exc.detail}") from exc
    vm_id = did_key_verification_method_id(did)
    vm_type = "Multikey"
    context: list[str] = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    if ed25519_2020 and key.key_type is KeyType.ED25519:
        vm_type = "Ed25519VerificationKey2020"
        context = [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/ed25519-2020/v1",
        ]
    method = {"id": vm_id, "type": vm_type, "controller": did, "publicKeyMultibase": multibase}
    return {
        "@context": context,
        "id": did,
        "verificationMethod": [method],
        "assertionMethod": [vm_id],
        "authentication": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }

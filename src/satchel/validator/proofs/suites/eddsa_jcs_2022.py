"""eddsa-jcs-2022: Ed25519 over SHA-256 hashes of JCS (RFC 8785) canonical JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from satchel.did.keys import KeyType, PrivateKey, PublicKey, SignatureAlgorithm
from satchel.validator.proofs.suites.base import (
    DATA_INTEGRITY_PROOF,
    Cryptosuite,
    jcs_bytes,
    sign_multibase,
    verify_multibase,
)


class EddsaJcs2022(Cryptosuite):
    name = "eddsa-jcs-2022"
    proof_type = DATA_INTEGRITY_PROOF
    key_types = (KeyType.ED25519,)
    context_in_proof = True

    def transform(self, value: Mapping[str, Any], key_type: KeyType) -> bytes:
        return jcs_bytes(value)

    def sign(self, key: PrivateKey, hash_data: bytes) -> str:
        return sign_multibase(key, hash_data, SignatureAlgorithm.EDDSA)

    def verify(self, key: PublicKey, hash_data: bytes, proof_value: str) -> bool:
        return verify_multibase(key, hash_data, proof_value, SignatureAlgorithm.EDDSA)


SUITE = EddsaJcs2022()

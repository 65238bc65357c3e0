"""ecdsa-rdfc-2019: ECDSA P-256 (SHA-256) or P-384 (SHA-384) over RDFC-1.0 hashes.

For P-384 the hashes and RDFC-1.0's own internal hash are SHA-384 (see ``base.hash_name``);
the signature is raw ``r || s``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from satchel.did.keys import KeyType, PrivateKey, PublicKey
from satchel.validator.proofs.suites.base import (
    DATA_INTEGRITY_PROOF,
    Cryptosuite,
    rdfc_bytes,
    sign_multibase,
    verify_multibase,
)


class EcdsaRdfc2019(Cryptosuite):
    name = "ecdsa-rdfc-2019"
    proof_type = DATA_INTEGRITY_PROOF
    key_types = (KeyType.P256, KeyType.P384)

    def transform(self, value: Mapping[str, Any], key_type: KeyType) -> bytes:
        return rdfc_bytes(value, key_type)

    # The key's curve picks ES256 or ES384, whose digest matches the suite's hash.
    def sign(self, key: PrivateKey, hash_data: bytes) -> str:
        return sign_multibase(key, hash_data, None)

    def verify(self, key: PublicKey, hash_data: bytes, proof_value: str) -> bool:
        return verify_multibase(key, hash_data, proof_value, None)


SUITE = EcdsaRdfc2019()

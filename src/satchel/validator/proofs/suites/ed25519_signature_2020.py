"""Ed25519Signature2020 (legacy): the proof type names the suite; no ``cryptosuite``.

Its algorithm is the one eddsa-rdfc-2022 later standardised (SHA-256 of the RDFC canonical
proof configuration, with the document's @context, then of the document; Ed25519 over both),
but its terms are defined only by the ed25519-2020 context, which the document must carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from satchel.did.keys import KeyType, PrivateKey, PublicKey, SignatureAlgorithm
from satchel.validator.proofs.suites.base import (
    Cryptosuite,
    rdfc_bytes,
    sign_multibase,
    verify_multibase,
)

CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"


class Ed25519Signature2020(Cryptosuite):
    name = "Ed25519Signature2020"
    proof_type = "Ed25519Signature2020"
    key_types = (KeyType.ED25519,)
    proof_contexts = (CONTEXT,)

    def transform(self, value: Mapping[str, Any], key_type: KeyType) -> bytes:
        return rdfc_bytes(value, key_type)

    def sign(self, key: PrivateKey, hash_data: bytes) -> str:
        return sign_multibase(key, hash_data, SignatureAlgorithm.EDDSA)

    def verify(self, key: PublicKey, hash_data: bytes, proof_value: str) -> bool:
        return verify_multibase(key, hash_data, proof_value, SignatureAlgorithm.EDDSA)


SUITE = Ed25519Signature2020()

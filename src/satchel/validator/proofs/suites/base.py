"""The cryptosuite interface and the primitives the suites share.

A suite turns a document and a proof configuration into bytes (RDFC-1.0 or JCS), hashes them,
and signs or verifies the hash data. The flow around it (proof options, contexts, chains,
purposes) is suite-independent and lives in ``data_integrity``.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from satchel.did.keys import InvalidKeyError, KeyType, PrivateKey, PublicKey, SignatureAlgorithm
from satchel.did.multikey import multibase_decode, multibase_encode
from satchel.validator.jcs import canonicalize_json
from satchel.validator.rdfc import canonicalize

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
_DATA_INTEGRITY_CONTEXTS = (
    DATA_INTEGRITY_CONTEXT,
    "https://www.w3.org/ns/credentials/v2",
    "https://w3id.org/security/data-integrity/v1",
)

# P-384 suites hash with SHA-384 everywhere, RDFC-1.0's internal hash included: the
# ecdsa-rdfc-2019 P-384 vectors only reproduce that way.
_HASH_NAME = {KeyType.P384: "sha384"}


def hash_name(key_type: KeyType) -> str:
    return _HASH_NAME.get(key_type, "sha256")


def rdfc_bytes(value: Mapping[str, Any], key_type: KeyType) -> bytes:
    return canonicalize(dict(value), hash_name=hash_name(key_type)).encode("utf-8")


def jcs_bytes(value: Mapping[str, Any]) -> bytes:
    return canonicalize_json(value)


def sign_multibase(key: PrivateKey, data: bytes, algorithm: SignatureAlgorithm | None) -> str:
    return multibase_encode(key.sign(data, algorithm))


def verify_multibase(
    key: PublicKey, data: bytes, proof_value: str, algorithm: SignatureAlgorithm | None
) -> bool:
    """False for any signature that does not verify, including a malformed value."""
    try:
        signature = multibase_decode(proof_value)
    except InvalidKeyError:
        return False
    return key.verify(signature, data, algorithm)


class Cryptosuite(ABC):
    """One cryptosuite: its names, its transformation, hashing, signing and verifying."""

    name: ClassVar[str]  # the name callers sign with
    proof_type: ClassVar[str]
    key_types: ClassVar[tuple[KeyType, ...]]
    # JCS suites copy the document's @context into the proof itself (it is signed there);
    # RDFC suites take it from the document when building the proof configuration.
    context_in_proof: ClassVar[bool] = False
    # Contexts that define the proof's terms: a signed document needs one of them, and signing
    # adds the first to a document that has none (a VC 1.1 credential, say).
    proof_contexts: ClassVar[tuple[str, ...]] = _DATA_INTEGRITY_CONTEXTS

    @property
    def cryptosuite(self) -> str | None:
        """The ``cryptosuite`` property value; None for legacy suites named by proof type."""
        return self.name if self.proof_type == DATA_INTEGRITY_PROOF else None

    @abstractmethod
    def transform(self, value: Mapping[str, Any], key_type: KeyType) -> bytes:
        """Canonical bytes of a document or of a proof configuration."""

    def key_type_problem(self, key_type: KeyType) -> str | None:
        """Why a key of ``key_type`` cannot be used with this suite; None when it can."""
        if key_type in self.key_types:
            return None
        wanted = " or ".join(self.key_types)
        return f"{self.name} needs a key of type {wanted}, but the signing key is {key_type}"

    def hash(self, data: bytes, key_type: KeyType) -> bytes:
        return hashlib.new(hash_name(key_type), data).digest()

    @abstractmethod
    def sign(self, key: PrivateKey, hash_data: bytes) -> str:
        """The ``proofValue`` for ``hash_data``."""

    @abstractmethod
    def verify(self, key: PublicKey, hash_data: bytes, proof_value: str) -> bool:
        """True when ``proof_value`` is a valid signature of ``hash_data`` by ``key``."""

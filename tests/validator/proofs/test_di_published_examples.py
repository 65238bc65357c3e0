"""Signed examples published outside the W3C cryptosuite vectors.

The OB 3.0 / CLR 2.0 Implementation Guide vectors (an https key id, key pair in values.json)
and the signed examples of the Bitstring Status List Recommendation (bare did:key ids).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from satchel.did.document import VerificationMethod
from satchel.did.errors import VerificationMethodError
from satchel.did.keys import PrivateKey
from satchel.did.multikey import decode_public_key
from satchel.did.resolver import DidResolver
from satchel.validator.proofs.data_integrity import sign, verify_proofs
from satchel.validator.proofs.purposes import AssertionPurpose

GUIDE = "1EdTech-openbadges-specification/ob_v3p0/impl"
GUIDES = {"ob": "obv3p0", "clr": "clrv2p0"}
BITSTRING = "w3c-vc-bitstring-status-list/REC-2025-examples"
BITSTRING_EXAMPLES = [
    f"{BITSTRING}/{example}/{suite}.json"
    for example in (
        "example-04-a-revocable-verifiable-credential",
        "example-05-a-status-list-verifiable-credential",
    )
    for suite in ("eddsa-rdfc-2022", "ecdsa-rdfc-2019")
]


class GuideIssuerResolver:
    """The guide's issuer publishes its key at an https URL: a one-key resolver stands in."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.method = VerificationMethod(
            id=values["verificationMethod"],
            type="Multikey",
            controller=values["controller"],
            public_key=decode_public_key(values["publicKeyMultibase"]),
        )

    async def dereference(
        self, vm_url: str, *, relationship: str | None = None
    ) -> VerificationMethod:
        if vm_url != self.method.id:
            raise VerificationMethodError(f"{vm_url} is unknown")
        return self.method


def _guide(vectors: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    folder = f"{GUIDE}/linked-data-proof-{name}"
    return vectors.json(f"{folder}/signed-credential.json"), vectors.json(f"{folder}/values.json")


@pytest.mark.parametrize("name", sorted(GUIDES))
async def test_guide_vector_verifies_with_the_published_hashes(vectors: Any, name: str) -> None:
    signed, values = _guide(vectors, name)
    resolver = GuideIssuerResolver(values)
    [result] = await verify_proofs(signed, resolver=resolver, purpose=AssertionPurpose())
    assert result.verified, result.reason
    assert result.details["canonicalDocumentHash"] == values["documentHashHex"]
    assert result.details["proofConfigHash"] == values["proofHashHex"]
    assert result.details["hashData"] == values["dataToSignHex"]
    assert result.controller == values["controller"] == signed["issuer"]["id"]


@pytest.mark.parametrize("name", sorted(GUIDES))
def test_guide_canonical_document_hash_matches_the_published_n_quads(
    vectors: Any, name: str
) -> None:
    _, values = _guide(vectors, name)
    for stem, expected in (("document", "documentHashHex"), ("proof", "proofHashHex")):
        canon = vectors.path(f"{GUIDE}/test-vectors/{GUIDES[name]}/{stem}-canon.txt").read_bytes()
        assert hashlib.sha256(canon).hexdigest() == values[expected]


@pytest.mark.parametrize("name", sorted(GUIDES))
def test_guide_signing_with_the_published_key_reproduces_the_proof_value(
    vectors: Any, name: str
) -> None:
    signed, values = _guide(vectors, name)
    seed = bytes.fromhex(values["privateKeyHex"])[:32]  # the hex is seed || public key
    key = PrivateKey(ed25519.Ed25519PrivateKey.from_private_bytes(seed))
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    [proof] = signed["proof"] if isinstance(signed["proof"], list) else [signed["proof"]]
    ours = sign(
        unsigned,
        key,
        cryptosuite="eddsa-rdfc-2022",
        verification_method=values["verificationMethod"],
        created=datetime.fromisoformat(proof["created"]),
    )
    assert ours["proof"]["proofValue"] == values["proofValue"] == proof["proofValue"]
    assert ours["proof"] == proof


@pytest.mark.parametrize("path", BITSTRING_EXAMPLES, ids=lambda p: "/".join(p.split("/")[-2:]))
async def test_bitstring_status_list_signed_example_verifies(
    vectors: Any, path: str, resolver: DidResolver
) -> None:
    signed = vectors.json(path)
    [result] = await verify_proofs(signed, resolver=resolver, purpose=AssertionPurpose())
    assert result.verified, result.reason
    # The examples name a bare did:key as the verification method; its controller is the DID.
    assert result.controller == signed["proof"]["verificationMethod"]
    assert result.cryptosuite == signed["proof"]["cryptosuite"]


@pytest.mark.parametrize("path", BITSTRING_EXAMPLES, ids=lambda p: "/".join(p.split("/")[-2:]))
async def test_bitstring_status_list_example_with_changed_subject_fails(
    vectors: Any, path: str, resolver: DidResolver
) -> None:
    signed = vectors.json(path)
    signed["credentialSubject"]["id"] = "did:example:someone-else"
    [result] = await verify_proofs(signed, resolver=resolver, purpose=AssertionPurpose())
    assert not result.verified
    assert result.error_code == "PROOF_VERIFICATION_ERROR"
    assert "changed after signing" in (result.reason or "")

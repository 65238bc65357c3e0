"""Proof sets (independent proofs) and proof chains (previousProof), W3C vc-di-eddsa vectors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from satchel.did.did_key import did_key_verification_method_id
from satchel.did.multikey import decode_secret_key
from satchel.did.resolver import DidResolver
from satchel.validator.proofs.data_integrity import ProofGenerationError, sign, verify_proofs
from satchel.validator.proofs.purposes import AssertionPurpose

FOLDER = "w3c-vc-di-eddsa/TestVectors/proof-set-chain"
SIGNED = ["signedProofSet1", "signedProofSet2", "signedProofChain1", "signedProofChain2"]


@pytest.mark.parametrize("name", SIGNED)
async def test_every_proof_of_the_published_set_or_chain_verifies(
    vectors: Any, name: str, resolver: DidResolver
) -> None:
    document = vectors.json(f"{FOLDER}/{name}.json")
    results = await verify_proofs(document, resolver=resolver, purpose=AssertionPurpose())
    proofs = document["proof"] if isinstance(document["proof"], list) else [document["proof"]]
    assert len(results) == len(proofs)
    assert all(r.verified for r in results), [r.reason for r in results]
    assert [r.proof_id for r in results] == [p.get("id") for p in proofs]


async def test_signing_in_turn_reproduces_the_published_set_then_chain(vectors: Any) -> None:
    """Ed25519 is deterministic: adding the four proofs one by one gives the very documents."""
    pairs = vectors.json(f"{FOLDER}/multiKeyPairs.json")
    document = vectors.json(f"{FOLDER}/unsigned.json")
    for step, name in enumerate(SIGNED, start=1):
        config = _config_for(vectors, name)
        document = sign(
            document,
            decode_secret_key(pairs[f"keyPair{step}"]["privateKeyMultibase"]),
            cryptosuite=config["cryptosuite"],
            verification_method=config["verificationMethod"],
            created=datetime.fromisoformat(config["created"]),
            previous_proof=config.get("previousProof"),
            proof_id=config.get("id"),
        )
        assert document == vectors.json(f"{FOLDER}/{name}.json"), name


def _config_for(vectors: Any, name: str) -> dict[str, Any]:
    config_file = {
        "signedProofSet1": "proofSetConfig1",
        "signedProofSet2": "proofSetConfig2",
        "signedProofChain1": "proofChainConfig1",
        "signedProofChain2": "proofChainConfig2",
    }[name]
    result: dict[str, Any] = vectors.json(f"{FOLDER}/{config_file}.json")
    return result


async def test_chained_proof_fails_when_a_proof_it_extends_is_removed(
    vectors: Any, resolver: DidResolver
) -> None:
    document = vectors.json(f"{FOLDER}/signedProofChain1.json")
    removed = document["proof"].pop(1)["id"]
    results = await verify_proofs(document, resolver=resolver, purpose=AssertionPurpose())
    assert [r.verified for r in results] == [True, False]
    assert results[1].error_code == "PROOF_VERIFICATION_ERROR"
    assert removed in (results[1].reason or "")


async def test_chained_proof_fails_when_a_proof_it_extends_is_altered(
    vectors: Any, resolver: DidResolver
) -> None:
    document = vectors.json(f"{FOLDER}/signedProofChain2.json")
    document["proof"][2]["created"] = "2023-02-27T00:00:00Z"
    results = await verify_proofs(document, resolver=resolver, purpose=AssertionPurpose())
    # The altered proof fails, and so does the proof that chains to it.
    assert [r.verified for r in results] == [True, True, False, False]


async def test_proof_set_member_removed_leaves_the_others_valid(
    vectors: Any, resolver: DidResolver
) -> None:
    document = vectors.json(f"{FOLDER}/signedProofSet2.json")
    document["proof"] = document["proof"][1:]
    results = await verify_proofs(document, resolver=resolver, purpose=AssertionPurpose())
    assert [r.verified for r in results] == [True]


async def test_signing_a_chain_to_a_missing_proof_is_refused(vectors: Any) -> None:
    pairs = vectors.json(f"{FOLDER}/multiKeyPairs.json")
    key = decode_secret_key(pairs["keyPair1"]["privateKeyMultibase"])
    did = "did:key:" + pairs["keyPair1"]["publicKeyMultibase"]
    with pytest.raises(ProofGenerationError, match="urn:uuid:nope"):
        sign(
            vectors.json(f"{FOLDER}/signedProofSet1.json"),
            key,
            cryptosuite="eddsa-rdfc-2022",
            verification_method=did_key_verification_method_id(did),
            previous_proof="urn:uuid:nope",
        )

"""The W3C vc-di-eddsa and vc-di-ecdsa test vectors, reproduced byte for byte."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from satchel.did.keys import KeyType
from satchel.did.multikey import decode_secret_key, multibase_decode
from satchel.did.resolver import DidResolver
from satchel.validator.proofs.data_integrity import sign, verify_proofs
from satchel.validator.proofs.purposes import AssertionPurpose
from satchel.validator.proofs.suites import suite_for_proof

EDDSA = "w3c-vc-di-eddsa/TestVectors"
ECDSA = "w3c-vc-di-ecdsa/TestVectors"


@dataclass(frozen=True)
class SuiteVector:
    """One folder of a W3C cryptosuite vector set (its files share a suffix, e.g. DataInt)."""

    folder: str
    suffix: str
    key_pair: str

    def file(self, stem: str, ext: str = "txt") -> str:
        return f"{self.folder}/{stem}{self.suffix}.{ext}"


SUITE_VECTORS = [
    SuiteVector(f"{EDDSA}/eddsa-rdfc-2022", "DataInt", f"{EDDSA}/keyPair.json"),
    SuiteVector(f"{EDDSA}/eddsa-rdfc-2022/employ", "DataInt", f"{EDDSA}/keyPair.json"),
    SuiteVector(f"{EDDSA}/eddsa-jcs-2022", "JCS", f"{EDDSA}/keyPair.json"),
    SuiteVector(f"{EDDSA}/Ed25519Signature2020", "EdSig", f"{EDDSA}/keyPair.json"),
    SuiteVector(f"{ECDSA}/ecdsa-rdfc-2019-p256", "ECDSAP256", f"{ECDSA}/p256KeyPair.json"),
    SuiteVector(f"{ECDSA}/ecdsa-rdfc-2019-p256/employ", "ECDSAP256", f"{ECDSA}/p256KeyPair.json"),
    SuiteVector(f"{ECDSA}/ecdsa-rdfc-2019-p384", "ECDSAP384", f"{ECDSA}/p384KeyPair.json"),
    SuiteVector(f"{ECDSA}/ecdsa-rdfc-2019-p384/employ", "ECDSAP384", f"{ECDSA}/p384KeyPair.json"),
    SuiteVector(f"{ECDSA}/ecdsa-jcs-2019-p256", "JCSECDSAP256", f"{ECDSA}/p256KeyPair.json"),
    SuiteVector(f"{ECDSA}/ecdsa-jcs-2019-p384", "JCSECDSAP384", f"{ECDSA}/p384KeyPair.json"),
]
IDS = [v.folder.split("TestVectors/")[1] for v in SUITE_VECTORS]
by_vector = pytest.mark.parametrize("vector", SUITE_VECTORS, ids=IDS)


def _unsigned(signed: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in signed.items() if key != "proof"}


def _secret_key(vectors: Any, vector: SuiteVector) -> Any:
    pair = vectors.json(vector.key_pair)
    return decode_secret_key(pair.get("privateKeyMultibase") or pair["secretKeyMultibase"])


@by_vector
async def test_signed_vector_verifies_and_reports_the_published_hashes(
    vectors: Any, vector: SuiteVector, resolver: DidResolver
) -> None:
    signed = vectors.json(vector.file("signed", "json"))
    [result] = await verify_proofs(signed, resolver=resolver, purpose=AssertionPurpose())
    assert result.verified, result.reason
    assert result.details["canonicalDocumentHash"] == vectors.text(vector.file("docHash"))
    assert result.details["proofConfigHash"] == vectors.text(vector.file("proofHash"))
    assert result.details["hashData"] == vectors.text(vector.file("combinedHash"))
    assert result.controller == signed["proof"]["verificationMethod"].split("#")[0]
    assert result.error_code is None


@by_vector
def test_transform_reproduces_the_canonical_document_and_proof_config(
    vectors: Any, vector: SuiteVector
) -> None:
    signed = vectors.json(vector.file("signed", "json"))
    config = vectors.json(vector.file("proofConfig", "json"))
    suite = suite_for_proof(config["type"], config.get("cryptosuite"))
    assert suite is not None
    key_type = _key_type_of(vector)
    canonical_doc = suite.transform(_unsigned(signed), key_type).decode()
    canonical_config = suite.transform(config, key_type).decode()
    assert canonical_doc.strip() == vectors.text(vector.file("canonDoc"))
    assert canonical_config.strip() == vectors.text(vector.file("proofCanon"))


def _key_type_of(vector: SuiteVector) -> KeyType:
    for key_type in (KeyType.P256, KeyType.P384):
        if vector.suffix.endswith(key_type.replace("-", "")):
            return key_type
    return KeyType.ED25519


@by_vector
def test_proof_value_is_the_published_signature(vectors: Any, vector: SuiteVector) -> None:
    proof_value = vectors.json(vector.file("signed", "json"))["proof"]["proofValue"]
    assert proof_value == vectors.text(vector.file("sigBTC58"))
    assert multibase_decode(proof_value).hex() == vectors.text(vector.file("sigHex"))


@by_vector
async def test_signing_with_the_published_key_reproduces_or_round_trips(
    vectors: Any, vector: SuiteVector, resolver: DidResolver
) -> None:
    signed = vectors.json(vector.file("signed", "json"))
    config = vectors.json(vector.file("proofConfig", "json"))
    unsigned = _unsigned(signed)
    before = copy.deepcopy(unsigned)
    ours = sign(
        unsigned,
        _secret_key(vectors, vector),
        cryptosuite=config.get("cryptosuite", config["type"]),
        verification_method=config["verificationMethod"],
        created=datetime.fromisoformat(config["created"]),
    )
    assert unsigned == before, "sign must not modify its input"
    key_type = _secret_key(vectors, vector).key_type
    if key_type is KeyType.ED25519:  # Ed25519 is deterministic: the very same document
        assert ours == signed
    else:  # ECDSA signatures are randomised: same proof options, and the new one verifies
        assert {k: v for k, v in ours["proof"].items() if k != "proofValue"} == {
            k: v for k, v in signed["proof"].items() if k != "proofValue"
        }
        assert ours["proof"]["proofValue"] != signed["proof"]["proofValue"]
        [result] = await verify_proofs(ours, resolver=resolver, purpose=AssertionPurpose())
        assert result.verified, result.reason


async def test_selective_disclosure_suite_is_reported_as_unsupported(
    vectors: Any, resolver: DidResolver
) -> None:
    for case in ("employ", "prc"):
        base = vectors.json(f"{ECDSA}/ecdsa-sd-2023/{case}/addSignedSDBase.json")
        [result] = await verify_proofs(base, resolver=resolver, purpose=AssertionPurpose())
        assert not result.verified
        assert result.error_code == "UNKNOWN_CRYPTOSUITE"
        assert result.cryptosuite == "ecdsa-sd-2023"
        assert "ecdsa-sd-2023" in (result.reason or "")

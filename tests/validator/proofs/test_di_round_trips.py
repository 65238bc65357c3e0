"""Sign then verify, for every cryptosuite and every key type it accepts, through did:key."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, PrivateKey, generate_private_key
from satchel.did.resolver import DidResolver
from satchel.validator.proofs.data_integrity import ProofGenerationError, sign, verify_proofs
from satchel.validator.proofs.purposes import AssertionPurpose
from satchel.validator.proofs.suites import SUITES

CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "id": "urn:uuid:1d3c5a3e-0f44-4a43-8c43-1ac4a4f3a2b1",
    "type": ["VerifiableCredential", "ExampleCredential"],
    "issuer": "did:example:issuer",
    "validFrom": "2024-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:learner", "name": "Ada"},
}

SUITE_KEYS = [(name, kt) for name, suite in SUITES.items() for kt in suite.key_types]
WRONG_KEYS = [
    (name, kt)
    for name, suite in SUITES.items()
    for kt in (KeyType.ED25519, KeyType.P256, KeyType.P384)
    if kt not in suite.key_types
]
_KEYS: dict[KeyType, PrivateKey] = {}


def _key(key_type: KeyType) -> PrivateKey:
    if key_type not in _KEYS:
        _KEYS[key_type] = generate_private_key(key_type)
    return _KEYS[key_type]


def _vm(key: PrivateKey) -> str:
    return did_key_verification_method_id(did_key_from_public_key(key.public_key))


def test_every_cryptosuite_is_registered() -> None:
    assert set(SUITES) == {
        "eddsa-rdfc-2022",
        "eddsa-jcs-2022",
        "ecdsa-rdfc-2019",
        "ecdsa-jcs-2019",
        "Ed25519Signature2020",
    }


@pytest.mark.parametrize(("suite", "key_type"), SUITE_KEYS)
async def test_signed_credential_verifies(
    suite: str, key_type: KeyType, resolver: DidResolver
) -> None:
    key = _key(key_type)
    signed = sign(CREDENTIAL, key, cryptosuite=suite, verification_method=_vm(key))
    [result] = await verify_proofs(signed, resolver=resolver, purpose=AssertionPurpose())
    assert result.verified, result.reason
    assert result.controller == did_key_from_public_key(key.public_key)
    assert result.verification_method == _vm(key)
    assert result.proof_type == SUITES[suite].proof_type
    assert result.cryptosuite == SUITES[suite].cryptosuite
    assert len(bytes.fromhex(result.details["hashData"])) == (96 if key_type == "P-384" else 64)


@pytest.mark.parametrize(("suite", "key_type"), WRONG_KEYS)
def test_signing_with_a_key_of_the_wrong_type_is_refused(suite: str, key_type: KeyType) -> None:
    key = _key(key_type)
    with pytest.raises(
        ProofGenerationError, match=f"needs a key of type .*, but the signing key is {key_type}"
    ):
        sign(CREDENTIAL, key, cryptosuite=suite, verification_method=_vm(key))


@pytest.mark.parametrize(("suite", "key_type"), SUITE_KEYS)
async def test_proof_naming_a_key_of_the_wrong_type_fails_with_a_named_reason(
    suite: str, key_type: KeyType, resolver: DidResolver
) -> None:
    key = _key(key_type)
    signed = sign(CREDENTIAL, key, cryptosuite=suite, verification_method=_vm(key))
    other = KeyType.P256 if key_type is KeyType.ED25519 else KeyType.ED25519
    signed["proof"]["verificationMethod"] = _vm(_key(other))
    [result] = await verify_proofs(signed, resolver=resolver, purpose=AssertionPurpose())
    assert not result.verified
    assert result.error_code == "PROOF_VERIFICATION_ERROR"
    assert f"but the signing key is {other}" in (result.reason or "")


def test_sign_returns_a_new_document_with_a_second_precision_created() -> None:
    key = _key(KeyType.ED25519)
    original = copy.deepcopy(CREDENTIAL)
    signed = sign(CREDENTIAL, key, cryptosuite="eddsa-rdfc-2022", verification_method=_vm(key))
    assert original == CREDENTIAL
    assert signed is not CREDENTIAL
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", signed["proof"]["created"])
    created = datetime.fromisoformat(signed["proof"]["created"])
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)
    assert list(signed["proof"]) == [
        "type",
        "cryptosuite",
        "created",
        "verificationMethod",
        "proofPurpose",
        "proofValue",
    ]


async def test_second_signature_makes_a_proof_set(resolver: DidResolver) -> None:
    ed, p256 = _key(KeyType.ED25519), _key(KeyType.P256)
    once = sign(CREDENTIAL, ed, cryptosuite="eddsa-jcs-2022", verification_method=_vm(ed))
    twice = sign(once, p256, cryptosuite="ecdsa-rdfc-2019", verification_method=_vm(p256))
    assert isinstance(twice["proof"], list)
    assert twice["proof"][0] == once["proof"]
    results = await verify_proofs(twice, resolver=resolver, purpose=AssertionPurpose())
    assert [r.verified for r in results] == [True, True]


def test_jcs_suites_sign_the_document_context_into_the_proof() -> None:
    key = _key(KeyType.ED25519)
    signed = sign(CREDENTIAL, key, cryptosuite="eddsa-jcs-2022", verification_method=_vm(key))
    assert signed["proof"]["@context"] == CREDENTIAL["@context"]


async def test_ed25519_signature_2020_adds_its_context_when_missing(
    resolver: DidResolver,
) -> None:
    key = _key(KeyType.ED25519)
    signed = sign(CREDENTIAL, key, cryptosuite="Ed25519Signature2020", verification_method=_vm(key))
    assert signed["@context"][-1] == "https://w3id.org/security/suites/ed25519-2020/v1"
    assert "cryptosuite" not in signed["proof"]
    [result] = await verify_proofs(signed, resolver=resolver, purpose=AssertionPurpose())
    assert result.verified, result.reason


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "ecdsa-jcs-2019"])
async def test_vc_1_1_credential_gets_the_data_integrity_context_when_signed(
    suite: str, resolver: DidResolver
) -> None:
    key = _key(SUITES[suite].key_types[0])
    v1 = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
    }
    signed = sign(v1, key, cryptosuite=suite, verification_method=_vm(key))
    assert signed["@context"] == [
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/data-integrity/v2",
    ]
    [result] = await verify_proofs(signed, resolver=resolver, purpose=AssertionPurpose())
    assert result.verified, result.reason


async def test_plain_json_without_context_is_signed_as_is_with_jcs(resolver: DidResolver) -> None:
    key = _key(KeyType.ED25519)
    plain = {"type": ["VerifiableCredential"], "issuer": "did:example:issuer"}
    signed = sign(plain, key, cryptosuite="eddsa-jcs-2022", verification_method=_vm(key))
    assert "@context" not in signed
    assert "@context" not in signed["proof"]
    [result] = await verify_proofs(signed, resolver=resolver, purpose=AssertionPurpose())
    assert result.verified, result.reason


def test_signing_with_an_unknown_cryptosuite_is_refused() -> None:
    key = _key(KeyType.ED25519)
    with pytest.raises(ProofGenerationError, match="ecdsa-sd-2023"):
        sign(CREDENTIAL, key, cryptosuite="ecdsa-sd-2023", verification_method=_vm(key))

"""Every way a proof can fail yields a failed result with a named reason, never an exception."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, PrivateKey, generate_private_key
from satchel.did.multikey import encode_public_key
from satchel.did.resolver import DidResolver
from satchel.validator.proofs.data_integrity import TAMPERED, sign, verify_proofs
from satchel.validator.proofs.purposes import AssertionPurpose, AuthenticationPurpose
from satchel.validator.proofs.result import ProofResult

CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "id": "urn:uuid:7a0e6c1e-3b7c-4f0e-9d43-0e1f4f7c2a10",
    "type": ["VerifiableCredential", "ExampleCredential"],
    "issuer": "did:example:issuer",
    "validFrom": "2024-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:learner", "name": "Ada"},
}
SUITES = [
    ("eddsa-rdfc-2022", KeyType.ED25519),
    ("eddsa-jcs-2022", KeyType.ED25519),
    ("ecdsa-rdfc-2019", KeyType.P256),
    ("ecdsa-jcs-2019", KeyType.P384),
    ("Ed25519Signature2020", KeyType.ED25519),
]
NOW = datetime(2025, 6, 1, tzinfo=UTC)
_KEYS: dict[tuple[KeyType, int], PrivateKey] = {}


def _key(key_type: KeyType, n: int = 0) -> PrivateKey:
    return _KEYS.setdefault((key_type, n), generate_private_key(key_type))


def _vm(key: PrivateKey) -> str:
    return did_key_verification_method_id(did_key_from_public_key(key.public_key))


def _signed(
    suite: str, key_type: KeyType, document: dict[str, Any] | None = None, **options: Any
) -> dict[str, Any]:
    key = _key(key_type)
    options.setdefault("created", NOW - timedelta(days=1))
    return sign(
        document or CREDENTIAL, key, cryptosuite=suite, verification_method=_vm(key), **options
    )


async def _verify(
    document: dict[str, Any], resolver: DidResolver, purpose: Any = None
) -> ProofResult:
    [result] = await verify_proofs(
        document, resolver=resolver, purpose=purpose or AssertionPurpose(), now=NOW
    )
    return result


def _other_proof_value(suite: str, key_type: KeyType) -> str:
    other = copy.deepcopy(CREDENTIAL)
    other["credentialSubject"]["name"] = "Eve"
    return str(_signed(suite, key_type, other)["proof"]["proofValue"])


def _change_cryptosuite(doc: dict[str, Any]) -> None:
    proof = doc["proof"]
    swaps = {"eddsa-rdfc-2022": "eddsa-jcs-2022", "eddsa-jcs-2022": "eddsa-rdfc-2022"}
    swaps |= {"ecdsa-rdfc-2019": "ecdsa-jcs-2019", "ecdsa-jcs-2019": "ecdsa-rdfc-2019"}
    if proof["type"] == "Ed25519Signature2020":
        proof.update(type="DataIntegrityProof", cryptosuite="eddsa-rdfc-2022")
    else:
        proof["cryptosuite"] = swaps[proof["cryptosuite"]]


Tamper = Callable[[dict[str, Any]], None]
TAMPERINGS: dict[str, Tamper] = {
    "credential-field": lambda d: d["credentialSubject"].update(name="Eve"),
    "added-credential-property": lambda d: d.update(description="now with more claims"),
    "removed-credential-property": lambda d: d.pop("validFrom"),
    "created": lambda d: d["proof"].update(created="2024-05-01T00:00:00Z"),
    "added-proof-property": lambda d: d["proof"].update(expires="2099-01-01T00:00:00Z"),
    "cryptosuite": _change_cryptosuite,
}


@pytest.mark.parametrize("tamper", sorted(TAMPERINGS))
@pytest.mark.parametrize(("suite", "key_type"), SUITES)
async def test_tampered_credential_or_proof_fails_as_changed_after_signing(
    suite: str, key_type: KeyType, tamper: str, resolver: DidResolver
) -> None:
    signed = _signed(suite, key_type)
    assert (await _verify(signed, resolver)).verified
    TAMPERINGS[tamper](signed)
    result = await _verify(signed, resolver)
    assert not result.verified
    assert result.error_code == "PROOF_VERIFICATION_ERROR"
    assert result.reason == TAMPERED


@pytest.mark.parametrize(("suite", "key_type"), SUITES)
async def test_proof_value_from_another_document_fails(
    suite: str, key_type: KeyType, resolver: DidResolver
) -> None:
    signed = _signed(suite, key_type)
    signed["proof"]["proofValue"] = _other_proof_value(suite, key_type)
    result = await _verify(signed, resolver)
    assert (result.verified, result.reason) == (False, TAMPERED)


@pytest.mark.parametrize(("suite", "key_type"), SUITES)
async def test_proof_value_garbled_fails(
    suite: str, key_type: KeyType, resolver: DidResolver
) -> None:
    signed = _signed(suite, key_type)
    signed["proof"]["proofValue"] = signed["proof"]["proofValue"][:-4] + "1111"
    result = await _verify(signed, resolver)
    assert (result.verified, result.reason) == (False, TAMPERED)


@pytest.mark.parametrize(("suite", "key_type"), SUITES)
async def test_verification_method_swapped_for_another_valid_key_fails(
    suite: str, key_type: KeyType, resolver: DidResolver
) -> None:
    signed = _signed(suite, key_type)
    impostor = _key(key_type, 1)
    signed["proof"]["verificationMethod"] = _vm(impostor)
    result = await _verify(signed, resolver)
    assert (result.verified, result.reason) == (False, TAMPERED)
    assert result.controller == did_key_from_public_key(impostor.public_key)


async def test_changed_proof_purpose_fails_as_mismatched(resolver: DidResolver) -> None:
    signed = _signed("eddsa-rdfc-2022", KeyType.ED25519)
    signed["proof"]["proofPurpose"] = "authentication"
    result = await _verify(signed, resolver)
    assert result.error_code == "MISMATCHED_PROOF_PURPOSE_ERROR"
    assert "'authentication'" in (result.reason or "")
    # Verified for the purpose it now claims, the signature still gives the change away.
    result = await _verify(signed, resolver, AuthenticationPurpose())
    assert (result.verified, result.reason) == (False, TAMPERED)


async def test_key_not_in_the_controllers_assertion_methods_fails() -> None:
    key = _key(KeyType.ED25519)
    did = "did:example:holder"
    vm = f"{did}#key-1"

    async def resolve_example(requested: str) -> dict[str, Any]:
        method = {
            "id": vm,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": encode_public_key(key.public_key),
        }
        return {"id": did, "verificationMethod": [method], "authentication": [vm]}

    resolver = DidResolver()
    resolver.register("example", resolve_example)
    signed = sign(
        CREDENTIAL, key, cryptosuite="eddsa-rdfc-2022", verification_method=vm, created=NOW
    )
    result = await _verify(signed, resolver)
    assert not result.verified
    assert result.error_code == "PROOF_VERIFICATION_ERROR"
    assert "not authorised for assertionMethod" in (result.reason or "")
    # The same key is fine for what its controller did authorise it for.
    auth = sign(
        CREDENTIAL,
        key,
        cryptosuite="eddsa-rdfc-2022",
        verification_method=vm,
        proof_purpose="authentication",
        created=NOW,
    )
    assert (await _verify(auth, resolver, AuthenticationPurpose())).verified


async def test_unresolvable_verification_method_fails_with_a_reason(
    resolver: DidResolver,
) -> None:
    signed = _signed("eddsa-rdfc-2022", KeyType.ED25519)
    signed["proof"]["verificationMethod"] = "did:unknown:abc#key-1"
    result = await _verify(signed, resolver)
    assert not result.verified
    assert "did:unknown:abc#key-1 cannot be used" in (result.reason or "")


# --- authentication: challenge and domain -------------------------------------------------


def _presentation_proof(**options: Any) -> dict[str, Any]:
    return _signed("eddsa-rdfc-2022", KeyType.ED25519, proof_purpose="authentication", **options)


@pytest.mark.parametrize(
    ("signed_with", "expected", "code"),
    [
        ({"challenge": "abc"}, {"challenge": "xyz"}, "INVALID_CHALLENGE_ERROR"),
        ({}, {"challenge": "xyz"}, "INVALID_CHALLENGE_ERROR"),
        (
            {"challenge": "abc", "domain": "a.example"},
            {"challenge": "abc", "domain": "b.example"},
            "INVALID_DOMAIN_ERROR",
        ),
        ({"challenge": "abc"}, {"challenge": "abc", "domain": "a.example"}, "INVALID_DOMAIN_ERROR"),
        ({"domain": ["a.example", "b.example"]}, {"domain": ["a.example"]}, "INVALID_DOMAIN_ERROR"),
    ],
    ids=["wrong-challenge", "missing-challenge", "wrong-domain", "missing-domain", "domain-set"],
)
async def test_authentication_with_wrong_or_missing_challenge_or_domain_fails(
    signed_with: dict[str, Any], expected: dict[str, Any], code: str, resolver: DidResolver
) -> None:
    signed = _presentation_proof(**signed_with)
    result = await _verify(signed, resolver, AuthenticationPurpose(**expected))
    assert not result.verified
    assert result.error_code == code
    assert result.reason


async def test_authentication_with_matching_challenge_and_domain_verifies(
    resolver: DidResolver,
) -> None:
    signed = _presentation_proof(challenge="abc", domain=["b.example", "a.example"])
    assert signed["proof"]["challenge"] == "abc"
    purpose = AuthenticationPurpose(challenge="abc", domain=["a.example", "b.example"])
    result = await _verify(signed, resolver, purpose)
    assert result.verified, result.reason


# --- dates ----------------------------------------------------------------------------------


async def test_proof_created_in_the_future_fails(resolver: DidResolver) -> None:
    signed = _signed("eddsa-rdfc-2022", KeyType.ED25519, created=NOW + timedelta(hours=1))
    result = await _verify(signed, resolver)
    assert not result.verified
    assert "created in the future" in (result.reason or "")


async def test_proof_created_within_clock_skew_verifies(resolver: DidResolver) -> None:
    signed = _signed("eddsa-rdfc-2022", KeyType.ED25519, created=NOW + timedelta(minutes=2))
    assert (await _verify(signed, resolver)).verified


async def test_expired_proof_fails_and_unexpired_verifies(resolver: DidResolver) -> None:
    expired = _signed("eddsa-jcs-2022", KeyType.ED25519, expires=NOW - timedelta(seconds=1))
    result = await _verify(expired, resolver)
    assert not result.verified
    assert "expired" in (result.reason or "")
    valid = _signed("eddsa-jcs-2022", KeyType.ED25519, expires=NOW + timedelta(days=1))
    assert (await _verify(valid, resolver)).verified


@pytest.mark.parametrize("field", ["created", "expires"])
@pytest.mark.parametrize("value", ["yesterday", "2024-13-45T00:00:00Z", "2024-01-01", 1704067200])
async def test_malformed_date_is_a_malformed_proof(
    field: str, value: object, resolver: DidResolver
) -> None:
    signed = _signed("eddsa-rdfc-2022", KeyType.ED25519)
    signed["proof"][field] = value
    result = await _verify(signed, resolver)
    assert result.error_code == "MALFORMED_PROOF_ERROR"
    assert field in (result.reason or "")


# --- malformed and unsupported proofs -----------------------------------------------------


@pytest.mark.parametrize(
    ("proof", "code"),
    [
        ("not an object", "MALFORMED_PROOF_ERROR"),
        ({"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}, "MALFORMED_PROOF_ERROR"),
        ({"type": "RsaSignature2018", "proofValue": "z1"}, "UNKNOWN_CRYPTOSUITE"),
        ({"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"}, "UNKNOWN_CRYPTOSUITE"),
        ({"type": "DataIntegrityProof"}, "UNKNOWN_CRYPTOSUITE"),
    ],
    ids=["string", "no-fields", "unknown-type", "unknown-suite", "no-suite"],
)
async def test_malformed_or_unknown_proof_fails_without_raising(
    proof: object, code: str, resolver: DidResolver
) -> None:
    result = await _verify({**CREDENTIAL, "proof": proof}, resolver)
    assert not result.verified
    assert result.error_code == code
    assert result.reason


async def test_proof_value_that_is_not_multibase_is_malformed(resolver: DidResolver) -> None:
    signed = _signed("eddsa-rdfc-2022", KeyType.ED25519)
    signed["proof"]["proofValue"] = "u" + signed["proof"]["proofValue"][1:]
    result = await _verify(signed, resolver)
    assert result.error_code == "MALFORMED_PROOF_ERROR"


async def test_no_proof_gives_no_results(resolver: DidResolver) -> None:
    assert await verify_proofs(CREDENTIAL, resolver=resolver, purpose=AssertionPurpose()) == []


async def test_jcs_proof_context_not_matching_the_document_fails(resolver: DidResolver) -> None:
    signed = _signed("eddsa-jcs-2022", KeyType.ED25519)
    signed["@context"] = signed["@context"][:1]
    result = await _verify(signed, resolver)
    assert not result.verified
    assert "@context" in (result.reason or "")


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_hostile_deeply_nested_credential_fails_without_raising(
    suite: str, resolver: DidResolver
) -> None:
    signed = _signed(suite, KeyType.ED25519)
    nested: dict[str, Any] = {"name": "bottom"}
    for _ in range(5000):
        nested = {"knows": nested}
    signed["credentialSubject"] = nested
    result = await _verify(signed, resolver)
    assert not result.verified
    assert result.error_code == "PROOF_TRANSFORMATION_ERROR"
    assert "nested too deeply" in (result.reason or "")


async def test_number_without_json_form_fails_jcs_without_raising(resolver: DidResolver) -> None:
    signed = _signed("eddsa-jcs-2022", KeyType.ED25519)
    signed["credentialSubject"]["score"] = float("nan")
    result = await _verify(signed, resolver)
    assert result.error_code == "PROOF_TRANSFORMATION_ERROR"


async def test_naive_verification_time_is_taken_as_utc(resolver: DidResolver) -> None:
    signed = _signed("eddsa-rdfc-2022", KeyType.ED25519)
    naive_now = NOW.replace(tzinfo=None)
    [result] = await verify_proofs(
        signed, resolver=resolver, purpose=AssertionPurpose(), now=naive_now
    )
    assert result.verified, result.reason


async def test_undefined_term_in_rdfc_credential_fails_as_untransformable(
    resolver: DidResolver,
) -> None:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:learner"},
    }
    signed = _signed("eddsa-rdfc-2022", KeyType.ED25519, document)
    signed["undefinedTerm"] = "JSON-LD safe mode refuses to drop this silently"
    result = await _verify(signed, resolver)
    assert not result.verified
    assert result.error_code == "PROOF_TRANSFORMATION_ERROR"

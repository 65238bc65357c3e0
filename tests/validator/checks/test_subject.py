"""The subject/recipient check: OB 3.0 IdentityObjects (hashed, salted, plaintext) and ids."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.did.resolver import DidResolver
from satchel.validator.engine import VerificationOptions, Verifier
from satchel.validator.identity import hash_identity
from satchel.validator.proofs.data_integrity import sign
from satchel.validator.report import Check, Outcome, VerificationReport

NOW = datetime(2025, 6, 1, tzinfo=UTC)
TEMPLATE = (Path(__file__).resolve().parents[2] / "data" / "unsigned-ob30.json").read_text()
LEARNER_DID = "did:example:learner"


def credential(issuer: str = "did:example:issuer", **subject: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(TEMPLATE.replace("ISSUER", issuer))
    document["credentialSubject"].update(subject)
    return document


def identity(value: str, identity_type: str = "emailAddress", **extra: Any) -> dict[str, Any]:
    return {
        "type": "IdentityObject",
        "identityType": identity_type,
        "hashed": extra.pop("hashed", True),
        "identityHash": value,
        **extra,
    }


def signed(document: dict[str, Any]) -> dict[str, Any]:
    key = generate_private_key(KeyType.ED25519)
    did = did_key_from_public_key(key.public_key)
    document = json.loads(json.dumps(document).replace("did:example:issuer", did))
    return sign(
        document,
        key,
        cryptosuite="eddsa-rdfc-2022",
        verification_method=did_key_verification_method_id(did),
        created=NOW - timedelta(days=1),
    )


async def verify(document: dict[str, Any], **options: Any) -> VerificationReport:
    return await Verifier(DidResolver()).verify(document, VerificationOptions(now=NOW, **options))


def subject_check(report: VerificationReport) -> Check:
    (check,) = [c for c in report.checks if c.id == "subject" and c.target == "credential"]
    return check


async def test_salted_sha256_email_identifier_matches_the_expected_email_and_verifies():
    document = credential(
        identifier=[identity(hash_identity("alice@example.com", "s4lt"), salt="s4lt")]
    )
    report = await verify(signed(document), expected_email="alice@example.com")
    check = subject_check(report)
    assert check.outcome is Outcome.PASSED
    assert "issued to alice@example.com" in check.message
    assert "hashed" in check.message
    assert report.verified, report.errors


async def test_salted_hash_of_another_email_fails_and_the_credential_is_not_verified():
    document = credential(
        identifier=[identity(hash_identity("mallory@example.com", "s4lt"), salt="s4lt")]
    )
    report = await verify(signed(document), expected_email="alice@example.com")
    check = subject_check(report)
    assert check.outcome is Outcome.FAILED
    assert "not issued to alice@example.com" in check.message
    assert not report.verified


async def test_the_salt_is_part_of_the_hash():
    unsalted = hash_identity("alice@example.com")
    report = await verify(
        credential(identifier=[identity(unsalted, salt="pepper")]),
        expected_email="alice@example.com",
    )
    assert subject_check(report).outcome is Outcome.FAILED


async def test_md5_identity_hash_is_accepted():
    digest = hashlib.md5(b"alice@example.comNaCl", usedforsecurity=False).hexdigest()
    report = await verify(
        credential(identifier=[identity(f"md5${digest}", salt="NaCl")]),
        expected_email="Alice@Example.com",
    )
    assert subject_check(report).outcome is Outcome.PASSED


@pytest.mark.parametrize(
    ("stored", "expected"),
    [("Alice@Example.COM", "alice@example.com"), ("alice@example.com", "ALICE@example.com")],
)
async def test_plaintext_email_compares_case_insensitively(stored, expected):
    report = await verify(
        credential(identifier=[identity(stored, hashed=False)]), expected_email=expected
    )
    assert subject_check(report).outcome is Outcome.PASSED


async def test_plaintext_email_of_someone_else_fails():
    report = await verify(
        credential(identifier=[identity("bob@example.com", hashed=False)]),
        expected_email="alice@example.com",
    )
    assert subject_check(report).outcome is Outcome.FAILED


async def test_without_an_expected_recipient_the_check_is_not_checked_never_passed():
    document = credential(
        identifier=[
            identity(hash_identity("alice@example.com")),
            identity("42", "sourcedId", hashed=False),
        ]
    )
    report = await verify(signed(document))
    check = subject_check(report)
    assert check.outcome is Outcome.NOT_CHECKED
    assert "No expected recipient" in check.message
    assert "3 identities" in check.message  # the subject id and two identifiers
    assert report.verified, report.errors


async def test_expected_did_matches_the_subject_id():
    report = await verify(credential(), expected_did=LEARNER_DID)
    check = subject_check(report)
    assert check.outcome is Outcome.PASSED
    assert "credentialSubject.id" in check.message


async def test_expected_did_that_is_not_the_subject_fails():
    report = await verify(credential(), expected_did="did:example:someone-else")
    assert subject_check(report).outcome is Outcome.FAILED


async def test_expected_url_matches_an_https_subject_id():
    report = await verify(
        credential(id="https://people.example/alice"), expected_url="https://people.example/alice"
    )
    assert subject_check(report).outcome is Outcome.PASSED


@pytest.mark.parametrize(
    "stored",
    [
        identity(hash_identity("+15550100", "x"), "ext:phone", salt="x"),
        identity("tel:+1 (555) 0100", "phoneNumber", hashed=False),
    ],
    ids=["hashed-e164", "plaintext-formatted"],
)
async def test_phone_numbers_compare_in_normalised_form(stored):
    report = await verify(credential(identifier=[stored]), expected_phone="+1 555-0100")
    assert subject_check(report).outcome is Outcome.PASSED


async def test_phone_with_other_digits_fails():
    stored = identity("+15550199", "phone", hashed=False)
    report = await verify(credential(identifier=[stored]), expected_phone="+1 555-0100")
    assert subject_check(report).outcome is Outcome.FAILED


async def test_expected_email_against_a_credential_naming_no_email_fails_and_says_why():
    report = await verify(
        credential(identifier=[identity("42", "sourcedId", hashed=False)]),
        expected_email="alice@example.com",
    )
    check = subject_check(report)
    assert check.outcome is Outcome.FAILED
    assert "names no email address" in check.message


async def test_an_identity_of_another_kind_with_the_same_text_does_not_match():
    stored = identity("alice@example.com", "userName", hashed=False)
    report = await verify(credential(identifier=[stored]), expected_email="alice@example.com")
    assert subject_check(report).outcome is Outcome.FAILED


@pytest.mark.parametrize(
    ("bad", "phrase"),
    [
        (identity("alice@example.com"), "is marked hashed but is not"),
        (identity("sha256$abc"), "is marked hashed but is not"),
        (identity("sha1$" + "0" * 40), "is marked hashed but is not"),
        ({"type": "IdentityObject", "hashed": True, "identityHash": "x"}, "identityType"),
        ({**identity(hash_identity("a@b.c")), "type": "Profile"}, "type IdentityObject"),
        ({**identity(hash_identity("a@b.c")), "hashed": "yes"}, "hashed must be true or false"),
        ("alice@example.com", "not an IdentityObject"),
    ],
)
async def test_malformed_identity_object_fails_even_without_an_expected_recipient(bad, phrase):
    report = await verify(credential(identifier=[bad]))
    check = subject_check(report)
    assert check.outcome is Outcome.FAILED
    assert phrase in check.message
    assert "identifier[0]" in check.message


async def test_achievement_subject_naming_neither_id_nor_identifier_fails():
    document = credential()
    del document["credentialSubject"]["id"]
    report = await verify(document)
    check = subject_check(report)
    assert check.outcome is Outcome.FAILED
    assert "neither by id nor by identifier" in check.message


async def test_identifier_alone_names_the_learner():
    document = credential(identifier=[identity(hash_identity("alice@example.com"))])
    del document["credentialSubject"]["id"]
    report = await verify(document, expected_email="alice@example.com")
    assert subject_check(report).outcome is Outcome.PASSED


@pytest.mark.parametrize("value", [None, "did:example:x", ["did:example:x"]])
async def test_missing_or_non_object_credential_subject_fails(value):
    document = credential()
    if value is None:
        del document["credentialSubject"]
    else:
        document["credentialSubject"] = value
    report = await verify(document)
    assert subject_check(report).outcome is Outcome.FAILED


async def test_array_of_subjects_is_searched_for_the_recipient():
    document = credential()
    first = document["credentialSubject"]
    second = {**first, "id": "did:example:second"}
    document["credentialSubject"] = [first, second]
    report = await verify(document, expected_did="did:example:second")
    check = subject_check(report)
    assert check.outcome is Outcome.PASSED
    assert "credentialSubject[1].id" in check.message


async def test_endorsement_credential_subject_is_what_it_endorses_not_a_recipient():
    document = credential()
    document["type"] = ["VerifiableCredential", "EndorsementCredential"]
    document["credentialSubject"] = {
        "id": "https://issuer.example/achievements/1",
        "type": ["EndorsementSubject"],
        "endorsementComment": "Rigorous.",
    }
    report = await verify(document)
    check = subject_check(report)
    assert check.outcome is Outcome.PASSED
    assert "about https://issuer.example/achievements/1" in check.message
    report = await verify(document, expected_email="alice@example.com")
    assert subject_check(report).outcome is Outcome.NOT_CHECKED

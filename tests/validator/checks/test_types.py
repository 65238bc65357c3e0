"""The types check: VC / VP types, the Open Badges / CLR kind, and the OB types inside."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from satchel.validator.checks.types import CredentialKind, check_types, credential_kind
from satchel.validator.context import CheckContext
from satchel.validator.engine import VerificationOptions, Verifier
from satchel.validator.report import Check, Outcome, VerificationReport

NOW = datetime(2025, 6, 1, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO.parent / "shared/vectors/1EdTech-digital-credentials-public-validator"
OB30 = "inspector-vc/src/test/resources/ob30"
CLR20 = "inspector-clr/src/test/resources/clr20"


def credential(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((REPO / "tests/data/unsigned-ob30.json").read_text())
    document.update(changes)
    return document


async def types_check(document: dict[str, Any], target: str = "credential") -> Check:
    report = VerificationReport()
    ctx = CheckContext(document, target, VerificationOptions(now=NOW), Verifier(), report)
    await check_types(ctx)
    [check] = report.checks
    assert check.id == "types"
    return check


async def test_an_open_badge_credential_passes_and_says_what_it_is():
    check = await types_check(credential())
    assert check.outcome is Outcome.PASSED
    assert "an Open Badges 3.0 achievement credential" in check.message
    assert check.details["kind"] == "OB_ACHIEVEMENT"


async def test_achievement_credential_is_accepted_as_the_alias_of_open_badge_credential():
    check = await types_check(credential(type=["VerifiableCredential", "AchievementCredential"]))
    assert check.outcome is Outcome.PASSED
    assert "AchievementCredential" in check.message


async def test_an_endorsement_credential_needs_an_endorsement_subject():
    endorsement = credential(
        type=["VerifiableCredential", "EndorsementCredential"],
        credentialSubject={
            "id": "https://example.edu/achievements/1",
            "type": ["EndorsementSubject"],
        },
    )
    passed = await types_check(endorsement)
    assert passed.outcome is Outcome.PASSED
    assert "an Open Badges 3.0 endorsement credential" in passed.message
    endorsement["credentialSubject"]["type"] = ["AchievementSubject"]
    failed = await types_check(endorsement)
    assert failed.outcome is Outcome.FAILED
    assert "EndorsementSubject" in failed.message


async def test_a_clr_credential_needs_a_clr_subject():
    clr = credential(
        type=["VerifiableCredential", "ClrCredential"],
        credentialSubject={"id": "did:example:learner", "type": ["ClrSubject"]},
    )
    assert (await types_check(clr)).message.endswith("is a CLR 2.0 credential (ClrCredential).")
    clr["credentialSubject"]["type"] = ["AchievementSubject"]
    assert (await types_check(clr)).outcome is Outcome.FAILED


async def test_a_plain_verifiable_credential_passes_as_a_w3c_credential():
    plain = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "VerifiableCredential",
        "credentialSubject": {"id": "did:example:x"},
    }
    check = await types_check(plain)
    assert check.outcome is Outcome.PASSED
    assert "a W3C verifiable credential" in check.message


async def test_a_presentation_passes_as_a_presentation():
    check = await types_check({"type": ["VerifiablePresentation"]}, target="presentation")
    assert check.outcome is Outcome.PASSED
    assert "a W3C verifiable presentation" in check.message


@pytest.mark.parametrize("types", [None, [], [7], "", {"a": 1}])
async def test_a_missing_or_unreadable_type_fails(types):
    check = await types_check(credential(type=types))
    assert check.outcome is Outcome.FAILED
    assert "no type" in check.message


async def test_a_type_without_verifiable_credential_fails():
    check = await types_check(credential(type=["OpenBadgeCredential"]))
    assert check.outcome is Outcome.FAILED
    assert "VerifiableCredential" in check.message


async def test_an_ob_context_without_an_ob_type_fails():
    check = await types_check(credential(type=["VerifiableCredential", "OtherCredential"]))
    assert check.outcome is Outcome.FAILED
    assert "OtherCredential" in check.message
    assert "not an Open Badges credential" in check.message


async def test_a_missing_subject_fails_for_an_open_badge():
    document = credential()
    del document["credentialSubject"]
    check = await types_check(document)
    assert check.outcome is Outcome.FAILED
    assert "AchievementSubject" in check.message


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        ("achievement", {"type": ["Badge"]}, "credentialSubject.achievement"),
        ("result", [{"type": ["Result"]}, {"type": ["Score"]}], "credentialSubject.result[1]"),
        ("source", {"id": "https://example.edu", "type": "Org"}, "credentialSubject.source"),
    ],
)
async def test_an_ob_object_in_the_subject_with_the_wrong_type_fails(where, value, path):
    document = credential()
    document["credentialSubject"][where] = value
    check = await types_check(document)
    assert check.outcome is Outcome.FAILED
    assert check.message.startswith(path + " is typed")


async def test_a_result_description_with_the_wrong_type_fails():
    document = credential()
    document["credentialSubject"]["achievement"]["resultDescription"] = [{"type": "Grade"}]
    check = await types_check(document)
    assert check.outcome is Outcome.FAILED
    assert "credentialSubject.achievement.resultDescription[0]" in check.message


async def test_evidence_with_the_wrong_type_fails_and_a_single_evidence_object_is_read_too():
    good = await types_check(credential(evidence={"type": "Evidence", "narrative": "x"}))
    assert good.outcome is Outcome.PASSED
    bad = await types_check(credential(evidence=[{"type": ["Evidence"]}, {"type": ["Note"]}]))
    assert bad.outcome is Outcome.FAILED
    assert bad.message == "evidence[1] is typed Note; it must be of type Evidence."


async def test_a_creator_given_by_its_id_only_is_not_type_checked():
    document = credential()
    document["credentialSubject"]["achievement"]["creator"] = "https://example.edu/issuer"
    assert (await types_check(document)).outcome is Outcome.PASSED


def test_the_kind_is_decided_by_the_type_alone():
    assert credential_kind({"type": ["VerifiableCredential"]}) is CredentialKind.VC
    assert credential_kind({"type": "OpenBadgeCredential"}) is CredentialKind.OB_ACHIEVEMENT
    assert credential_kind({"type": ["X", "ClrCredential"]}) is CredentialKind.CLR
    assert credential_kind({"type": ["VerifiablePresentation"]}) is CredentialKind.PRESENTATION
    assert credential_kind({}) is CredentialKind.UNKNOWN


# fixture -> outcome of the "types" check on the outer credential
FIXTURE_OUTCOMES = {
    f"{OB30}/simple.json": "passed",
    f"{OB30}/simple-did-key-method.json": "passed",
    f"{OB30}/endorsement-valid.json": "passed",
    f"{OB30}/simple_v1.json": "passed",
    f"{CLR20}/simple.json": "passed",
    f"{CLR20}/complex.json": "passed",
    f"{OB30}/simple-err-type.json": "failed",
    f"{OB30}/simple-err-credential-subject-type.json": "failed",
    f"{OB30}/simple-err-credential-subject-result-type.json": "failed",
    f"{OB30}/simple-err-credential-subject-profile-type.json": "failed",
    f"{OB30}/simple-err-credential-subject-achievement-result-description-type.json": "failed",
    f"{OB30}/simple-err-evidence-type.json": "failed",
    # identifier types belong to the subject check (and the schema), issuer types to the issuer
    f"{OB30}/simple-err-credential-subject-identifier-type.json": "passed",
    f"{OB30}/simple-err-issuer-type.json": "passed",
}


@pytest.mark.parametrize("fixture", sorted(FIXTURE_OUTCOMES), ids=lambda f: f.split("/")[-1])
async def test_1edtech_fixture_gives_the_types_outcome_its_name_says(fixture):
    if not FIXTURES.is_dir():
        pytest.fail(f"{FIXTURES} is missing: ../shared must sit beside the repository")
    report = await Verifier().verify(
        (FIXTURES / fixture).read_bytes(), VerificationOptions(now=NOW)
    )
    outcomes = [
        str(c.outcome) for c in report.checks if c.id == "types" and c.target == "credential"
    ]
    assert outcomes == [FIXTURE_OUTCOMES[fixture]], report.to_json()

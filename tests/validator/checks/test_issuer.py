"""The issuer check: present, a URI or a profile, and an OB 3.0 Profile for Open Badges."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from satchel.validator.checks.issuer import check_issuer
from satchel.validator.context import CheckContext
from satchel.validator.engine import VerificationOptions, Verifier
from satchel.validator.report import Check, Outcome, VerificationReport

NOW = datetime(2025, 6, 1, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO.parent / "shared/vectors/1EdTech-digital-credentials-public-validator"
OB30 = "inspector-vc/src/test/resources/ob30"
CLR20 = "inspector-clr/src/test/resources/clr20"
ISSUER = "https://example.edu/issuer"
PLAIN_TYPES = ["VerifiableCredential"]


def credential(issuer: Any = "unchanged", **changes: Any) -> dict[str, Any]:
    text = (REPO / "tests/data/unsigned-ob30.json").read_text()
    document: dict[str, Any] = json.loads(text.replace("ISSUER", ISSUER))
    if issuer != "unchanged":
        document["issuer"] = issuer
    document.update(changes)
    return document


def profile(**changes: Any) -> dict[str, Any]:
    return {"id": ISSUER, "type": ["Profile"], "name": "Example University", **changes}


async def issuer_check(document: dict[str, Any]) -> Check:
    report = VerificationReport()
    ctx = CheckContext(document, "credential", VerificationOptions(now=NOW), Verifier(), report)
    await check_issuer(ctx)
    [check] = report.checks
    assert check.id == "issuer"
    return check


async def test_an_ob_profile_with_id_type_and_name_passes_and_names_the_issuer():
    check = await issuer_check(credential())
    assert check.outcome is Outcome.PASSED
    assert check.message == f"Issued by Satchel Test University ({ISSUER})."
    assert check.details == {"issuer": ISSUER}


async def test_an_issuer_named_by_its_uri_only_passes():
    check = await issuer_check(credential(issuer="did:example:issuer"))
    assert check.outcome is Outcome.PASSED
    assert "did:example:issuer" in check.message


async def test_a_missing_issuer_fails():
    document = credential()
    del document["issuer"]
    check = await issuer_check(document)
    assert check.outcome is Outcome.FAILED
    assert "names no issuer" in check.message


@pytest.mark.parametrize("issuer", ["Example University", "", 42, ["https://example.edu"]])
async def test_an_issuer_that_is_neither_a_uri_nor_a_profile_fails(issuer):
    assert (await issuer_check(credential(issuer=issuer))).outcome is Outcome.FAILED


@pytest.mark.parametrize("ident", [None, "", "Example University"])
async def test_a_profile_without_a_uri_id_fails(ident):
    issuer = profile()
    if ident is None:
        del issuer["id"]
    else:
        issuer["id"] = ident
    check = await issuer_check(credential(issuer=issuer))
    assert check.outcome is Outcome.FAILED


async def test_an_open_badge_issuer_must_be_typed_profile():
    check = await issuer_check(credential(issuer=profile(type=["Organization"])))
    assert check.outcome is Outcome.FAILED
    assert "Organization" in check.message
    assert "Profile" in check.message


async def test_a_plain_credential_issuer_needs_no_profile_type():
    plain = credential(issuer={"id": ISSUER}, type=PLAIN_TYPES)
    assert (await issuer_check(plain)).outcome is Outcome.PASSED


async def test_an_open_badge_issuer_without_a_name_is_a_warning():
    issuer = profile()
    del issuer["name"]
    check = await issuer_check(credential(issuer=issuer))
    assert check.outcome is Outcome.WARNING
    assert "no name" in check.message


async def test_other_identifiers_must_be_identifier_entries():
    good = {"type": "IdentifierEntry", "identifier": "1", "identifierType": "sourcedId"}
    bad = {"type": "IdentityObject", "identifier": "2", "identifierType": "sourcedId"}
    passed = await issuer_check(credential(issuer=profile(otherIdentifier=[good])))
    assert passed.outcome is Outcome.PASSED
    failed = await issuer_check(credential(issuer=profile(otherIdentifier=[good, bad])))
    assert failed.outcome is Outcome.FAILED
    assert failed.message.startswith("issuer.otherIdentifier[1] is typed IdentityObject")


async def test_a_parent_organisation_must_be_a_profile_object_at_every_level():
    parent = profile(id="https://example.edu/parent")
    passed = await issuer_check(credential(issuer=profile(parentOrg=parent)))
    assert passed.outcome is Outcome.PASSED
    grandparent = profile(id="https://example.edu/gp", type=["Organization"])
    nested = profile(parentOrg=profile(id="https://example.edu/parent", parentOrg=grandparent))
    failed = await issuer_check(credential(issuer=nested))
    assert failed.outcome is Outcome.FAILED
    assert "issuer.parentOrg.parentOrg" in failed.message
    as_string = await issuer_check(credential(issuer=profile(parentOrg="https://example.edu/p")))
    assert as_string.outcome is Outcome.FAILED


async def test_parent_organisations_nested_without_end_fail_instead_of_recursing():
    issuer = profile()
    node = issuer
    for level in range(50):
        node["parentOrg"] = profile(id=f"https://example.edu/org/{level}")
        node = node["parentOrg"]
    check = await issuer_check(credential(issuer=issuer))
    assert check.outcome is Outcome.FAILED
    assert "nest deeper" in check.message


# fixture -> outcome of the "issuer" check on the outer credential
FIXTURE_OUTCOMES = {
    f"{OB30}/simple.json": "passed",
    f"{OB30}/complete.json": "passed",
    f"{OB30}/simple-did-key-method.json": "passed",
    f"{OB30}/simple-err-issuer.json": "failed",
    f"{OB30}/simple-err-issuer-type.json": "failed",
    f"{OB30}/simple-err-issuer-parentorg-type.json": "failed",
    f"{OB30}/simple-err-issuer-otheridentifier-type.json": "failed",
    f"{OB30}/simple-eddsa-2022.json": "warning",  # its issuer profile has no name
    f"{CLR20}/complex.json": "passed",
    f"{CLR20}/simple.json": "passed",
}


@pytest.mark.parametrize("fixture", sorted(FIXTURE_OUTCOMES), ids=lambda f: f.split("/")[-1])
async def test_1edtech_fixture_gives_the_issuer_outcome_its_name_says(fixture):
    if not FIXTURES.is_dir():
        pytest.fail(f"{FIXTURES} is missing: ../shared must sit beside the repository")
    report = await Verifier().verify(
        (FIXTURES / fixture).read_bytes(), VerificationOptions(now=NOW)
    )
    outcomes = [
        str(c.outcome) for c in report.checks if c.id == "issuer" and c.target == "credential"
    ]
    assert outcomes == [FIXTURE_OUTCOMES[fixture]], report.to_json()

"""The contexts check: known contexts, a VC context first, the OB / CLR context the type needs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from satchel.validator.checks.contexts import check_contexts
from satchel.validator.context import CheckContext
from satchel.validator.engine import VerificationOptions, Verifier
from satchel.validator.report import Check, Outcome, VerificationReport

NOW = datetime(2025, 6, 1, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO.parent / "shared/vectors/1EdTech-digital-credentials-public-validator"
OB30 = "inspector-vc/src/test/resources/ob30"
CLR20 = "inspector-clr/src/test/resources/clr20"
VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"


def credential(contexts: list[Any], types: list[str] | None = None) -> dict[str, Any]:
    document = json.loads((REPO / "tests/data/unsigned-ob30.json").read_text())
    document["@context"] = contexts
    if types is not None:
        document["type"] = types
    return document


async def contexts_check(document: dict[str, Any]) -> Check:
    report = VerificationReport()
    ctx = CheckContext(document, "credential", VerificationOptions(now=NOW), Verifier(), report)
    await check_contexts(ctx)
    [check] = report.checks
    assert check.id == "contexts"
    return check


async def test_current_ob_contexts_pass():
    check = await contexts_check(credential([VC2, OB]))
    assert check.outcome is Outcome.PASSED
    assert "VC 2.0" in check.message


async def test_a_plain_vc_without_any_ob_context_passes():
    check = await contexts_check(credential([VC2], ["VerifiableCredential"]))
    assert check.outcome is Outcome.PASSED


async def test_a_plain_vc_1_1_credential_passes_without_a_legacy_warning():
    check = await contexts_check(credential([VC1], ["VerifiableCredential"]))
    assert check.outcome is Outcome.PASSED
    assert "VC 1.1" in check.message


async def test_an_open_badge_without_the_ob_context_fails():
    check = await contexts_check(credential([VC2]))
    assert check.outcome is Outcome.FAILED
    assert OB in check.message
    assert "Open Badges 3.0 achievement credential" in check.message


async def test_an_endorsement_without_the_ob_context_fails():
    check = await contexts_check(
        credential([VC2], ["VerifiableCredential", "EndorsementCredential"])
    )
    assert check.outcome is Outcome.FAILED


async def test_a_clr_needs_the_clr_context_as_well_as_the_ob_context():
    clr_types = ["VerifiableCredential", "ClrCredential"]
    assert (await contexts_check(credential([VC2, OB], clr_types))).outcome is Outcome.FAILED
    assert (await contexts_check(credential([VC2, CLR], clr_types))).outcome is Outcome.FAILED
    assert (await contexts_check(credential([VC2, CLR, OB], clr_types))).outcome is Outcome.PASSED


@pytest.mark.parametrize(
    ("legacy", "kind"),
    [
        ("https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld", "pre-release alias"),
        ("https://purl.imsglobal.org/spec/ob/v3p0/context.json", "unversioned alias"),
        ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json", "older version"),
        ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json", "older version"),
    ],
)
async def test_an_alias_or_older_ob_context_is_accepted_with_a_warning_naming_the_current(
    legacy, kind
):
    check = await contexts_check(credential([VC2, legacy]))
    assert check.outcome is Outcome.WARNING
    assert kind in check.message
    assert OB in check.message
    assert check.details["legacyContexts"] == [legacy]


async def test_the_unversioned_clr_context_is_accepted_with_a_warning():
    clr_alias = "https://purl.imsglobal.org/spec/clr/v2p0/context.json"
    check = await contexts_check(
        credential([VC2, clr_alias, OB], ["VerifiableCredential", "ClrCredential"])
    )
    assert check.outcome is Outcome.WARNING
    assert CLR in check.message


async def test_vc_1_1_under_an_open_badge_is_accepted_with_a_warning_naming_vc_2_0():
    check = await contexts_check(credential([VC1, OB]))
    assert check.outcome is Outcome.WARNING
    assert VC2 in check.message
    assert check.details["legacyContexts"] == [VC1]


async def test_an_embedded_context_is_accepted_with_a_warning():
    check = await contexts_check(credential([VC2, OB, {"extra": "https://example.edu/extra"}]))
    assert check.outcome is Outcome.WARNING
    assert "embedded @context" in check.message


async def test_an_unbundled_context_fails():
    check = await contexts_check(credential([VC2, OB, "https://example.edu/ctx.jsonld"]))
    assert check.outcome is Outcome.FAILED
    assert check.details["unknownContexts"] == ["https://example.edu/ctx.jsonld"]


async def test_a_document_without_context_fails():
    document = credential([VC2, OB])
    del document["@context"]
    assert (await contexts_check(document)).outcome is Outcome.FAILED


# fixture -> outcome of the "contexts" check on the outer credential
FIXTURE_OUTCOMES = {
    f"{OB30}/simple.json": "passed",
    f"{OB30}/complete.json": "passed",
    f"{OB30}/endorsement-valid.json": "passed",
    # the fixture no longer carries an alias (1EdTech replaced it with context-3.0.3.json)
    f"{OB30}/simple-context-alias.json": "passed",
    # 1EdTech: a versioned context other than the current one is a warning
    f"{OB30}/simple-context-version.json": "warning",
    f"{OB30}/simple_v1.json": "warning",
    f"{OB30}/complete_v1.json": "warning",
    f"{OB30}/simple-eddsa-2022.json": "warning",
    f"{OB30}/simple-err-context.json": "failed",
    f"{OB30}/simple.jwt": "failed",
    f"{CLR20}/simple.json": "passed",
    f"{CLR20}/complex.json": "warning",
    f"{CLR20}/simple_v1.json": "warning",
    f"{CLR20}/simple_old_safesigned.json": "failed",
}


@pytest.mark.parametrize("fixture", sorted(FIXTURE_OUTCOMES), ids=lambda f: f.split("/")[-1])
async def test_1edtech_fixture_gives_the_contexts_outcome_its_name_says(fixture):
    if not FIXTURES.is_dir():
        pytest.fail(f"{FIXTURES} is missing: ../shared must sit beside the repository")
    report = await Verifier().verify(
        (FIXTURES / fixture).read_bytes(), VerificationOptions(now=NOW)
    )
    outcomes = [
        str(c.outcome) for c in report.checks if c.id == "contexts" and c.target == "credential"
    ]
    assert outcomes == [FIXTURE_OUTCOMES[fixture]], report.to_json()

"""Endorsements: each verified recursively under its own target; the badge gets a summary."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.did.resolver import DidResolver, default_resolver
from satchel.fetcher import FetchPolicy, GuardedFetcher
from satchel.validator.checks import endorsements
from satchel.validator.checks.endorsements import MAX_ENDORSEMENTS, is_endorsement_target
from satchel.validator.engine import VerificationOptions, Verifier
from satchel.validator.proofs.data_integrity import sign
from satchel.validator.proofs.vc_jwt import sign_vc_jwt
from satchel.validator.report import Check, Outcome, VerificationReport

NOW = datetime(2025, 6, 1, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[3]
TEMPLATE = (REPO / "tests" / "data" / "unsigned-ob30.json").read_text()
OB30 = REPO.parent / (
    "shared/vectors/1EdTech-digital-credentials-public-validator/inspector-vc/src/test/resources/ob30"
)
ACHIEVEMENT_ID = "https://example.edu/achievements/teamwork"


class Party:
    def __init__(self) -> None:
        self.key = generate_private_key(KeyType.ED25519)
        self.did = did_key_from_public_key(self.key.public_key)
        self.vm = did_key_verification_method_id(self.did)

    def sign(self, document: dict[str, Any]) -> dict[str, Any]:
        return sign(
            document,
            self.key,
            cryptosuite="eddsa-rdfc-2022",
            verification_method=self.vm,
            created=NOW - timedelta(days=1),
        )

    def endorse(self, about: str, **issuer_extra: Any) -> dict[str, Any]:
        return self.sign(
            {
                "@context": [
                    "https://www.w3.org/ns/credentials/v2",
                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                ],
                "id": f"urn:uuid:{self.did[-12:]}",
                "type": ["VerifiableCredential", "EndorsementCredential"],
                "issuer": {"id": self.did, "type": ["Profile"], "name": "Endorser", **issuer_extra},
                "validFrom": "2024-01-01T00:00:00Z",
                "name": "Endorsement",
                "credentialSubject": {
                    "id": about,
                    "type": ["EndorsementSubject"],
                    "endorsementComment": "Rigorous and fair.",
                },
            }
        )

    def badge(self, **extra: Any) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(TEMPLATE.replace("ISSUER", self.did))
        document.update(extra)
        return document


async def verify(document: Any, verifier: Verifier | None = None) -> VerificationReport:
    verifier = verifier or Verifier(DidResolver())
    return await verifier.verify(document, VerificationOptions(now=NOW))


def summary(report: VerificationReport, target: str = "credential") -> Check:
    (check,) = [c for c in report.checks if c.id == "endorsements" and c.target == target]
    return check


def outcome_of(report: VerificationReport, target: str, check_id: str) -> str:
    (check,) = [c for c in report.checks if c.target == target and c.id == check_id]
    return str(check.outcome)


def verdict_ignoring_endorsements(report: VerificationReport) -> bool:
    """The verdict the report should give (see the module docstring of checks.endorsements)."""
    own = [c for c in report.checks if not is_endorsement_target(c.target)]
    return not any(c.outcome is Outcome.FAILED for c in own) and any(
        c.id == "proof" and c.outcome is Outcome.PASSED for c in own
    )


async def test_valid_endorsement_is_verified_under_its_own_target():
    issuer, endorser = Party(), Party()
    badge = issuer.sign(issuer.badge(endorsement=[endorser.endorse(ACHIEVEMENT_ID)]))
    report = await verify(badge)
    assert outcome_of(report, "credential.endorsement[0]", "proof") == "passed"
    assert outcome_of(report, "credential.endorsement[0]", "issuer-key") == "passed"
    check = summary(report)
    assert check.outcome is Outcome.PASSED
    assert check.message == "1 endorsement verified."
    assert report.verified, report.errors


async def test_endorsements_on_issuer_and_achievement_are_found_and_named_by_path():
    issuer, endorser = Party(), Party()
    badge = issuer.badge()
    badge["issuer"]["endorsement"] = [endorser.endorse(issuer.did)]
    badge["credentialSubject"]["achievement"]["endorsement"] = [endorser.endorse(ACHIEVEMENT_ID)]
    report = await verify(issuer.sign(badge))
    assert outcome_of(report, "credential.issuer.endorsement[0]", "proof") == "passed"
    target = "credential.credentialSubject.achievement.endorsement[0]"
    assert outcome_of(report, target, "proof") == "passed"
    assert summary(report).message == "2 endorsements verified."
    assert report.verified, report.errors


async def test_tampered_endorsement_is_a_warning_on_the_badge_and_a_failure_of_its_own():
    issuer, endorser = Party(), Party()
    forged = endorser.endorse(ACHIEVEMENT_ID)
    forged["credentialSubject"]["endorsementComment"] = "The best badge ever issued."
    badge = issuer.sign(issuer.badge(endorsement=[endorser.endorse(ACHIEVEMENT_ID), forged]))
    report = await verify(badge)
    assert outcome_of(report, "credential.endorsement[1]", "proof") == "failed"
    check = summary(report)
    assert check.outcome is Outcome.WARNING
    assert check.message.startswith("1 of 2 endorsements could not be verified")
    assert "credential.endorsement[1]" in check.message
    failed_targets = {c.target for c in report.checks if c.outcome is Outcome.FAILED}
    assert failed_targets == {"credential.endorsement[1]"}
    assert all(is_endorsement_target(t) for t in failed_targets)
    assert verdict_ignoring_endorsements(report)


async def test_badge_with_a_forged_endorsement_is_still_verified():
    issuer, endorser = Party(), Party()
    forged = endorser.endorse(ACHIEVEMENT_ID)
    forged["name"] = "Changed"
    report = await verify(issuer.sign(issuer.badge(endorsement=[forged])))
    assert report.verified


async def test_jwt_endorsement_is_verified():
    issuer, endorser = Party(), Party()
    unsigned = endorser.endorse(ACHIEVEMENT_ID)
    del unsigned["proof"]
    token = sign_vc_jwt(unsigned, endorser.key, kid=endorser.vm)
    badge = issuer.sign(issuer.badge(endorsementJwt=[token]))
    report = await verify(badge)
    assert outcome_of(report, "credential.endorsementJwt[0]", "proof") == "passed"
    assert summary(report).outcome is Outcome.PASSED
    assert report.verified, report.errors


async def test_jwt_endorsement_signed_by_an_impostor_fails():
    issuer, endorser, impostor = Party(), Party(), Party()
    unsigned = endorser.endorse(ACHIEVEMENT_ID)
    del unsigned["proof"]
    token = sign_vc_jwt(unsigned, impostor.key, kid=endorser.vm)
    report = await verify(issuer.sign(issuer.badge(endorsementJwt=[token])))
    assert outcome_of(report, "credential.endorsementJwt[0]", "proof") == "failed"
    assert summary(report).outcome is Outcome.WARNING


@pytest.mark.parametrize("entry", ["not a jwt", {"type": ["EndorsementCredential"]}, 7])
async def test_endorsement_jwt_entry_that_is_not_a_jwt_fails_as_unparseable(entry):
    issuer = Party()
    report = await verify(issuer.sign(issuer.badge(endorsementJwt=[entry])))
    assert outcome_of(report, "credential.endorsementJwt[0]", "parse") == "failed"
    assert summary(report).outcome is Outcome.WARNING


async def test_credential_that_is_not_an_endorsement_in_the_endorsement_list_fails():
    issuer, other = Party(), Party()
    badge = issuer.sign(issuer.badge(endorsement=[other.sign(other.badge())]))
    report = await verify(badge)
    assert outcome_of(report, "credential.endorsement[0]", "endorsement") == "failed"
    assert "not an EndorsementCredential" in summary(report).message


async def test_unsigned_endorsement_fails():
    issuer, endorser = Party(), Party()
    unsigned = endorser.endorse(ACHIEVEMENT_ID)
    del unsigned["proof"]
    report = await verify(issuer.sign(issuer.badge(endorsement=[unsigned])))
    assert summary(report).outcome is Outcome.WARNING


def chain(parties: list[Party], about: str) -> dict[str, Any]:
    """parties[0] endorses ``about``; each next party endorses the previous one's profile."""
    innermost = parties[-1].endorse(parties[-2].did)
    for index in range(len(parties) - 2, -1, -1):
        subject = about if index == 0 else parties[index - 1].did
        innermost = parties[index].endorse(subject, endorsement=[innermost])
    return innermost


async def test_fourth_level_of_endorsement_is_not_checked_as_too_deeply_nested():
    issuer, *endorsers = [Party() for _ in range(5)]
    badge = issuer.sign(issuer.badge(endorsement=[chain(endorsers, ACHIEVEMENT_ID)]))
    report = await verify(badge)
    level = "credential.endorsement[0]"
    for _ in range(2):
        assert outcome_of(report, level, "proof") == "passed"
        level += ".issuer.endorsement[0]"
    assert outcome_of(report, level, "proof") == "passed"  # third level: still checked
    deepest = level + ".issuer.endorsement[0]"
    assert outcome_of(report, deepest, "nesting") == "not-checked"
    assert "too deeply nested" in next(c.message for c in report.checks if c.target == deepest)
    assert not any(c.target.startswith(deepest) and c.id == "proof" for c in report.checks)
    assert summary(report, level).outcome is Outcome.NOT_CHECKED
    assert summary(report).outcome is Outcome.PASSED
    assert report.verified, report.errors


async def test_endorsements_beyond_the_cap_are_not_checked():
    issuer, endorser = Party(), Party()
    one = endorser.endorse(ACHIEVEMENT_ID)
    badge = issuer.sign(issuer.badge(endorsement=[copy.deepcopy(one)] * (MAX_ENDORSEMENTS + 2)))
    report = await verify(badge)
    nested = {c.target for c in report.checks if c.id == "proof" and c.target != "credential"}
    assert len(nested) == MAX_ENDORSEMENTS
    check = summary(report)
    assert check.outcome is Outcome.NOT_CHECKED
    assert f"only the first {MAX_ENDORSEMENTS}" in check.message
    assert f"{MAX_ENDORSEMENTS} of {MAX_ENDORSEMENTS + 2} endorsements verified" in check.message


async def test_documents_beyond_the_per_input_budget_are_not_checked(monkeypatch):
    monkeypatch.setattr(endorsements, "MAX_NESTED_PER_REPORT", 3)
    issuer, endorser = Party(), Party()
    one = endorser.endorse(ACHIEVEMENT_ID)
    badge = issuer.sign(issuer.badge(endorsement=[copy.deepcopy(one) for _ in range(4)]))
    report = await verify(badge)
    assert outcome_of(report, "credential.endorsement[1]", "proof") == "passed"
    assert outcome_of(report, "credential.endorsement[2]", "nesting") == "not-checked"
    assert outcome_of(report, "credential.endorsement[3]", "nesting") == "not-checked"
    check = summary(report)
    assert check.outcome is Outcome.NOT_CHECKED
    assert "2 of 4 endorsements verified; 2 not checked." in check.message


async def test_expected_recipient_is_not_asked_of_endorsements():
    issuer, endorser = Party(), Party()
    badge = issuer.sign(issuer.badge(endorsement=[endorser.endorse(ACHIEVEMENT_ID)]))
    report = await Verifier(DidResolver()).verify(
        badge, VerificationOptions(now=NOW, expected_did="did:example:learner")
    )
    assert outcome_of(report, "credential", "subject") == "passed"
    assert outcome_of(report, "credential.endorsement[0]", "subject") == "passed"
    assert report.verified, report.errors


async def test_credential_without_endorsements_adds_no_summary():
    issuer = Party()
    report = await verify(issuer.sign(issuer.badge()))
    assert not [c for c in report.checks if c.id == "endorsements"]


@pytest.mark.parametrize("tampered", [False, True], ids=["as-published", "tampered"])
async def test_1edtech_valid_endorsement_fixture_embedded_in_a_badge(aiohttp_server, tampered):
    """The fixture's issuer publishes its key at https://state.gov/issuers/565049 (loopback)."""
    path = OB30 / "endorsement-valid.json"
    if not path.is_file():
        pytest.fail(f"{path} is missing: ../shared must sit beside the repository")
    endorsement = json.loads(path.read_text())
    if tampered:
        endorsement["credentialSubject"]["endorsementComment"] = "Outstanding in every way"
    controller = "https://state.gov/issuers/565049"
    key = "z6MkoMGF38Ck9xkdqrbZt4h9eHb1qc3GhAAkoSWa4Vy3SHRN"
    profile = {
        "id": controller,
        "verificationMethod": [
            {
                "id": f"{controller}#{key}",
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": key,
            }
        ],
        "assertionMethod": [f"{controller}#{key}"],
    }

    async def serve(request: web.Request) -> web.Response:
        if request.path != "/issuers/565049":
            raise web.HTTPNotFound()
        return web.json_response(profile)

    app = web.Application()
    app.router.add_get("/{path:.*}", serve)
    server = await aiohttp_server(app)
    policy = FetchPolicy(
        allow_hosts=frozenset({"state.gov"}),
        resolve_overrides={"state.gov": ("127.0.0.1", server.port)},
    )
    issuer = Party()
    badge = issuer.sign(issuer.badge(endorsement=[endorsement]))
    async with GuardedFetcher(policy) as fetcher:
        verifier = Verifier(default_resolver(fetcher), fetcher=fetcher)
        report = await verify(badge, verifier)
    nested_proof = outcome_of(report, "credential.endorsement[0]", "proof")
    assert nested_proof == ("failed" if tampered else "passed")
    assert summary(report).outcome is (Outcome.WARNING if tampered else Outcome.PASSED)
    assert verdict_ignoring_endorsements(report)

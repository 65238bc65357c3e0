"""CLR 2.0: every credential nested in a ClrCredential is verified; one bad one fails the record."""

from __future__ import annotations

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
from satchel.validator.engine import VerificationOptions, Verifier
from satchel.validator.proofs.data_integrity import sign
from satchel.validator.proofs.vc_jwt import sign_vc_jwt
from satchel.validator.report import Check, Outcome, VerificationReport

NOW = datetime(2025, 6, 1, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[3]
TEMPLATE = (REPO / "tests" / "data" / "unsigned-ob30.json").read_text()
CLR20 = REPO.parent / (
    "shared/vectors/1EdTech-digital-credentials-public-validator/inspector-clr/src/test/resources/clr20"
)
NESTED = "credential.credentialSubject.verifiableCredential"


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

    def badge(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(TEMPLATE.replace("ISSUER", self.did))
        return document

    def clr(self, credentials: list[Any]) -> dict[str, Any]:
        return self.sign(
            {
                "@context": [
                    "https://www.w3.org/ns/credentials/v2",
                    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                ],
                "id": "urn:uuid:0b7f4c55-8a7e-4a63-9d8e-3c0e2f6f1a11",
                "type": ["VerifiableCredential", "ClrCredential"],
                "issuer": {"id": self.did, "type": ["Profile"], "name": "Registrar"},
                "validFrom": "2024-01-01T00:00:00Z",
                "name": "Transcript",
                "credentialSubject": {
                    "id": "did:example:learner",
                    "type": ["ClrSubject"],
                    "verifiableCredential": credentials,
                },
            }
        )


async def verify(document: Any, verifier: Verifier | None = None) -> VerificationReport:
    verifier = verifier or Verifier(DidResolver())
    return await verifier.verify(document, VerificationOptions(now=NOW))


def clr_summary(report: VerificationReport) -> Check:
    (check,) = [c for c in report.checks if c.id == "clr-credentials"]
    assert check.target == "credential"
    return check


def outcome_of(report: VerificationReport, target: str, check_id: str) -> str:
    (check,) = [c for c in report.checks if c.target == target and c.id == check_id]
    return str(check.outcome)


async def test_clr_with_valid_json_and_jwt_credentials_is_verified():
    registrar, school = Party(), Party()
    token = sign_vc_jwt(school.badge(), school.key, kid=school.vm)
    report = await verify(registrar.clr([school.sign(school.badge()), token]))
    assert outcome_of(report, f"{NESTED}[0]", "proof") == "passed"
    assert outcome_of(report, f"{NESTED}[1]", "proof") == "passed"
    check = clr_summary(report)
    assert check.outcome is Outcome.PASSED
    assert check.message == "All 2 credentials in this record were verified."
    assert report.verified, report.errors


async def test_clr_holding_one_tampered_credential_fails_although_its_own_proof_holds():
    registrar, school = Party(), Party()
    tampered = school.sign(school.badge())
    tampered["name"] = "Advanced Teamwork"
    report = await verify(registrar.clr([school.sign(school.badge()), tampered]))
    assert outcome_of(report, "credential", "proof") == "passed"
    assert outcome_of(report, f"{NESTED}[1]", "proof") == "failed"
    check = clr_summary(report)
    assert check.outcome is Outcome.FAILED
    assert check.message.startswith("1 of the 2 credentials in this record failed")
    assert f"{NESTED}[1]" in check.message
    assert not report.verified


@pytest.mark.parametrize("entry", [42, "not-a-jwt"])
async def test_clr_entry_that_is_no_credential_fails_the_record(entry):
    registrar = Party()
    report = await verify(registrar.clr([entry]))
    assert outcome_of(report, f"{NESTED}[0]", "parse") == "failed"
    assert clr_summary(report).outcome is Outcome.FAILED
    assert not report.verified


async def test_nested_credentials_are_not_held_to_the_callers_expected_recipient():
    registrar, school = Party(), Party()
    report = await Verifier(DidResolver()).verify(
        registrar.clr([school.sign(school.badge())]),
        VerificationOptions(now=NOW, expected_did="did:example:learner"),
    )
    assert outcome_of(report, "credential", "subject") == "passed"
    assert outcome_of(report, f"{NESTED}[0]", "subject") == "not-checked"
    assert report.verified, report.errors


async def test_a_credential_that_is_not_a_clr_gets_no_clr_summary():
    school = Party()
    report = await verify(school.sign(school.badge()))
    assert not [c for c in report.checks if c.id == "clr-credentials"]


def fixture(name: str) -> bytes:
    path = CLR20 / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: ../shared must sit beside the repository")
    return path.read_bytes()


async def test_1edtech_complex_clr_verifies_six_credentials_and_their_endorsements():
    report = await verify(fixture("complex.json"))
    check = clr_summary(report)
    assert check.outcome is Outcome.PASSED
    assert check.message == "All 6 credentials in this record were verified."
    endorsement = f"{NESTED}[0].credentialSubject.achievement.endorsement[0]"
    assert outcome_of(report, endorsement, "proof") == "passed"
    assert outcome_of(report, f"{NESTED}[0]", "endorsements") == "passed"
    assert report.verified, report.errors


def published_key(controller: str, key: str) -> dict[str, Any]:
    vm = f"{controller}#{key}"
    return {
        "id": controller,
        "verificationMethod": [
            {"id": vm, "type": "Multikey", "controller": controller, "publicKeyMultibase": key}
        ],
        "assertionMethod": [vm],
    }


@pytest.mark.parametrize("tampered", [False, True], ids=["as-published", "nested-tampered"])
async def test_1edtech_simple_clr_with_both_issuers_keys_published(aiohttp_server, tampered):
    """The CLR's and its nested credential's https issuers publish their keys on loopback."""
    document = json.loads(fixture("simple.json"))
    if tampered:
        document["credentialSubject"]["verifiableCredential"][0]["name"] = "Leadership Badge"
    profiles = {
        "example.edu": published_key(
            "https://example.edu/issuers/565049",
            "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        ),
        "example.com": published_key(
            "https://example.com/issuers/876543",
            "z6MkvREVgsHx7Ppae68vCoByy73ZD4aMSJiPML2cryVL8JAx",
        ),
    }

    async def serve(request: web.Request) -> web.Response:
        profile = profiles.get(request.host.split(":")[0])
        if (
            profile is None
            or f"https://{request.host.split(':')[0]}{request.path}" != profile["id"]
        ):
            raise web.HTTPNotFound()
        return web.json_response(profile)

    app = web.Application()
    app.router.add_get("/{path:.*}", serve)
    server = await aiohttp_server(app)
    policy = FetchPolicy(
        allow_hosts=frozenset(profiles),
        resolve_overrides={host: ("127.0.0.1", server.port) for host in profiles},
    )
    async with GuardedFetcher(policy) as fetcher:
        report = await verify(document, Verifier(default_resolver(fetcher), fetcher=fetcher))
    # tampering the nested credential also breaks the CLR's own proof, which covers it
    assert outcome_of(report, "credential", "proof") == ("failed" if tampered else "passed")
    assert outcome_of(report, f"{NESTED}[0]", "proof") == ("failed" if tampered else "passed")
    assert clr_summary(report).outcome is (Outcome.FAILED if tampered else Outcome.PASSED)
    assert report.verified is not tampered, report.errors

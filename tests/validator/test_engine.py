"""The check pipeline on credentials and presentations the project signs itself."""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.did.resolver import DidResolver, default_resolver
from satchel.fetcher import FetchPolicy, GuardedFetcher
from satchel.validator.engine import VerificationOptions, Verifier
from satchel.validator.proofs.data_integrity import sign
from satchel.validator.proofs.vc_jwt import sign_vc_jwt
from satchel.validator.report import Outcome

NOW = datetime(2025, 6, 1, tzinfo=UTC)


TEMPLATE = (Path(__file__).parents[1] / "data" / "unsigned-ob30.json").read_text()


def unsigned(issuer: str, **extra: object) -> dict[str, object]:
    document: dict[str, object] = json.loads(TEMPLATE.replace("ISSUER", issuer))
    document.update(extra)
    return document


class Issuer:
    def __init__(self, key_type: KeyType = KeyType.ED25519) -> None:
        self.key = generate_private_key(key_type)
        self.did = did_key_from_public_key(self.key.public_key)
        self.vm = did_key_verification_method_id(self.did)

    def sign(self, document: dict[str, object], **kwargs: object) -> dict[str, object]:
        suite = kwargs.pop("cryptosuite", "eddsa-rdfc-2022")
        kwargs.setdefault("created", NOW - timedelta(days=1))
        return sign(document, self.key, cryptosuite=suite, verification_method=self.vm, **kwargs)


@pytest.fixture
def verifier() -> Verifier:
    return Verifier(DidResolver())


def outcomes(report) -> dict[str, str]:
    return {f"{c.target}:{c.id}": str(c.outcome) for c in report.checks}


async def test_valid_credential_passes_every_check_in_order(verifier):
    issuer = Issuer()
    report = await verifier.verify(issuer.sign(unsigned(issuer.did)), VerificationOptions(now=NOW))
    assert report.verified
    assert_core_checks_passed_in_order(report)


CORE_CHECKS = ["parse", "contexts", "proof", "issuer-key", "validity"]


def assert_core_checks_passed_in_order(report) -> None:
    ids = [c.id for c in report.checks]
    assert [i for i in ids if i in CORE_CHECKS] == CORE_CHECKS
    assert all(c.outcome is Outcome.PASSED for c in report.checks if c.id in CORE_CHECKS)
    assert not any(c.outcome is Outcome.FAILED for c in report.checks)


async def test_credential_without_proof_is_not_verified(verifier):
    report = await verifier.verify(unsigned("did:example:x"), VerificationOptions(now=NOW))
    assert not report.verified
    assert outcomes(report)["credential:proof"] == "failed"


async def test_unbundled_context_fails_without_any_fetch(verifier):
    issuer = Issuer()
    signed = issuer.sign(unsigned(issuer.did))
    signed["@context"] = [*signed["@context"], "https://evil.example/context.jsonld"]
    report = await verifier.verify(signed, VerificationOptions(now=NOW))
    assert not report.verified
    contexts = next(c for c in report.checks if c.id == "contexts")
    assert contexts.outcome is Outcome.FAILED
    assert "https://evil.example/context.jsonld" in contexts.message
    proof = next(c for c in report.checks if c.id == "proof")
    assert proof.outcome is Outcome.FAILED
    assert "https://evil.example/context.jsonld" in proof.message


async def test_first_context_must_be_a_vc_context(verifier):
    document = unsigned("did:example:x")
    document["@context"] = list(reversed(document["@context"]))
    report = await verifier.verify(document, VerificationOptions(now=NOW))
    assert outcomes(report)["credential:contexts"] == "failed"


@pytest.mark.parametrize(
    ("dates", "phrase"),
    [
        ({"validFrom": "2030-01-01T00:00:00Z"}, "not valid until 2030-01-01"),
        ({"validUntil": "2025-01-01T00:00:00Z"}, "expired on 2025-01-01"),
        (
            {"validFrom": "2024-06-01T00:00:00Z", "validUntil": "2024-01-01T00:00:00Z"},
            "is after validUntil",
        ),
        ({"validFrom": "last tuesday"}, "not an XML Schema dateTime"),
    ],
)
async def test_validity_period_is_enforced(verifier, dates, phrase):
    issuer = Issuer()
    signed = issuer.sign(unsigned(issuer.did, **dates))
    report = await verifier.verify(signed, VerificationOptions(now=NOW))
    validity = next(c for c in report.checks if c.id == "validity")
    assert validity.outcome is Outcome.FAILED
    assert phrase in validity.message
    assert not report.verified


async def test_clock_skew_tolerates_a_credential_issued_seconds_ahead(verifier):
    issuer = Issuer()
    start = NOW + timedelta(seconds=30)
    signed = issuer.sign(
        unsigned(issuer.did, validFrom=start.strftime("%Y-%m-%dT%H:%M:%SZ")), created=NOW
    )
    report = await verifier.verify(signed, VerificationOptions(now=NOW))
    assert report.verified, report.errors


async def test_vc_1_1_credential_needs_an_issuance_date(verifier):
    issuer = Issuer()
    document = unsigned(issuer.did)
    document["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    del document["validFrom"]
    report = await verifier.verify(issuer.sign(document), VerificationOptions(now=NOW))
    assert "issuanceDate" in next(c for c in report.checks if c.id == "validity").message
    document["issuanceDate"] = "2024-01-01T00:00:00Z"
    report = await verifier.verify(issuer.sign(document), VerificationOptions(now=NOW))
    assert report.verified, report.errors


async def test_proof_by_a_key_the_issuer_does_not_control_fails(verifier):
    issuer, impostor = Issuer(), Issuer()
    signed = impostor.sign(unsigned(issuer.did))
    report = await verifier.verify(signed, VerificationOptions(now=NOW))
    assert not report.verified
    check = next(c for c in report.checks if c.id == "issuer-key")
    assert check.outcome is Outcome.FAILED
    assert impostor.did in check.message


async def test_issuer_named_by_a_urn_cannot_be_linked_to_the_key_and_says_so(verifier):
    issuer = Issuer()
    signed = issuer.sign(unsigned("urn:uuid:6f2e33e5-7a29-4155-840a-59483ba10164"))
    report = await verifier.verify(signed, VerificationOptions(now=NOW))
    check = next(c for c in report.checks if c.id == "issuer-key")
    assert check.outcome is Outcome.WARNING
    assert report.verified


@pytest.mark.parametrize("field", ["name", "validFrom", "credentialSubject"])
async def test_tampering_any_signed_field_fails_the_proof(verifier, field):
    issuer = Issuer()
    signed = issuer.sign(unsigned(issuer.did))
    tampered = copy.deepcopy(signed)
    tampered[field] = "2024-02-01T00:00:00Z" if field == "validFrom" else {"id": "did:example:b"}
    if field == "name":
        tampered[field] = "Leadership"
    report = await verifier.verify(tampered, VerificationOptions(now=NOW))
    assert not report.verified
    assert outcomes(report)["credential:proof"] == "failed"


async def test_jwt_credential_runs_the_same_checks(verifier):
    issuer = Issuer()
    token = sign_vc_jwt(unsigned(issuer.did), issuer.key, kid=issuer.vm)
    report = await verifier.verify(token, VerificationOptions(now=NOW))
    assert report.verified, report.errors
    assert_core_checks_passed_in_order(report)


def presentation(holder: Issuer, credentials: list[object], **kwargs: object) -> dict[str, object]:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
        "verifiableCredential": credentials,
    }
    return holder.sign(document, proof_purpose="authentication", **kwargs)


async def test_presentation_verifies_its_proof_and_every_credential(verifier):
    issuer, holder = Issuer(), Issuer()
    credential = issuer.sign(unsigned(issuer.did))
    token = sign_vc_jwt(unsigned(issuer.did), issuer.key, kid=issuer.vm)
    vp = presentation(holder, [credential, token], challenge="abc", domain="verifier.example")
    options = VerificationOptions(now=NOW, challenge="abc", domain="verifier.example")
    report = await verifier.verify(vp, options)
    assert report.verified, report.errors
    assert report.kind == "presentation"
    targets = {c.target for c in report.checks}
    assert {"presentation", "verifiableCredential[0]", "verifiableCredential[1]"} <= targets


async def test_presentation_with_wrong_challenge_fails(verifier):
    issuer, holder = Issuer(), Issuer()
    vp = presentation(holder, [issuer.sign(unsigned(issuer.did))], challenge="abc")
    report = await verifier.verify(vp, VerificationOptions(now=NOW, challenge="xyz"))
    assert not report.verified
    proof = next(c for c in report.checks if c.target == "presentation" and c.id == "proof")
    assert proof.error_code == "INVALID_CHALLENGE_ERROR"


async def test_presentation_with_one_tampered_credential_is_not_verified(verifier):
    issuer, holder = Issuer(), Issuer()
    credential = issuer.sign(unsigned(issuer.did))
    credential["name"] = "Changed"
    report = await verifier.verify(presentation(holder, [credential]), VerificationOptions(now=NOW))
    assert not report.verified
    assert outcomes(report)["verifiableCredential[0]:proof"] == "failed"
    assert outcomes(report)["presentation:proof"] == "passed"


async def test_enveloped_jwt_credential_in_a_presentation_is_verified(verifier):
    issuer, holder = Issuer(), Issuer()
    token = sign_vc_jwt(unsigned(issuer.did), issuer.key, kid=issuer.vm)
    envelope = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"data:application/vc+jwt,{token}",
        "type": ["EnvelopedVerifiableCredential"],
    }
    report = await verifier.verify(presentation(holder, [envelope]), VerificationOptions(now=NOW))
    assert report.verified, report.errors


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "169.254.169.254"])
async def test_did_web_key_on_an_internal_address_fails_the_proof_without_a_connection(
    address, monkeypatch
):
    attempts: list[object] = []

    async def refuse(*args: object, **kwargs: object) -> object:
        attempts.append(args)
        raise AssertionError("no connection may be attempted")

    issuer = Issuer()
    did = f"did:web:{address}"
    signed = sign(
        unsigned(did),
        issuer.key,
        cryptosuite="eddsa-rdfc-2022",
        verification_method=f"{did}#key-1",
        created=NOW - timedelta(days=1),
    )
    async with GuardedFetcher(FetchPolicy()) as fetcher:
        loop = asyncio.get_running_loop()
        monkeypatch.setattr(loop, "create_connection", refuse)
        monkeypatch.setattr(loop, "sock_connect", refuse)
        report = await Verifier(default_resolver(fetcher)).verify(
            signed, VerificationOptions(now=NOW)
        )
    proof = next(c for c in report.checks if c.id == "proof")
    assert not report.verified
    assert proof.outcome is Outcome.FAILED
    assert address in proof.message
    assert attempts == []


async def test_presentation_with_too_many_credentials_is_refused_before_verifying_any(verifier):
    holder = Issuer()
    credentials = [unsigned(holder.did) for _ in range(101)]
    vp = presentation(holder, credentials)
    report = await verifier.verify(vp, VerificationOptions(now=NOW))
    assert not report.verified
    assert any("101 credentials" in c.message for c in report.checks if c.outcome is Outcome.FAILED)
    assert not any(c.target.startswith("verifiableCredential[") for c in report.checks)

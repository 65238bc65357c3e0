"""Holder binding: a presentation's holder must control the key of its authentication proof."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.did.resolver import DidResolver
from satchel.validator.engine import VerificationOptions, Verifier
from satchel.validator.proofs.data_integrity import sign
from satchel.validator.proofs.vc_jwt import sign_vc_jwt
from satchel.validator.report import Check, Outcome, VerificationReport

NOW = datetime(2025, 6, 1, tzinfo=UTC)
TEMPLATE = (Path(__file__).resolve().parents[2] / "data" / "unsigned-ob30.json").read_text()


class Party:
    def __init__(self) -> None:
        self.key = generate_private_key(KeyType.ED25519)
        self.did = did_key_from_public_key(self.key.public_key)
        self.vm = did_key_verification_method_id(self.did)

    def sign(self, document: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return sign(
            document,
            self.key,
            cryptosuite="eddsa-rdfc-2022",
            verification_method=self.vm,
            created=NOW - timedelta(minutes=1),
            **kwargs,
        )

    def credential(self) -> dict[str, Any]:
        return self.sign(json.loads(TEMPLATE.replace("ISSUER", self.did)))


def presentation(holder: object, credentials: list[Any]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": credentials,
    }
    if holder is not None:
        document["holder"] = holder
    return document


async def verify(data: Any) -> VerificationReport:
    return await Verifier(DidResolver()).verify(data, VerificationOptions(now=NOW))


def holder_check(report: VerificationReport) -> Check:
    (check,) = [c for c in report.checks if c.id == "holder"]
    assert check.target == "presentation"
    return check


@pytest.mark.parametrize("form", ["string", "object"])
async def test_holder_who_signed_the_presentation_is_bound(form):
    issuer, holder = Party(), Party()
    named = holder.did if form == "string" else {"id": holder.did}
    vp = holder.sign(presentation(named, [issuer.credential()]), proof_purpose="authentication")
    report = await verify(vp)
    check = holder_check(report)
    assert check.outcome is Outcome.PASSED
    assert holder.did in check.message
    assert report.verified, report.errors


async def test_presentation_signed_by_someone_other_than_its_holder_fails():
    issuer, learner, thief = Party(), Party(), Party()
    vp = thief.sign(
        presentation(learner.did, [issuer.credential()]), proof_purpose="authentication"
    )
    report = await verify(vp)
    check = holder_check(report)
    assert check.outcome is Outcome.FAILED
    assert learner.did in check.message
    assert thief.did in check.message
    assert not report.verified


async def test_presentation_without_holder_is_a_warning():
    issuer, signer = Party(), Party()
    vp = signer.sign(presentation(None, [issuer.credential()]), proof_purpose="authentication")
    report = await verify(vp)
    assert holder_check(report).outcome is Outcome.WARNING
    assert report.verified, report.errors


async def test_unsigned_presentation_naming_a_holder_fails_the_holder_check():
    issuer, holder = Party(), Party()
    report = await verify(presentation(holder.did, [issuer.credential()]))
    check = holder_check(report)
    assert check.outcome is Outcome.FAILED
    assert "not signed" in check.message
    assert not report.verified


async def test_unsigned_presentation_without_holder_verifies_its_credentials_only():
    issuer = Party()
    report = await verify(presentation(None, [issuer.credential()]))
    proof = next(c for c in report.checks if c.target == "presentation" and c.id == "proof")
    assert proof.outcome is Outcome.WARNING
    assert report.verified, report.errors


async def test_tampered_presentation_does_not_bind_its_holder():
    issuer, holder = Party(), Party()
    vp = holder.sign(
        presentation(holder.did, [issuer.credential()]), proof_purpose="authentication"
    )
    vp["holder"] = Party().did
    report = await verify(vp)
    assert holder_check(report).outcome is Outcome.NOT_CHECKED
    assert not report.verified


@pytest.mark.parametrize("holder", [42, {"name": "Alice"}, ""])
async def test_malformed_holder_fails(holder):
    issuer, signer = Party(), Party()
    vp = signer.sign(presentation(None, [issuer.credential()]), proof_purpose="authentication")
    vp["holder"] = holder  # after signing: the shape is judged, whatever the proof says
    report = await verify(vp)
    assert holder_check(report).outcome is Outcome.FAILED


async def test_jwt_presentation_is_bound_to_the_holder_that_signed_it():
    issuer, holder = Party(), Party()
    token = sign_vc_jwt(presentation(holder.did, [issuer.credential()]), holder.key, kid=holder.vm)
    report = await verify(token)
    check = holder_check(report)
    assert check.outcome is Outcome.PASSED, report.to_json()

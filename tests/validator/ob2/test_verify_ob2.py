"""OB 2.0 hosted and signed verification against a real loopback issuer host."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from satchel.validator.engine import Verifier
from satchel.validator.inputs import ParsedInput
from satchel.validator.ob2 import verify_ob2
from satchel.validator.options import VerificationOptions
from satchel.validator.report import VerificationReport

NOW = datetime(2025, 6, 1, tzinfo=UTC)
OPTIONS = VerificationOptions(now=NOW)
ASSERTION_ID = "https://example.org/beths-robotics-badge.json"
EMAIL = "nobody@example.org"  # the fixtures' sha256$ecf5…942 with salt "deadsea"


def outcomes(report: Any, target: str = "assertion") -> dict[str, str]:
    return {c.id: str(c.outcome) for c in report.checks if c.target == target}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_rs256(payload: dict[str, Any], key: rsa.RSAPrivateKey, alg: str = "RS256") -> str:
    signing_input = f"{b64(json.dumps({'alg': alg}).encode())}.{b64(json.dumps(payload).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


async def hosted(ob20: Any, ob2_host: Any, verifier: Verifier, **changes: Any) -> Any:
    """basic-assertion.json with ``changes``, hosted at its id, verified."""
    document = {**ob20.json("basic-assertion.json"), **changes}
    ob2_host.serve_self(document)
    return await verifier.verify(document, OPTIONS)


# --- hosted: proof, 410, mismatched id, tampering ----------------------------------------


async def test_hosted_assertion_served_at_its_id_is_verified(ob20, ob2_host, verifier) -> None:
    report = await hosted(ob20, ob2_host, verifier)
    assert report.verified
    assert outcomes(report)["proof"] == "passed"
    assert f"example.org{'/beths-robotics-badge.json'}" in ob2_host.requests


async def test_hosted_assertion_answering_410_is_revoked(ob20, ob2_host, verifier) -> None:
    document = ob20.json("basic-assertion.json")
    ob2_host.serve(ASSERTION_ID, {}, status=410)
    report = await verifier.verify(document, OPTIONS)
    checks = outcomes(report)
    assert not report.verified
    assert checks["revocation"] == "failed"
    assert checks["proof"] == "not-checked"
    assert "revoked" in next(c.message for c in report.checks if c.id == "revocation")


async def test_hosted_assertion_whose_served_id_differs_fails(ob20, ob2_host, verifier) -> None:
    document = ob20.json("basic-assertion.json")
    ob2_host.serve(ASSERTION_ID, {**document, "id": "https://example.org/other.json"})
    report = await verifier.verify(document, OPTIONS)
    assert not report.verified
    assert outcomes(report)["proof"] == "failed"


async def test_altered_copy_of_a_hosted_assertion_fails(ob20, ob2_host, verifier) -> None:
    document = ob20.json("basic-assertion.json")
    ob2_host.serve_self(document)
    altered = {**document, "issuedOn": "2017-01-01T00:00:00Z"}
    report = await verifier.verify(altered, OPTIONS)
    proof = next(c for c in report.checks if c.id == "proof")
    assert not report.verified
    assert proof.outcome == "failed"
    assert proof.details["differentProperties"] == ["issuedOn"]


async def test_hosted_assertion_missing_on_its_host_fails(ob20, verifier) -> None:
    report = await verifier.verify(ob20.json("basic-assertion.json"), OPTIONS)
    assert outcomes(report)["proof"] == "failed"


async def test_old_baked_url_only_form_is_fetched_and_verified(ob20, ob2_host, verifier) -> None:
    ob2_host.serve_self(ob20.json("basic-assertion.json"))
    report = await verifier.verify(ParsedInput(url=ASSERTION_ID, source="png"), OPTIONS)
    assert report.verified, report.to_json()
    assert report.document is not None and report.document["id"] == ASSERTION_ID


async def test_url_only_form_whose_address_is_gone_is_revoked(ob2_host, verifier) -> None:
    ob2_host.serve(ASSERTION_ID, {}, status=410)
    report = await verifier.verify(ParsedInput(url=ASSERTION_ID), OPTIONS)
    assert not report.verified
    assert outcomes(report)["revocation"] == "failed"


async def test_without_a_fetcher_network_checks_are_not_checked(ob20) -> None:
    report = await Verifier().verify(ob20.json("basic-assertion.json"), OPTIONS)
    checks = outcomes(report)
    assert not report.verified
    assert "failed" not in checks.values()
    for check_id in ("proof", "badge", "revocation"):
        assert checks[check_id] == "not-checked", check_id


async def test_without_a_fetcher_a_signed_badge_is_not_verified(ob20) -> None:
    report = await Verifier().verify(ob20.text("simple.jwt"), OPTIONS)
    assert not report.verified
    assert outcomes(report)["proof"] == "not-checked"


# --- verification policy (allowedOrigins / startsWith) ------------------------------------


async def test_assertion_hosted_off_the_issuer_domain_fails(ob20, ob2_host, verifier) -> None:
    report = await hosted(ob20, ob2_host, verifier, id="https://www.example.org/badge.json")
    assert outcomes(report)["proof"] == "passed"
    assert outcomes(report)["verification"] == "failed"
    assert not report.verified


async def test_allowed_origins_accept_another_listed_domain(ob20, ob2_host, verifier) -> None:
    ob2_host.serve(
        "https://example.org/issuer-with-allowed-origins.json",
        {
            **ob20.json("assets/organization.json"),
            "id": "https://example.org/issuer-with-allowed-origins.json",
            "verification": {"allowedOrigins": ["www.example.org"]},
        },
    )
    ob2_host.serve(
        "https://example.org/badge-x.json",
        {
            **ob20.json("assets/robotics-badge.json"),
            "id": "https://example.org/badge-x.json",
            "issuer": "https://example.org/issuer-with-allowed-origins.json",
        },
    )
    report = await hosted(
        ob20,
        ob2_host,
        verifier,
        id="https://www.example.org/badge.json",
        badge="https://example.org/badge-x.json",
    )
    assert outcomes(report)["verification"] == "passed"
    assert report.verified


# --- signed -----------------------------------------------------------------------------


async def test_signed_badge_with_the_issuers_key_is_verified(ob20, ob2_host, verifier) -> None:
    report = await verifier.verify(ob20.text("simple.jwt"), OPTIONS)
    assert report.verified
    assert outcomes(report)["proof"] == "passed"
    # a signed badge is not fetched from its id
    assert "example.org/beths-robotics-badge.json" not in ob2_host.requests


async def test_tampered_signed_badge_fails(ob20, ob2_host, verifier) -> None:
    header, payload, signature = ob20.text("simple.jwt").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["issuedOn"] = "2017-01-01T00:00:00Z"
    report = await verifier.verify(f"{header}.{b64(json.dumps(claims).encode())}.{signature}")
    assert not report.verified
    assert outcomes(report)["proof"] == "failed"


async def test_key_not_listed_by_the_issuer_fails(ob20, ob2_host, verifier) -> None:
    ob2_host.serve(
        "https://example.org/organization.json",
        {**ob20.json("assets/organization.json"), "publicKey": "http://example.org/key2.json"},
    )
    report = await verifier.verify(ob20.text("simple.jwt"), OPTIONS)
    assert not report.verified
    assert outcomes(report)["verification"] == "failed"
    assert outcomes(report)["proof"] == "failed"


async def test_key_owned_by_someone_else_fails(ob20, ob2_host, verifier) -> None:
    ob2_host.serve(
        "http://example.org/key1.json",
        {**ob20.json("assets/key1.json"), "owner": "https://attacker.example/me.json"},
    )
    report = await verifier.verify(ob20.text("simple.jwt"), OPTIONS)
    assert outcomes(report)["verification"] == "failed"
    assert not report.verified


async def test_signed_badge_whose_payload_says_hosted_fails(ob20, ob2_host, verifier) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ob2_host.serve(
        "http://example.org/key1.json", {**ob20.json("assets/key1.json"), "publicKeyPem": pem(key)}
    )
    payload = ob20.json("basic-assertion.json")  # verification type "hosted"
    report = await verifier.verify(sign_rs256(payload, key), OPTIONS)
    assert outcomes(report)["verification"] == "failed"
    assert not report.verified


async def test_signed_badge_signed_with_an_own_listed_key_verifies(
    ob20, ob2_host, verifier
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ob2_host.serve(
        "http://example.org/key1.json", {**ob20.json("assets/key1.json"), "publicKeyPem": pem(key)}
    )
    payload = {
        **ob20.json("basic-assertion.json"),
        "verification": {"type": "SignedBadge", "creator": "http://example.org/key1.json"},
    }
    report = await verifier.verify(sign_rs256(payload, key), OPTIONS)
    assert report.verified, report.to_json()


async def test_signed_badge_with_symmetric_algorithm_is_refused(ob20, ob2_host, verifier) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    payload = json.loads(
        base64.urlsafe_b64decode(ob20.text("simple.jwt").split(".")[1] + "==").decode()
    )
    report = await verifier.verify(sign_rs256(payload, key, alg="HS256"), OPTIONS)
    proof = next(c for c in report.checks if c.id == "proof")
    assert proof.outcome == "failed"
    assert "HS256" in proof.message


async def test_signed_assertion_given_without_its_jws_is_not_verified(ob20, verifier) -> None:
    payload = json.loads(
        base64.urlsafe_b64decode(ob20.text("simple.jwt").split(".")[1] + "==").decode()
    )
    report = await verifier.verify(payload, OPTIONS)
    assert outcomes(report)["verification"] == "not-checked"
    assert not report.verified


async def test_unreadable_jws_fails_parse(verifier) -> None:
    report = VerificationReport()
    result = await verify_ob2(ParsedInput(jwt="a.b.c"), verifier, OPTIONS, report, "assertion")
    assert result is None
    assert outcomes(report)["parse"] == "failed"
    assert not report.verified


# --- revocation list --------------------------------------------------------------------


async def test_hosted_assertion_in_the_revocation_list_is_revoked(ob20, ob2_host, verifier) -> None:
    report = await hosted(
        ob20,
        ob2_host,
        verifier,
        id="https://example.org/beths-robotics-badge-revoked.json",
        badge="https://example.org/badge-from-organization-with-revocation-list.json",
    )
    revocation = next(c for c in report.checks if c.id == "revocation")
    assert revocation.outcome == "failed"
    assert "A good reason, for sure" in revocation.message
    assert not report.verified


async def test_assertion_absent_from_the_revocation_list_passes(ob20, ob2_host, verifier) -> None:
    report = await hosted(
        ob20,
        ob2_host,
        verifier,
        badge="https://example.org/badge-from-organization-with-revocation-list.json",
    )
    assert outcomes(report)["revocation"] == "passed"
    assert report.verified


async def test_revoked_by_uid_string_entry(ob20, ob2_host, verifier) -> None:
    report = await hosted(
        ob20,
        ob2_host,
        verifier,
        uid="urn:uuid:6deb4a00-ebce-4b28-8cc2-afa705ef7be4",
        badge="https://example.org/badge-from-organization-with-revocation-list.json",
    )
    assert outcomes(report)["revocation"] == "failed"


async def test_unreachable_revocation_list_is_not_checked(ob20, ob2_host, verifier) -> None:
    ob2_host.serve("http://example.org/revocation-list.json", {}, status=503)
    report = await hosted(
        ob20,
        ob2_host,
        verifier,
        badge="https://example.org/badge-from-organization-with-revocation-list.json",
    )
    assert outcomes(report)["revocation"] == "not-checked"
    assert report.verified  # not-checked never fails, and is reported as such
    assert report.not_checked


# --- recipient --------------------------------------------------------------------------


async def test_hashed_salted_recipient_matches_expected_email(ob20, ob2_host, verifier) -> None:
    document = ob20.json("basic-assertion.json")
    ob2_host.serve_self(document)
    report = await verifier.verify(
        document, VerificationOptions(now=NOW, expected_email="Nobody@Example.org")
    )
    assert outcomes(report)["recipient"] == "passed"


async def test_hashed_recipient_mismatch_fails(ob20, ob2_host, verifier) -> None:
    document = ob20.json("basic-assertion.json")
    ob2_host.serve_self(document)
    options = VerificationOptions(now=NOW, expected_email="somebody@example.org")
    report = await verifier.verify(document, options)
    assert outcomes(report)["recipient"] == "failed"
    assert not report.verified


async def test_plaintext_recipient_matches_and_mismatches(ob20, ob2_host, verifier) -> None:
    recipient = {"type": "email", "hashed": False, "identity": EMAIL}
    document = {**ob20.json("basic-assertion.json"), "recipient": recipient}
    ob2_host.serve_self(document)
    good = await verifier.verify(document, VerificationOptions(now=NOW, expected_email=EMAIL))
    bad = await verifier.verify(document, VerificationOptions(now=NOW, expected_email="x@y.org"))
    assert outcomes(good)["recipient"] == "passed"
    assert outcomes(bad)["recipient"] == "failed"


async def test_recipient_of_another_kind_than_expected_fails(ob20, ob2_host, verifier) -> None:
    document = ob20.json("basic-assertion.json")
    ob2_host.serve_self(document)
    options = VerificationOptions(now=NOW, expected_url="https://beth.example")
    report = await verifier.verify(document, options)
    assert outcomes(report)["recipient"] == "failed"


async def test_recipient_is_not_checked_without_an_expectation(ob20, ob2_host, verifier) -> None:
    report = await hosted(ob20, ob2_host, verifier)
    assert outcomes(report)["recipient"] == "not-checked"


# --- shapes: contexts, types, properties, badge, issuer, image ----------------------------


async def test_context_alias_is_a_warning(ob20, ob2_host, verifier) -> None:
    report = await hosted(
        ob20, ob2_host, verifier, **{"@context": "https://openbadgespec.org/v2/context.json"}
    )
    assert outcomes(report)["contexts"] == "warning"
    assert report.verified


async def test_missing_required_property_fails(ob20, ob2_host, verifier) -> None:
    document = ob20.json("basic-assertion.json")
    del document["recipient"]
    report = await verifier.verify(document, OPTIONS)
    assert outcomes(report)["properties"] == "failed"
    assert not report.verified


async def test_malformed_badge_class_fails(ob20, ob2_host, verifier) -> None:
    badge = ob20.json("assets/robotics-badge.json")
    del badge["name"]
    ob2_host.serve("https://example.org/robotics-badge.json", badge)
    report = await hosted(ob20, ob2_host, verifier)
    assert outcomes(report)["badge"] == "failed"


async def test_unreachable_badge_class_fails(ob20, ob2_host, verifier) -> None:
    report = await hosted(ob20, ob2_host, verifier, badge="https://example.org/missing.json")
    assert outcomes(report)["badge"] == "failed"
    assert outcomes(report)["revocation"] == "not-checked"


async def test_embedded_issuer_is_refetched_from_its_id(ob20, ob2_host, verifier) -> None:
    fake = {
        **ob20.json("assets/organization.json"),
        "verification": {"allowedOrigins": ["attacker.example"]},
    }
    badge = {**ob20.json("assets/robotics-badge.json"), "issuer": fake}
    report = await hosted(
        ob20, ob2_host, verifier, id="https://www.example.org/badge.json", badge=badge
    )
    assert outcomes(report)["verification"] == "failed"  # the real profile's policy applies
    assert "example.org/organization.json" in ob2_host.requests


async def test_malformed_image_data_uri_fails(ob20, ob2_host, verifier) -> None:
    report = await hosted(ob20, ob2_host, verifier, image="data:image/png;base64,bm90IGEgcG5n")
    assert outcomes(report)["image"] == "failed"


async def test_expired_assertion_within_clock_skew_passes(ob20, ob2_host, verifier) -> None:
    report = await hosted(ob20, ob2_host, verifier, expires="2025-06-01T00:02:00Z")
    assert outcomes(report)["validity"] == "passed"


async def test_unreadable_date_makes_the_assertion_malformed(ob20, ob2_host, verifier) -> None:
    report = await hosted(ob20, ob2_host, verifier, expires="next tuesday")
    assert outcomes(report)["properties"] == "failed"
    assert outcomes(report)["proof"] == "not-checked"


# --- endorsements -----------------------------------------------------------------------


async def test_failing_endorsement_fails_the_endorsements_check(ob20, ob2_host, verifier) -> None:
    ob2_host.serve("http://example.org/endorsement-1.json", {}, status=410)
    document = ob20.json("assertion-with-endorsements.json")
    ob2_host.serve_self(document)
    report = await verifier.verify(document, OPTIONS)
    assert outcomes(report)["endorsements"] == "failed"
    assert outcomes(report, "assertion.endorsement[0]")["endorsement-proof"] == "failed"
    assert not report.verified


async def test_endorsement_claim_mismatch_is_a_warning(ob20, ob2_host, verifier) -> None:
    document = ob20.json("assertion-with-endorsements.json")
    ob2_host.serve_self(document)
    report = await verifier.verify(document, OPTIONS)
    assert outcomes(report, "assertion.endorsement[0]")["claim"] == "warning"
    assert outcomes(report, "assertion.badge.endorsement[0]")["claim"] == "passed"
    assert report.verified


async def test_endorsement_confirmation_never_counts_as_the_badges_proof(
    ob20, ob2_host, verifier
) -> None:
    payload = json.loads(
        base64.urlsafe_b64decode(ob20.text("simple.jwt").split(".")[1] + "==").decode()
    )
    payload["endorsement"] = ["https://example.org/endorsement-1.json"]
    report = await verifier.verify(payload, OPTIONS)  # signed, but given without its JWS
    nested = outcomes(report, "assertion.endorsement[0]")
    assert nested["endorsement-proof"] == "passed"
    assert outcomes(report)["proof"] == "not-checked"
    assert not report.verified

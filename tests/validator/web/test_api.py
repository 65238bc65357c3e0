"""The W3C VC-API endpoints: verify credentials and presentations, issue credentials."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from satchel.app import create_app
from satchel.config import Settings
from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.validator.proofs.data_integrity import sign
from satchel.validator.proofs.vc_jwt import sign_vc_jwt
from satchel.validator.web.services import ISSUER_KEY, VERIFIER_KEY

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"
SUITE_INPUTS = SHARED / "vectors" / "w3c-vc-data-model-2.0-test-suite" / "tests" / "input"

PARSING_ERROR = "https://www.w3.org/TR/vc-data-model#PARSING_ERROR"
MALFORMED_VALUE_ERROR = "https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR"
PROOF_VERIFICATION_ERROR = "https://w3id.org/security#PROOF_VERIFICATION_ERROR"
INVALID_CHALLENGE_ERROR = "https://w3id.org/security#INVALID_CHALLENGE_ERROR"

KEY = generate_private_key(KeyType.ED25519)
DID = did_key_from_public_key(KEY.public_key)
VM = did_key_verification_method_id(DID)


def unsigned_credential(issuer: str = DID) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "name": "Ada"},
    }


SIGNED = sign(unsigned_credential(), KEY, cryptosuite="eddsa-rdfc-2022", verification_method=VM)


def signed_presentation(challenge: str) -> dict:
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": DID,
        "verifiableCredential": [SIGNED],
    }
    return sign(
        presentation,
        KEY,
        cryptosuite="eddsa-rdfc-2022",
        verification_method=VM,
        proof_purpose="authentication",
        challenge=challenge,
        domain="verifier.example",
    )


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", rate_limit=0)
    return await aiohttp_client(create_app(settings))


async def post_json(client, path: str, body: object):
    response = await client.post(path, json=body)
    return response, await response.json()


# --- /credentials/verify ---------------------------------------------------------------------


async def test_valid_credential_verifies_with_200_and_complete_body(client):
    response, body = await post_json(
        client, "/credentials/verify", {"verifiableCredential": SIGNED, "options": {}}
    )
    assert response.status == 200
    assert body["verified"] is True
    assert body["errors"] == []
    assert body["problemDetails"] == []
    assert any(c["id"] == "proof" and c["outcome"] == "passed" for c in body["checks"])
    assert body["results"]["proof"][0]["verified"] is True
    assert body["results"]["proof"][0]["input"] == SIGNED["proof"]
    assert body["results"]["validFrom"] == {"verified": True, "input": "2024-01-01T00:00:00Z"}


async def test_tampered_credential_answers_400_with_proof_problem_details(client):
    tampered = copy.deepcopy(SIGNED)
    tampered["credentialSubject"]["name"] = "Mallory"
    response, body = await post_json(
        client, "/credentials/verify", {"verifiableCredential": tampered}
    )
    assert response.status == 400
    assert body["verified"] is False
    assert body["errors"]
    types = [p["type"] for p in body["problemDetails"]]
    assert PROOF_VERIFICATION_ERROR in types
    assert body["results"]["proof"][0]["verified"] is False
    assert body["results"]["proof"][0]["problemDetails"]


async def test_vc_jwt_as_string_value_is_verified(client):
    token = sign_vc_jwt(unsigned_credential(), KEY, kid=VM)
    response, body = await post_json(client, "/credentials/verify", {"verifiableCredential": token})
    assert response.status == 200, body
    assert body["verified"] is True


async def test_enveloped_vc_jwt_is_verified(client):
    token = sign_vc_jwt(unsigned_credential(), KEY, kid=VM)
    envelope = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }
    response, body = await post_json(
        client, "/credentials/verify", {"verifiableCredential": envelope}
    )
    assert response.status == 200, body
    assert body["verified"] is True


async def test_tampered_vc_jwt_is_not_verified(client):
    token = sign_vc_jwt(unsigned_credential(), KEY, kid=VM)
    head, payload, signature = token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    response, body = await post_json(
        client, "/credentials/verify", {"verifiableCredential": f"{head}.{payload}.{flipped}"}
    )
    assert response.status == 400
    assert body["verified"] is False


async def test_legacy_checks_option_is_tolerated_with_a_warning(client):
    response, body = await post_json(
        client,
        "/credentials/verify",
        {"verifiableCredential": SIGNED, "options": {"checks": ["proof"]}},
    )
    assert response.status == 200
    assert any("options.checks" in w for w in body["warnings"])


async def test_return_credential_option_echoes_the_credential(client):
    _, body = await post_json(
        client,
        "/credentials/verify",
        {"verifiableCredential": SIGNED, "options": {"returnCredential": True}},
    )
    assert body["credential"] == SIGNED


async def test_body_that_is_not_json_is_a_parsing_error_problem(client):
    response = await client.post(
        "/credentials/verify", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    body = await response.json()
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    assert body["type"] == PARSING_ERROR
    assert body["status"] == 400


@pytest.mark.parametrize(
    ("body", "problem_type"),
    [
        ({}, PARSING_ERROR),
        ({"verifiableCredential": None}, PARSING_ERROR),
        ({"verifiableCredential": 42}, PARSING_ERROR),
        ({"verifiableCredential": "not a jwt"}, PARSING_ERROR),
        ([SIGNED], PARSING_ERROR),
        ({"verifiableCredential": SIGNED, "options": "fast"}, MALFORMED_VALUE_ERROR),
        ({"verifiableCredential": SIGNED, "options": {"challenge": 7}}, MALFORMED_VALUE_ERROR),
        (
            {"verifiableCredential": {"type": "EnvelopedVerifiableCredential", "id": "data:,x"}},
            PARSING_ERROR,
        ),
    ],
    ids=[
        "missing",
        "null",
        "number",
        "non-jwt-string",
        "array-body",
        "options-not-object",
        "challenge-not-string",
        "envelope-without-jwt",
    ],
)
async def test_malformed_verify_request_is_a_400_problem(client, body, problem_type):
    response, answer = await post_json(client, "/credentials/verify", body)
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    assert answer["type"] == problem_type
    assert answer["detail"]


async def test_presentation_posted_to_credentials_endpoint_is_refused(client):
    response, body = await post_json(
        client, "/credentials/verify", {"verifiableCredential": signed_presentation("c")}
    )
    assert response.status == 400
    assert "presentations/verify" in body["detail"]


# --- /presentations/verify -------------------------------------------------------------------


async def test_presentation_with_the_expected_challenge_verifies(client):
    response, body = await post_json(
        client,
        "/presentations/verify",
        {
            "verifiablePresentation": signed_presentation("abc123"),
            "options": {"challenge": "abc123", "domain": "verifier.example"},
        },
    )
    assert body["results"]["presentation"]["challenge"] == {"verified": True, "input": "abc123"}
    assert body["results"]["credentials"][0]["verified"] is True
    assert not [c for c in body["checks"] if c["outcome"] == "failed"], body["errors"]
    assert response.status == (200 if body["verified"] else 400)


async def test_presentation_with_a_wrong_challenge_fails_with_invalid_challenge(client):
    response, body = await post_json(
        client,
        "/presentations/verify",
        {
            "verifiablePresentation": signed_presentation("abc123"),
            "options": {"challenge": "other", "domain": "verifier.example"},
        },
    )
    assert response.status == 400
    assert body["verified"] is False
    assert INVALID_CHALLENGE_ERROR in [p["type"] for p in body["problemDetails"]]
    assert body["results"]["presentation"]["challenge"]["verified"] is False


async def test_credential_posted_as_presentation_is_refused(client):
    response, body = await post_json(
        client, "/presentations/verify", {"verifiablePresentation": SIGNED}
    )
    assert response.status == 400
    assert body["type"] == PARSING_ERROR


async def test_missing_presentation_is_a_parsing_error(client):
    response, body = await post_json(client, "/presentations/verify", {"options": {}})
    assert response.status == 400
    assert body["type"] == PARSING_ERROR


# --- /credentials/issue ----------------------------------------------------------------------


async def instance_did(client) -> str:
    return client.server.app[ISSUER_KEY].did


async def test_issue_signs_with_the_instance_key_and_the_result_verifies(client):
    did = await instance_did(client)
    response, body = await post_json(
        client, "/credentials/issue", {"credential": unsigned_credential(did), "options": {}}
    )
    assert response.status == 201, body
    issued = body["verifiableCredential"]
    assert issued["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert issued["proof"]["verificationMethod"] == did_key_verification_method_id(did)
    verify, result = await post_json(
        client, "/credentials/verify", {"verifiableCredential": issued}
    )
    assert verify.status == 200, result["errors"]


async def test_issue_refuses_a_credential_naming_another_issuer(client):
    response, body = await post_json(
        client, "/credentials/issue", {"credential": unsigned_credential("did:example:someone")}
    )
    assert response.status == 400
    assert "issues only as" in body["detail"]


def _without(credential: dict, key: str) -> dict:
    return {k: v for k, v in credential.items() if k != key}


BAD_CREDENTIALS = {
    "no-context": lambda c: _without(c, "@context"),
    "wrong-first-context": lambda c: {
        **c,
        "@context": ["https://www.w3.org/ns/credentials/examples/v2"],
    },
    "unknown-context": lambda c: {**c, "@context": [*c["@context"], "https://unknown.example/ctx"]},
    "no-type": lambda c: _without(c, "type"),
    "type-without-vc": lambda c: {**c, "type": ["ExampleCredential"]},
    "no-issuer": lambda c: _without(c, "issuer"),
    "issuer-not-url": lambda c: {**c, "issuer": "fake-issuer"},
    "issuer-object-without-url-id": lambda c: {**c, "issuer": {"id": None}},
    "no-subject": lambda c: _without(c, "credentialSubject"),
    "empty-subject": lambda c: {**c, "credentialSubject": {}},
    "string-subject": lambda c: {**c, "credentialSubject": "did:example:learner"},
    "bad-validFrom": lambda c: {**c, "validFrom": "yesterday"},
    "validFrom-after-validUntil": lambda c: {**c, "validUntil": "2023-01-01T00:00:00Z"},
    "id-not-url": lambda c: {**c, "id": "not a url"},
    "undefined-term": lambda c: {**c, "@context": [*c["@context"], {"@vocab": None}], "x": 1},
    "credential-not-object": lambda c: [c],
}


@pytest.mark.parametrize("mutate", BAD_CREDENTIALS.values(), ids=BAD_CREDENTIALS.keys())
async def test_issue_refuses_malformed_credentials_with_400_problem(client, mutate):
    credential = mutate(unsigned_credential(await instance_did(client)))
    response, body = await post_json(client, "/credentials/issue", {"credential": credential})
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    assert body["type"].startswith("https://www.w3.org/TR/vc-data-model#")
    assert body["status"] == 400
    assert body["detail"]


async def test_issue_refuses_a_body_without_credential(client):
    response, body = await post_json(client, "/credentials/issue", {"options": {}})
    assert response.status == 400
    assert body["type"] == PARSING_ERROR


# --- the W3C VC 2.0 test-suite inputs --------------------------------------------------------


def suite_inputs() -> list[Path]:
    if not SUITE_INPUTS.is_dir():
        pytest.fail(f"{SUITE_INPUTS} is missing: clone the project with ../shared beside it")
    # presentation-* inputs exercise holders and presentations, not the issuer.
    return sorted(p for p in SUITE_INPUTS.rglob("*.json") if not p.name.startswith("presentation"))


def as_the_suite_posts_it(path: Path, did: str) -> dict:
    """What the suite's harness sends: its date placeholders filled in, and the issuer (or
    issuer.id) set to the implementation's configured id, here the instance DID, unless the
    input sets one itself (the issuer-*-fail inputs)."""
    now = datetime.now(UTC)
    text = path.read_text(encoding="utf-8")
    text = text.replace("PAST DATE", (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    text = text.replace("FUTURE DATE", (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    credential = json.loads(text)
    if "issuer" not in credential:
        credential["issuer"] = did
    elif isinstance(credential["issuer"], dict) and "id" not in credential["issuer"]:
        credential["issuer"]["id"] = did
    return credential


@pytest.mark.parametrize("path", suite_inputs(), ids=lambda p: str(p.relative_to(SUITE_INPUTS)))
async def test_vc2_suite_inputs_are_accepted_or_rejected_as_named(client, path):
    credential = as_the_suite_posts_it(path, await instance_did(client))
    response, body = await post_json(client, "/credentials/issue", {"credential": credential})
    if path.name.endswith("-ok.json"):
        assert response.status == 201, body
        assert "proof" in body["verifiableCredential"]
    else:  # "-fail" and "-fail-or-inject": Satchel fails rather than injects
        assert response.status == 400, body
        assert body["detail"]


# --- errors never leak internals -------------------------------------------------------------


async def test_internal_error_in_verify_is_a_500_problem_without_stack_trace(client, monkeypatch):
    async def explode(*args, **kwargs):
        raise RuntimeError("secret /etc/shadow internals")

    monkeypatch.setattr(client.server.app[VERIFIER_KEY], "verify", explode)
    response = await client.post("/credentials/verify", json={"verifiableCredential": SIGNED})
    text = await response.text()
    assert response.status == 500
    assert response.content_type == "application/problem+json"
    assert "Traceback" not in text
    assert "secret" not in text

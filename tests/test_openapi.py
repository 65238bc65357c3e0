"""The OpenAPI document matches what is served: every route, and real responses' shapes."""

from __future__ import annotations

import copy
import re

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from satchel.app import create_app
from satchel.config import Settings
from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.openapi import build_openapi
from satchel.validator.proofs.data_integrity import sign
from satchel.validator.web.services import ISSUER_KEY

DOC_URI = "urn:satchel:openapi"
KEY = generate_private_key(KeyType.ED25519)
DID = did_key_from_public_key(KEY.public_key)


def unsigned(issuer: str) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "validUntil": "2099-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "name": "Ada"},
    }


SIGNED = sign(
    unsigned(DID),
    KEY,
    cryptosuite="eddsa-rdfc-2022",
    verification_method=did_key_verification_method_id(DID),
)
PRESENTATION = sign(
    {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": DID,
        "verifiableCredential": [SIGNED],
    },
    KEY,
    cryptosuite="eddsa-rdfc-2022",
    verification_method=did_key_verification_method_id(DID),
    proof_purpose="authentication",
    challenge="c-1",
)


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    return await aiohttp_client(create_app(Settings(data_dir=tmp_path / "data", rate_limit=0)))


def _served_operations(app) -> set[tuple[str, str]]:
    served = set()
    for route in app.router.routes():
        if route.method == "HEAD":
            continue  # aiohttp adds HEAD beside every GET
        info = route.resource.get_info() if route.resource else {}
        path = info.get("formatter") or info.get("path")
        if "prefix" in info:  # a static folder: one file name parameter
            path = info["prefix"].rstrip("/") + "/{filename}"
        served.add((route.method.lower(), path))
    return served


def test_every_served_route_is_documented_and_nothing_else(tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data"))
    documented = {
        (method, path) for path, item in build_openapi()["paths"].items() for method in item
    }
    assert _served_operations(app) == documented


def test_document_is_openapi_31_with_resolvable_refs():
    document = build_openapi()
    assert document["openapi"].startswith("3.1")
    text = repr(document)
    for name in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert name in document["components"]["schemas"], name
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


async def test_served_document_is_the_built_one(client):
    response = await client.get("/openapi.json")
    assert response.status == 200
    assert await response.json() == build_openapi()


def _schema_for(document: dict, path: str, method: str, status: int, media: str) -> dict:
    responses = document["paths"][path][method]["responses"]
    response = responses.get(str(status)) or responses[f"{str(status)[0]}XX"]
    return response["content"][media]["schema"]


async def assert_matches_document(response, path: str, method: str) -> None:
    document = build_openapi()
    media = response.content_type
    schema = _schema_for(document, path, method, response.status, media)
    registry = Registry().with_resource(
        DOC_URI, Resource.from_contents(document, default_specification=_spec())
    )
    resolved = copy.deepcopy(schema)
    if "$ref" in resolved:
        resolved["$ref"] = DOC_URI + resolved["$ref"]
    validator = Draft202012Validator(resolved, registry=registry)
    validator.validate(await response.json())


def _spec():
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


async def instance_did(client) -> str:
    return client.server.app[ISSUER_KEY].did


CASES = [
    ("get", "/healthz", None),
    ("get", "/version", None),
    ("get", "/openapi.json", None),
    ("post", "/credentials/verify", {"verifiableCredential": SIGNED}),
    (
        "post",
        "/credentials/verify",
        {"verifiableCredential": {**SIGNED, "validFrom": "2030-01-01T00:00:00Z"}},
    ),
    ("post", "/credentials/verify", {"verifiableCredential": 7}),
    (
        "post",
        "/presentations/verify",
        {"verifiablePresentation": PRESENTATION, "options": {"challenge": "c-1"}},
    ),
    (
        "post",
        "/presentations/verify",
        {"verifiablePresentation": PRESENTATION, "options": {"challenge": "wrong"}},
    ),
    ("post", "/presentations/verify", {}),
    ("post", "/credentials/issue", {"credential": {"type": "VerifiableCredential"}}),
    ("get", "/nope", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CASES)
async def test_real_responses_validate_against_the_document(client, method, path, body):
    response = await client.request(method, path, json=body)
    documented_path = path if path in build_openapi()["paths"] else None
    if documented_path is None:  # an unknown route: still a problem document
        assert response.status == 404
        assert response.content_type == "application/problem+json"
        return
    await assert_matches_document(response, path, method)


async def test_issue_success_validates_against_the_document(client):
    response = await client.post(
        "/credentials/issue", json={"credential": unsigned(await instance_did(client))}
    )
    assert response.status == 201
    await assert_matches_document(response, "/credentials/issue", "post")


async def test_limit_responses_validate_against_the_document(aiohttp_client, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", rate_limit=1, max_body_bytes=100)
    client = await aiohttp_client(create_app(settings))
    too_big = await client.post("/credentials/verify", data=b"x" * 500)
    assert too_big.status == 413
    await assert_matches_document(too_big, "/credentials/verify", "post")
    await client.post("/credentials/verify", json={})
    limited = await client.post("/credentials/verify", json={})
    assert limited.status == 429
    await assert_matches_document(limited, "/credentials/verify", "post")

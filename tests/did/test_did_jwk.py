"""did:jwk: create, resolve per the spec's relationship rules, refuse private members."""

from __future__ import annotations

import json

import pytest

from satchel.did.did_jwk import (
    did_jwk_from_jwk,
    did_jwk_from_public_key,
    did_jwk_verification_method_id,
    resolve_did_jwk,
)
from satchel.did.errors import DidResolutionError, VerificationMethodError
from satchel.did.jwk import b64url_encode, private_key_to_jwk
from satchel.did.keys import InvalidKeyError, KeyType, generate_private_key
from satchel.did.resolver import DidResolver, default_resolver

# the two examples of https://github.com/quartzjer/did-jwk/blob/main/spec.md
SPEC_P256_DID = (
    "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6"
    "OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
)
SPEC_P256_JWK = {
    "crv": "P-256",
    "kty": "EC",
    "x": "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0",
    "y": "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE",
}
SPEC_X25519_ENC_DID = (
    "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdP"
    "UTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9"
)
SIGNING = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")


def did_for(jwk: dict[str, str]) -> str:
    return "did:jwk:" + b64url_encode(json.dumps(jwk).encode())


def test_create_from_key_gives_the_spec_example_did_for_the_spec_key():
    assert did_jwk_from_jwk(SPEC_P256_JWK) == SPEC_P256_DID
    assert did_jwk_from_jwk(dict(reversed(SPEC_P256_JWK.items()))) == SPEC_P256_DID


@pytest.mark.parametrize("key_type", list(KeyType))
def test_create_then_resolve_round_trips_every_key_type(key_type):
    public = generate_private_key(key_type).public_key
    did = did_jwk_from_public_key(public)
    document = resolve_did_jwk(did)
    assert document["verificationMethod"][0]["publicKeyJwk"] == public.to_jwk()


def test_resolved_document_has_method_0_of_type_jsonwebkey2020_under_all_relationships():
    document = resolve_did_jwk(SPEC_P256_DID)
    vm_id = SPEC_P256_DID + "#0"
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/suites/jws-2020/v1",
    ]
    assert document["id"] == SPEC_P256_DID
    assert document["verificationMethod"] == [
        {
            "id": vm_id,
            "type": "JsonWebKey2020",
            "controller": SPEC_P256_DID,
            "publicKeyJwk": SPEC_P256_JWK,
        }
    ]
    for relationship in (*SIGNING, "keyAgreement"):
        assert document[relationship] == [vm_id]
    assert did_jwk_verification_method_id(SPEC_P256_DID) == vm_id


def test_use_enc_key_is_listed_only_under_key_agreement():
    document = resolve_did_jwk(SPEC_X25519_ENC_DID)
    assert document["keyAgreement"] == [SPEC_X25519_ENC_DID + "#0"]
    for relationship in SIGNING:
        assert relationship not in document


def test_use_sig_key_is_not_listed_under_key_agreement():
    did = did_for({**SPEC_P256_JWK, "use": "sig"})
    document = resolve_did_jwk(did)
    assert "keyAgreement" not in document
    for relationship in SIGNING:
        assert document[relationship] == [did + "#0"]


@pytest.mark.parametrize("key_type", [KeyType.ED25519, KeyType.P256, KeyType.RSA])
def test_jwk_with_private_members_is_refused_on_create(key_type):
    private_jwk = private_key_to_jwk(generate_private_key(key_type))
    with pytest.raises(InvalidKeyError, match="private key members"):
        did_jwk_from_jwk(private_jwk)


def test_did_jwk_embedding_a_private_key_is_refused_on_resolve():
    private_jwk = private_key_to_jwk(generate_private_key(KeyType.ED25519))
    with pytest.raises(DidResolutionError, match=r"private key members \['d'\]"):
        resolve_did_jwk(did_for(private_jwk))


@pytest.mark.parametrize(
    "did",
    [
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "did:jwk:",
        "did:jwk:not base64!",
        "did:jwk:" + b64url_encode(b"not json"),
        "did:jwk:" + b64url_encode(b"[1, 2]"),
        "did:jwk:" + b64url_encode(b'{"crv": "P-256"}'),  # no kty
        "did:jwk:" + b64url_encode(b"\xff\xfe"),
    ],
)
def test_malformed_did_jwk_is_refused(did):
    with pytest.raises(DidResolutionError):
        resolve_did_jwk(did)


@pytest.mark.parametrize("make", [DidResolver, default_resolver])
async def test_resolvers_dereference_did_jwk_for_assertion_method(make):
    private = generate_private_key(KeyType.ED25519)
    did = did_jwk_from_public_key(private.public_key)
    method = await make().dereference(did + "#0", relationship="assertionMethod")
    assert method.public_key.same_key_as(private.public_key)
    assert method.type == "JsonWebKey2020"


async def test_resolver_refuses_use_enc_did_jwk_for_assertion_method():
    did = did_for({**SPEC_P256_JWK, "use": "enc"})
    with pytest.raises(VerificationMethodError, match="not authorised for assertionMethod"):
        await DidResolver().dereference(did + "#0", relationship="assertionMethod")

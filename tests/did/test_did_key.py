"""did:key: create from a public key and resolve both document forms without I/O."""

from __future__ import annotations

import pytest

from satchel.did.did_key import (
    did_key_from_public_key,
    did_key_verification_method_id,
    resolve_did_key,
)
from satchel.did.errors import DidResolutionError, VerificationMethodError
from satchel.did.keys import KeyType, generate_private_key
from satchel.did.resolver import DidResolver

ED25519_DID = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
SIGNING_RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
)


@pytest.mark.parametrize(
    ("key_type", "prefix"),
    [
        (KeyType.ED25519, "did:key:z6Mk"),
        (KeyType.P256, "did:key:zDn"),
        (KeyType.P384, "did:key:z82"),
    ],
)
def test_did_key_is_created_from_the_multikey_of_the_public_key(key_type, prefix):
    public = generate_private_key(key_type).public_key
    did = did_key_from_public_key(public)
    assert did == "did:key:" + public.to_multikey()
    assert did.startswith(prefix)


def test_multikey_form_lists_the_key_under_every_signing_relationship():
    document = resolve_did_key(ED25519_DID)
    vm_id = f"{ED25519_DID}#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert document["id"] == ED25519_DID
    assert document["verificationMethod"] == [
        {
            "id": vm_id,
            "type": "Multikey",
            "controller": ED25519_DID,
            "publicKeyMultibase": "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        }
    ]
    assert "https://w3id.org/security/multikey/v1" in document["@context"]
    for relationship in SIGNING_RELATIONSHIPS:
        assert document[relationship] == [vm_id]
    assert "keyAgreement" not in document
    assert did_key_verification_method_id(ED25519_DID) == vm_id


def test_ed25519_2020_form_uses_the_legacy_verification_method_type():
    document = resolve_did_key(ED25519_DID, ed25519_2020=True)
    assert document["verificationMethod"][0]["type"] == "Ed25519VerificationKey2020"
    assert "https://w3id.org/security/suites/ed25519-2020/v1" in document["@context"]


def test_ed25519_2020_form_is_ignored_for_ecdsa_keys():
    did = did_key_from_public_key(generate_private_key(KeyType.P256).public_key)
    assert resolve_did_key(did, ed25519_2020=True)["verificationMethod"][0]["type"] == "Multikey"


@pytest.mark.parametrize("did", ["did:web:example.com", "did:key:zGarbage", "did:key:"])
def test_invalid_did_key_is_refused(did):
    with pytest.raises(DidResolutionError):
        resolve_did_key(did)


async def test_resolver_dereferences_did_key_for_assertion_and_authentication():
    private = generate_private_key(KeyType.P384)
    did = did_key_from_public_key(private.public_key)
    vm_id = did_key_verification_method_id(did)
    resolver = DidResolver()
    for relationship in ("assertionMethod", "authentication"):
        method = await resolver.dereference(vm_id, relationship=relationship)
        assert method.public_key.same_key_as(private.public_key)
        assert method.controller == did


async def test_resolver_refuses_did_key_for_key_agreement():
    vm_id = did_key_verification_method_id(ED25519_DID)
    with pytest.raises(VerificationMethodError, match="keyAgreement"):
        await DidResolver().dereference(vm_id, relationship="keyAgreement")


async def test_resolver_refuses_a_fragment_that_is_not_in_the_document():
    with pytest.raises(VerificationMethodError, match="not a verification method"):
        await DidResolver().dereference(ED25519_DID + "#other")

"""Learner DIDs: a did:key per account, sealed private keys, rotation."""

from __future__ import annotations

import json

import pytest

from satchel.did.did_key import did_key_verification_method_id, resolve_did_key
from satchel.did.resolver import default_resolver
from satchel.validator.proofs.data_integrity import sign, verify_proofs
from satchel.validator.proofs.purposes import AuthenticationPurpose
from satchel.wallet import identity
from satchel.wallet.keystore import KeystoreError


async def stored_keys(services, account_id):
    return (await services.store.find("keys", {"account_id": account_id})).items


async def test_the_stored_key_holds_no_private_key_material(make_learner):
    learner = await make_learner()
    [document] = await stored_keys(learner.services, learner.account_id)
    _, key = await identity.current_key(learner.services, learner.account_id)
    private = key.to_jwk()["d"]
    text = json.dumps(document)
    assert private not in text
    assert '"d"' not in text
    assert document["sealed"].startswith("v1.")
    assert document["did"] == learner.did


async def test_the_current_key_signs_what_its_did_verifies(make_learner):
    learner = await make_learner()
    did, key = await identity.current_key(learner.services, learner.account_id)
    assert did == learner.did
    assert resolve_did_key(did)["id"] == did
    presentation = sign(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "holder": did,
        },
        key,
        cryptosuite="eddsa-rdfc-2022",
        verification_method=did_key_verification_method_id(did),
        proof_purpose="authentication",
        challenge="c",
    )
    [result] = await verify_proofs(
        presentation, resolver=default_resolver(None), purpose=AuthenticationPurpose(challenge="c")
    )
    assert result.verified


async def test_a_sealed_key_does_not_open_for_another_account(make_learner):
    ada, bob = await make_learner(), await make_learner()
    [document] = await stored_keys(ada.services, ada.account_id)
    with pytest.raises(KeystoreError):
        ada.services.keystore.open(document["sealed"], owner=bob.account_id, key_id=document["_id"])


async def test_rotation_makes_a_new_current_did_and_keeps_the_old_one_retired(
    wallet_app, make_learner, assert_documented
):
    learner = await make_learner()
    response = await wallet_app.post("/api/v1/account/keys/rotate", headers=learner.headers)
    assert response.status == 201
    await assert_documented(response, "/api/v1/account/keys/rotate", "post")
    new = await response.json()
    assert new["status"] == "current" and new["did"] != learner.did
    did, _ = await identity.current_key(learner.services, learner.account_id)
    assert did == new["did"]
    assert await identity.learner_dids(learner.services, learner.account_id) == [
        new["did"],
        learner.did,
    ]
    profile = await (await wallet_app.get("/api/v1/account", headers=learner.headers)).json()
    assert profile["did"] == new["did"]
    assert [(d["did"], d["status"]) for d in profile["dids"]] == [
        (new["did"], "current"),
        (learner.did, "retired"),
    ]
    assert resolve_did_key(learner.did)["id"] == learner.did  # still resolves by itself


async def test_rotating_twice_keeps_exactly_one_current_key(wallet_app, make_learner):
    learner = await make_learner()
    for _ in range(2):
        await wallet_app.post("/api/v1/account/keys/rotate", headers=learner.headers)
    statuses = sorted(d["status"] for d in await stored_keys(learner.services, learner.account_id))
    assert statuses == ["current", "retired", "retired"]
    assert len(await identity.learner_dids(learner.services, learner.account_id)) == 3


async def test_an_account_without_keys_cannot_sign(make_learner):
    learner = await make_learner()
    await learner.services.store.delete_many("keys", {"account_id": learner.account_id})
    with pytest.raises(identity.NoSigningKeyError):
        await identity.current_key(learner.services, learner.account_id)


async def test_verified_emails_lists_only_verified_addresses_primary_first(
    wallet_app, make_learner
):
    learner = await make_learner("zed@example.org")
    await wallet_app.post(
        "/api/v1/account/emails", json={"email": "aaa@example.org"}, headers=learner.headers
    )
    assert await identity.verified_emails(learner.services, learner.account_id) == [
        "zed@example.org"
    ]


async def test_the_profile_lists_emails_dids_and_creation_date(
    wallet_app, make_learner, assert_documented
):
    learner = await make_learner()
    response = await wallet_app.get("/api/v1/account", headers=learner.headers)
    await assert_documented(response, "/api/v1/account", "get")
    body = await response.json()
    assert body["id"] == learner.account_id
    assert body["emails"][0] == {
        "id": body["emails"][0]["id"],
        "address": learner.email,
        "verified": True,
        "primary": True,
    }
    assert body["did"] == learner.did
    assert body["created_at"].endswith("Z")

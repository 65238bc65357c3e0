"""Account merge: proven by the other account's credentials, all of it moved in one
transaction, duplicates resolved and reported."""

from __future__ import annotations

import pytest

from satchel.wallet import accounts, identity
from satchel.wallet.keystore import KeystoreError


async def merge(client, into, other):
    return await client.post(
        "/api/v1/account/merge",
        json={"email": other.email, "password": other.password},
        headers=into.headers,
    )


async def seeded_pair(make_learner, seed_holdings, sign_in):
    ada, bob = await make_learner(), await make_learner(password="bob's own password")
    ada_ids = await seed_holdings(
        ada.account_id,
        "ada",
        [
            {"sha256": "s-shared", "issuer_id": "https://i.example", "credential_id": "urn:a1"},
            {"sha256": "s-a2", "issuer_id": "https://i.example", "credential_id": "urn:same"},
        ],
    )
    bob_ids = await seed_holdings(
        bob.account_id,
        "bob",
        [
            {"sha256": "s-bob-only", "issuer_id": "https://i.example", "credential_id": "urn:b1"},
            {"sha256": "s-shared", "issuer_id": "https://other.example", "credential_id": "urn:x"},
            {"sha256": "s-b3", "issuer_id": "https://i.example", "credential_id": "urn:same"},
        ],
    )
    await sign_in(bob.email, bob.password)
    return ada, bob, ada_ids, bob_ids


async def test_merge_moves_everything_and_resolves_duplicates(
    wallet_app, make_learner, seed_holdings, sign_in, documents_mentioning, assert_documented
):
    ada, bob, ada_ids, bob_ids = await seeded_pair(make_learner, seed_holdings, sign_in)
    store = ada.services.store
    response = await merge(wallet_app, ada, bob)
    assert response.status == 200, await response.text()
    await assert_documented(response, "/api/v1/account/merge", "post")
    report = await response.json()
    assert report["merged_account_id"] == bob.account_id
    assert sorted(report["duplicates"], key=lambda d: d["dropped"]) == [
        {"kept": ada_ids["cred0"], "dropped": bob_ids["cred1"], "reason": "same-bytes"},
        {"kept": ada_ids["cred1"], "dropped": bob_ids["cred2"], "reason": "same-issuer-and-id"},
    ]
    assert report["moved"]["credentials"] == 1
    assert report["renamed_collections"] == [
        {"id": "bob-collection", "from": "Favourites", "to": "Favourites (2)"}
    ]
    assert report["dids"] == [bob.did]

    owned = (await store.find("credentials", {"owner": ada.account_id})).items
    assert sorted(d["_id"] for d in owned) == sorted([*ada_ids.values(), bob_ids["cred0"]])
    moved = await store.get("credentials", bob_ids["cred0"])
    assert moved["raw"] == b"\x00bytes"  # verbatim bytes survive the move
    verdicts = (await store.find("verdicts", {"owner": ada.account_id})).items
    assert sorted(v["credential_ref"] for v in verdicts) == sorted(
        [ada_ids["cred0"], ada_ids["cred1"], bob_ids["cred0"], ada_ids["cred0"], ada_ids["cred1"]]
    )
    collection = await store.get("collections", "bob-collection")
    assert collection["owner"] == ada.account_id
    assert collection["name"] == "Favourites (2)"
    assert collection["credential_ids"] == [bob_ids["cred0"], ada_ids["cred0"], ada_ids["cred1"]]
    assert (await store.get("offers", "bob-offer"))["account_id"] == ada.account_id
    assert (await store.get("inbox_grants", "bob-grant"))["account_id"] == ada.account_id

    assert await documents_mentioning(bob.account_id) == {}
    assert await identity.verified_emails(ada.services, ada.account_id) == [ada.email, bob.email]
    profile = await (await wallet_app.get("/api/v1/account", headers=ada.headers)).json()
    assert [e["address"] for e in profile["emails"] if e["primary"]] == [ada.email]


async def test_merged_keys_stay_the_learners_dids_and_still_open(
    wallet_app, make_learner, seed_holdings, sign_in
):
    ada, bob, _, _ = await seeded_pair(make_learner, seed_holdings, sign_in)
    assert (await merge(wallet_app, ada, bob)).status == 200
    assert await identity.learner_dids(ada.services, ada.account_id) == [ada.did, bob.did]
    did, _ = await identity.current_key(ada.services, ada.account_id)
    assert did == ada.did
    [bob_key] = (await ada.services.store.find("keys", {"did": bob.did})).items
    assert bob_key["status"] == "retired"
    opened = ada.services.keystore.open(
        bob_key["sealed"], owner=ada.account_id, key_id=bob_key["_id"]
    )
    assert opened.public_key.to_multikey() in bob.did


async def test_the_merged_account_is_gone_with_its_sessions_and_tokens(
    wallet_app, make_learner, seed_holdings, sign_in
):
    ada, bob, _, _ = await seeded_pair(make_learner, seed_holdings, sign_in)
    bob_session = await sign_in(bob.email, bob.password)
    assert (await merge(wallet_app, ada, bob)).status == 200
    assert (await wallet_app.get("/api/v1/account", headers=bob.headers)).status == 401
    assert (await wallet_app.get("/api/v1/account", headers=bob_session.headers())).status == 401
    old_password = await wallet_app.post(
        "/api/v1/session", json={"email": bob.email, "password": bob.password}
    )
    assert old_password.status == 401
    bobs_address_now_ada = await wallet_app.post(
        "/api/v1/session", json={"email": bob.email, "password": ada.password}
    )
    assert (await bobs_address_now_ada.json())["account_id"] == ada.account_id


async def test_a_wrong_password_merges_nothing(wallet_app, make_learner, seed_holdings, sign_in):
    ada, bob, _, bob_ids = await seeded_pair(make_learner, seed_holdings, sign_in)
    bob.password = "not bob's password"
    response = await merge(wallet_app, ada, bob)
    assert response.status == 401
    assert (await ada.services.store.get("credentials", bob_ids["cred0"]))[
        "owner"
    ] == bob.account_id


async def test_merging_an_account_into_itself_is_refused(wallet_app, make_learner):
    ada = await make_learner()
    response = await merge(wallet_app, ada, ada)
    assert response.status == 409


async def test_an_unverified_account_cannot_be_merged_in(wallet_app, make_learner, wallet_services):
    ada = await make_learner()
    await accounts.register(wallet_services, "pending@example.org", "a long password")
    response = await wallet_app.post(
        "/api/v1/account/merge",
        json={"email": "pending@example.org", "password": "a long password"},
        headers=ada.headers,
    )
    assert response.status == 403


async def test_a_merge_that_fails_midway_changes_nothing(
    wallet_app, make_learner, seed_holdings, sign_in, monkeypatch
):
    ada, bob, _, bob_ids = await seeded_pair(make_learner, seed_holdings, sign_in)

    def broken_open(*args, **kwargs):
        raise KeystoreError("simulated failure after the credentials moved")

    monkeypatch.setattr(type(ada.services.keystore), "open", broken_open)
    response = await merge(wallet_app, ada, bob)
    assert response.status == 500
    store = ada.services.store
    assert (await store.get("credentials", bob_ids["cred0"]))["owner"] == bob.account_id
    assert await store.get("credentials", bob_ids["cred1"]) is not None
    assert await store.get("accounts", bob.account_id) is not None
    assert await store.count("sessions", {"account_id": bob.account_id}) == 1


async def test_merge_needs_account_write_and_csrf(wallet_app, make_learner, sign_in):
    ada, bob = await make_learner(), await make_learner()
    reader = await accounts.create_api_token(ada.services, ada.account_id, "r", ["account:read"])
    body = {"email": bob.email, "password": bob.password}
    scoped = await wallet_app.post(
        "/api/v1/account/merge", json=body, headers={"Authorization": f"Bearer {reader.secret}"}
    )
    assert scoped.status == 403
    session = await sign_in(ada.email, ada.password)
    no_csrf = await wallet_app.post(
        "/api/v1/account/merge", json=body, headers=session.headers(csrf=False)
    )
    assert no_csrf.status == 403
    ok = await wallet_app.post("/api/v1/account/merge", json=body, headers=session.headers())
    assert ok.status == 200


@pytest.mark.parametrize("field", ["email", "password"])
async def test_merge_requests_need_both_fields(wallet_app, make_learner, field):
    ada, bob = await make_learner(), await make_learner()
    body = {"email": bob.email, "password": bob.password}
    del body[field]
    response = await wallet_app.post("/api/v1/account/merge", json=body, headers=ada.headers)
    assert response.status == 401


async def test_addresses_both_accounts_list_are_kept_once_verified_if_either_was(
    wallet_app, make_learner, mail_token
):
    ada = await make_learner()
    bob = await make_learner("shared@example.org", password="bob's own password")
    await wallet_app.post(
        "/api/v1/account/emails", json={"email": "shared@example.org"}, headers=ada.headers
    )
    await wallet_app.post(
        "/api/v1/account/emails", json={"email": "later@example.org"}, headers=bob.headers
    )
    assert (await merge(wallet_app, ada, bob)).status == 200
    profile = await (await wallet_app.get("/api/v1/account", headers=ada.headers)).json()
    by_address = {e["address"]: e for e in profile["emails"]}
    assert len(profile["emails"]) == 3
    assert by_address["shared@example.org"]["verified"] is True
    assert by_address["later@example.org"]["verified"] is False
    token = await mail_token("later@example.org", "/verify-email")
    verified = await wallet_app.post("/api/v1/accounts/verify-email", json={"token": token})
    assert verified.status == 200  # the link mailed before the merge still works
    assert "later@example.org" in await identity.verified_emails(ada.services, ada.account_id)

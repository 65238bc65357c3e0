"""GET /api/v1/account/export: one zip with the profile, every credential verbatim, their
latest reports, labels and collections, offers and grants, a README, and no secret at all."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from satchel.did.jwk import private_key_to_jwk
from satchel.wallet import accounts, credentials, export, identity, offers
from satchel.wallet.credentials import CollectionChange, CredentialChange


async def download(learner, headers=None):
    return await learner.client.get(
        "/api/v1/account/export", headers=learner.headers if headers is None else headers
    )


def entries(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


async def test_the_zip_holds_everything_verbatim_and_no_secret(make_learner, issuer, put_in_wallet):
    learner = await make_learner()
    services = learner.services
    json_raw = issuer.badge_bytes(learner.did)
    jwt_raw = issuer.jwt_badge(learner.did, name="Token Badge")
    json_id = await put_in_wallet(learner, json_raw)
    jwt_id = await put_in_wallet(learner, jwt_raw)
    await credentials.change_credential(
        services, learner.account_id, json_id, CredentialChange(add_labels=("favourite",))
    )
    shelf = await credentials.create_collection(services, learner.account_id, "Shelf")
    await credentials.change_collection(
        services, learner.account_id, shelf["_id"], CollectionChange(add=(jwt_id,))
    )
    grant = await offers.create_grant(services, learner.account_id, "Inbox Issuer")
    offered = await offers.create_claim_offer(
        services, issuer.badge_bytes(learner.did, name="Offered"), email=learner.email
    )

    response = await download(learner)
    assert response.status == 200
    assert response.content_type == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    body = await response.read()
    files = entries(body)

    assert files[f"credentials/{json_id}.json"] == json_raw
    assert files[f"credentials/{jwt_id}.jwt"] == jwt_raw
    assert json.loads(files[f"reports/{json_id}.json"])["verified"] is True
    index = {entry["id"]: entry for entry in json.loads(files["credentials.json"])}
    assert index[json_id]["labels"] == ["favourite"]
    assert index[jwt_id]["collections"] == [shelf["_id"]]
    assert index[jwt_id]["file"] == f"credentials/{jwt_id}.jwt"
    assert [c["name"] for c in json.loads(files["collections.json"])] == ["Shelf"]
    assert [o["id"] for o in json.loads(files["offers.json"])] == [offered.offer["_id"]]
    assert json.loads(files["inbox-grants.json"])[0]["issuerName"] == "Inbox Issuer"
    profile = json.loads(files["profile.json"])
    assert [e["address"] for e in profile["emails"]] == [learner.email]
    assert profile["dids"][0]["did"] == learner.did
    assert profile["dids"][0]["publicKeyMultibase"] == learner.did.removeprefix("did:key:")
    readme = files["README.txt"].decode()
    assert "credentials/" in readme and "Private keys are never" in readme

    everything = b"\n".join(files.values())
    _, private_key = await identity.current_key(services, learner.account_id)
    key_doc = (await identity.all_keys(services.store, learner.account_id))[0]
    account = await services.store.get("accounts", learner.account_id)
    secrets_ = [
        private_key_to_jwk(private_key)["d"],
        key_doc["sealed"],
        account["password_hash"],
        learner.token,
        grant.token,
        offered.claim_url.rsplit("/", 1)[-1],
    ]
    for secret in secrets_:
        assert secret.encode() not in everything


async def test_export_needs_the_account_read_scope(wallet_app, make_learner):
    learner = await make_learner()
    assert (await wallet_app.get("/api/v1/account/export")).status == 401
    narrow = await accounts.create_api_token(
        learner.services, learner.account_id, "narrow", ["credentials:read"]
    )
    response = await download(learner, {"Authorization": f"Bearer {narrow.secret}"})
    assert response.status == 403


async def test_an_other_learners_data_is_not_in_my_export(make_learner, issuer, put_in_wallet):
    mine = await make_learner()
    theirs = await make_learner()
    their_raw = issuer.badge_bytes(theirs.did, name="Theirs")
    await put_in_wallet(theirs, their_raw)
    files = entries(await (await download(mine)).read())
    assert not [name for name in files if name.startswith("credentials/")]
    assert their_raw not in b"".join(files.values())
    assert theirs.email.encode() not in b"".join(files.values())


async def test_an_export_over_the_size_bound_is_refused(make_learner, issuer, put_in_wallet):
    learner = await make_learner()
    await put_in_wallet(learner, issuer.badge_bytes(learner.did))
    with pytest.raises(export.ExportTooLargeError):
        await export.export_account(learner.services, learner.account_id, limit=2000)

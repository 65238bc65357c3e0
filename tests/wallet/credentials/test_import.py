"""Import through the service: every format stored verbatim, with its report and index fields;
recipients matched or flagged; duplicates pointed at; forged or unreadable input refused."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest

from satchel.validator.extract import extract_bytes
from satchel.validator.identity import hash_identity
from satchel.validator.proofs.vc_jwt import sign_vc_jwt
from satchel.wallet import accounts
from satchel.wallet import credentials as store
from satchel.wallet.credentials import ImportItem


async def stored(services: Any, owner: str, data: bytes, **kwargs: Any) -> dict[str, Any]:
    result = await store.import_credential(services, owner, ImportItem(data), **kwargs)
    assert result.outcome == "stored", result
    return await store.get_credential(services, owner, result.credential_id)


def unsigned_jwt_credential(issuer: Any, to_did: str) -> dict[str, Any]:
    document = json.loads(json.dumps(issuer.credential(to_did=to_did)))
    del document["proof"]
    document["@context"] = [c for c in document["@context"] if "data-integrity" not in c]
    return document


async def test_json_credential_is_stored_verbatim_beside_its_report_and_index_fields(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    raw = issuer.json_bytes(to_did=learner.did, name="Robotics", tags=["stem", "lego"])
    doc = await stored(wallet_services, learner.account_id, raw)
    assert doc["raw"] == raw
    assert doc["sha256"] == hashlib.sha256(raw).hexdigest()
    assert (doc["format"], doc["media_type"]) == ("json", "application/json")
    assert (doc["state"], doc["visibility"], doc["status"]) == ("accepted", "private", "valid")
    assert doc["recipient"] == "matched"
    assert doc["report"]["verified"] is True
    assert doc["name"] == doc["achievement_name"] == "Robotics"
    assert doc["issuer_id"] == issuer.did
    assert doc["issuer_name"] == "Satchel Test University"
    assert doc["tags"] == ["stem", "lego"]
    assert doc["issued_at"] == "2024-01-01T00:00:00Z"
    assert "OpenBadgeCredential" in doc["types"]
    history = await store.verdict_history(wallet_services, learner.account_id, doc["_id"])
    assert [v["status"] for v in history.items] == ["valid"]


@pytest.mark.parametrize("form", ["png", "svg", "jwt"])
async def test_baked_and_jwt_credentials_keep_their_original_bytes(
    wallet_services, make_learner, issuer, kit, form
):
    learner = await make_learner()
    if form == "jwt":
        unsigned = unsigned_jwt_credential(issuer, learner.did)
        raw = sign_vc_jwt(unsigned, issuer.key, kid=issuer.method).encode()
        media = "application/vc+jwt"
    else:
        payload = json.dumps(issuer.credential(to_did=learner.did))
        raw = kit.png(payload) if form == "png" else kit.svg(payload)
        media = "image/png" if form == "png" else "image/svg+xml"
    doc = await stored(wallet_services, learner.account_id, raw)
    assert doc["raw"] == raw
    assert (doc["format"], doc["media_type"]) == (form, media)
    assert (doc["status"], doc["recipient"]) == ("valid", "matched"), doc["report"]


async def test_url_import_stores_the_fetched_body_and_its_address(
    wallet_services, make_learner, issuer, use_hosts
):
    learner = await make_learner()
    raw = issuer.json_bytes(to_did=learner.did)
    use_hosts.serve("https://issuer.example/badges/1", raw, content_type="application/ld+json")
    result = await store.import_credential(
        wallet_services,
        learner.account_id,
        ImportItem(b"https://issuer.example/badges/1", origin="url"),
    )
    assert result.outcome == "stored", result
    doc = await store.get_credential(wallet_services, learner.account_id, result.credential_id)
    assert doc["raw"] == raw
    assert doc["source_url"] == "https://issuer.example/badges/1"


async def test_url_that_cannot_be_fetched_is_rejected_with_the_reason(
    wallet_services, make_learner, use_hosts
):
    learner = await make_learner()
    result = await store.import_credential(
        wallet_services, learner.account_id, ImportItem(b"https://issuer.example/missing")
    )
    assert result.outcome == "rejected"
    assert "404" in (result.reason or "")


@pytest.mark.parametrize("name", ["simple.json", "simple-json.png", "simple-json.svg"])
async def test_1edtech_ob30_fixtures_import_and_flag_a_recipient_that_is_not_the_learner(
    wallet_services, make_learner, use_hosts, kit, name
):
    learner = await make_learner()
    raw = (kit.ob30 / name).read_bytes()
    kit.publish_keys(use_hosts, extract_bytes(raw).document)
    wallet_services.now = lambda: kit.now
    doc = await stored(wallet_services, learner.account_id, raw)
    assert doc["raw"] == raw
    assert doc["status"] == "valid", doc["report"]
    assert doc["recipient"] == "mismatch"  # issued to did:example:ebfeb1f712ebc6f1c276e12ec21
    assert (doc["name"], doc["achievement_name"]) == ("Teamwork Badge", "Teamwork")
    assert doc["issuer_name"] == "Example Corp"
    assert doc["credential_id"] == "http://example.com/credentials/3527"


async def test_ob2_assertion_is_stored_and_matched_by_its_hashed_email(
    wallet_services, make_learner, use_hosts, kit
):
    learner = await make_learner()
    kit.serve_ob20_assets(use_hosts)
    assertion = json.loads((kit.ob20 / "basic-assertion.json").read_text())
    assertion["recipient"]["identity"] = hash_identity(learner.email, "deadsea")
    use_hosts.serve(assertion["id"], assertion, content_type="application/ld+json")
    raw = json.dumps(assertion).encode()
    doc = await stored(wallet_services, learner.account_id, raw)
    assert doc["kind"] == "ob2-assertion"
    assert (doc["status"], doc["recipient"]) == ("valid", "matched"), doc["report"]
    assert doc["issued_at"] == "2016-12-31T23:59:59Z"
    assert doc["credential_id"] == assertion["id"]
    # The assertion names its BadgeClass and issuer only by URL: the index takes the fetched ones.
    assert (doc["name"], doc["achievement_name"]) == ("Awesome Robotics Badge",) * 2
    assert doc["description"].startswith("For doing awesome things with robots")
    assert (doc["issuer_id"], doc["issuer_name"]) == (
        "https://example.org/organization.json",
        "An Example Badge Issuer",
    )


async def test_ob2_assertion_for_someone_else_is_stored_flagged_as_mismatch(
    wallet_services, make_learner, use_hosts, kit
):
    learner = await make_learner()
    kit.serve_ob20_assets(use_hosts)
    assertion = json.loads((kit.ob20 / "basic-assertion.json").read_text())
    use_hosts.serve(assertion["id"], assertion, content_type="application/ld+json")
    doc = await stored(wallet_services, learner.account_id, json.dumps(assertion).encode())
    assert doc["recipient"] == "mismatch"


async def test_hashed_email_recipient_matches_the_learners_verified_email(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    doc = await stored(
        wallet_services, learner.account_id, issuer.json_bytes(to_email=learner.email)
    )
    assert doc["recipient"] == "matched", doc["recipient_detail"]


async def test_credential_for_another_recipient_is_stored_but_flagged(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    other = await stored(
        wallet_services, learner.account_id, issuer.json_bytes(to_email="someone@else.example")
    )
    by_did = await stored(
        wallet_services, learner.account_id, issuer.json_bytes(to_did="did:example:stranger")
    )
    assert other["recipient"] == by_did["recipient"] == "mismatch"
    assert other["status"] == "valid"


async def test_expired_credential_is_stored_flagged_expired(wallet_services, make_learner, issuer):
    learner = await make_learner()
    raw = issuer.json_bytes(to_did=learner.did, valid_until="2024-06-01T00:00:00Z")
    doc = await stored(wallet_services, learner.account_id, raw)
    assert doc["status"] == "expired"
    assert doc["expires_at"] == "2024-06-01T00:00:00Z"


async def test_pending_state_is_kept_for_offers(wallet_services, make_learner, issuer):
    learner = await make_learner()
    raw = issuer.json_bytes(to_did=learner.did)
    doc = await stored(wallet_services, learner.account_id, raw, state="pending")
    assert doc["state"] == "pending"


async def test_same_bytes_twice_is_a_duplicate_pointing_at_the_first(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    raw = issuer.json_bytes(to_did=learner.did)
    first = await store.import_credential(wallet_services, learner.account_id, ImportItem(raw))
    again = await store.import_credential(wallet_services, learner.account_id, ImportItem(raw))
    assert (again.outcome, again.credential_id) == ("duplicate", first.credential_id)
    assert await wallet_services.store.count("credentials", {"owner": learner.account_id}) == 1


async def test_same_issuer_and_id_in_other_bytes_is_a_duplicate(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    signed = issuer.credential(to_did=learner.did, credential_id="urn:uuid:same")
    first = await store.import_credential(
        wallet_services, learner.account_id, ImportItem(json.dumps(signed).encode())
    )
    resigned = issuer.credential(to_did=learner.did, credential_id="urn:uuid:same", name="New")
    again = await store.import_credential(
        wallet_services, learner.account_id, ImportItem(json.dumps(resigned, indent=2).encode())
    )
    assert (again.outcome, again.credential_id) == ("duplicate", first.credential_id)


async def test_duplicates_inside_one_batch_point_at_the_first_item(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    signed = issuer.credential(to_did=learner.did, credential_id="urn:uuid:batch-dup")
    items = [
        ImportItem(json.dumps(signed).encode(), name="a.json"),
        ImportItem(json.dumps(signed).encode(), name="b.json"),
        ImportItem(json.dumps(signed, indent=3).encode(), name="c.json"),
    ]
    results = await store.import_many(wallet_services, learner.account_id, items)
    assert [r.outcome for r in results] == ["stored", "duplicate", "duplicate"]
    assert results[1].credential_id == results[2].credential_id == results[0].credential_id


async def test_the_same_credential_in_two_wallets_is_not_a_duplicate(
    wallet_services, make_learner, issuer
):
    first, second = await make_learner(), await make_learner()
    raw = issuer.json_bytes(to_did=first.did)
    one = await store.import_credential(wallet_services, first.account_id, ImportItem(raw))
    two = await store.import_credential(wallet_services, second.account_id, ImportItem(raw))
    assert (one.outcome, two.outcome) == ("stored", "stored")
    assert two.recipient == "mismatch"


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("tampered", "failed verification"),
        ("unsigned", "failed verification"),
        ("presentation", "not a credential"),
        ("html", "web page"),
        ("not json", "not a badge"),
    ],
)
async def test_forged_or_unusable_input_is_rejected_and_nothing_stored(
    wallet_services, make_learner, issuer, case, reason
):
    learner = await make_learner()
    signed = issuer.credential(to_did=learner.did)
    data = {
        "tampered": json.dumps({**signed, "name": "Forged"}).encode(),
        "unsigned": json.dumps({k: v for k, v in signed.items() if k != "proof"}).encode(),
        "presentation": json.dumps(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [signed],
            }
        ).encode(),
        "html": b"<!DOCTYPE html><html><body>hi</body></html>",
        "not json": b"{this is not json",
    }[case]
    result = await store.import_credential(wallet_services, learner.account_id, ImportItem(data))
    assert result.outcome == "rejected"
    assert reason in (result.reason or "").lower() or reason in (result.reason or ""), result
    assert await wallet_services.store.count("credentials", {"owner": learner.account_id}) == 0


async def test_a_second_verified_email_matches_but_an_unverified_one_does_not(
    wallet_app, wallet_services, make_learner, issuer
):
    learner = await make_learner()
    owner = learner.account_id
    await accounts.add_email(wallet_services, owner, "second@example.org")
    await accounts.add_email(wallet_services, owner, "unconfirmed@example.org")
    await accounts.flush_mail()
    message = wallet_app.mailbox.to("second@example.org")[-1]
    text = str(message.get_body(("plain",)).get_content())
    token = re.search(r"/verify-email\?token=([A-Za-z0-9_\-]+)", text).group(1)
    await accounts.verify_email(wallet_services, token)
    matched = await stored(wallet_services, owner, issuer.json_bytes(to_email="second@example.org"))
    unverified = await stored(
        wallet_services, owner, issuer.json_bytes(to_email="unconfirmed@example.org")
    )
    assert (matched["recipient"], unverified["recipient"]) == ("matched", "mismatch")

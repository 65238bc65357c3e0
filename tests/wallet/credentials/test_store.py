"""The learner's credential store: states, visibility, labels, collections, search and filters
with stable cursors, re-verification with a verdict history, deletion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from satchel.validator.proofs.data_integrity import sign
from satchel.validator.status.bitstring import encode_bitstring
from satchel.validator.status.issuing import make_status_list_credential
from satchel.wallet import credentials as store
from satchel.wallet.credentials import (
    CollectionChange,
    CollectionNotFoundError,
    CredentialChange,
    CredentialChangeError,
    CredentialNotFoundError,
    CredentialQuery,
    ImportItem,
)
from satchel.wallet.storage import InvalidQueryError


async def add(services: Any, owner: str, data: bytes, **kwargs: Any) -> str:
    result = await store.import_credential(services, owner, ImportItem(data), **kwargs)
    assert result.outcome == "stored", result
    return result.credential_id or ""


def day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def ids(services: Any, owner: str, **filters: Any) -> set[str]:
    page = await store.list_credentials(services, owner, CredentialQuery(**filters), limit=100)
    return {doc["_id"] for doc in page.items}


async def test_offer_goes_from_pending_to_accepted_or_declined_never_back(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    owner = learner.account_id
    first = await add(wallet_services, owner, issuer.json_bytes(), state="pending")
    second = await add(wallet_services, owner, issuer.json_bytes(), state="pending")
    accepted = await store.change_credential(
        wallet_services, owner, first, CredentialChange(state="accepted")
    )
    declined = await store.change_credential(
        wallet_services, owner, second, CredentialChange(state="declined")
    )
    assert (accepted["state"], declined["state"]) == ("accepted", "declined")
    with pytest.raises(CredentialChangeError):
        await store.change_credential(
            wallet_services, owner, first, CredentialChange(state="pending")
        )
    assert await ids(wallet_services, owner, state="pending") == set()


async def test_public_credential_gets_an_unguessable_id_that_dies_when_private(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    owner = learner.account_id
    credential_id = await add(wallet_services, owner, issuer.json_bytes())
    public = await store.change_credential(
        wallet_services, owner, credential_id, CredentialChange(visibility="public")
    )
    public_id = public["public_id"]
    assert len(public_id) >= 32
    assert (await store.get_public(wallet_services, public_id))["_id"] == credential_id
    private = await store.change_credential(
        wallet_services, owner, credential_id, CredentialChange(visibility="private")
    )
    assert "public_id" not in private
    assert await store.get_public(wallet_services, public_id) is None
    again = await store.change_credential(
        wallet_services, owner, credential_id, CredentialChange(visibility="public")
    )
    assert again["public_id"] != public_id


async def test_only_an_accepted_credential_can_be_public_and_declining_withdraws_it(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    owner = learner.account_id
    pending = await add(wallet_services, owner, issuer.json_bytes(), state="pending")
    with pytest.raises(CredentialChangeError):
        await store.change_credential(
            wallet_services, owner, pending, CredentialChange(visibility="public")
        )
    shown = await add(wallet_services, owner, issuer.json_bytes())
    await store.change_credential(
        wallet_services, owner, shown, CredentialChange(visibility="public")
    )
    declined = await store.change_credential(
        wallet_services, owner, shown, CredentialChange(state="declined")
    )
    assert declined["visibility"] == "private"
    assert "public_id" not in declined


async def test_labels_are_added_removed_and_replaced(wallet_services, make_learner, issuer):
    learner = await make_learner()
    owner = learner.account_id
    credential_id = await add(wallet_services, owner, issuer.json_bytes())
    change = CredentialChange(add_labels=("work", "  cpd  ", "work"))
    doc = await store.change_credential(wallet_services, owner, credential_id, change)
    assert doc["labels"] == ["work", "cpd"]
    change = CredentialChange(remove_labels=("work",), add_labels=("school",))
    doc = await store.change_credential(wallet_services, owner, credential_id, change)
    assert doc["labels"] == ["cpd", "school"]
    change = CredentialChange(labels=("only",))
    doc = await store.change_credential(wallet_services, owner, credential_id, change)
    assert doc["labels"] == ["only"]
    assert await ids(wallet_services, owner, label="only") == {credential_id}
    with pytest.raises(CredentialChangeError):
        await store.change_credential(
            wallet_services, owner, credential_id, CredentialChange(add_labels=("x" * 65,))
        )


async def test_collections_group_credentials_and_deleting_one_keeps_them(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    owner = learner.account_id
    first = await add(wallet_services, owner, issuer.json_bytes())
    second = await add(wallet_services, owner, issuer.json_bytes())
    collection = await store.create_collection(wallet_services, owner, "Job applications")
    cid = collection["_id"]
    await store.change_collection(
        wallet_services, owner, cid, CollectionChange(add=(first, second), name="Jobs")
    )
    assert await ids(wallet_services, owner, collection=cid) == {first, second}
    assert await store.collection_size(wallet_services, owner, cid) == 2
    await store.change_collection(wallet_services, owner, cid, CollectionChange(remove=(second,)))
    assert await ids(wallet_services, owner, collection=cid) == {first}
    assert [c["name"] for c in await store.list_collections(wallet_services, owner)] == ["Jobs"]
    await store.delete_collection(wallet_services, owner, cid)
    assert (await store.get_credential(wallet_services, owner, first))["collections"] == []
    with pytest.raises(CollectionNotFoundError):
        await store.get_collection(wallet_services, owner, cid)


async def test_a_collection_cannot_take_another_learners_credential(
    wallet_services, make_learner, issuer
):
    owner, stranger = await make_learner(), await make_learner()
    theirs = await add(wallet_services, stranger.account_id, issuer.json_bytes())
    collection = await store.create_collection(wallet_services, owner.account_id, "Mine")
    with pytest.raises(CredentialNotFoundError):
        await store.change_collection(
            wallet_services, owner.account_id, collection["_id"], CollectionChange(add=(theirs,))
        )
    assert (await store.get_credential(wallet_services, stranger.account_id, theirs))[
        "collections"
    ] == []


async def test_search_and_filters_combine_and_never_cross_learners(
    wallet_services, make_learner, issuer
):
    learner, other = await make_learner(), await make_learner()
    owner = learner.account_id
    robotics = await add(
        wallet_services,
        owner,
        issuer.json_bytes(name="Robotics Champion", valid_from="2023-05-01T10:00:00Z"),
    )
    cooking = await add(
        wallet_services,
        owner,
        issuer.json_bytes(name="Cooking", tags=["culinary"], valid_from="2024-03-01T00:00:00Z"),
    )
    expired = await add(
        wallet_services,
        owner,
        issuer.json_bytes(name="Robotics Junior", valid_until="2024-06-01T00:00:00Z"),
    )
    await add(wallet_services, other.account_id, issuer.json_bytes(name="Robotics Champion"))
    assert await ids(wallet_services, owner, text="robot") == {robotics, expired}
    assert await ids(wallet_services, owner, text="culin") == {cooking}
    assert await ids(wallet_services, owner, text="robotics champ") == {robotics}
    assert await ids(wallet_services, owner, status="expired") == {expired}
    assert await ids(wallet_services, owner, issuer=issuer.did) == {robotics, cooking, expired}
    assert await ids(wallet_services, owner, issued_to="2023-12-31") == {robotics}
    assert await ids(wallet_services, owner, issued_from="2024-01-01", issued_to="2024-01-01") == {
        expired
    }
    assert await ids(wallet_services, owner, text="robot", status="valid") == {robotics}
    with pytest.raises(InvalidQueryError):
        await ids(wallet_services, owner, status="shiny")
    with pytest.raises(InvalidQueryError):
        await ids(wallet_services, owner, issued_from="last tuesday")


async def test_cursor_pages_are_stable_while_new_credentials_arrive(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    owner = learner.account_id
    clock = [datetime.now(UTC)]

    def now() -> datetime:
        clock[0] += timedelta(seconds=1)
        return clock[0]

    wallet_services.now = now
    added = [await add(wallet_services, owner, issuer.json_bytes()) for _ in range(7)]
    seen: list[str] = []
    page = await store.list_credentials(wallet_services, owner, CredentialQuery(), limit=3)
    seen += [doc["_id"] for doc in page.items]
    await add(wallet_services, owner, issuer.json_bytes())  # newer: sorts before the cursor
    while page.next_cursor:
        page = await store.list_credentials(
            wallet_services, owner, CredentialQuery(), limit=3, cursor=page.next_cursor
        )
        seen += [doc["_id"] for doc in page.items]
    assert seen == list(reversed(added))  # newest imported first, each exactly once


async def test_reverification_records_a_history_when_a_credential_expires(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    owner = learner.account_id
    today = datetime.now(UTC)
    later = today + timedelta(days=60)
    credential_id = await add(
        wallet_services, owner, issuer.json_bytes(valid_until=day(today + timedelta(days=30)))
    )
    wallet_services.now = lambda: later
    doc = await store.reverify(wallet_services, owner, credential_id)
    assert doc["status"] == "expired"
    history = await store.verdict_history(wallet_services, owner, credential_id)
    assert [(v["status"], v["checked_at"][:10]) for v in history.items] == [
        ("expired", day(later)[:10]),
        ("valid", day(today)[:10]),
    ]


async def test_verify_all_reports_which_credentials_changed(wallet_services, make_learner, issuer):
    learner = await make_learner()
    owner = learner.account_id
    lasting = await add(wallet_services, owner, issuer.json_bytes(to_did=learner.did))
    soon = day(datetime.now(UTC) + timedelta(days=1))
    ending = await add(wallet_services, owner, issuer.json_bytes(valid_until=soon))
    later = datetime.now(UTC) + timedelta(days=30)
    wallet_services.now = lambda: later
    summary = await store.reverify_all(wallet_services, owner)
    assert summary.checked == 2
    assert summary.changed == [ending]
    assert (summary.statuses["valid"], summary.statuses["expired"]) == (1, 1)
    assert (await store.get_credential(wallet_services, owner, lasting))["recipient"] == "matched"


async def test_deletion_removes_the_credential_and_its_verdicts(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    owner = learner.account_id
    credential_id = await add(wallet_services, owner, issuer.json_bytes())
    await store.reverify(wallet_services, owner, credential_id)
    await store.delete_credential(wallet_services, owner, credential_id)
    with pytest.raises(CredentialNotFoundError):
        await store.get_credential(wallet_services, owner, credential_id)
    assert await wallet_services.store.count("verdicts", {"credential_ref": credential_id}) == 0


async def test_another_learner_sees_the_same_not_found_as_for_a_missing_id(
    wallet_services, make_learner, issuer
):
    owner, stranger = await make_learner(), await make_learner()
    credential_id = await add(wallet_services, owner.account_id, issuer.json_bytes())
    for attempt in (
        store.get_credential(wallet_services, stranger.account_id, credential_id),
        store.reverify(wallet_services, stranger.account_id, credential_id),
        store.delete_credential(wallet_services, stranger.account_id, credential_id),
        store.verdict_history(wallet_services, stranger.account_id, credential_id),
        store.change_credential(
            wallet_services, stranger.account_id, credential_id, CredentialChange(state="declined")
        ),
    ):
        with pytest.raises(CredentialNotFoundError):
            await attempt
    assert (await store.get_credential(wallet_services, owner.account_id, credential_id))[
        "state"
    ] == "accepted"


def status_list(issuer: Any, url: str, revoked: set[int]) -> dict[str, Any]:
    # ttl 0: the issuer says not to cache it, so a re-verification sees a revocation at once
    unsigned = make_status_list_credential(url, issuer.did, encode_bitstring(revoked), ttl_ms=0)
    return sign(
        unsigned, issuer.key, cryptosuite="eddsa-jcs-2022", verification_method=issuer.method
    )


async def test_reverification_notices_a_revocation_and_keeps_the_history(
    wallet_services, make_learner, issuer, use_hosts
):
    learner = await make_learner()
    owner = learner.account_id
    url = "https://issuer.example/status/1"
    entry = {
        "id": f"{url}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": url,
    }
    use_hosts.serve(url, status_list(issuer, url, set()))
    credential_id = await add(
        wallet_services, owner, issuer.json_bytes(extra={"credentialStatus": entry})
    )
    assert (await store.get_credential(wallet_services, owner, credential_id))["status"] == "valid"
    use_hosts.serve(url, status_list(issuer, url, {42}))
    doc = await store.reverify(wallet_services, owner, credential_id)
    assert doc["status"] == "revoked", doc["report"]
    assert await ids(wallet_services, owner, status="revoked") == {credential_id}
    history = await store.verdict_history(wallet_services, owner, credential_id)
    assert [v["status"] for v in history.items] == ["revoked", "valid"]

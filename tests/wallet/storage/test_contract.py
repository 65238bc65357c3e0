"""The storage contract: every adapter (see conftest: sqlite, secantusdb, mongodb) must pass it."""

from __future__ import annotations

import asyncio
import os
import random
from typing import Any

import pytest

from satchel.wallet.storage import (
    Collection,
    ConflictError,
    DuplicateKeyError,
    FieldType,
    Index,
    InvalidDocumentError,
    InvalidQueryError,
    NotFoundError,
    Operations,
    Schema,
    Store,
    TransactionAbortedError,
    in_transaction,
)

CREDS = "credentials"


def cred(doc_id: str, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"_id": doc_id, "owner": "alice", "credential_id": f"urn:{doc_id}"}
    doc.update(fields)
    return doc


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["_id"] for item in items]


async def all_pages(store: Store, flt: dict[str, Any], sort: Any, limit: int) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = await store.find(CREDS, flt, sort=sort, limit=limit, after=after)
        seen.extend(ids(page.items))
        if page.next_cursor is None:
            return seen
        after = page.next_cursor


# ---- documents --------------------------------------------------------------------------------


async def test_insert_then_get_returns_the_document_at_version_1(store: Store) -> None:
    stored = await store.insert(CREDS, cred("a", name="Badge", nested={"x": [1, 2.5, None]}))
    assert stored["_version"] == 1
    got = await store.get(CREDS, "a")
    assert got == {**cred("a", name="Badge", nested={"x": [1, 2.5, None]}), "_version": 1}


async def test_get_of_an_unknown_id_returns_none(store: Store) -> None:
    assert await store.get(CREDS, "nope") is None


async def test_values_keep_their_json_types(store: Store) -> None:
    value = {"f": 1.0, "i": 7, "b": True, "n": None, "s": "x\x00y é 😀", "l": [{"k": False}]}
    await store.insert(CREDS, cred("a", payload=value))
    got = await store.get(CREDS, "a")
    assert got is not None
    assert got["payload"] == value
    assert type(got["payload"]["f"]) is float and type(got["payload"]["i"]) is int
    assert got["payload"]["b"] is True


async def test_bytes_round_trip_byte_identical(store: Store) -> None:
    rng = random.Random(4)
    blobs = [bytes(rng.randrange(256) for _ in range(n)) for n in (0, 1, 17, 4096)]
    blobs.append(b"\x00\xff\xfe\xc3\x28 not utf-8 \x80")
    await store.insert(CREDS, cred("a", raw=blobs[-1], many=blobs, deep={"in": {"side": blobs}}))
    got = await store.get(CREDS, "a")
    assert got is not None
    assert got["raw"] == blobs[-1] and isinstance(got["raw"], bytes)
    assert got["many"] == blobs
    assert got["deep"]["in"]["side"] == blobs


async def test_a_one_megabyte_document_round_trips(store: Store) -> None:
    big_bytes = os.urandom(1024 * 1024)
    big_text = "é" * (512 * 1024)
    await store.insert(CREDS, cred("big", raw=big_bytes, text=big_text))
    got = await store.get(CREDS, "big")
    assert got is not None
    assert got["raw"] == big_bytes and got["text"] == big_text


@pytest.mark.parametrize(
    ("doc", "why"),
    [
        ({"owner": "x"}, "missing _id"),
        ({"_id": 3}, "non-string _id"),
        ({"_id": "a", "$where": 1}, "$ key"),
        ({"_id": "a", "x": {"a.b": 1, "$b": 2}}, "nested $ key"),
        ({"_id": "a", "x": float("nan")}, "NaN"),
        ({"_id": "a", "x": 2**64}, "integer beyond 64 bits"),
        ({"_id": "a", "x": {1, 2}}, "a set"),
        ({"_id": "a", "x": "\udc80"}, "lone surrogate"),
        ({"_id": "a", "owner": 5}, "wrong type for a declared string field"),
        ({"_id": "a", "public": 1}, "int for a boolean field"),
        ({"_id": "a", "rank": 1.5}, "float for an integer field"),
        ({"_id": "a", "labels": "x"}, "string for a list field"),
        ({"_id": "a", "name": 5}, "number in a text field"),
        ({"_id": "a", "_terms": ["x"]}, "store-owned field"),
    ],
)
async def test_unportable_documents_are_refused(
    store: Store, doc: dict[str, Any], why: str
) -> None:
    with pytest.raises(InvalidDocumentError):
        await store.insert(CREDS, doc)
    assert await store.count(CREDS) == 0, why


# ---- unique constraints ----------------------------------------------------------------------


async def test_duplicate_id_is_refused_and_names_the_existing_document(store: Store) -> None:
    await store.insert(CREDS, cred("a"))
    with pytest.raises(DuplicateKeyError) as caught:
        await store.insert(CREDS, cred("a", credential_id="urn:other"))
    assert caught.value.fields == ("_id",)
    assert caught.value.existing_id == "a"


async def test_compound_unique_constraint_names_fields_and_existing_document(store: Store) -> None:
    await store.insert(CREDS, cred("a", credential_id="urn:same"))
    await store.insert(CREDS, cred("b", owner="bob", credential_id="urn:same"))  # other owner
    with pytest.raises(DuplicateKeyError) as caught:
        await store.insert(CREDS, cred("c", credential_id="urn:same"))
    assert caught.value.fields == ("owner", "credential_id")
    assert caught.value.existing_id == "a"
    assert caught.value.collection == CREDS
    assert await store.get(CREDS, "c") is None


async def test_single_field_unique_constraint(store: Store) -> None:
    await store.insert("accounts", {"_id": "u1", "email": "a@example.org"})
    with pytest.raises(DuplicateKeyError) as caught:
        await store.insert("accounts", {"_id": "u2", "email": "a@example.org"})
    assert caught.value.fields == ("email",)
    assert caught.value.existing_id == "u1"


async def test_unique_constraint_ignores_documents_missing_a_field(store: Store) -> None:
    await store.insert(CREDS, {"_id": "a", "owner": "alice"})
    await store.insert(CREDS, {"_id": "b", "owner": "alice"})
    await store.insert(CREDS, {"_id": "c", "owner": "alice", "credential_id": None})
    await store.insert("accounts", {"_id": "u1"})
    await store.insert("accounts", {"_id": "u2"})
    assert await store.count(CREDS) == 3


async def test_update_that_breaks_a_unique_constraint_is_refused(store: Store) -> None:
    await store.insert(CREDS, cred("a"))
    await store.insert(CREDS, cred("b"))
    with pytest.raises(DuplicateKeyError) as caught:
        await store.update(CREDS, "b", {"credential_id": "urn:a"})
    assert caught.value.existing_id == "a"
    got = await store.get(CREDS, "b")
    assert got is not None and got["credential_id"] == "urn:b" and got["_version"] == 1


async def test_insert_many_is_all_or_nothing(store: Store) -> None:
    await store.insert(CREDS, cred("x"))
    batch = [cred(f"n{i}") for i in range(5)] + [cred("y", credential_id="urn:x")]
    with pytest.raises(DuplicateKeyError):
        await store.insert_many(CREDS, batch)
    assert await store.count(CREDS) == 1
    await store.insert_many(CREDS, batch[:5])
    assert await store.count(CREDS) == 6


# ---- transactions ----------------------------------------------------------------------------


async def test_transaction_commits_all_writes_together(store: Store) -> None:
    await store.insert(CREDS, cred("old"))
    async with store.transaction() as tx:
        await tx.insert(CREDS, cred("a"))
        await tx.insert("accounts", {"_id": "u1", "email": "a@example.org"})
        await tx.update(CREDS, "old", {"state": "accepted"})
        await tx.delete(CREDS, "a")
        await tx.insert(CREDS, cred("b"))
    assert ids((await store.find(CREDS)).items) == ["b", "old"]
    assert await store.get("accounts", "u1") is not None
    old = await store.get(CREDS, "old")
    assert old is not None and old["state"] == "accepted"


async def test_transaction_reads_its_own_writes_which_others_do_not_see(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert(CREDS, cred("a", name="Pending thing"))
        assert await tx.get(CREDS, "a") is not None
        assert await tx.count(CREDS, {"owner": "alice"}) == 1
        assert ids((await tx.find(CREDS, {"$text": "pend"})).items) == ["a"]
        assert await store.get(CREDS, "a") is None
    assert await store.get(CREDS, "a") is not None


async def test_exception_in_transaction_rolls_everything_back(store: Store) -> None:
    await store.insert(CREDS, cred("keep", name="kept"))
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.insert(CREDS, cred("a", name="gone"))
            await tx.update(CREDS, "keep", {"name": "changed"})
            await tx.delete_many(CREDS, {"owner": "alice"})
            raise RuntimeError("boom")
    assert ids((await store.find(CREDS)).items) == ["keep"]
    kept = await store.get(CREDS, "keep")
    assert kept is not None and kept["name"] == "kept" and kept["_version"] == 1
    assert await store.count(CREDS, {"$text": "gone"}) == 0
    assert await store.count(CREDS, {"$text": "kept"}) == 1


async def test_unique_violation_in_transaction_aborts_it_whole(store: Store) -> None:
    await store.insert(CREDS, cred("a"))
    with pytest.raises(DuplicateKeyError) as caught:
        async with store.transaction() as tx:
            await tx.insert(CREDS, cred("b"))
            await tx.insert(CREDS, cred("c", credential_id="urn:a"))
    assert caught.value.existing_id == "a"
    assert ids((await store.find(CREDS)).items) == ["a"]


async def test_duplicate_within_one_transaction_stores_nothing(store: Store) -> None:
    with pytest.raises(DuplicateKeyError) as caught:
        async with store.transaction() as tx:
            await tx.insert(CREDS, cred("a"))
            await tx.insert(CREDS, cred("b", credential_id="urn:a"))
    assert caught.value.fields == ("owner", "credential_id")
    assert await store.count(CREDS) == 0


async def test_transaction_that_swallowed_a_failure_cannot_commit(store: Store) -> None:
    await store.insert(CREDS, cred("a"))
    with pytest.raises(TransactionAbortedError):
        async with store.transaction() as tx:
            await tx.insert(CREDS, cred("b"))
            with pytest.raises(DuplicateKeyError):
                await tx.insert(CREDS, cred("a"))
    assert ids((await store.find(CREDS)).items) == ["a"]


# ---- updates and optimistic concurrency ------------------------------------------------------


async def test_update_sets_and_unsets_fields_and_bumps_the_version(store: Store) -> None:
    await store.insert(CREDS, cred("a", state="pending", labels=["x"], note="n"))
    updated = await store.update(CREDS, "a", {"state": "accepted"}, unset=["note", "labels"])
    assert updated["_version"] == 2 and updated["state"] == "accepted"
    got = await store.get(CREDS, "a")
    assert got == {**cred("a", state="accepted"), "_version": 2}
    assert await store.count(CREDS, {"labels": "x"}) == 0
    assert await store.count(CREDS, {"state": "accepted"}) == 1


async def test_update_with_a_stale_version_is_a_conflict(store: Store) -> None:
    await store.insert(CREDS, cred("a"))
    await store.update(CREDS, "a", {"state": "one"}, expected_version=1)
    with pytest.raises(ConflictError):
        await store.update(CREDS, "a", {"state": "two"}, expected_version=1)
    got = await store.get(CREDS, "a")
    assert got is not None and got["state"] == "one" and got["_version"] == 2


async def test_concurrent_updates_from_the_same_version_let_exactly_one_win(store: Store) -> None:
    await store.insert(CREDS, cred("a"))
    results = await asyncio.gather(
        *(store.update(CREDS, "a", {"state": f"s{i}"}, expected_version=1) for i in range(10)),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, dict)]
    assert len(winners) == 1
    assert all(isinstance(r, ConflictError) for r in results if not isinstance(r, dict))
    got = await store.get(CREDS, "a")
    assert got is not None and got["state"] == winners[0]["state"] and got["_version"] == 2


async def test_update_of_a_missing_document_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.update(CREDS, "ghost", {"state": "x"})


@pytest.mark.parametrize("field", ["_id", "_version", "_terms"])
async def test_update_cannot_touch_store_fields(store: Store, field: str) -> None:
    await store.insert(CREDS, cred("a"))
    with pytest.raises(InvalidDocumentError):
        await store.update(CREDS, "a", {field: "x"})


# ---- deletes ---------------------------------------------------------------------------------


async def test_delete_reports_whether_it_deleted(store: Store) -> None:
    await store.insert(CREDS, cred("a", name="Unique zebra"))
    assert await store.delete(CREDS, "a") is True
    assert await store.delete(CREDS, "a") is False
    assert await store.get(CREDS, "a") is None
    assert await store.count(CREDS, {"$text": "zebra"}) == 0
    await store.insert(CREDS, cred("a"))  # the id is free again


async def test_delete_many_removes_matches_and_counts_them(store: Store) -> None:
    await store.insert_many(
        CREDS, [cred(f"a{i}", labels=["old"] if i % 2 else []) for i in range(6)]
    )
    await store.insert(CREDS, cred("b", owner="bob"))
    assert await store.delete_many(CREDS, {"owner": "alice", "labels": "old"}) == 3
    assert await store.count(CREDS) == 4
    assert await store.delete_many(CREDS, {"owner": "alice"}) == 3
    assert ids((await store.find(CREDS)).items) == ["b"]


# ---- filters ---------------------------------------------------------------------------------


async def seed_filters(store: Store) -> None:
    await store.insert_many(
        CREDS,
        [
            cred("a", issued="2024-01-05T00:00:00Z", score=1, rank=3, public=True, labels=["w"]),
            cred("b", issued="2024-02-01T00:00:00Z", score=2.5, rank=1, public=False),
            cred("c", issued="2023-12-31T23:59:59Z", score=-4, labels=["w", "h"], state="x"),
            cred("d", owner="bob", issued="2024-03-01T00:00:00Z", score=10, state="abc"),
            cred("e", owner="bobby", state="abd"),
        ],
    )


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({}, ["a", "b", "c", "d", "e"]),
        ({"owner": "alice"}, ["a", "b", "c"]),
        ({"owner": {"$in": ["bob", "bobby"]}}, ["d", "e"]),
        ({"owner": {"$in": []}}, []),
        ({"issued": {"$gte": "2024-01-01T00:00:00Z", "$lt": "2024-03-01T00:00:00Z"}}, ["a", "b"]),
        ({"issued": {"$gt": "2024-02-01T00:00:00Z"}}, ["d"]),
        ({"issued": {"$lte": "2024-01-05T00:00:00Z"}}, ["a", "c"]),
        ({"issued": None}, ["e"]),
        ({"score": {"$gt": 1}}, ["b", "d"]),
        ({"score": {"$gte": 1, "$lte": 2.5}}, ["a", "b"]),
        ({"score": 2.5}, ["b"]),
        ({"rank": {"$lt": 3}}, ["b"]),
        ({"public": True}, ["a"]),
        ({"public": False}, ["b"]),
        ({"labels": "w"}, ["a", "c"]),
        ({"labels": {"$in": ["h", "zzz"]}}, ["c"]),
        ({"owner": "alice", "labels": "w"}, ["a", "c"]),
        ({"state": {"$prefix": "ab"}}, ["d", "e"]),
        ({"owner": {"$prefix": "bob"}}, ["d", "e"]),
        ({"owner": {"$prefix": ""}}, ["a", "b", "c", "d", "e"]),
        ({"_id": {"$in": ["a", "e", "zz"]}}, ["a", "e"]),
        ({"_id": {"$gt": "c"}}, ["d", "e"]),
        ({"owner": "alice", "state": None}, ["a", "b"]),
    ],
)
async def test_filters_select_exactly_the_matching_documents(
    store: Store, flt: dict[str, Any], expected: list[str]
) -> None:
    await seed_filters(store)
    assert ids((await store.find(CREDS, flt, limit=100)).items) == expected
    assert await store.count(CREDS, flt) == len(expected)


@pytest.mark.parametrize(
    "flt",
    [
        {"owner": {"$ne": "x"}},
        {"owner": {"$regex": "x"}},
        {"undeclared": 1},
        {"owner": 5},
        {"score": "high"},
        {"public": 1},
        {"owner": {"$in": "alice"}},
        {"owner": {"$in": [None]}},
        {"labels": {"$gt": "a"}},
        {"labels": None},
        {"score": {"$prefix": "1"}},
        {"owner": {}},
        {"$or": [{"owner": "x"}]},
        {"$text": 5},
        {"_version": 1},
    ],
)
async def test_unknown_or_ill_typed_filters_are_refused(store: Store, flt: dict[str, Any]) -> None:
    with pytest.raises(InvalidQueryError):
        await store.find(CREDS, flt)
    with pytest.raises(InvalidQueryError):
        await store.count(CREDS, flt)


async def test_text_filter_needs_text_fields(store: Store) -> None:
    with pytest.raises(InvalidQueryError):
        await store.find("accounts", {"$text": "x"})


async def test_unknown_collection_is_refused(store: Store) -> None:
    with pytest.raises(InvalidQueryError):
        await store.get("nope", "a")


@pytest.mark.parametrize("limit", [0, -1, 1001, True])
async def test_limit_must_be_between_1_and_1000(store: Store, limit: int) -> None:
    with pytest.raises(InvalidQueryError):
        await store.find(CREDS, limit=limit)


# ---- sorting and cursors ---------------------------------------------------------------------


async def test_sort_uses_id_as_tiebreaker_and_missing_values_sort_lowest(store: Store) -> None:
    await store.insert_many(
        CREDS,
        [
            cred("b", issued="2024"),
            cred("a", issued="2024"),
            cred("c", issued="2023"),
            cred("e"),
            cred("d", issued=None),
        ],
    )
    ascending = await store.find(CREDS, sort=("issued", "asc"))
    assert ids(ascending.items) == ["d", "e", "c", "a", "b"]
    descending = await store.find(CREDS, sort=("issued", "desc"))
    assert ids(descending.items) == ["b", "a", "c", "e", "d"]
    for direction in ("asc", "desc"):
        for limit in (1, 2, 3):
            whole = ids((await store.find(CREDS, sort=("issued", direction))).items)
            assert await all_pages(store, {}, ("issued", direction), limit) == whole


async def test_cursor_pagination_visits_every_document_once(store: Store) -> None:
    rng = random.Random(7)
    docs = [cred(f"{i:03d}", issued=f"2024-01-{rng.randint(1, 9):02d}") for i in range(57)]
    await store.insert_many(CREDS, docs)
    for sort in (("issued", "desc"), ("issued", "asc"), ("_id", "desc"), ("_id", "asc")):
        seen = await all_pages(store, {"owner": "alice"}, sort, 10)
        assert sorted(seen) == sorted(ids(docs)) and len(seen) == 57
        first = await store.find(CREDS, {"owner": "alice"}, sort=sort, limit=57)
        assert seen == ids(first.items) and first.next_cursor is None


async def test_cursor_is_stable_while_documents_are_inserted(store: Store) -> None:
    await store.insert_many(CREDS, [cred(f"m{i}", issued=f"2024-05-{i + 10}") for i in range(10)])
    page1 = await store.find(CREDS, sort=("issued", "desc"), limit=4)
    assert ids(page1.items) == ["m9", "m8", "m7", "m6"]
    # Newer documents land before the cursor; an older one after it.
    await store.insert(CREDS, cred("new1", issued="2024-06-01"))
    await store.insert(CREDS, cred("new2", issued="2024-05-15"))  # same as m5: "m5" < "new2"
    await store.insert(CREDS, cred("old", issued="2024-01-01"))
    rest = await all_pages_after(store, page1.next_cursor)
    assert rest == ["new2", "m5", "m4", "m3", "m2", "m1", "m0", "old"]


async def all_pages_after(store: Store, cursor: str | None) -> list[str]:
    seen: list[str] = []
    while cursor is not None:
        page = await store.find(CREDS, sort=("issued", "desc"), limit=3, after=cursor)
        seen.extend(ids(page.items))
        cursor = page.next_cursor
    return seen


async def test_cursor_from_another_sort_or_garbage_is_refused(store: Store) -> None:
    await store.insert_many(CREDS, [cred(f"x{i}", issued="2024") for i in range(3)])
    page = await store.find(CREDS, sort=("issued", "desc"), limit=1)
    assert page.next_cursor is not None
    for bad_sort in (("issued", "asc"), ("_id", "desc")):
        with pytest.raises(InvalidQueryError):
            await store.find(CREDS, sort=bad_sort, after=page.next_cursor)
    for garbage in ("", "!!!", "bm90IGpzb24", "WzEsMl0"):
        with pytest.raises(InvalidQueryError):
            await store.find(CREDS, sort=("issued", "desc"), after=garbage)


@pytest.mark.parametrize("sort", [("labels", "asc"), ("issued", "up"), ("nope", "asc")])
async def test_sorting_on_a_list_or_unknown_field_is_refused(store: Store, sort: Any) -> None:
    with pytest.raises(InvalidQueryError):
        await store.find(CREDS, sort=sort)


# ---- full-text search ------------------------------------------------------------------------


async def seed_text(store: Store) -> None:
    await store.insert_many(
        CREDS,
        [
            cred("a", name="Éléments de Géométrie", description="Cours avancé"),
            cred("b", name="Data Science Foundations", tags=["python", "Statistics"]),
            cred("c", name="Python for data analysis", description="Pandas, NumPy"),
            cred("d", owner="bob", name="Python basics", description="First steps"),
            cred("e", name="Straße und Verkehr"),
        ],
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("geometrie", ["a"]),
        ("GÉOMÉTRIE", ["a"]),
        ("elements geom", ["a"]),
        ("avance", ["a"]),
        ("python", ["b", "c", "d"]),
        ("pyth", ["b", "c", "d"]),
        ("data", ["b", "c"]),
        ("python data", ["b", "c"]),
        ("data python", ["b", "c"]),
        ("statistics", ["b"]),
        ("numpy pandas", ["c"]),
        ("pyt dat", []),  # only the last word is a prefix
        ("python zebra", []),
        ("strasse", ["e"]),
        ("  ,,; ", ["a", "b", "c", "d", "e"]),  # no words: no text constraint
    ],
)
async def test_text_search_matches_all_words_ignoring_case_and_accents(
    store: Store, query: str, expected: list[str]
) -> None:
    await seed_text(store)
    assert ids((await store.find(CREDS, {"$text": query})).items) == expected
    assert await store.count(CREDS, {"$text": query}) == len(expected)


async def test_text_search_combines_with_filters_sort_and_pages(store: Store) -> None:
    await seed_text(store)
    flt = {"owner": "alice", "$text": "python"}
    assert await all_pages(store, flt, ("_id", "desc"), 1) == ["c", "b"]


async def test_scoped_text_search_finds_only_the_scope_owners_documents(store: Store) -> None:
    await seed_text(store)
    assert ids((await store.find(CREDS, {"owner": "bob", "$text": "python"})).items) == ["d"]
    assert await store.count(CREDS, {"owner": "alice", "$text": "pyth"}) == 2
    assert await store.count(CREDS, {"owner": "nobody", "$text": "python"}) == 0


async def test_a_word_equal_to_another_owners_scope_token_does_not_leak(store: Store) -> None:
    from satchel.wallet.storage.query import scope_token

    await seed_text(store)
    forged = scope_token("alice")
    await store.insert(CREDS, cred("x", owner="mallory", name=f"{forged} python"))
    found = ids((await store.find(CREDS, {"owner": "alice", "$text": "python"})).items)
    assert "x" not in found
    assert ids((await store.find(CREDS, {"owner": "mallory", "$text": "python"})).items) == ["x"]


async def test_scope_moves_with_an_updated_owner(store: Store) -> None:
    await seed_text(store)
    await store.update(CREDS, "d", {"owner": "alice", "credential_id": "urn:d2"})
    assert await store.count(CREDS, {"owner": "bob", "$text": "python"}) == 0
    assert await store.count(CREDS, {"owner": "alice", "$text": "python"}) == 3


async def test_text_search_follows_updates(store: Store) -> None:
    await seed_text(store)
    await store.update(CREDS, "c", {"name": "Rust in depth"}, unset=["description"])
    assert ids((await store.find(CREDS, {"$text": "python"})).items) == ["b", "d"]
    assert ids((await store.find(CREDS, {"$text": "rust dep"})).items) == ["c"]
    await store.update(CREDS, "c", {"state": "accepted"})  # non-text change keeps the terms
    assert ids((await store.find(CREDS, {"$text": "rust"})).items) == ["c"]


# ---- concurrency and lifetime ----------------------------------------------------------------


async def test_two_hundred_concurrent_inserts_all_land(store: Store) -> None:
    await asyncio.gather(
        *(store.insert(CREDS, cred(f"c{i:03d}", name=f"n{i}")) for i in range(200))
    )
    assert await store.count(CREDS) == 200
    assert await store.count(CREDS, {"$text": "n150"}) == 1


async def test_concurrent_transactions_all_commit_when_retried(store: Store) -> None:
    async def pair(i: int) -> None:
        async def work(tx: Operations) -> None:
            await tx.insert(CREDS, cred(f"p{i}"))
            await tx.insert("accounts", {"_id": f"u{i}", "email": f"{i}@example.org"})

        await in_transaction(store, work, attempts=20)

    await asyncio.gather(*(pair(i) for i in range(20)))
    assert await store.count(CREDS) == 20
    assert await store.count("accounts") == 20


async def test_reopening_the_store_keeps_the_data(backend: Any) -> None:
    first = await backend.open()
    await first.insert(CREDS, cred("a", name="Persistent badge", raw=b"\x00\x01"))
    await first.close()
    second = await backend.open()
    try:
        got = await second.get(CREDS, "a")
        assert got is not None and got["raw"] == b"\x00\x01"
        assert await second.count(CREDS, {"$text": "persist"}) == 1
        with pytest.raises(DuplicateKeyError):
            await second.insert(CREDS, cred("b", credential_id="urn:a"))
    finally:
        await second.close()


async def test_reopening_with_new_fields_migrates_existing_documents(backend: Any) -> None:
    first = await backend.open()
    await first.insert(CREDS, cred("a", issuer_name="Acme University", level=3, name="Badge"))
    await first.close()
    fields = {"owner": FieldType.STRING, "credential_id": FieldType.STRING}
    changed = Collection(
        name=CREDS,
        fields={**fields, "level": FieldType.INTEGER},
        indexes=(Index(("owner", "credential_id"), unique=True), Index(("level",))),
        text_fields=("issuer_name",),
    )
    second = await backend.open(Schema((changed,)))
    try:
        assert ids((await second.find(CREDS, {"level": {"$gte": 3}})).items) == ["a"]
        assert await second.count(CREDS, {"$text": "acme univ"}) == 1
        assert await second.count(CREDS, {"$text": "badge"}) == 0
    finally:
        await second.close()
